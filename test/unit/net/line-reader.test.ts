import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { readCommand } from '../../../src/net/imap-syntax.js';
import {
  ConnectionClosedError,
  LineReader,
  LineTooLongError,
  ProtocolError,
} from '../../../src/net/line-reader.js';

const stream = (): PassThrough => new PassThrough();

test('lines split across writes and several lines in one write come out one by one', async () => {
  const s = stream();
  const r = new LineReader(s, 100);
  s.write('* OK a');
  s.write('bc\r');
  s.write('\n* two\r\n* three\nlast');
  assert.equal(await r.readLine(), '* OK abc');
  assert.equal(await r.readLine(), '* two');
  assert.equal(await r.readLine(), '* three');
  s.end('\r\n');
  assert.equal(await r.readLine(), 'last');
  await assert.rejects(r.readLine(), ConnectionClosedError);
});

test('bytes are kept exactly (latin1 binary strings), literals read by count', async () => {
  const s = stream();
  const r = new LineReader(s, 100);
  s.write(Buffer.from([0x41, 0xe9, 0xff, 13, 10, 1, 2, 3, 13, 10]));
  assert.deepEqual(Buffer.from(await r.readLine(), 'latin1'), Buffer.from([0x41, 0xe9, 0xff]));
  assert.deepEqual(await r.readBytes(3), Buffer.from([1, 2, 3]));
  assert.equal(await r.readLine(), '');
});

test('a line longer than the limit is an error, with or without its LF', async () => {
  const s = stream();
  const r = new LineReader(s, 10);
  s.write('0123456789A\r\n');
  await assert.rejects(r.readLine(), LineTooLongError);
  const s2 = stream();
  const r2 = new LineReader(s2, 10);
  s2.write('0123456789ABCDEF');
  await assert.rejects(r2.readLine(), LineTooLongError);
});

