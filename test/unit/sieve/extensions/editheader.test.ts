// RFC 5293: editheader (addheader, deleteheader), the edited message seen by later tests, and the
// changes carried in the result for delivery.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ActionJson } from '../../../../src/sieve/index.js';
import { applyEdits, encodeFieldValue } from '../../../../src/sieve/message/edit.js';
import { editedMessage } from '../../../../src/sieve/outgoing.js';
import { actions, errorCodes, errors, runScript } from '../helpers.js';
import { hostActions } from './with-host.js';

const MESSAGE = [
  'Received: from a by b',
  'From: alice@example.com',
  'To: bob@example.org',
  'Subject: hello',
  'X-A: one',
  'X-A: two',
  'X-A: three',
  'Auto-Submitted: auto-replied',
  '',
  'body',
  '',
].join('\r\n');

const REQ = 'require ["editheader", "variables", "fileinto"];\n';

/** The mailboxes the script files into, in order. */
function folders(script: string, message = MESSAGE): string[] {
  return actions(REQ + script, message).flatMap((a) => (a.type === 'fileinto' ? [a.mailbox] : []));
}

function edits(script: string, message = MESSAGE): ActionJson | undefined {
  return actions(REQ + script, message).find((a) => a.type === 'edit');
}

/** The values of a header after the script's edits, joined. */
const VALUES = (name: string): string =>
  `set "v" ""; if header :matches "${name}" "*" { set "v" "\${1}"; } fileinto "first=\${v}";`;

test('RFC 5293 §4: addheader inserts at the top, :last at the end; later tests see it (§6)', () => {
  assert.deepEqual(folders(`addheader "X-A" "zero";\n${VALUES('x-a')}`), ['first=zero']);
  assert.deepEqual(folders(`addheader :last "X-A" "four";\n${VALUES('x-a')}`), ['first=one']);
  assert.deepEqual(folders('addheader :last "X-New" "v";\nif header :is "x-new" "v" { fileinto "seen"; }'), [
    'seen',
  ]);
  assert.deepEqual(folders('addheader "X-New" "v";\nif exists "X-New" { fileinto "exists"; }'), ['exists']);
});

test('RFC 5293 §5: deleteheader removes every field of the name, or those matching', () => {
  assert.deepEqual(folders('deleteheader "x-a";\nif not exists "x-a" { fileinto "gone"; }'), ['gone']);
  assert.deepEqual(folders(`deleteheader :is "x-a" "one";\n${VALUES('x-a')}`), ['first=two']);
  assert.deepEqual(folders(`deleteheader :contains "x-a" ["on", "tw"];\n${VALUES('x-a')}`), ['first=three']);
  assert.deepEqual(folders(`deleteheader :matches "x-a" "t*";\n${VALUES('x-a')}`), ['first=one']);
});

test('RFC 5293 §5: :index counts from 1 before the patterns match, :last from the end', () => {
  const list = (script: string): string[] =>
    folders(
      `${script}\nset "n" "";\nif header :matches "x-a" "*" { set "n" "\${1}"; }\nfileinto "first=\${n}";`,
    );
  assert.deepEqual(list('deleteheader :index 1 "x-a";'), ['first=two']);
  assert.deepEqual(list('deleteheader :index 1 :last "x-a";'), ['first=one']);
  // The first field does not match "two": nothing is deleted.
  assert.deepEqual(list('deleteheader :index 1 :is "x-a" "two";'), ['first=one']);
  assert.deepEqual(list('deleteheader :index 2 :is "x-a" "two";'), ['first=one']);
  assert.deepEqual(list('deleteheader :index 9 "x-a";'), ['first=one']);
});

test('RFC 5293 §5: deleteheader compares decoded values', () => {
  const msg = MESSAGE.replace('X-A: one', 'X-A: =?UTF-8?Q?caf=C3=A9?=');
  assert.deepEqual(folders(`deleteheader :is "x-a" "café";\n${VALUES('x-a')}`, msg), ['first=two']);
});

test('RFC 5293 §6: Received and Auto-Submitted cannot be deleted (ignored, warned); Subject can', () => {
  const r = runScript(
    REQ +
      'deleteheader "received";\ndeleteheader "Auto-Submitted";\nif allof(exists "received", exists "auto-submitted") { fileinto "kept"; }',
    MESSAGE,
  );
  assert.equal(r.error, null);
  assert.deepEqual(
    r.actions.filter((a) => a.type === 'fileinto').map((a) => (a as { mailbox: string }).mailbox),
    ['kept'],
  );
  assert.equal(
    r.actions.find((a) => a.type === 'edit'),
    undefined,
  );
  assert.deepEqual(folders('deleteheader "subject";\nif not exists "subject" { fileinto "no-subject"; }'), [
    'no-subject',
  ]);
  // Adding them is allowed.
  assert.deepEqual(
    folders('addheader "Received" "by sieve";\nif header :is "received" "by sieve" { fileinto "added"; }'),
    ['added'],
  );
});

