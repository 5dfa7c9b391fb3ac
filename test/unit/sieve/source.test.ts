// Script source as octets (src/sieve/source.ts): RFC 5228 §1.1 requires UTF-8; the first octet
// that is not is reported by line and column.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeScript } from '../../../src/sieve/index.js';

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...new TextEncoder().encode(p)] : p)));

test('valid UTF-8 decodes to the text; a byte order mark is dropped', () => {
  assert.deepEqual(decodeScript(bytes('keep;\r\nstop;')), { text: 'keep;\r\nstop;' });
  assert.deepEqual(decodeScript(bytes('fileinto "\u00e9t\u00e9";')), { text: 'fileinto "\u00e9t\u00e9";' });
  assert.deepEqual(decodeScript(bytes([0xef, 0xbb, 0xbf], 'keep;')), { text: 'keep;' });
});

test('the first invalid octet is reported by line and by column in characters', () => {
  assert.deepEqual(decodeScript(bytes('keep;\nab', [0xff], 'c')), { line: 2, column: 3 });
  // Characters before it count once, whatever their length in octets.
  assert.deepEqual(decodeScript(bytes('\u00e9\u00e9', [0xff])), { line: 1, column: 3 });
  // A CRLF line break is one line.
  assert.deepEqual(decodeScript(bytes('a\r\nb\r\n', [0x80])), { line: 3, column: 1 });
});

test('sequences that look like UTF-8 but are not: where the sequence starts', () => {
  for (const [name, seq] of [
    ['a sequence cut by the end', [0xe2, 0x82]],
    ['a lead octet without continuation', [0xe2, 0x28, 0xa1]],
    ['an overlong encoding', [0xc0, 0x80]],
    ['an overlong three-octet encoding', [0xe0, 0x80, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['beyond U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ] as const) {
    assert.deepEqual(decodeScript(bytes('x\ny\u00e9', [...seq], 'z')), { line: 2, column: 3 }, name);
  }
});
