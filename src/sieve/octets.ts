// RFC 5228 §2.4.2.4: "${hex:…}" encodes arbitrary octets ("encoded-arb-octets"); they need not
// be UTF-8. Strings are JavaScript strings, so an octet that is not part of valid UTF-8 is kept
// as a lone surrogate, U+DC80–U+DCFF for 0x80–0xFF (Python's "surrogateescape"): it compares
// equal only to itself, and is an error only where a value must be UTF-8 (a mailbox name).

const fatal = new TextDecoder('utf-8', { fatal: true });

/** The length of the valid UTF-8 sequence at `i`, or 0. */
export function sequenceAt(bytes: Uint8Array, i: number): number {
  const b = bytes[i]!;
  const n =
    b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
  if (n <= 1 || i + n > bytes.length) return n === 1 ? 1 : 0;
  try {
    fatal.decode(bytes.subarray(i, i + n));
    return n;
  } catch {
    return 0;
  }
}

/** Octets as a string: UTF-8 decoded, every other octet kept as U+DC80–U+DCFF. */
export function decodeOctets(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const n = sequenceAt(bytes, i);
    if (n === 0) {
      out += String.fromCharCode(0xdc00 + bytes[i]!);
      i++;
    } else {
      out += fatal.decode(bytes.subarray(i, i + n));
      i += n;
    }
  }
  return out;
}

const LONE_SURROGATE = /\p{Cs}/u;

/** Whether a string holds octets that are not UTF-8 (see decodeOctets). */
export function hasRawOctets(s: string): boolean {
  return LONE_SURROGATE.test(s);
}

/** The string for a message: each octet that is not UTF-8 written as "${hex:XX}". */
export function showOctets(s: string): string {
  return s.replace(/\p{Cs}/gu, (c) => `\${hex:${(c.charCodeAt(0) - 0xdc00).toString(16).padStart(2, '0')}}`);
}