test('compile errors: invalid names, :last without :index, bad values, missing require', () => {
  assert.deepEqual(errorCodes(REQ + 'addheader "X A" "v";'), ['editheader.invalid-name']);
  assert.deepEqual(errorCodes(REQ + 'addheader "X:A" "v";'), ['editheader.invalid-name']);
  assert.deepEqual(errorCodes(REQ + 'deleteheader "";'), ['editheader.invalid-name']);
  assert.deepEqual(errorCodes(REQ + 'deleteheader :last "X-A";'), ['editheader.last-without-index']);
  assert.deepEqual(errorCodes(REQ + 'deleteheader :index 0 "X-A";'), ['editheader.index']);
  assert.deepEqual(errorCodes(REQ + 'addheader "X-A" "a\\0b";'.replace('\\0', '\0')), [
    'editheader.invalid-value',
  ]);
  assert.deepEqual(errorCodes(REQ + `addheader "X-A" "${'x'.repeat(2049)}";`), ['editheader.invalid-value']);
  assert.deepEqual(errorCodes('addheader "X-A" "v";'), ['require.missing']);
  assert.deepEqual(errorCodes(REQ + 'addheader "X-A";'), ['argument.count']);
  assert.deepEqual(errorCodes(REQ + 'deleteheader "X-A" "a" "b";'), ['argument.count']);
  const w = errors(REQ + 'deleteheader "received";');
  assert.deepEqual(w, []);
});

