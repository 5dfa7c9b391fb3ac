import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAddressList, decodeEncodedWords, parseMessage } from '../../../src/sieve/message/index.js';

const NAMES = ['from', 'to', 'subject', 'x', '', 'received', 'x-\u0000'];

function exercise(bytes: Uint8Array): void {
  const msg = parseMessage(bytes);
  for (const name of NAMES) {
    msg.hasHeader(name);
    msg.rawHeaders(name);
    msg.headers(name);
    msg.addresses(name);
  }
}

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

test('never throws on random binary input', () => {
  const next = random(42);
  for (let round = 0; round < 300; round++) {
    const bytes = new Uint8Array(Math.floor(next() * 600));
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(next() * 256);
    assert.doesNotThrow(() => exercise(bytes));
  }
});

test('never throws on random header-like input built from mail syntax pieces', () => {
  const pieces = [
    'From:',
    'To:',
    'Subject:',
    ' ',
    '\t',
    '\r\n',
    '\n',
    '\r',
    '"',
    '\\',
    '(',
    ')',
    '<',
    '>',
    '@',
    ',',
    ';',
    ':',
    '.',
    '[',
    ']',
    'a',
    'é',
    '\u0000',
    '=?',
    '?=',
    '?q?',
    '?b?',
    'utf-8',
    '=C3',
    '_',
    'x@y',
  ];
  const next = random(7);
  for (let round = 0; round < 2000; round++) {
    let text = '';
    const n = Math.floor(next() * 40);
    for (let i = 0; i < n; i++) text += pieces[Math.floor(next() * pieces.length)]!;
    assert.doesNotThrow(() => exercise(new TextEncoder().encode(text)), JSON.stringify(text));
    assert.doesNotThrow(() => parseAddressList(text), JSON.stringify(text));
    assert.doesNotThrow(() => decodeEncodedWords(text), JSON.stringify(text));
  }
});

test('handles NUL bytes and invalid UTF-8 in names and values', () => {
  const bytes = new Uint8Array([
    0x58, 0x00, 0x3a, 0x20, 0x61, 0x0a, 0x46, 0x72, 0x6f, 0x6d, 0x3a, 0x20, 0xff, 0x00, 0x40, 0x62, 0x0a,
    0x0a,
  ]);
  const msg = parseMessage(bytes);
  assert.equal(msg.hasHeader('x\u0000'), false);
  assert.deepEqual(msg.headers('from'), ['\uFFFD\u0000@b']);
  assert.equal(msg.addresses('from')[0]!.addresses, null);
});

test('handles an empty message and a 10 MB header block', () => {
  exercise(new Uint8Array(0));
  const line = 'X-Filler: ' + 'y'.repeat(1000) + '\r\n';
  const big = new TextEncoder().encode(line.repeat(10_000) + 'Subject: last\r\n');
  const msg = parseMessage(big);
  assert.deepEqual(msg.headers('subject'), ['last']);
  assert.equal(msg.headers('x-filler').length, 10_000);
});

test('handles a 1 MB address list and deeply nested comments without stack overflow', () => {
  const list = Array.from({ length: 50_000 }, (_, i) => `u${i}@example.com`).join(', ');
  assert.equal(parseAddressList(list)?.length, 50_000);
  const nested = '('.repeat(100_000) + ')'.repeat(100_000) + ' a@b';
  assert.deepEqual(
    parseAddressList(nested)?.map((a) => a.address),
    ['a@b'],
  );
});

test('decodes values full of unterminated encoded-word starts in linear time', () => {
  const value = '=?utf-8?q?a'.repeat(200_000);
  assert.equal(decodeEncodedWords(value), value);
  const closed = '=?x?q?a '.repeat(100_000) + '?=';
  assert.equal(decodeEncodedWords(closed), closed);
});