test('a line of exactly the limit is accepted however its CRLF is split across packets', async () => {
  for (const parts of [['0123456789\r\n'], ['0123456789\r', '\n'], ['0123456789', '\r\n']]) {
    const s = stream();
    const r = new LineReader(s, 10);
    const line = r.readLine();
    for (const p of parts) {
      s.write(p);
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(await line, '0123456789', JSON.stringify(parts));
  }
});

test('detach hands back unread bytes and stops reading', async () => {
  const s = stream();
  const r = new LineReader(s, 100);
  s.write('a1 STARTTLS\r\na2 LOGIN x y\r\n');
  assert.equal(await r.readLine(), 'a1 STARTTLS');
  assert.equal(r.detach().toString(), 'a2 LOGIN x y\r\n');
  assert.equal(s.listenerCount('data'), 0);
});

test('readCommand: atoms, quoted strings with escapes, lists, NIL, and literals on following lines', async () => {
  const s = stream();
  const r = new LineReader(s, 1000);
  let continuations = 0;
  s.write('a ID ("name" "x \\"y\\" \\\\" "v" NIL) {3}\r\nabc {2+}\r\nde\r\n');
  const t = await readCommand(r, { continueLiteral: () => continuations++ });
  assert.deepEqual(t, [
    { kind: 'atom', value: 'a' },
    { kind: 'atom', value: 'ID' },
    {
      kind: 'list',
      items: [
        { kind: 'string', value: 'name', literal: false },
        { kind: 'string', value: 'x "y" \\', literal: false },
        { kind: 'string', value: 'v', literal: false },
        { kind: 'atom', value: 'NIL' },
      ],
    },
    { kind: 'string', value: 'abc', literal: true },
    { kind: 'string', value: 'de', literal: true },
  ]);
  assert.equal(continuations, 1, 'only the synchronizing literal asks for a continuation');
});

test('readCommand limits: huge literal lengths, too many literals, bad quoting', async () => {
  const cases: [string, string, boolean][] = [
    ['a LOGIN {18446744073709551616}\r\n', 'literal larger than 100 bytes', false],
    ['a LOGIN {101+}\r\n', 'literal larger than 100 bytes', true],
    ['a LOGIN "unterminated\r\n', 'unterminated quoted string', false],
    ['a LOGIN "bad \\n escape"\r\n', 'bad escape in quoted string', false],
    ['a LOGIN {1+}\r\nx {1+}\r\ny {1+}\r\nz\r\n', 'too many literals', true],
  ];
  for (const [input, message, fatal] of cases) {
    const s = stream();
    const r = new LineReader(s, 1000);
    s.write(input);
    await assert.rejects(
      readCommand(r, { continueLiteral: () => {} }, { maxLiteral: 100, maxLiterals: 2 }),
      (e: unknown) =>
        e instanceof ProtocolError && e.message === message && e.fatal === fatal && e.tag === 'a',
      input,
    );
  }
});

test('readCommand limits are inclusive: a literal of exactly maxLiteral bytes, exactly maxLiterals literals', async () => {
  const s = stream();
  const r = new LineReader(s, 1000);
  const body = 'x'.repeat(100);
  s.write(`a LOGIN {100+}\r\n${body} {1+}\r\ny\r\n`);
  const t = await readCommand(r, { continueLiteral: () => {} }, { maxLiteral: 100, maxLiterals: 2 });
  assert.deepEqual(t.slice(2), [
    { kind: 'string', value: body, literal: true },
    { kind: 'string', value: 'y', literal: true },
  ]);
});

test('readCommand errors carry the tag when the line began with one, from any line of the command', async () => {
  const cases: [string, string | undefined][] = [
    ['x1 ID (unbalanced\r\n', 'x1'],
    ['x2 LOGIN u\0v p\r\n', 'x2'],
    ['x3 LOGIN {1}\r\nu {999}\r\n', 'x3'],
    ['x] LOGIN {999}\r\n', 'x]'],
    ['"x4 LOGIN\r\n', undefined],
    ['x+5 LOGIN "a\r\n', undefined],
    ['(x6 LOGIN "a\r\n', undefined],
  ];
  for (const [input, tag] of cases) {
    const s = stream();
    const r = new LineReader(s, 1000);
    s.write(input);
    await assert.rejects(
      readCommand(r, { continueLiteral: () => {} }, { maxLiteral: 100, maxLiterals: 2 }),
      (e: unknown) => e instanceof ProtocolError && e.tag === tag,
      input,
    );
  }
});

test('a line dribbled one byte per write, with consumed lines in between, comes out whole', async () => {
  const s = stream();
  const r = new LineReader(s, 70_000);
  const long = 'x'.repeat(5000);
  const input = `first\r\n${long}\r\nlast\r\n`;
  const lines = (async () => [await r.readLine(), await r.readLine(), await r.readLine()])();
  for (let i = 0; i < input.length; i++) {
    s.write(input[i]);
    if (i % 97 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  assert.deepEqual(await lines, ['first', long, 'last']);
  assert.equal(r.pending, 0);
});

test('a fed reader takes its bytes from feed() (a reused buffer, copied), not from data events', async () => {
  const s = stream();
  const r = new LineReader(s, 100, { fed: true });
  s.write('ignored: the owner reads the socket itself\r\n');
  const reused = Buffer.alloc(256, 0x78);
  // Only the first `length` bytes count, and the buffer may be overwritten at once.
  reused.write('* OK hello\r\n* tw');
  assert.equal(r.feed(reused, 16), true);
  reused.fill(0x78);
  reused.write('o\r\n');
  r.feed(reused, 3);
  // A long read goes through Buffer#copy rather than byte by byte: same bytes.
  const long = Buffer.from(`${'y'.repeat(80)}\r\n`);
  r.feed(long, long.length);
  assert.equal(await r.readLine(), '* OK hello');
  assert.equal(await r.readLine(), '* two');
  assert.equal(await r.readLine(), 'y'.repeat(80));
  assert.equal(r.detach(true).length, 0);
  assert.equal(r.feed(reused, 3), false, 'a detached reader takes nothing');
});

test('a fed reader pauses its stream while more than a line waits, and maps its errors', async () => {
  const s = stream();
  const r = new LineReader(s, 10, { fed: true, wrapError: (e) => new Error(`backend: ${e.message}`) });
  const chunk = Buffer.from('0123456789ABC');
  r.feed(chunk, chunk.length);
  assert.equal(s.isPaused(), true);
  await assert.rejects(r.readLine(), /^Error: backend: line longer than 10 bytes$/);
  const closed = new LineReader(stream(), 10, {
    fed: true,
    wrapError: (e) => new Error(`backend: ${e.message}`),
  });
  closed.stream.emit('end');
  await assert.rejects(closed.readLine(), /^Error: backend: connection closed$/);
});