test('the errors show the field name and the value that are wrong', () => {
  assert.match(errors(REQ + 'addheader "X-field:" "v";')[0]!.message, /field name "X-field:" is invalid/);
  assert.match(errors(REQ + 'deleteheader "X field";')[0]!.message, /field name "X field" is invalid/);
  const nul = errors(REQ + 'addheader "X-A" "Woah\0!";');
  assert.match(nul[0]!.message, /the value "Woah\\0!" is invalid: it contains a NUL character/);
  const long = errors(REQ + `addheader "X-A" "${'x'.repeat(2049)}";`);
  assert.match(long[0]!.message, /the value "x{40}…" is invalid: it is too long \(2049 octets/);
});

test('run-time errors for names and values from variables (RFC 5228 §2.10.6: implicit keep)', () => {
  const r = runScript(REQ + 'set "n" "X A";\naddheader "${n}" "v";\nfileinto "never";', MESSAGE);
  assert.match(r.error?.message ?? '', /field name "X A" is invalid/);
  assert.deepEqual(r.actions, [{ type: 'keep', flags: [] }]);
  // maxHeaderValueSize (2,048 octets) is checked again when the value comes from a variable.
  const big = runScript(REQ + `set "v" "${'y'.repeat(3000)}";\naddheader "X-A" "\${v}";`, MESSAGE);
  assert.match(big.error?.message ?? '', /too long \(3000 octets; the limit is 2048\)/);
});

test('the result carries the changes in order, once, without cancelling the implicit keep', () => {
  const e = edits('addheader "X-1" "a";\ndeleteheader :index 2 "x-a";\naddheader :last "X-2" "b";');
  assert.deepEqual(e, {
    type: 'edit',
    edits: [
      { op: 'addheader', name: 'X-1', value: 'a', last: false },
      { op: 'deleteheader', name: 'x-a', occurrences: [2] },
      { op: 'addheader', name: 'X-2', value: 'b', last: true },
    ],
  });
  const r = actions(REQ + 'addheader "X-1" "a";');
  assert.deepEqual(
    r.map((a) => a.type),
    ['edit', 'keep'],
  );
});

test('applyEdits gives delivery the same message the script saw', () => {
  const bytes = new TextEncoder().encode(MESSAGE);
  const out = new TextDecoder().decode(
    applyEdits(bytes, [
      { op: 'addheader', name: 'X-1', value: 'a', last: false },
      { op: 'deleteheader', name: 'x-a', occurrences: [1, 3] },
      { op: 'addheader', name: 'X-2', value: 'b\nc', last: true },
    ]),
  );
  assert.equal(
    out,
    [
      'X-1: a',
      'Received: from a by b',
      'From: alice@example.com',
      'To: bob@example.org',
      'Subject: hello',
      'X-A: two',
      'Auto-Submitted: auto-replied',
      'X-2: b',
      ' c',
      '',
      'body',
      '',
    ].join('\r\n'),
  );
});

test('non-ASCII values are RFC 2047 encoded words that decode to the same text', () => {
  assert.equal(encodeFieldValue('plain'), 'plain');
  assert.equal(encodeFieldValue('café crème au lait'), '=?UTF-8?B?Y2Fmw6kgY3LDqG1l?= au lait');
  assert.deepEqual(
    folders(
      'addheader "X-U" "café crème au lait";\nif header :is "x-u" "café crème au lait" { fileinto "same"; }',
    ),
    ['same'],
  );
  const long = 'é'.repeat(100);
  assert.deepEqual(
    folders(`addheader "X-U" "${long}";\nif header :is "x-u" "${long}" { fileinto "long"; }`),
    ['long'],
  );
});

test('size follows the edits; a header-only message can be edited', () => {
  assert.deepEqual(
    folders(`addheader "X-Big" "${'z'.repeat(500)}";\nif size :over 500 { fileinto "big"; }`),
    ['big'],
  );
  const headerOnly = 'Subject: x\r\n';
  assert.deepEqual(
    folders('addheader :last "X-B" "v";\nif header :is "x-b" "v" { fileinto "ok"; }', headerOnly),
    ['ok'],
  );
});

test('§6: the site may forbid adding or deleting fields; such edits are silently ignored', () => {
  const host = { editheaderPolicy: { forbidAdd: ['x-frop', 'Subject'], forbidDelete: ['X-A', 'subject'] } };
  const seen = (script: string): string[] =>
    hostActions(REQ + script, host, MESSAGE).flatMap((a) => (a.type === 'fileinto' ? [a.mailbox] : []));
  assert.deepEqual(seen('addheader "X-Frop" "v"; if exists "x-frop" { fileinto "added"; }'), []);
  assert.deepEqual(seen('deleteheader "x-a"; if exists "x-a" { fileinto "kept"; }'), ['kept']);
  assert.deepEqual(seen('deleteheader :index 1 "x-a"; if header "x-a" "one" { fileinto "kept"; }'), ['kept']);
  // Subject can always be edited; other fields are not affected.
  assert.deepEqual(seen('deleteheader "subject"; if not exists "subject" { fileinto "gone"; }'), ['gone']);
  assert.deepEqual(seen('addheader "Subject" "s"; if header "subject" "s" { fileinto "added"; }'), ['added']);
  assert.deepEqual(seen('addheader "X-B" "b"; if exists "x-b" { fileinto "added"; }'), ['added']);
  // Nothing that was ignored reaches the result.
  const acts = hostActions(REQ + 'addheader "X-Frop" "v"; deleteheader "X-A";', host, MESSAGE);
  assert.equal(
    acts.some((a) => a.type === 'edit'),
    false,
  );
});

test('RFC 5293 §6: each store and redirect carries the message as edited when it ran', () => {
  const acts = actions(
    REQ +
      'addheader "X-Some" "added";\nredirect "a@example.net";\ndeleteheader "X-Some";\n' +
      'fileinto "F";\naddheader :last "X-Late" "late";\n',
  );
  // The redirect ran after one change, the fileinto after two; the implicit keep is not there.
  assert.deepEqual(
    acts.filter((a) => a.type !== 'edit'),
    [
      { type: 'redirect', address: 'a@example.net', copy: false, editCount: 1 },
      { type: 'fileinto', mailbox: 'F', flags: [], copy: false, create: false, editCount: 2 },
    ],
  );
  const message = editedMessage(new TextEncoder().encode(MESSAGE), acts);
  const text = (a: ActionJson) => new TextDecoder().decode(message.of(a));
  assert.match(text(acts.find((a) => a.type === 'redirect')!), /^X-Some: added\r\nReceived:/);
  const filed = text(acts.find((a) => a.type === 'fileinto')!);
  assert.doesNotMatch(filed, /X-Some|X-Late/);
  assert.match(new TextDecoder().decode(message.stored), /X-Late: late\r\n\r\nbody/);
});

test('RFC 5293 §6: the implicit keep, and actions after the last change, carry the final message', () => {
  const acts = actions(`${REQ}require "copy";\ndeleteheader "Subject";\nredirect :copy "a@example.net";\n`);
  assert.deepEqual(
    acts.filter((a) => a.type !== 'edit'),
    [
      { type: 'redirect', address: 'a@example.net', copy: true },
      { type: 'keep', flags: [] },
    ],
  );
  const message = editedMessage(new TextEncoder().encode(MESSAGE), acts);
  for (const a of acts) assert.doesNotMatch(new TextDecoder().decode(message.of(a)), /Subject/);
});

test('a duplicate store keeps the message as the first one saw it (as Pigeonhole does)', () => {
  const acts = actions(
    `${REQ}keep;\naddheader "X-A" "zero";\nkeep;\nfileinto "F";\naddheader "X-B" "b";\nfileinto "F";\n`,
  );
  assert.deepEqual(
    acts.filter((a) => a.type !== 'edit').map((a) => [a.type, 'editCount' in a ? a.editCount : undefined]),
    [
      ['keep', 0],
      ['fileinto', 1],
    ],
  );
});
