// checkScriptBytes: the one PUTSCRIPT check behind ManageSieve, the web editor and `sievert script put`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkScriptBytes } from '../../../src/managesieve/index.js';
import { createEngine } from '../../../src/sieve/index.js';

const engine = createEngine();

test('checkScriptBytes: no octets is empty; one octet of white space is a script', () => {
  assert.deepEqual(checkScriptBytes(Buffer.alloc(0), engine), { kind: 'empty' });
  assert.deepEqual(checkScriptBytes(Buffer.from(' '), engine), { kind: 'checked', diagnostics: [] });
});

test('checkScriptBytes: invalid UTF-8 gives the first bad octet, line and column, before any compiling', () => {
  // `foo;` would be an error: the octets are refused before the engine sees them.
  const bytes = Buffer.concat([Buffer.from('foo;\r\n# caf'), Buffer.from([0xe9]), Buffer.from('\r\n')]);
  assert.deepEqual(checkScriptBytes(bytes, engine), { kind: 'not-utf8', line: 2, column: 6 });
});

test("checkScriptBytes: a UTF-8 script gets the engine's diagnostics, errors and warnings alike", () => {
  const failing = checkScriptBytes(Buffer.from('keep;\nfoo;\n'), engine);
  assert.equal(failing.kind, 'checked');
  assert.deepEqual(failing.kind === 'checked' && failing.diagnostics.map((d) => [d.severity, d.line]), [
    ['error', 2],
  ]);
  const warned = checkScriptBytes(Buffer.from('require "imap4flags";\naddflag "\\\\Foo";\n'), engine);
  assert.deepEqual(warned.kind === 'checked' && warned.diagnostics.map((d) => [d.severity, d.line]), [
    ['warning', 2],
  ]);
  assert.deepEqual(checkScriptBytes(Buffer.from('# Grüße\nkeep;\n'), engine), {
    kind: 'checked',
    diagnostics: [],
  });
});
