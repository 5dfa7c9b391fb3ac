// IMAP modified UTF-7 (RFC 3501 §5.1.3): how Dovecot names Maildir++ folders on disk by default.
//
// Printable US-ASCII (0x20–0x7e) stands for itself, except "&", which is written "&-". Any other
// run of characters is written "&" + modified BASE64 of its UTF-16BE code units + "-", where
// modified BASE64 is RFC 2045 BASE64 with "," instead of "/" and no "=" padding.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,';
const VALUE = new Map<string, number>([...ALPHABET].map((c, i) => [c, i]));

function isDirect(code: number): boolean {
  return code >= 0x20 && code <= 0x7e;
}

/**
 * Encodes a mailbox name in modified UTF-7. Throws RangeError for a lone surrogate, which has no
 * UTF-16 encoding a reader could decode back into a Unicode string.
 */
export function encodeMutf7(name: string): string {
  let out = '';
  let i = 0;
  while (i < name.length) {
    const code = name.charCodeAt(i);
    if (code === 0x26) {
      out += '&-';
      i++;
    } else if (isDirect(code)) {
      out += name[i];
      i++;
    } else {
      const units: number[] = [];
      while (i < name.length && !isDirect(name.charCodeAt(i))) {
        const u = name.charCodeAt(i);
        if (u >= 0xd800 && u <= 0xdbff) {
          const low = name.charCodeAt(i + 1);
          if (!(low >= 0xdc00 && low <= 0xdfff)) throw new RangeError(`lone surrogate at index ${i}`);
          units.push(u, low);
          i += 2;
        } else if (u >= 0xdc00 && u <= 0xdfff) {
          throw new RangeError(`lone surrogate at index ${i}`);
        } else {
          units.push(u);
          i++;
        }
      }
      out += '&' + base64Units(units) + '-';
    }
  }
  return out;
}

function base64Units(units: readonly number[]): string {
  let out = '';
  let bits = 0;
  let nbits = 0;
  for (const u of units) {
    bits = (bits << 16) | u;
    nbits += 16;
    while (nbits >= 6) {
      nbits -= 6;
      out += ALPHABET[(bits >> nbits) & 0x3f];
    }
    bits &= (1 << nbits) - 1;
  }
  if (nbits > 0) out += ALPHABET[(bits << (6 - nbits)) & 0x3f];
  return out;
}

/**
 * Decodes a modified UTF-7 name. Strict, like Dovecot ("Mailbox name is not valid mUTF-7"):
 * throws RangeError for characters outside printable ASCII, an unterminated or empty shift
 * sequence other than "&-", non-zero padding bits, an encoded printable ASCII character, two
 * adjacent shift sequences (RFC 3501 §5.1.3 wants them merged) and broken surrogate pairs.
 */
export function decodeMutf7(encoded: string): string {
  let out = '';
  let i = 0;
  let lastShiftEnd = -1;
  while (i < encoded.length) {
    const code = encoded.charCodeAt(i);
    if (!isDirect(code))
      throw new RangeError(`character 0x${code.toString(16)} at index ${i} is not allowed`);
    if (code !== 0x26) {
      out += encoded[i];
      i++;
      continue;
    }
    const end = encoded.indexOf('-', i + 1);
    if (end < 0) throw new RangeError(`unterminated "&" sequence at index ${i}`);
    if (end === i + 1) {
      out += '&';
      i = end + 1;
      continue;
    }
    if (lastShiftEnd === i) throw new RangeError(`adjacent encoded sequences at index ${i}`);
    out += decodeUnits(encoded.slice(i + 1, end), i);
    i = end + 1;
    lastShiftEnd = i;
  }
  return out;
}

function decodeUnits(b64: string, at: number): string {
  const units: number[] = [];
  let bits = 0;
  let nbits = 0;
  for (const c of b64) {
    const v = VALUE.get(c);
    if (v === undefined)
      throw new RangeError(`"${c}" in the "&" sequence at index ${at} is not modified BASE64`);
    bits = (bits << 6) | v;
    nbits += 6;
    if (nbits >= 16) {
      nbits -= 16;
      units.push((bits >> nbits) & 0xffff);
      bits &= (1 << nbits) - 1;
    }
  }
  // Only the zero bits that complete the last 6-bit group may remain (fewer than 6, all zero).
  if (nbits >= 6 || bits !== 0) throw new RangeError(`bad padding in the "&" sequence at index ${at}`);
  let out = '';
  for (let k = 0; k < units.length; k++) {
    const u = units[k]!;
    if (isDirect(u)) throw new RangeError(`printable ASCII encoded in the "&" sequence at index ${at}`);
    if (u >= 0xd800 && u <= 0xdbff) {
      const low = units[k + 1];
      if (low === undefined || low < 0xdc00 || low > 0xdfff) {
        throw new RangeError(`broken surrogate pair in the "&" sequence at index ${at}`);
      }
      out += String.fromCharCode(u, low);
      k++;
    } else if (u >= 0xdc00 && u <= 0xdfff) {
      throw new RangeError(`broken surrogate pair in the "&" sequence at index ${at}`);
    } else {
      out += String.fromCharCode(u);
    }
  }
  return out;
}
