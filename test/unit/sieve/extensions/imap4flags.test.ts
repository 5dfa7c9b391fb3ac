// RFC 5232: imap4flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage, run } from '../../../../src/sieve/index.js';
import { normalizeFlags } from '../../../../src/sieve/extensions/imap4flags/index.js';
import { actions, DEFAULT_MESSAGE, errorCodes, program } from '../helpers.js';
import { branch, hostActions, warningCodes } from './with-host.js';

const R = 'require ["imap4flags", "fileinto"];\n';

test('§3: flag lists are split on spaces; empty and invalid flags are ignored; duplicates merge', () => {
  assert.deepEqual(normalizeFlags(['  $a   b ', '', '\\seen']), ['$a', 'b', '\\Seen']);
  // \Recent cannot be set (§3); unknown system flags, non-atoms and non-ASCII are not flags.
  assert.deepEqual(normalizeFlags(['\\Recent \\Foo a(b ü ok']), ['ok']);
  // IMAP flags are case-insensitive: the first spelling of a keyword stays.
  assert.deepEqual(normalizeFlags(['$Foo $foo \\SEEN \\Seen']), ['$Foo', '\\Seen']);
  assert.deepEqual(warningCodes(`${R}addflag "a(b";`), ['imap4flags.invalid-flag']);
});

test('§4: setflag, addflag and removeflag change the internal variable used by the implicit keep (§5)', () => {
  assert.deepEqual(actions(`${R}setflag "\\\\Seen";`), [{ type: 'keep', flags: ['\\Seen'] }]);
  assert.deepEqual(actions(`${R}setflag "a"; setflag "b";`), [{ type: 'keep', flags: ['b'] }]);
  assert.deepEqual(actions(`${R}addflag "a"; addflag ["b", "A"];`), [{ type: 'keep', flags: ['a', 'b'] }]);
  assert.deepEqual(actions(`${R}addflag "a b c"; removeflag ["B", "x"];`), [
    { type: 'keep', flags: ['a', 'c'] },
  ]);
  assert.deepEqual(actions(`${R}addflag "a"; removeflag "a";`), [{ type: 'keep', flags: [] }]);
});

test('§5: keep and fileinto store the current flags; :flags replaces them for that action', () => {
  assert.deepEqual(actions(`${R}addflag "$a"; fileinto "X"; addflag "$b"; fileinto "Y";`), [
    { type: 'fileinto', mailbox: 'X', flags: ['$a'], copy: false, create: false },
    { type: 'fileinto', mailbox: 'Y', flags: ['$a', '$b'], copy: false, create: false },
  ]);
  assert.deepEqual(actions(`${R}addflag "$a"; fileinto :flags "\\\\flagged $k" "X"; keep :flags "";`), [
    { type: 'fileinto', mailbox: 'X', flags: ['$k', '\\Flagged'], copy: false, create: false },
    { type: 'keep', flags: [] },
  ]);
  assert.deepEqual(errorCodes('require "fileinto"; fileinto :flags "a" "X";'), ['require.missing']);
});

test('§4: hasflag compares the internal variable with match types and comparators', () => {
  const hasAfter = (setup: string, test: string) =>
    actions(
      `require ["imap4flags", "fileinto", "relational", "comparator-i;ascii-numeric"];\n${setup}\nif ${test} { fileinto "yes"; }`,
    ).some((a) => a.type === 'fileinto' && a.mailbox === 'yes');
  assert.equal(hasAfter('addflag "$Work \\\\Seen";', 'hasflag "\\\\seen"'), true);
  assert.equal(hasAfter('addflag "$Work";', 'hasflag "$work"'), true);
  assert.equal(hasAfter('addflag "$Work";', 'hasflag :comparator "i;octet" "$work"'), false);
  assert.equal(hasAfter('addflag "$Work";', 'hasflag :contains "ork"'), true);
  assert.equal(hasAfter('addflag "a b c";', 'hasflag :count "eq" :comparator "i;ascii-numeric" "3"'), true);
  assert.equal(hasAfter('', 'hasflag :matches "*"'), false);
  assert.equal(branch(['imap4flags'], 'hasflag "x"'), false);
});

