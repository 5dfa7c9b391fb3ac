// RFC 5228 §2.4.2.4: "${hex:…}" encodes arbitrary octets ("encoded-arb-octets"), UTF-8 or not.
// Octets that are not UTF-8 are an error only where the value must be UTF-8 (a mailbox name).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile } from '../../../src/sieve/index.js';
import { actions, errors, runScript } from './helpers.js';
import { hostActions } from './extensions/with-host.js';

const R =
  'require ["encoded-character", "variables", "fileinto", "mailbox", "mboxmetadata", "special-use"];\n';

const warnings = (source: string): string[] =>
  compile(source)
    .diagnostics.filter((d) => d.severity === 'warning')
    .map((d) => d.code);

test('a string may hold octets that are not UTF-8; they compare as themselves', () => {
  assert.deepEqual(errors(`${R}if string "\${hex:ff}rop" "\${hex:ff}rop" { fileinto "same"; }`), []);
  const acts = actions(`${R}if string "\${hex:ff}rop" "\${hex:ff}rop" { fileinto "same"; }`);
  assert.deepEqual(
    acts.map((a) => a.type === 'fileinto' && a.mailbox),
    ['same'],
  );
  assert.deepEqual(actions(`${R}if string "\${hex:ff}rop" "\u00ffrop" { fileinto "same"; }`), [
    { type: 'keep', flags: [] },
  ]);
  // Valid sequences decode as before.
  assert.deepEqual(
    actions(`${R}fileinto "\${hex:c3 a9}t";`).map((a) => a.type === 'fileinto' && a.mailbox),
    ['\u00e9t'],
  );
});

test('fileinto: a mailbox name that is not UTF-8 is an error, at compile or at run time', () => {
  const e = errors(`${R}fileinto "\${hex:ff}rop";`);
  assert.deepEqual(
    e.map((d) => d.code),
    ['fileinto.invalid-mailbox'],
  );
  assert.match(e[0]!.message, /invalid folder name "\$\{hex:ff\}rop": it is not UTF-8/);
  const r = runScript(`${R}set "m" "\${hex:ff}rop";\nfileinto "\${m}";`);
  assert.match(r.error?.message ?? '', /invalid folder name "\$\{hex:ff\}rop"/);
  assert.deepEqual(r.actions, [{ type: 'keep', flags: [] }]);
});

test('tests of mailboxes: a name that is not UTF-8 names no mailbox (a warning when constant)', () => {
  const host = {
    mailboxExists: () => true,
    metadata: () => 'x',
    specialUseMailbox: () => 'Sent',
  };
  for (const t of [
    'mailboxexists "${hex:ff}rop"',
    'metadataexists "${hex:ff}rop" "/private/comment"',
    'metadata "${hex:ff}rop" "/private/comment" "x"',
    'specialuse_exists "${hex:ff}rop" "\\\\Sent"',
  ]) {
    assert.deepEqual(warnings(`${R}if ${t} { fileinto "yes"; }`), ['mailbox.not-utf8'], t);
    assert.deepEqual(hostActions(`${R}if ${t} { fileinto "yes"; }`, host), [{ type: 'keep', flags: [] }], t);
    const v = `${R}set "m" "\${hex:ff}rop";\nif ${t.replace('"${hex:ff}rop"', '"${m}"')} { fileinto "yes"; }`;
    assert.deepEqual(hostActions(v, host), [{ type: 'keep', flags: [] }], t);
  }
});
