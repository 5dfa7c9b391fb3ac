// The comparators of RFC 4790 that RFC 5228 §2.7.3 names: i;octet and i;ascii-casemap
// (always available), i;ascii-numeric (with require "comparator-i;ascii-numeric").
import type { Comparator } from './types.js';

/** Compares by Unicode code point, which is the octet order of the UTF-8 encodings. */
export function codePointCompare(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (U+D800–DFFF) encode code points above U+FFFF: they sort after U+E000–FFFF.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

export const octet: Comparator = {
  name: 'i;octet',
  fold: (s) => s,
  lengthPreserving: true,
  equals: (a, b) => a === b,
  compare: codePointCompare,
};

const LOWER = /[a-z]/;
const NON_ASCII = /[\u0080-\uffff]/;
const LOWER_RUN = /[a-z]+/g;

/** RFC 4790 §9.2: a–z are mapped to A–Z, everything else compares as i;octet. */
export function asciiUpper(s: string): string {
  if (!LOWER.test(s)) return s;
  // toUpperCase() is native and fast, but maps non-ASCII letters too: only use it on ASCII.
  if (!NON_ASCII.test(s)) return s.toUpperCase();
  return s.replace(LOWER_RUN, (m) => m.toUpperCase());
}

export const asciiCasemap: Comparator = {
  name: 'i;ascii-casemap',
  fold: asciiUpper,
  lengthPreserving: true,
  caseInsensitiveAscii: true,
  equals: (a, b) => a === b || asciiUpper(a) === asciiUpper(b),
  compare: (a, b) => codePointCompare(asciiUpper(a), asciiUpper(b)),
};

/**
 * RFC 4790 §9.1: the value is the number formed by the leading digits; a string that does not
 * start with a digit is positive infinity, equal to every other such string.
 */
function numericPrefix(s: string): string | null {
  let i = 0;
  while (i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) i++;
  if (i === 0) return null;
  let z = 0;
  while (z < i - 1 && s.charCodeAt(z) === 0x30) z++;
  return s.slice(z, i);
}

function numericCompare(a: string, b: string): number {
  const x = numericPrefix(a);
  const y = numericPrefix(b);
  if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
  // Arbitrary-length numbers: longer (without leading zeros) is larger, else compare digits.
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

export const asciiNumeric: Comparator = {
  name: 'i;ascii-numeric',
  equals: (a, b) => numericCompare(a, b) === 0,
  compare: numericCompare,
};
