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
    const lf = bytes.indexOf(LF, pos);
    const lineEnd = lf < 0 ? length : lf;
    const contentEnd = lineEnd > pos && bytes[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
    if (contentEnd === pos) break; // the empty line that ends the header block

    const first = bytes[pos]!;
    if (first === SP || first === HT) {
      // RFC 5322 §2.2.3: a line starting with WSP continues the previous field.
      if (current !== null) {
        current[currentEndSlot] = contentEnd;
        current[currentEndSlot + 1] = 1;
      }
    } else {
      current = null;
      const colon = findColon(bytes, pos, contentEnd);
      const nameEnd = colon < 0 ? -1 : trimNameEnd(bytes, pos, colon);
      if (nameEnd > pos) {
        const name = lowerCaseName(bytes, pos, nameEnd);
        if (name !== null) {
          let entries = index.get(name);
          if (entries === undefined) {
            entries = [];
            index.set(name, entries);
          }
          entries.push(colon + 1, contentEnd, 0);
          current = entries;
          currentEndSlot = entries.length - 2;
        }
      }
    }
    pos = lineEnd + 1;
  }
  return index;
}

function findColon(bytes: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) if (bytes[i] === COLON) return i;
  return -1;
}

/** RFC 5322 §4.5.3 (obs-optional): white space may come between the field name and the colon. */
function trimNameEnd(bytes: Uint8Array, start: number, colon: number): number {
  let end = colon;
  while (end > start && (bytes[end - 1] === SP || bytes[end - 1] === HT)) end--;
  return end;
}

/**
 * The field name, lower-cased, or null when it is not a valid field name (RFC 5322 §3.6.8: ftext
 * is printable US-ASCII except the colon). Dovecot also accepts names with spaces (`Sub ject:`);
 * we skip such lines, so `exists "sub ject"` is false here and true in Pigeonhole.
 */
function lowerCaseName(bytes: Uint8Array, start: number, end: number): string | null {
  let name = '';
  for (let i = start; i < end; i++) {
    let b = bytes[i]!;
    if (b < 0x21 || b > 0x7e) return null;
    if (b >= 0x41 && b <= 0x5a) b |= 0x20;
    name += String.fromCharCode(b);
  }
  return name;
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
