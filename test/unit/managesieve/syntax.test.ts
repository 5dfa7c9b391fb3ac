import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { LineReader } from '../../../src/net/index.js';
import { readCommand, type ReadOptions } from '../../../src/managesieve/syntax.js';

const options: ReadOptions = { literalLimit: () => 1024, maxArgs: 4, skipBlankLines: true };

test('a refused literal is skipped as it arrives, never buffered whole', async () => {
  const stream = new PassThrough();
  const reader = new LineReader(stream, 64);
  stream.write('PUTSCRIPT "s" {1048576+}\r\n');
  const pending = readCommand(reader, options);
  const chunk = Buffer.alloc(65536, 'x');
  let most = 0;
  for (let i = 0; i < 16; i++) {
    stream.write(chunk);
    await new Promise((r) => setImmediate(r));
    most = Math.max(most, reader.pending);
  }
  stream.write('\r\nLOGOUT\r\n');
  assert.deepEqual(await pending, {
    kind: 'too-large',
    verb: 'PUTSCRIPT',
    argIndex: 2,
    size: 1048576,
    limit: 1024,
  });
  assert.ok(most <= chunk.length, `held ${most} octets`);
  const next = await readCommand(reader, options);
  assert.equal(next.kind === 'command' && next.verb, 'LOGOUT');
});

test('literals of both kinds, quoted strings and atoms; the literal limit sees the arguments so far', async () => {
  const stream = new PassThrough();
  const reader = new LineReader(stream, 1024);
  const seen: string[] = [];
  stream.write('RENAMESCRIPT {3+}\r\nold {3}\r\nnew\r\nHAVESPACE "x" 10\r\n');
  const o: ReadOptions = {
    ...options,
    literalLimit: (args) => {
      seen.push(args.map((a) => (a.kind === 'atom' ? a.value : a.value.toString())).join(' '));
      return 10;
    },
  };
  const r = await readCommand(reader, o);
  assert.equal(r.kind, 'command');
  assert.deepEqual(
    r.kind === 'command' ? r.args.map((a) => [a.kind, a.kind === 'atom' ? a.value : a.value.toString()]) : [],
    [
      ['atom', 'RENAMESCRIPT'],
      ['string', 'old'],
      ['string', 'new'],
    ],
  );
  assert.deepEqual(seen, ['RENAMESCRIPT', 'RENAMESCRIPT old']);
  const h = await readCommand(reader, o);
  assert.deepEqual(h.kind === 'command' ? h.args.map((a) => a.kind) : [], ['atom', 'string', 'atom']);
});

test('more arguments than maxArgs: refused, and a literal among the extra ones is skipped', async () => {
  const stream = new PassThrough();
  const reader = new LineReader(stream, 1024);
  stream.write('NOOP a b c d {6+}\r\nNOOP\r\n\r\nCAPABILITY\r\n');
  assert.deepEqual(await readCommand(reader, options), {
    kind: 'invalid',
    verb: 'NOOP',
    message: 'too many arguments',
  });
  const next = await readCommand(reader, options);
  assert.equal(next.kind === 'command' && next.verb, 'CAPABILITY');
});
