// RFC 8579: special-use (fileinto :specialuse, specialuse_exists).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorCodes, errors, fileinto } from '../helpers.js';
import { branch, hostActions, runWithHost } from './with-host.js';
import { isSpecialUseFlag } from '../../../../src/sieve/extensions/special-use/index.js';

const uses: Record<string, string> = { '\\Junk': 'Spam', '\\Sent': 'Sent Items' };
const host = { specialUseMailbox: (f: string) => uses[f] ?? null };
const R = 'require ["fileinto", "special-use"];\n';

test('§5: :specialuse and specialuse_exists need require "special-use"', () => {
  assert.deepEqual(errorCodes('require "fileinto"; fileinto :specialuse "\\\\Junk" "Spam";'), [
    'require.missing',
  ]);
  assert.deepEqual(errorCodes('if specialuse_exists "\\\\Junk" { keep; }'), ['require.missing']);
  assert.deepEqual(errorCodes(`${R}fileinto :specialuse "\\\\Junk" "Spam";`), []);
});

test('§5: fileinto :specialuse files into the mailbox that has the attribute', () => {
  assert.deepEqual(hostActions(`${R}fileinto :specialuse "\\\\Junk" "Junk";`, host), [fileinto('Spam')]);
});

test('§5: without such a mailbox the named mailbox is the fallback (created with :create)', () => {
  assert.deepEqual(hostActions(`${R}fileinto :specialuse "\\\\Archive" "Archive";`, host), [
    fileinto('Archive'),
  ]);
  assert.deepEqual(hostActions(`${R}fileinto :specialuse "\\\\Junk" "Junk";`, {}), [fileinto('Junk')]);
  const r = 'require ["fileinto", "special-use", "mailbox"];\n';
  assert.deepEqual(hostActions(`${r}fileinto :specialuse "\\\\Archive" :create "Archive";`, host), [
    { ...fileinto('Archive'), create: true },
  ]);
});

test('§5: an invalid special-use flag is a compile error at the flag', () => {
  const e = errors(`${R}fileinto :specialuse "Junk" "Spam";`);
  assert.deepEqual(
    e.map((d) => [d.code, d.line, d.column]),
    [['special-use.invalid-flag', 2, 22]],
  );
  assert.deepEqual(errorCodes(`${R}fileinto :specialuse "\\\\Ju nk" "Spam";`), ['special-use.invalid-flag']);
  assert.deepEqual(errorCodes(`${R}fileinto :specialuse "\\\\" "Spam";`), ['special-use.invalid-flag']);
});

test('§5: an invalid flag known only at run time is a run-time error (implicit keep)', () => {
  const r = runWithHost(
    'require ["fileinto", "special-use", "variables"];\nset "f" "Junk";\nfileinto :specialuse "${f}" "Spam";',
    host,
  );
  assert.match(r.error?.message ?? '', /not a valid special-use flag/);
  assert.deepEqual(r.actions, [{ type: 'keep', flags: [] }]);
});

test('§4: specialuse_exists is true when every attribute is assigned to some mailbox', () => {
  assert.equal(branch(['special-use'], 'specialuse_exists "\\\\Junk"', host), true);
  assert.equal(branch(['special-use'], 'specialuse_exists ["\\\\Junk", "\\\\Sent"]', host), true);
  assert.equal(branch(['special-use'], 'specialuse_exists ["\\\\Junk", "\\\\Drafts"]', host), false);
  assert.equal(branch(['special-use'], 'specialuse_exists "\\\\Junk"'), false);
});

test('§4: specialuse_exists with a mailbox: true when that mailbox has every attribute', () => {
  assert.equal(branch(['special-use'], 'specialuse_exists "Spam" "\\\\Junk"', host), true);
  assert.equal(branch(['special-use'], 'specialuse_exists "Spam" ["\\\\Junk", "\\\\Sent"]', host), false);
  assert.equal(branch(['special-use'], 'specialuse_exists "Sent Items" "\\\\Junk"', host), false);
  assert.deepEqual(
    errorCodes('require "special-use"; if specialuse_exists ["A", "B"] "\\\\Junk" { keep; }'),
    ['special-use.invalid-mailbox'],
  );
});

test('§4: specialuse_exists rejects invalid flags at compile time', () => {
  assert.deepEqual(errorCodes('require "special-use"; if specialuse_exists "Junk" { keep; }'), [
    'special-use.invalid-flag',
  ]);
});

test('RFC 6154 flag syntax: a backslash and an atom', () => {
  for (const ok of ['\\Junk', '\\Sent', '\\X-Custom']) assert.equal(isSpecialUseFlag(ok), true, ok);
  for (const bad of ['Junk', '\\', '\\a b', '\\a*', '\\a"b', '\\a]', '\\ä'])
    assert.equal(isSpecialUseFlag(bad), false, bad);
});
