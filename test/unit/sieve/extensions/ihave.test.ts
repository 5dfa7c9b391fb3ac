// RFC 5463: ihave and error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actions, errorCodes, fileinto, KEEP, runScript } from '../helpers.js';
import { createEngine } from '../../../../src/sieve/index.js';

test('§4: ihave and error need require "ihave"', () => {
  assert.deepEqual(errorCodes('if ihave "fileinto" { keep; }'), ['require.missing']);
  assert.deepEqual(errorCodes('error "x";'), ['require.missing']);
});

test('§4: ihave is true when every capability is supported', () => {
  assert.deepEqual(actions('require "ihave";\nif ihave ["fileinto", "envelope"] { discard; }'), [
    { type: 'discard' },
  ]);
  assert.deepEqual(actions('require "ihave";\nif ihave ["fileinto", "x-unknown"] { discard; }'), [KEEP]);
});

test('§4: an unknown capability is not an error; its block is not validated', () => {
  const s =
    'require "ihave";\nif ihave "x-frobnicate" { frobnicate :hard "x"; fileinto "y"; } else { discard; }';
  assert.deepEqual(errorCodes(s), []);
  assert.deepEqual(actions(s), [{ type: 'discard' }]);
});

test('§4: inside the block the tested capability counts as required', () => {
  const s = 'require "ihave";\nif ihave "fileinto" { fileinto "Inside"; }';
  assert.deepEqual(errorCodes(s), []);
  assert.deepEqual(actions(s), [fileinto('Inside')]);
  // Also for the aliases a capability has, and for elsif.
  const e =
    'require "ihave";\nif false { keep; } elsif ihave "mailbox" { if mailboxexists "INBOX" { discard; } }';
  assert.deepEqual(actions(e), [{ type: 'discard' }]);
});

test('outside the block (and in else) the capability still needs require', () => {
  assert.deepEqual(errorCodes('require "ihave";\nif ihave "fileinto" { keep; }\nfileinto "Outside";'), [
    'require.missing',
  ]);
  assert.deepEqual(errorCodes('require "ihave";\nif ihave "fileinto" { keep; } else { fileinto "E"; }'), [
    'require.missing',
  ]);
});

test('errors inside a block whose capabilities are supported are still reported', () => {
  assert.deepEqual(errorCodes('require "ihave";\nif ihave "fileinto" { fileinto; }'), ['argument.count']);
});

test('§4: the capabilities are read as written: a variable names no capability', () => {
  const s = 'require ["ihave", "variables"];\nset "c" "fileinto";\nif ihave "${c}" { discard; }';
  assert.deepEqual(actions(s), [KEEP]);
});

test('§4: ihave "variables" and ihave "encoded-character" are false and enable nothing', () => {
  // RFC 5463 §4: ihave MUST NOT be used with extensions that change how the script's content is
  // interpreted (encoded-character, variables): "The test MUST fail and the extension MUST NOT be
  // enabled". So `${…}` inside such a block is never interpolated: the block does not run.
  const vars =
    'require ["ihave", "fileinto"];\nif ihave "variables" { set "a" "x"; fileinto "${a}"; } else { fileinto "no"; }';
  assert.deepEqual(errorCodes(vars), []);
  assert.deepEqual(actions(vars), [fileinto('no')]);
  const enc =
    'require ["ihave", "fileinto"];\nif ihave ["fileinto", "encoded-character"] { fileinto "${hex:41}"; } else { discard; }';
  assert.deepEqual(actions(enc), [{ type: 'discard' }]);
  // Also when the script already requires variables: the test is still false.
  const both =
    'require ["ihave", "variables", "fileinto"];\nif ihave "variables" { discard; } else { fileinto "no"; }';
  assert.deepEqual(actions(both), [fileinto('no')]);
});

test('ihave follows the capabilities the engine enables', () => {
  const engine = createEngine({ enabled: ['ihave', 'fileinto'] });
  assert.equal(
    engine.compile('require "ihave"; if ihave "mailbox" { mailboxexists; }').program !== null,
    true,
  );
  assert.equal(
    engine.compile('require "ihave"; if ihave "fileinto" { fileinto "x"; }').program !== null,
    true,
  );
});

test('§5: error ends the run with its message; the implicit keep is performed', () => {
  const r = runScript('require ["ihave", "fileinto"];\nfileinto "A";\nerror "this script is broken";\nkeep;');
  assert.equal(r.error?.message, 'this script is broken');
  assert.equal(r.error?.line, 3);
  assert.deepEqual(r.actions, [KEEP]);
});

test('§5: the message of error may use variables', () => {
  const r = runScript('require ["ihave", "variables"];\nset "why" "no luck";\nerror "failed: ${why}";');
  assert.equal(r.error?.message, 'failed: no luck');
});

test('the capability list names every extension of this issue', () => {
  const caps = createEngine().capabilities();
  for (const c of [
    'ihave',
    'environment',
    'mailbox',
    'mboxmetadata',
    'servermetadata',
    'special-use',
    'fcc',
    'mailboxid',
    'extlists',
    'convert',
  ]) {
    assert.ok(caps.includes(c), c);
  }
  assert.deepEqual(caps, [...caps].sort());
});
