import iconv from 'iconv-lite';

/** Turns the octets of a header value or of an encoded word into Unicode text. */
export type CharsetDecoder = (bytes: Uint8Array) => string;

// Non-fatal: malformed sequences become U+FFFD. ignoreBOM keeps a BOM as text, as Dovecot does.
const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });
const REPLACEMENT_RUN = /\uFFFD{2,}/g;

/**
 * RFC 6532 §3.2: header fields are UTF-8. Invalid sequences become one U+FFFD per run, which is
 * what Dovecot's uni_utf8_get_valid_data() does (it never appends a replacement character right
 * after another one), so `caf\xE9\xE9` reads `caf\uFFFD` in both engines.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  const text = utf8Decoder.decode(bytes);
  return text.includes('\uFFFD') ? text.replace(REPLACEMENT_RUN, '\uFFFD') : text;
}

/**
 * Header octets in [start, end) as Unicode. TextDecoder's UTF-8 path is the fastest decoder for
 * ASCII too (faster than String.fromCharCode over the octets), so there is no separate ASCII path.
 */
export function decodeHeaderBytes(bytes: Uint8Array, start: number, end: number): string {
  return decodeUtf8(bytes.subarray(start, end));
}

const decoderCache = new Map<string, CharsetDecoder | null>();

/**
 * The decoder for an RFC 2047 charset name, or null when the charset is unknown. An RFC 2231 §5
 * language suffix (`utf-8*en`) is ignored.
 */
export function charsetDecoder(name: string): CharsetDecoder | null {
  const cached = decoderCache.get(name);
  if (cached !== undefined) return cached;
  const decoder = resolveDecoder(name);
  // Charset names come from mail, so bound the cache against a flood of invented names.
  if (decoderCache.size < 512) decoderCache.set(name, decoder);
  return decoder;
}

function resolveDecoder(rawName: string): CharsetDecoder | null {
  const star = rawName.indexOf('*');
  const name = (star >= 0 ? rawName.slice(0, star) : rawName).trim().toLowerCase();
  if (name === '') return null;
  // Dovecot treats US-ASCII as UTF-8 (charset_is_utf8); 8-bit octets in such a word are then
  // read as UTF-8 rather than replaced.
  if (name === 'utf-8' || name === 'utf8' || name === 'us-ascii' || name === 'ascii') return decodeUtf8;
  // iconv-lite has no ISO-2022-JP; the WHATWG decoder has (browsers, and Node with full ICU).
  // The -1/-2/-3 extensions share its escape sequences for the common repertoire.
  if (/^(?:iso-?2022-?jp(?:-[123])?|csiso2022jp)$/.test(name)) return textDecoderFor('iso-2022-jp');
  // iconv-lite rather than TextDecoder for single-byte charsets: Node 20's TextDecoder maps
  // windows-1252 0x80-0x9F to C1 controls (DEPENDENCIES.md P3), losing € “ ”.
  if (iconv.encodingExists(name)) {
    return (bytes) => iconv.decode(bytes, name, { stripBOM: false });
  }
  return textDecoderFor(name);
}

function textDecoderFor(label: string): CharsetDecoder | null {
  try {
    const decoder = new TextDecoder(label, { ignoreBOM: true });
    return (bytes) => decoder.decode(bytes);
  } catch {
    return null; // a label neither iconv-lite nor the WHATWG Encoding Standard knows
  }
}
