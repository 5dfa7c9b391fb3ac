import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from '../../../src/sieve/message/index.js';

const encoder = new TextEncoder();
const message = (text: string, size?: number) =>
  parseMessage(encoder.encode(text), size === undefined ? undefined : { size });

test('reads a simple header with CRLF line endings', () => {
  const msg = message('From: a@example.com\r\nSubject: Hello\r\n\r\nbody\r\n');
  assert.deepEqual(msg.headers('subject'), ['Hello']);
  assert.deepEqual(msg.headers('from'), ['a@example.com']);
});

test('reads a header with LF line endings', () => {
  const msg = message('Subject: Hello\nX-Spam: yes\n\nbody\n');
  assert.deepEqual(msg.headers('subject'), ['Hello']);
  assert.deepEqual(msg.headers('x-spam'), ['yes']);
});

test('unfolds folded values by removing the line breaks only (RFC 5322 §2.2.3)', () => {
  const msg = message('Subject: a  \r\n   b\r\n\tc\r\nX: y\r\n\r\n');
  assert.deepEqual(msg.headers('subject'), ['a     b\tc']);
  assert.deepEqual(msg.rawHeaders('subject'), [' a     b\tc']);
  const lf = message('Subject: one\n two\n\n');
  assert.deepEqual(lf.headers('subject'), ['one two']);
});

test('keeps every occurrence of a repeated field in message order', () => {
  const msg = message('Received: one\r\nX: 1\r\nReceived: two\r\nreceived: three\r\n\r\n');
  assert.deepEqual(msg.headers('received'), ['one', 'two', 'three']);
});

test('looks names up case-insensitively', () => {
  const msg = message('X-Spam-Flag: YES\r\n\r\n');
  assert.deepEqual(msg.headers('X-SPAM-FLAG'), ['YES']);
  assert.deepEqual(msg.headers('x-spam-flag'), ['YES']);
  assert.equal(msg.hasHeader('X-Spam-FLAG'), true);
});

test('answers missing headers with empty lists', () => {
  const msg = message('Subject: x\r\n\r\n');
  assert.equal(msg.hasHeader('to'), false);
  assert.deepEqual(msg.headers('to'), []);
  assert.deepEqual(msg.rawHeaders('to'), []);
  assert.deepEqual(msg.addresses('to'), []);
});

test('trims leading and trailing white space of header test values, keeps empty values', () => {
  const msg = message('Subject:    x y \t\r\nX-Empty:\r\nX-Blank:   \r\n\r\n');
  assert.deepEqual(msg.headers('subject'), ['x y']);
  assert.deepEqual(msg.headers('x-empty'), ['']);
  assert.deepEqual(msg.headers('x-blank'), ['']);
  assert.equal(msg.hasHeader('x-empty'), true);
});

test('stops at the first empty line: body lines are not headers', () => {
  const msg = message('Subject: s\r\n\r\nX-In-Body: no\r\n');
  assert.equal(msg.hasHeader('x-in-body'), false);
  const lf = message('Subject: s\n\nX-In-Body: no\n');
  assert.equal(lf.hasHeader('x-in-body'), false);
});

test('treats all bytes as headers when there is no empty line (header block read alone)', () => {
  const msg = message('Subject: s\r\nTo: b@example.com\r\n', 123456);
  assert.deepEqual(msg.headers('to'), ['b@example.com']);
  assert.equal(msg.size, 123456);
  const unterminated = message('Subject: no line break');
  assert.deepEqual(unterminated.headers('subject'), ['no line break']);
});

test('size defaults to the byte length', () => {
  assert.equal(message('Subject: s\r\n\r\nbody').size, 18);
});

test('a message starting with an empty line has no headers', () => {
  const msg = message('\r\nSubject: s\r\n');
  assert.equal(msg.hasHeader('subject'), false);
});

test('skips lines without a colon, invalid names and leading continuation lines', () => {
  const msg = message(
    ' cont: y\r\nnocolon line\r\n\tcontinued\r\nSub ject: two\r\n: empty\r\nX-A: v\r\n\r\n',
  );
  assert.equal(msg.hasHeader('cont'), false);
  assert.equal(msg.hasHeader('sub ject'), false);
  assert.equal(msg.hasHeader(''), false);
  assert.deepEqual(msg.headers('x-a'), ['v']);
});

test('skips an mbox From_ line', () => {
  const msg = message('From a@b Sat Jan  1 12:34:56 2000\nFrom: c@d\n\n');
  assert.deepEqual(msg.headers('from'), ['c@d']);
});

test('accepts white space between the field name and the colon (RFC 5322 §4.5.3)', () => {
  const msg = message('Subject : one\r\nsubject:two\r\n\r\n');
  assert.deepEqual(msg.headers('subject'), ['one', 'two']);
});

test('decodes 8-bit header bytes as UTF-8 (RFC 6532)', () => {
  const msg = message('Subject: café ☃ 😀\r\n\r\n');
  assert.deepEqual(msg.headers('subject'), ['café ☃ 😀']);
});

test('replaces each run of invalid UTF-8 with one U+FFFD, as Dovecot does', () => {
  const bytes = new Uint8Array([
    ...encoder.encode('Subject: caf'),
    0xe9,
    0xe9,
    ...encoder.encode(' x'),
    0x0d,
    0x0a,
    0x0d,
    0x0a,
  ]);
  assert.deepEqual(parseMessage(bytes).headers('subject'), ['caf\uFFFD x']);
});

test('returns the same cached array on repeated lookups', () => {
  const msg = message('Subject: s\r\n\r\n');
  assert.equal(msg.headers('subject'), msg.headers('SUBJECT'));
  assert.equal(msg.addresses('subject'), msg.addresses('subject'));
});

test('handles a long folded value and a large header block', () => {
  const folded = 'X-Long: ' + Array.from({ length: 2000 }, (_, i) => `w${i}`).join('\r\n ') + '\r\n';
  const many = Array.from({ length: 5000 }, (_, i) => `X-H${i % 50}: v${i}\r\n`).join('');
  const msg = message(folded + many + 'Subject: end\r\n\r\n');
  assert.equal(msg.headers('x-long')[0]!.split(' ').length, 2000);
  assert.equal(msg.headers('x-h7').length, 100);
  assert.deepEqual(msg.headers('subject'), ['end']);
});
