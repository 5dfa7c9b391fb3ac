// The i;unicode-casemap comparator's canonical form (RFC 5051 §2, "titlecased canonicalized UTF-8").
//
// RFC 5051 §2 step 2 applies, to each code point, (a) its simple titlecase mapping (UnicodeData.txt
// field 14) and then (b) its decomposition (field 5, canonical and compatibility), and applies (a) and (b)
// again to every code point the decomposition produced. The recursion matters: "ﬁ" has no titlecase
// mapping but decomposes to "fi", which then titlecases to "FI"; "ǆ" becomes "ǅ", then "D" + "ž", then
// "D" + "Ž", then "D" + "Z" + U+030C. Titlecasing once and then applying NFKD would stop at "fi" and "Dž".
//
// We compute the same thing with whole-string operations: titlecase, NFKD, titlecase again. One extra
// round is always enough (checked for every code point by the unit tests). NFKD also puts combining marks
// in canonical order and decomposes Hangul syllables; UnicodeData.txt has no Hangul decompositions and the
// RFC does not reorder marks, so this form can only make more canonically equivalent strings compare equal.
//
// Simple titlecase is String.prototype.toUpperCase() except for the code points in the generated table
// (scripts/gen-titlecase.mjs): titlecase digraphs (ǅ), Georgian Mkhedruli (titlecase is itself), Greek
// letters with ypogegrammeni, and characters whose full uppercase has several code points (ß → "SS")
// while their simple titlecase is the character itself.
//
// No global state grows: the table and two regular expressions are built once at load.

import { TITLECASE_EXCEPTIONS } from './titlecase-table.js';

const EXCEPTIONS: ReadonlyMap<string, string> = new Map(
  TITLECASE_EXCEPTIONS.map(([cp, title]) => [String.fromCodePoint(cp), String.fromCodePoint(title)]),
);

const EXCEPTION_CLASS = TITLECASE_EXCEPTIONS.map(([cp]) => `\\u{${cp.toString(16)}}`).join('');
/** Does the string contain a code point that toUpperCase() gets wrong? */
const HAS_EXCEPTION = new RegExp(`[${EXCEPTION_CLASS}]`, 'u');
/** One exception code point, or a maximal run of code points toUpperCase() handles. */
const SEGMENT = new RegExp(`[${EXCEPTION_CLASS}]|[^${EXCEPTION_CLASS}]+`, 'gu');

/** U+0345 COMBINING GREEK YPOGEGRAMMENI: the only combining mark with a titlecase mapping (to U+0399). */
const YPOGEGRAMMENI = '\u0345';
/**
 * Every code point whose decomposition contains U+0345 lies here (U+037A GREEK YPOGEGRAMMENI and the
 * Greek Extended letters with ypogegrammeni / prosgegrammeni); the unit tests check this for Unicode 17.
 */
const YPOGEGRAMMENI_SOURCES = /[\u037A\u1F00-\u1FFF]/g;

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7f) return false;
  }
  return true;
}

/** Maps every code point of `s` to its simple titlecase mapping. */
function titlecaseEach(s: string): string {
  if (!HAS_EXCEPTION.test(s)) return s.toUpperCase();
  return s.replace(SEGMENT, (segment) => EXCEPTIONS.get(segment) ?? segment.toUpperCase());
}

/** The canonical form of a single code point (or of text without U+0345 after decomposition). */
function foldRun(s: string): string {
  const titled = titlecaseEach(s);
  const decomposed = titled.normalize('NFKD');
  return decomposed === titled ? decomposed : titlecaseEach(decomposed);
}

/**
 * Returns the i;unicode-casemap canonical form of `s` (RFC 5051 §2): two strings are equal under the
 * comparator when their folds are equal, and substring / wildcard matching works on the folds.
 */
export function unicodeCasemapFold(s: string): string {
  // ASCII: simple titlecase is uppercase and NFKD is the identity.
  if (isAscii(s)) return s.toUpperCase();
  const titled = titlecaseEach(s);
  const decomposed = titled.normalize('NFKD');
  if (decomposed === titled) return decomposed;
  if (!decomposed.includes(YPOGEGRAMMENI)) return titlecaseEach(decomposed);
  // A U+0345 that came out of a decomposition was put in canonical order (combining class 240) among the
  // following marks, but the RFC titlecases it to U+0399, a base letter that those marks then follow.
  // Fold the code points it can come from one at a time before decomposing the rest.
  const split = titled.replace(YPOGEGRAMMENI_SOURCES, foldRun).normalize('NFKD');
  if (!split.includes(YPOGEGRAMMENI)) return titlecaseEach(split);
  // Not reached with Unicode 17 data; kept so that a newer engine cannot produce a wrong fold.
  let out = '';
  for (const ch of s) out += foldRun(ch);
  return out.normalize('NFKD');
}
