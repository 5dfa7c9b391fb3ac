// RFC 9042: mailboxid (fileinto :mailboxid, mailboxidexists).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorCodes, fileinto } from '../helpers.js';
import { branch, hostActions } from './with-host.js';

const ids: Record<string, string> = { 'F2212ea87-8c96-4d94-8a54-4d2b9c0f5c4d': 'Lists/sieve', Fjunk: 'Spam' };
const host = {
  mailboxById: (id: string) => ids[id] ?? null,
  specialUseMailbox: (f: string) => (f === '\\Junk' ? 'Junk E-mail' : null),
};
const R = 'require ["fileinto", "mailboxid"];\n';

test('§3: :mailboxid and mailboxidexists need require "mailboxid"', () => {
  assert.deepEqual(errorCodes('require "fileinto"; fileinto :mailboxid "Fjunk" "Spam";'), [
    'require.missing',
  ]);
  assert.deepEqual(errorCodes('if mailboxidexists "Fjunk" { keep; }'), ['require.missing']);
  assert.deepEqual(errorCodes(`${R}fileinto :mailboxid "Fjunk";`), ['argument.count']);
});

test('§4: fileinto :mailboxid files into the mailbox with that id', () => {
  assert.deepEqual(
    hostActions(`${R}fileinto :mailboxid "F2212ea87-8c96-4d94-8a54-4d2b9c0f5c4d" "Other";`, host),
    [fileinto('Lists/sieve')],
  );
});

test('§4: an unknown id falls back to the named mailbox; §4.1 with :create it is created', () => {
  assert.deepEqual(hostActions(`${R}fileinto :mailboxid "Fnone" "Other";`, host), [fileinto('Other')]);
  assert.deepEqual(hostActions(`${R}fileinto :mailboxid "Fjunk" "Other";`, {}), [fileinto('Other')]);
  const r = 'require ["fileinto", "mailboxid", "mailbox"];\n';
  assert.deepEqual(hostActions(`${r}fileinto :mailboxid "Fnone" :create "Other";`, host), [
    { ...fileinto('Other'), create: true },
  ]);
});

test('§4.2: :mailboxid is tried before :specialuse, then the name', () => {
  const r = 'require ["fileinto", "mailboxid", "special-use"];\n';
  assert.deepEqual(hostActions(`${r}fileinto :specialuse "\\\\Junk" :mailboxid "Fjunk" "Junk";`, host), [
    fileinto('Spam'),
  ]);
  assert.deepEqual(hostActions(`${r}fileinto :mailboxid "Fnone" :specialuse "\\\\Junk" "Junk";`, host), [
    fileinto('Junk E-mail'),
  ]);
});

test('§5: mailboxidexists is true only when every id exists', () => {
  assert.equal(branch(['mailboxid'], 'mailboxidexists "Fjunk"', host), true);
  assert.equal(
    branch(['mailboxid'], 'mailboxidexists ["Fjunk", "F2212ea87-8c96-4d94-8a54-4d2b9c0f5c4d"]', host),
    true,
  );
  assert.equal(branch(['mailboxid'], 'mailboxidexists ["Fjunk", "Fnone"]', host), false);
  assert.equal(branch(['mailboxid'], 'mailboxidexists "Fjunk"'), false);
});

test('RFC 8474 §4: a string that is not an object id names no mailbox', () => {
  const all = { mailboxById: () => 'Anything' };
  assert.equal(branch(['mailboxid'], 'mailboxidexists "not an id"', all), false);
  assert.equal(branch(['mailboxid'], 'mailboxidexists ""', all), false);
  assert.equal(branch(['mailboxid'], 'mailboxidexists "Fok_-1"', all), true);
});

test('§6: the id may come from a variable', () => {
  const r = 'require ["fileinto", "mailboxid", "variables"];\nset "id" "Fjunk";\n';
  assert.deepEqual(hostActions(`${r}fileinto :mailboxid "\${id}" "Other";`, host), [fileinto('Spam')]);
});
