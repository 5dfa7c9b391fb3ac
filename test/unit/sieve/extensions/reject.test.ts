// RFC 5429: reject and ereject.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actions, errorCodes, runScript } from '../helpers.js';

test('§2.2 reject and §2.1 ereject refuse the message with the reason and cancel the implicit keep', () => {
  assert.deepEqual(actions('require "reject"; reject "go away";'), [{ type: 'reject', reason: 'go away' }]);
  assert.deepEqual(actions('require "ereject"; ereject "spam";'), [{ type: 'ereject', reason: 'spam' }]);
  // §2.2 example: a multi-line reason is kept as written.
  const text = 'require "reject";\nreject text:\nI am not taking mail from you.\nGoodbye.\n.\n;\n';
  assert.match(
    (actions(text)[0] as { reason: string }).reason,
    /^I am not taking mail from you\.\r?\nGoodbye\.\r?\n$/,
  );
});

test('each capability must be required for its own command', () => {
  assert.deepEqual(errorCodes('require "reject"; ereject "x";'), ['require.missing']);
  assert.deepEqual(errorCodes('require "ereject"; reject "x";'), ['require.missing']);
  assert.deepEqual(errorCodes('require "reject"; reject;'), ['argument.count']);
});

test('§2.4: more than one reject or ereject is a run-time error (the implicit keep is performed)', () => {
  for (const s of [
    'require "reject"; reject "a"; reject "b";',
    'require "reject"; reject "a"; reject "a";',
    'require ["reject", "ereject"]; reject "a"; ereject "b";',
  ]) {
    const r = runScript(s);
    assert.equal(r.error?.kind, 'runtime', s);
    assert.deepEqual(r.actions, [{ type: 'keep', flags: [] }]);
  }
});

test('§2.4: reject with keep, fileinto or redirect (either order) is a run-time error; with discard it is not', () => {
  for (const other of [
    'keep;',
    'fileinto "x";',
    'fileinto :copy "x";',
    'redirect "a@example.org";',
    'redirect :copy "a@example.org";',
  ]) {
    for (const s of [`reject "no"; ${other}`, `${other} reject "no";`]) {
      const r = runScript(`require ["reject", "fileinto", "copy"]; ${s}`);
      assert.equal(r.error?.kind, 'runtime', s);
      assert.match(r.error.message, /refused and delivered/);
    }
  }
  assert.deepEqual(actions('require "reject"; reject "no"; discard;'), [{ type: 'reject', reason: 'no' }]);
  assert.deepEqual(actions('require "ereject"; discard; ereject "no";'), [{ type: 'ereject', reason: 'no' }]);
});

test('§2.4: reject is incompatible with vacation', () => {
  const r = runScript('require ["reject", "vacation"]; vacation "away"; reject "no";');
  assert.equal(r.error?.kind, 'runtime');
});
