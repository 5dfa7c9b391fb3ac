// The deprecated imapflags extension (draft-melnikov-sieve-imapflags-03), kept for scripts written
// before RFC 5232: setflag/addflag/removeflag on the internal flags (or a variable), mark and
// unmark, the internal flags applied to keep, fileinto and the implicit keep. No hasflag, no :flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actions, errorCodes, errors, fileinto, runScript } from '../helpers.js';

const R = 'require ["imapflags", "fileinto"];\n';

test('mark adds \\Flagged and unmark removes it; the flags go with each fileinto and keep', () => {
  const a = actions(`${R}mark;\nfileinto "Marked";\nunmark;\nfileinto "Unmarked";\nkeep;`);
  assert.deepEqual(a, [
    { ...fileinto('Marked'), flags: ['\\Flagged'] },
    fileinto('Unmarked'),
    { type: 'keep', flags: [] },
  ]);
});

test('setflag, addflag and removeflag change the internal flags as imap4flags does', () => {
  const a = actions(
    `${R}setflag "\\\\draft";\nfileinto "Set";\naddflag "\\\\flagged";\nfileinto "Add";\nremoveflag "\\\\draft";\nfileinto "Remove";`,
  );
  assert.deepEqual(
    a.map((x) => (x.type === 'fileinto' ? [x.mailbox, x.flags] : x.type)),
    [
      ['Set', ['\\Draft']],
      ['Add', ['\\Draft', '\\Flagged']],
      ['Remove', ['\\Flagged']],
    ],
  );
});

test('the implicit keep carries the internal flags', () => {
  assert.deepEqual(actions(`${R}addflag ["$Label1", "\\\\Seen"];`), [
    { type: 'keep', flags: ['$Label1', '\\Seen'] },
  ]);
});

test('with variables, the flag commands take a variable name, as in RFC 5232', () => {
  const a = actions(
    'require ["imapflags", "variables"];\nsetflag "v" "a b";\naddflag "${v}";\nremoveflag "v" "a";\nset "x" "${v}";\naddflag "${x}";',
  );
  assert.deepEqual(a, [{ type: 'keep', flags: ['a', 'b'] }]);
});

test('mark and unmark take no arguments; hasflag and :flags are not part of imapflags', () => {
  assert.deepEqual(errorCodes(`${R}mark "x";`), ['argument.count']);
  assert.deepEqual(errorCodes(`${R}if hasflag "a" { keep; }`), ['require.missing']);
  assert.deepEqual(errorCodes(`${R}keep :flags "x";`), ['require.missing']);
});

test('imapflags and imap4flags cannot be required together, in either order', () => {
  assert.deepEqual(errorCodes('require "imapflags";\nrequire "imap4flags";\naddflag "\\\\flagged";'), [
    'require.conflict',
  ]);
  assert.deepEqual(errorCodes('require ["imap4flags", "imapflags"];'), ['require.conflict']);
  // ihave enables the capability for its block: the conflict is reported and the block is still
  // checked (the misspelt command too), as Pigeonhole does.
  const e = errors('require ["imap4flags", "ihave"];\nif ihave "imapflags" {\n  addflags "Frop";\n}');
  assert.deepEqual(
    e.map((d) => [d.code, d.line]),
    [
      ['require.conflict', 2],
      ['command.unknown', 3],
    ],
  );
  assert.match(e[0]!.message, /imapflags.*imap4flags|imap4flags.*imapflags/);
});

test('mark without require "imapflags" asks for it', () => {
  assert.deepEqual(errorCodes('mark;'), ['require.missing']);
  assert.equal(runScript('require "imapflags"; mark;').error, null);
});
