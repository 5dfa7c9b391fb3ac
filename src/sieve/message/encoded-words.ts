import { charsetDecoder, type CharsetDecoder } from './charset.js';

/**
 * Decodes RFC 2047 encoded words (`=?charset?Q|B?text?=`) in an unfolded header value.
 *
 * Where the RFC and Pigeonhole/Dovecot differ, this follows Dovecot's lenient reading, since that
 * is what mail in the wild relies on:
 * - encoded words are decoded wherever they appear, also glued to other text (`x=?utf-8?q?a?=`)
 *   or inside quoted strings (RFC 2047 §5 forbids both);
 * - the encoded text may contain spaces (`=?utf-8?q?a b?=` gives `a b`);
 * - a Q `=` not followed by two hex digits stays as written; B text without padding is decoded.
 *
 * Deliberate deviations from Dovecot:
 * - a word with an unknown charset or with broken base64 is left as written (Dovecot decodes the
 *   payload as UTF-8 for an unknown charset and drops broken base64);
 * - adjacent words in the same charset are joined before charset decoding, so a multi-byte
 *   character split across two words is recovered (RFC 2047 §5 forbids the split; Dovecot turns
 *   each half into U+FFFD).
 */
export function decodeEncodedWords(value: string): string {
  let searchFrom = value.indexOf('=?');
  if (searchFrom < 0) return value;

  let out = '';
  let literalStart = 0; // start of text not yet copied to `out`
  let pendingCharset = ''; // charset label of the words collected in `pendingBytes`
  let pendingDecoder: CharsetDecoder | null = null;
  let pendingBytes: number[] = [];

  const flush = (): void => {
    if (pendingDecoder !== null) {
      out += safeDecode(pendingDecoder, pendingBytes);
      pendingDecoder = null;
      pendingBytes = [];
    }
  };

  while (searchFrom >= 0) {
    const word = matchEncodedWord(value, searchFrom);
    if (word === undefined) break; // no `?=` is left, so no later word can close either
    if (word === null) {
      searchFrom = value.indexOf('=?', searchFrom + 2);
      continue;
    }
    const between = value.slice(literalStart, searchFrom);
    // RFC 2047 §6.2: whitespace between two adjacent encoded words is not displayed.
    const adjacent = pendingDecoder !== null && isLinearWhitespace(between);
    const decoder = charsetDecoder(word.charset);
    const bytes = decoder === null ? null : decodePayload(word.encoding, value, word.textStart, word.textEnd);
    if (decoder === null || bytes === null) {
      // Unknown charset or broken encoding: keep the word exactly as written.
      flush();
      out += between + value.slice(searchFrom, word.end);
    } else if (adjacent && pendingCharset === word.charset.toLowerCase()) {
      for (const b of bytes) pendingBytes.push(b);
    } else {
      flush();
      if (!adjacent) out += between;
      pendingCharset = word.charset.toLowerCase();
      pendingDecoder = decoder;
      pendingBytes = bytes;
    }
    literalStart = word.end;
    searchFrom = value.indexOf('=?', word.end);
  }
  flush();
  return out + value.slice(literalStart);
}

interface EncodedWordMatch {
  charset: string;
  encoding: 'Q' | 'B';
  textStart: number;
  textEnd: number;
  /** Index just past the closing `?=`. */
  end: number;
}

/**
 * The encoded word starting at `start` (which holds `=?`), null when there is none, undefined
 * when no `?=` follows at all (stopping there keeps a value full of `=?` linear).
 */
function matchEncodedWord(value: string, start: number): EncodedWordMatch | null | undefined {
  const charsetStart = start + 2;
  const q1 = value.indexOf('?', charsetStart);
  // RFC 2047 §2: a charset is a token; 75 characters bound a whole encoded word.
  if (q1 <= charsetStart || q1 - charsetStart > 75) return null;
  for (let i = charsetStart; i < q1; i++) {
    const c = value.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x3d /* = */) return null;
  }
  const enc = value.charCodeAt(q1 + 1) | 0x20;
  if ((enc !== 0x71 /* q */ && enc !== 0x62) /* b */ || value.charCodeAt(q1 + 2) !== 0x3f /* ? */)
    return null;
  const textStart = q1 + 3;
  const textEnd = value.indexOf('?=', textStart);
  if (textEnd < 0) return undefined;
  return {
    charset: value.slice(charsetStart, q1),
    encoding: enc === 0x71 ? 'Q' : 'B',
    textStart,
    textEnd,
    end: textEnd + 2,
  };
}

function isLinearWhitespace(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) return false;
  }
  return true;
}

function safeDecode(decoder: CharsetDecoder, bytes: number[]): string {
  try {
    return decoder(Uint8Array.from(bytes));
  } catch {
    // A decoder that throws on this input is as good as unknown; never let mail crash the engine.
    return String.fromCharCode(...bytes.slice(0, 4096));
  }
}

/** The octets of an encoded word's text, or null when the encoding is broken. */
function decodePayload(encoding: 'Q' | 'B', value: string, start: number, end: number): number[] | null {
  return encoding === 'Q' ? decodeQ(value, start, end) : decodeB(value, start, end);
}

/** RFC 2047 §4.2: `_` is a space, `=XX` an octet; anything else stands for itself. */
function decodeQ(value: string, start: number, end: number): number[] {
  const bytes: number[] = [];
  for (let i = start; i < end; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x5f /* _ */) {
      bytes.push(0x20);
    } else if (c === 0x3d /* = */) {
      const hi = i + 2 < end ? hexValue(value.charCodeAt(i + 1)) : -1;
      const lo = i + 2 < end ? hexValue(value.charCodeAt(i + 2)) : -1;
      if (hi >= 0 && lo >= 0) {
        bytes.push((hi << 4) | lo);
        i += 2;
      } else {
        bytes.push(c);
      }
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      // Raw 8-bit text inside an encoded word (not allowed, but seen): keep it as UTF-8.
      pushUtf8(bytes, value.codePointAt(i) ?? c);
      if (c >= 0xd800 && c <= 0xdbff) i++;
    }
  }
  return bytes;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

function pushUtf8(bytes: number[], cp: number): void {
  if (cp < 0x800) {
    bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  } else {
    bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
}

/**
 * RFC 2047 §4.1 / RFC 4648 §4 base64. Missing padding is tolerated (a common encoder bug), and so
 * is text made of several padded pieces (`YQ==YQ==` gives `aa`, as libmime reads it; Dovecot
 * stops at the first padding). Characters outside the alphabet, or a piece cut after a single
 * character, make the word broken.
 */
function decodeB(value: string, start: number, end: number): number[] | null {
  const bytes: number[] = [];
  let acc = 0;
  let bits = 0;
  for (let i = start; i < end; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x3d /* = */) {
      if (bits === 6) return null;
      // The bits left over in a padded quantum are zero fill; the next piece starts afresh.
      acc = 0;
      bits = 0;
      continue;
    }
    const v = base64Value(c);
    if (v < 0) return null;
    acc = ((acc << 6) | v) & 0xfff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((acc >> bits) & 0xff);
    }
  }
  if (bits === 6) return null;
  return bytes;
}

function base64Value(c: number): number {
  if (c >= 0x41 && c <= 0x5a) return c - 0x41;
  if (c >= 0x61 && c <= 0x7a) return c - 0x61 + 26;
  if (c >= 0x30 && c <= 0x39) return c - 0x30 + 52;
  if (c === 0x2b) return 62;
  if (c === 0x2f) return 63;
  return -1;
}
