import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeMutf7, encodeMutf7 } from '../../../src/deliver/mutf7.js';

// RFC 3501 §5.1.3's example and names checked against Dovecot 2.3 (CREATE, then the directory).
const pairs: [string, string][] = [
  ['~peter/mail/台北/日本語', '~peter/mail/&U,BTFw-/&ZeVnLIqe-'],
  ['Entwürfe', 'Entw&APw-rfe'],
  ['&', '&-'],
  ['A&B', 'A&-B'],
  ['Work.Reports', 'Work.Reports'],
  ['', ''],
  ['Ä', '&AMQ-'],
  ['ÄÖ', '&AMQA1g-'],
  ['a b', 'a b'],
  ['😀', '&2D3eAA-'],
  ['x\u007fy', 'x&AH8-y'],
];

test('encodes and decodes the RFC 3501 example and Dovecot-checked names', () => {
  for (const [utf, mutf] of pairs) {
    assert.equal(encodeMutf7(utf), mutf, utf);
    assert.equal(decodeMutf7(mutf), utf, mutf);
  }
});

test('round-trips every BMP character class boundary and astral planes', () => {
  const samples = [
    '\u0080',
    '\u00ff',
    '\u0100',
    '\u07ff',
    '\u0800',
    '\ud7ff',
    '\ue000',
    '\uffff',
    '\u{10000}',
    '\u{10ffff}',
  ];
  for (const s of samples) {
    const name = `a${s}b${s}${s}&c`;
    assert.equal(decodeMutf7(encodeMutf7(name)), name);
  }
});

test('refuses lone surrogates when encoding', () => {
  assert.throws(() => encodeMutf7('a\ud800'), RangeError);
  assert.throws(() => encodeMutf7('\udc00x'), RangeError);
});

test('refuses malformed modified UTF-7 like Dovecot', () => {
  for (const bad of [
    'a&b', // unterminated shift
    'bad&name', // unterminated, Dovecot: "Mailbox name is not valid mUTF-7"
    'a\u0001b', // control character
    'ü', // 8-bit
    '&AGE-', // encodes "a", which must stand for itself
    '&AMQ-&ANY-', // adjacent shift sequences must be merged
    '&AM/-', // "/" is not in the modified alphabet
    '&AMR-', // non-zero padding bits
    '&2D3-', // half a surrogate pair
    '&3gA-', // low surrogate first
  ]) {
    assert.throws(() => decodeMutf7(bad), RangeError, bad);
  }
});