test('§3, §4: flag commands and hasflag on variables (with variables)', () => {
  const R2 = 'require ["imap4flags", "fileinto", "variables"];\n';
  // The variable holds a normalised, space-separated list; the internal variable is untouched.
  assert.deepEqual(actions(`${R2}addflag "v" "a"; addflag "v" "b A"; fileinto "${'$'}{v}";`), [
    { type: 'fileinto', mailbox: 'a b', flags: [], copy: false, create: false },
  ]);
  assert.deepEqual(
    actions(
      `${R2}set "v" "x y"; removeflag "v" "X"; setflag "w" "\\\\seen"; fileinto "${'$'}{v}-${'$'}{w}";`,
    )[0],
    {
      type: 'fileinto',
      mailbox: 'y-\\Seen',
      flags: [],
      copy: false,
      create: false,
    },
  );
  const filed = (s: string) => actions(R2 + s).some((a) => a.type === 'fileinto' && a.mailbox === 'yes');
  assert.equal(filed('setflag "v" "\\\\Seen"; if hasflag "v" "\\\\seen" { fileinto "yes"; }'), true);
  assert.equal(
    filed('setflag "v" "a"; setflag "w" "b"; if hasflag ["v", "w"] "b" { fileinto "yes"; }'),
    true,
  );
  assert.equal(filed('setflag "v" "a"; if hasflag "v" "\\\\Seen" { fileinto "yes"; }'), false);
  // §3: the variable forms need require "variables"; the name must be a valid variable name.
  assert.deepEqual(errorCodes('require "imap4flags"; addflag "v" "a";'), [
    'imap4flags.variable-without-variables',
  ]);
  assert.deepEqual(errorCodes(`${R2}addflag "a-b" "x";`), ['imap4flags.invalid-variable']);
  assert.deepEqual(errorCodes(`${R2}addflag ["a", "b"] "x";`), ['imap4flags.invalid-variable']);
  assert.deepEqual(errorCodes(`${R2}addflag "a" "b" "c";`), ['argument.count']);
});

test('§4: each string of the list of flags is itself a space-separated list of flags', () => {
  const R3 = 'require ["imap4flags", "fileinto", "variables"];\n';
  const filed = (s: string) => actions(R3 + s).some((a) => a.type === 'fileinto' && a.mailbox === 'yes');
  // The RFC's example: with the flags "A B", `hasflag :is "b A"` is the same as ["b", "A"].
  assert.equal(filed('setflag "A B"; if hasflag :is "b A" { fileinto "yes"; }'), true);
  assert.equal(filed('setflag "A"; if hasflag "x A" { fileinto "yes"; }'), true);
  assert.equal(filed('setflag "A"; if hasflag "x y" { fileinto "yes"; }'), false);
  // With :contains each word of the key is a key of its own.
  assert.equal(
    filed('set "v" "NonJunk gnus-forward"; if hasflag :contains "v" "label forward" { fileinto "yes"; }'),
    true,
  );
  // Keys that hold variables are split after they are expanded.
  assert.equal(filed('set "k" "q Junk"; setflag "junk"; if hasflag "${k}" { fileinto "yes"; }'), true);
  assert.equal(filed('set "k" " "; setflag "junk"; if hasflag :contains "${k}" { fileinto "yes"; }'), false);
});

test("hasflag's match is traced like every other test's, with the words as keys", () => {
  const matches: string[] = [];
  run(program(`${R}setflag "A";\nif hasflag :is "b A" { fileinto "yes"; }`), {
    message: parseMessage(new TextEncoder().encode(DEFAULT_MESSAGE)),
    envelope: { from: 'a@example.com', to: 'b@example.org' },
    trace: (e) => {
      if (e.kind === 'match') matches.push(`${e.line}: ${e.text}`);
    },
  });
  assert.deepEqual(matches, ['3: :is match with "i;ascii-casemap": values ["A"] → matched']);
});

test('§5: keep or fileinto twice into one mailbox stores the message once, with the last flag list', () => {
  // "If keep/fileinto is used multiple times in a script and duplicate message elimination is
  // performed ..., the last flag list value MUST win."
  assert.deepEqual(
    actions(
      `${R}setflag "IMPLICIT";\nfileinto :flags "\\\\Seen \\\\Draft" "Junk";\nfileinto :flags "NONSENSE" "Junk";\n` +
        `keep;\nkeep :flags "\\\\Seen";\nfileinto :flags "\\\\Seen" "Other";\nfileinto "Other";\n`,
    ),
    [
      { type: 'fileinto', mailbox: 'Junk', flags: ['NONSENSE'], copy: false, create: false },
      { type: 'keep', flags: ['\\Seen'] },
      { type: 'fileinto', mailbox: 'Other', flags: ['IMPLICIT'], copy: false, create: false },
    ],
  );
});

test('§3: the internal variable starts with the flags the message already has (host.messageFlags)', () => {
  const host = { messageFlags: ['\\Seen', '$Spam'] };
  // The implicit keep, keep and fileinto store them, even in a script without imap4flags.
  assert.deepEqual(hostActions('require "fileinto";\nfileinto "X";\n', host), [
    { type: 'fileinto', mailbox: 'X', flags: ['$Spam', '\\Seen'], copy: false, create: false },
  ]);
  assert.deepEqual(hostActions('', host), [{ type: 'keep', flags: ['$Spam', '\\Seen'] }]);
  // hasflag sees them, and the flag commands start from them.
  assert.deepEqual(
    hostActions(`${R}if hasflag "\\\\seen" { removeflag "$Spam"; addflag "$Seen-By-Sieve"; }`, host),
    [{ type: 'keep', flags: ['$Seen-By-Sieve', '\\Seen'] }],
  );
});
