import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEncodedWords, parseMessage } from '../../../src/sieve/message/index.js';

const subject = (value: string) =>
  parseMessage(new TextEncoder().encode(`Subject: ${value}\r\n\r\n`)).headers('subject')[0];

test('leaves values without encoded words untouched', () => {
  assert.equal(decodeEncodedWords('plain = text ?'), 'plain = text ?');
});

test('decodes Q encoding with underscores as spaces (RFC 2047 §4.2)', () => {
  assert.equal(subject('=?ISO-8859-1?Q?caf=E9_cr=E8me?='), 'café crème');
  assert.equal(subject('=?us-ascii?q?a=5Fb_c?='), 'a_b c');
});

test('decodes B encoding (RFC 2047 §4.1)', () => {
  assert.equal(subject('=?UTF-8?B?w6l0w6k=?='), 'été');
  assert.equal(subject('=?utf-8?b?YWJj?='), 'abc');
});

test('decodes UTF-8 and ISO-8859-1 words and keeps the text around them', () => {
  assert.equal(subject('Re: =?utf-8?q?Andr=C3=A9?= and =?iso-8859-1?q?J=F6rg?= !'), 'Re: André and Jörg !');
});

test('decodes windows-1252 € “ ” through iconv-lite, not the broken Node 20 TextDecoder', () => {
  assert.equal(subject('=?windows-1252?q?=80=93=94_=93x=94?='), '€“” “x”');
  assert.equal(subject('=?cp1252?B?gJOU?='), '€“”');
});

test('decodes ISO-2022-JP', () => {
  assert.equal(subject('=?ISO-2022-JP?B?GyRCJEYkOSRIGyhC?='), 'てすと');
});

test('decodes KOI8-R and GB2312', () => {
  assert.equal(subject('=?koi8-r?b?8tXT08vJyg==?='), 'Русский');
  assert.equal(subject('=?gb2312?b?xOO6ww==?='), '你好');
});

test('joins adjacent encoded words without the white space between them (RFC 2047 §6.2)', () => {
  assert.equal(subject('=?utf-8?q?a?= =?utf-8?q?b?='), 'ab');
  assert.equal(subject('=?utf-8?q?a?=\r\n =?utf-8?q?b?='), 'ab');
  assert.equal(subject('=?utf-8?q?a?=  =?iso-8859-1?q?b?='), 'ab');
  assert.equal(subject('=?utf-8?q?a?==?utf-8?q?b?='), 'ab');
  assert.equal(subject('=?utf-8?q?a?= b =?utf-8?q?c?='), 'a b c');
});

test('recovers a multi-byte character split across two adjacent words', () => {
  assert.equal(subject('=?utf-8?q?=C3?= =?utf-8?b?qQ==?='), 'é');
});

test('decodes words glued to text, with spaces inside, and with RFC 2231 language tags, like Dovecot', () => {
  assert.equal(subject('x=?utf-8?q?a?='), 'xa');
  assert.equal(subject('=?utf-8?q?a?=x'), 'ax');
  assert.equal(subject('=?utf-8?q?a b?='), 'a b');
  assert.equal(subject('=?utf-8*en?q?a?='), 'a');
  assert.equal(subject('"=?utf-8?q?a?=" <a@b>'), '"a" <a@b>');
});

test('keeps a Q "=" that is not followed by two hex digits', () => {
  assert.equal(subject('=?utf-8?q?=ZZ?='), '=ZZ');
  assert.equal(subject('=?utf-8?q?a=?='), 'a=');
});

test('decodes unpadded base64 and several padded pieces', () => {
  assert.equal(subject('=?utf-8?b?YWJ?='), 'ab');
  assert.equal(subject('=?utf-8?b?YQ==YQ==?='), 'aa');
});

test('replaces invalid UTF-8 inside a word with U+FFFD', () => {
  assert.equal(subject('=?utf-8?q?=E9=E9?='), '\uFFFD');
});

test('leaves unknown charsets, unknown encodings and broken base64 as written', () => {
  assert.equal(subject('=?x-unknown?q?abc?='), '=?x-unknown?q?abc?=');
  assert.equal(subject('=?utf-8?x?abc?='), '=?utf-8?x?abc?=');
  assert.equal(subject('=?utf-8?b?###?='), '=?utf-8?b?###?=');
  assert.equal(subject('=?utf-8?b?Y?='), '=?utf-8?b?Y?=');
  assert.equal(subject('a =?x-unknown?q?b?= =?utf-8?q?c?='), 'a =?x-unknown?q?b?= c');
});

test('leaves incomplete encoded words as written', () => {
  assert.equal(subject('=?utf-8?q?abc'), '=?utf-8?q?abc');
  assert.equal(subject('=?utf-8?q'), '=?utf-8?q');
  assert.equal(subject('=??q?a?='), '=??q?a?=');
  assert.equal(subject('=?=?utf-8?q?a?='), '=?a');
});

test('decodes RFC 2047 display names in addresses', () => {
  const msg = parseMessage(new TextEncoder().encode('From: =?utf-8?q?Andr=C3=A9?= <a@b.example>\r\n\r\n'));
  assert.equal(msg.addresses('from')[0]!.addresses![0]!.name, 'André');
  assert.equal(msg.addresses('from')[0]!.raw, '=?utf-8?q?Andr=C3=A9?= <a@b.example>');
});
