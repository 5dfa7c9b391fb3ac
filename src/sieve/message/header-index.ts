import { decodeHeaderBytes } from './charset.js';

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;

/**
 * Where each field's value lies in the header block, by lower-cased field name. Each entry is a
 * flat list of triples: value start, value end (exclusive, without the final line break) and 1
 * when the value spans several lines (so unfolding has work to do), else 0.
 */
export type HeaderIndex = Map<string, number[]>;

/**
 * One pass over the header block (RFC 5322 §2.2), which ends at the first empty line (CRLF CRLF
 * or LF LF) or at the end of the bytes given. Lines that are neither a field nor a continuation
 * of one are skipped, as is a continuation line with no field before it.
 */
export function buildHeaderIndex(bytes: Uint8Array): HeaderIndex {
  const index: HeaderIndex = new Map();
  const length = bytes.length;
  let pos = 0;
  let current: number[] | null = null; // the triple list of the field being read
  let currentEndSlot = -1; // where in `current` its end offset is stored

  while (pos < length) {
    const first = bytes[pos]!;
    // The empty line that ends the header block.
    if (first === LF || (first === CR && (pos + 1 === length || bytes[pos + 1] === LF))) break;

    if (first === SP || first === HT) {
      // RFC 5322 §2.2.3: a line starting with WSP continues the previous field.
      const lf = lineEnd(bytes, pos + 1);
      if (current !== null) {
        current[currentEndSlot] = bytes[lf - 1] === CR ? lf - 1 : lf;
        current[currentEndSlot + 1] = 1;
      }
      pos = lf + 1;
      continue;
    }

    // The field name, hashed and checked as it is read (see internName).
    current = null;
    let i = pos;
    let hash = 0;
    let nameEnd = -1; // just past the last name octet
    let valid = true;
    let sawWsp = false;
    for (; i < length; i++) {
      const b = bytes[i]!;
      if (b === COLON || b === LF) break;
      if (b === SP || b === HT) {
        // RFC 5322 §4.5.3 (obs-optional): WSP may come between the name and the colon.
        sawWsp = true;
        continue;
      }
      // RFC 5322 §3.6.8 ftext, and no name octet after WSP (`Sub ject:`).
      if (sawWsp || b < 0x21 || b > 0x7e) valid = false;
      nameEnd = i + 1;
      hash = (Math.imul(hash, 31) + (b >= 0x41 && b <= 0x5a ? b | 0x20 : b)) | 0;
    }
    const lf = i < length && bytes[i] === LF ? i : lineEnd(bytes, i);
    if (i < length && bytes[i] === COLON && valid && nameEnd > pos) {
      const name = internName(bytes, pos, nameEnd, hash);
      let entries = index.get(name);
      if (entries === undefined) {
        entries = [];
        index.set(name, entries);
      }
      entries.push(i + 1, lf > i + 1 && bytes[lf - 1] === CR ? lf - 1 : lf, 0);
      current = entries;
      currentEndSlot = entries.length - 2;
    }
    pos = lf + 1;
  }
  return index;
}

/** The index of the next LF at or after `from`, or the length when there is none. */
function lineEnd(bytes: Uint8Array, from: number): number {
  // Native indexOf (memchr) beats a JavaScript loop over the long lines of Received or DKIM.
  const lf = bytes.indexOf(LF, from);
  return lf < 0 ? bytes.length : lf;
}

/**
 * Field names seen before, by a hash of their lower-cased octets. Mail repeats the same few dozen
 * names, so reusing one string per name saves building and hashing a new one for every field.
 */
const nameCache = new Map<number, string>();
const NAME_CACHE_LIMIT = 4096;

/**
 * The lower-cased field name in [start, end), whose octets the caller has checked: RFC 5322
 * §3.6.8 ftext, printable US-ASCII except the colon. Dovecot also accepts names with spaces
 * (`Sub ject:`); we skip such lines, so `exists "sub ject"` is false here and true in Pigeonhole.
 */
function internName(bytes: Uint8Array, start: number, end: number, hash: number): string {
  const cached = nameCache.get(hash);
  if (cached !== undefined && sameName(cached, bytes, start, end)) return cached;
  let name = '';
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    name += String.fromCharCode(b >= 0x41 && b <= 0x5a ? b | 0x20 : b);
  }
  if (cached === undefined && nameCache.size < NAME_CACHE_LIMIT) nameCache.set(hash, name);
  return name;
}

function sameName(name: string, bytes: Uint8Array, start: number, end: number): boolean {
  if (name.length !== end - start) return false;
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    if (name.charCodeAt(i - start) !== (b >= 0x41 && b <= 0x5a ? b | 0x20 : b)) return false;
  }
  return true;
}

/**
 * The unfolded value in [start, end) as text, not trimmed and not RFC 2047 decoded. RFC 5322
 * §2.2.3: unfolding removes each CRLF (or bare LF) that is followed by WSP; inside a field's
 * value every line break is such a fold.
 */
export function unfoldedValue(bytes: Uint8Array, start: number, end: number, folded: boolean): string {
  if (!folded) return decodeHeaderBytes(bytes, start, end);
  const unfolded = new Uint8Array(end - start);
  let n = 0;
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    if (b === LF) {
      if (n > 0 && unfolded[n - 1] === CR) n--;
      continue;
    }
    unfolded[n++] = b;
  }
  return decodeHeaderBytes(unfolded, 0, n);
}
