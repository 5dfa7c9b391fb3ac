// The MIME structure of a message (RFC 2045, RFC 2046), read from its octets for the tests that
// look past the header: body (RFC 5173) and the MIME tests of RFC 5703. A small hand-written
// parser over the bytes: no streams, no copies of the body (parts are offsets into the message),
// nothing decoded until a test asks. It never throws on malformed input.
import { charsetDecoder, decodeUtf8 } from './charset.js';
import { decodeEncodedWords } from './encoded-words.js';
import type { SieveMessage } from './types.js';

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;
const DASH = 0x2d;

/** A Content-Type or Content-Disposition value: the leading token and its parameters. */
export interface StructuredValue {
  /** Lower-cased: `text/plain`, `attachment`. */
  readonly value: string;
  /** Parameter values by lower-cased name, RFC 2231 continuations joined and decoded. */
  readonly params: ReadonlyMap<string, string>;
}

export interface ContentType {
  /** Lower-cased type and subtype (`text`, `plain`). */
  readonly type: string;
  readonly subtype: string;
  readonly params: ReadonlyMap<string, string>;
}

/** One MIME entity: the message itself, a body part, or a message/rfc822 part's message. */
export interface MimePart {
  /** Its position in a depth-first, pre-order walk of the message (the message itself is 0). */
  readonly index: number;
  /** Nesting depth: 0 for the message. */
  readonly depth: number;
  /** The number of parts below this one (all levels). */
  descendants: number;
  /** Offsets into the message octets: header block, then body (end exclusive). */
  readonly headerStart: number;
  readonly bodyStart: number;
  readonly bodyEnd: number;
  /**
   * The declared Content-Type, or null when the part has none (or an unparsable one); then
   * `type` holds the default (RFC 2045 §5.2 text/plain, RFC 2046 §5.1.5 message/rfc822 in a digest).
   */
  readonly declared: ContentType | null;
  readonly type: ContentType;
  /** Lower-cased Content-Transfer-Encoding, "" when absent. */
  readonly transferEncoding: string;
  /** The parts of a multipart, or the one message of a message/rfc822 part. */
  readonly children: MimePart[];
  /** A multipart's preamble and epilogue (RFC 2046 §5.1.1), as offsets; null when absent. */
  readonly preamble: readonly [number, number] | null;
  readonly epilogue: readonly [number, number] | null;
  /** True when nesting or size limits stopped the parser from looking inside this part. */
  readonly opaque: boolean;
  /** The part's header fields, read like the message's (parsed on first use). */
  header(): SieveMessage;
}

export interface MimeLimits {
  /** Parts nested deeper than this are not parsed: each is one opaque part (default 32). */
  readonly maxDepth: number;
  /** At most this many parts are parsed; the rest of the message is opaque (default 10,000). */
  readonly maxParts: number;
}

export const DEFAULT_MIME_LIMITS: MimeLimits = { maxDepth: 32, maxParts: 10_000 };

/** The parsed structure: the message (parts[0]) and every part in pre-order. */
export interface MimeTree {
  readonly bytes: Uint8Array;
  readonly parts: readonly MimePart[];
}

/**
 * Parses the MIME structure of `bytes` (a whole message). `headerView` turns the octets of a
 * header block into a SieveMessage (the engine's lazy header model).
 */
export function parseMime(
  bytes: Uint8Array,
  headerView: (header: Uint8Array) => SieveMessage,
  limits: MimeLimits = DEFAULT_MIME_LIMITS,
): MimeTree {
  const parts: MimePart[] = [];
  parseEntity(bytes, 0, bytes.length, 0, DEFAULT_TYPE, parts, headerView, limits);
  return { bytes, parts };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const DEFAULT_TYPE: ContentType = { type: 'text', subtype: 'plain', params: new Map() };
const DIGEST_DEFAULT: ContentType = { type: 'message', subtype: 'rfc822', params: new Map() };
const OCTET_STREAM: ContentType = { type: 'application', subtype: 'octet-stream', params: new Map() };

/** RFC 2045 §6.1, RFC 2046 §5.2.1: the transfer encodings there are ("" is none, 7bit). */
const TRANSFER_ENCODINGS = new Set(['', '7bit', '8bit', 'binary', 'quoted-printable', 'base64']);

function parseEntity(
  bytes: Uint8Array,
  start: number,
  end: number,
  depth: number,
  defaultType: ContentType,
  parts: MimePart[],
  headerView: (header: Uint8Array) => SieveMessage,
  limits: MimeLimits,
): MimePart {
  const bodyStart = findBodyStart(bytes, start, end);
  let view: SieveMessage | null = null;
  const header = (): SieveMessage => (view ??= headerView(bytes.subarray(start, bodyStart)));
  const h = header();
  const ctValue = h.headers('content-type')[0];
  const declared = ctValue === undefined ? null : parseContentType(ctValue);
  const transferEncoding = (h.headers('content-transfer-encoding')[0] ?? '').trim().toLowerCase();
  let type = declared ?? defaultType;
  // RFC 2045 §6.4: "Any entity with an unrecognized Content-Transfer-Encoding must be treated as
  // if it has a Content-Type of "application/octet-stream"". Multiparts and messages are still
  // split into their parts, which say how they are encoded themselves.
  if (!TRANSFER_ENCODINGS.has(transferEncoding) && type.type !== 'multipart' && type.type !== 'message') {
    type = OCTET_STREAM;
  }
  const children: MimePart[] = [];
  const tooDeep = depth >= limits.maxDepth || parts.length >= limits.maxParts;
  const part: Mutable<MimePart> = {
    index: parts.length,
    depth,
    descendants: 0,
    headerStart: start,
    bodyStart,
    bodyEnd: end,
    declared,
    type,
    transferEncoding,
    children,
    preamble: null,
    epilogue: null,
    opaque: false,
    header,
  };
  parts.push(part);
  const boundary = type.type === 'multipart' ? type.params.get('boundary') : undefined;
  if (boundary !== undefined && boundary !== '') {
    if (tooDeep) part.opaque = true;
    else {
      const split = splitMultipart(bytes, bodyStart, end, boundary);
      part.preamble = split.preamble;
      part.epilogue = split.epilogue;
      const childDefault = type.subtype === 'digest' ? DIGEST_DEFAULT : DEFAULT_TYPE;
      for (const [s, e] of split.parts) {
        if (parts.length >= limits.maxParts) {
          part.opaque = true;
          break;
        }
        children.push(parseEntity(bytes, s, e, depth + 1, childDefault, parts, headerView, limits));
      }
    }
  } else if (
    type.type === 'message' &&
    type.subtype === 'rfc822' &&
    // RFC 2046 §5.2.1: only 7bit, 8bit or binary; an encoded message is left as it is.
    (transferEncoding === '' ||
      transferEncoding === '7bit' ||
      transferEncoding === '8bit' ||
      transferEncoding === 'binary')
  ) {
    if (tooDeep) part.opaque = true;
    else
      children.push(parseEntity(bytes, bodyStart, end, depth + 1, DEFAULT_TYPE, parts, headerView, limits));
  }
  part.descendants = parts.length - part.index - 1;
  return part;
}

/**
 * Where the body starts: after the empty line that ends the header block (RFC 5322 §2.1), or at
 * `end` when there is none. An entity that starts with an empty line has no header fields.
 */
function findBodyStart(bytes: Uint8Array, start: number, end: number): number {
  let pos = start;
  while (pos < end) {
    const b = bytes[pos]!;
    if (b === LF) return pos + 1;
    if (b === CR && pos + 1 < end && bytes[pos + 1] === LF) return pos + 2;
    const lf = bytes.indexOf(LF, pos);
    if (lf < 0 || lf >= end) return end;
    pos = lf + 1;
  }
  return end;
}

interface Split {
  preamble: [number, number] | null;
  parts: [number, number][];
  epilogue: [number, number] | null;
}

/**
 * RFC 2046 §5.1.1: splits a multipart body at its delimiter lines. The line break before a
 * delimiter belongs to the delimiter; a delimiter line is `--boundary`, optionally `--` (the close
 * delimiter), then optional white space. Without a close delimiter the last part runs to the end.
 */
function splitMultipart(bytes: Uint8Array, start: number, end: number, boundary: string): Split {
  const b = new Uint8Array(boundary.length);
  for (let i = 0; i < boundary.length; i++) b[i] = boundary.charCodeAt(i) & 0xff;
  const out: Split = { preamble: null, parts: [], epilogue: null };
  let partStart = -1; // start of the part being read, -1 while in the preamble
  let lineStart = start;
  while (lineStart <= end) {
    let lf = lineStart < end ? bytes.indexOf(LF, lineStart) : -1;
    if (lf >= end) lf = -1;
    const lineEnd = lf < 0 ? end : lf;
    const kind = delimiterKind(bytes, lineStart, lineEnd, b);
    if (kind !== 0) {
      // The content ends before the line break that precedes the delimiter.
      let contentEnd = lineStart;
      if (contentEnd > start && bytes[contentEnd - 1] === LF) contentEnd--;
      if (contentEnd > start && bytes[contentEnd - 1] === CR) contentEnd--;
      const from = partStart < 0 ? start : partStart;
      if (partStart < 0) {
        if (contentEnd > from) out.preamble = [from, Math.max(from, contentEnd)];
      } else out.parts.push([from, Math.max(from, contentEnd)]);
      const next = lf < 0 ? end : lf + 1;
      if (kind === 2) {
        if (next < end) out.epilogue = [next, end];
        return out;
      }
      partStart = next;
    }
    if (lf < 0) break;
    lineStart = lf + 1;
  }
  if (partStart >= 0) out.parts.push([partStart, end]);
  else if (end > start) out.preamble = [start, end];
  return out;
}

/** 0: not a delimiter line; 1: a delimiter; 2: the close delimiter. */
function delimiterKind(bytes: Uint8Array, start: number, end: number, boundary: Uint8Array): number {
  const n = boundary.length;
  if (end - start < n + 2 || bytes[start] !== DASH || bytes[start + 1] !== DASH) return 0;
  for (let i = 0; i < n; i++) if (bytes[start + 2 + i] !== boundary[i]) return 0;
  let p = start + 2 + n;
  let kind = 1;
  if (p + 2 <= end && bytes[p] === DASH && bytes[p + 1] === DASH) {
    kind = 2;
    p += 2;
  }
  // Only transport padding may follow (RFC 2046 §5.1.1); `--XXY` is not a delimiter of `XX`.
  for (; p < end; p++) {
    const c = bytes[p]!;
    if (c !== SP && c !== HT && c !== CR) return 0;
  }
  return kind;
}

/** RFC 2045 §5.1 tspecials, which end a token. */
const TSPECIALS = '()<>@,;:\\"/[]?=';

function isTokenChar(c: string): boolean {
  const code = c.charCodeAt(0);
  return code > 0x20 && code < 0x7f ? !TSPECIALS.includes(c) : code >= 0x80;
}

/**
 * Reads a structured MIME header value: a leading value (`text/plain`, `attachment`) and
 * `; name=value` parameters (RFC 2045 §5.1), with RFC 2231 continuations (`name*0`, `name*1`),
 * charset-encoded values (`name*=utf-8''r%C3%A9sum%C3%A9`), comments and quoted strings.
 * Parameters that cannot be read are skipped; RFC 2047 words in a value are decoded (common
 * in the wild for file names). Never throws.
 */
export function parseStructuredValue(input: string): StructuredValue {
  const s = input;
  let i = 0;
  const skipCfws = (): void => {
    for (;;) {
      while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === '\r' || s[i] === '\n')) i++;
      if (s[i] !== '(') return;
      let depth = 0;
      for (; i < s.length; i++) {
        if (s[i] === '\\') i++;
        else if (s[i] === '(') depth++;
        else if (s[i] === ')' && --depth === 0) {
          i++;
          break;
        }
      }
    }
  };
  const token = (): string => {
    const from = i;
    while (i < s.length && isTokenChar(s[i]!)) i++;
    return s.slice(from, i);
  };
  const quoted = (): string => {
    let out = '';
    i++; // the opening quote
    for (; i < s.length && s[i] !== '"'; i++) {
      if (s[i] === '\\' && i + 1 < s.length) i++;
      out += s[i];
    }
    i++;
    return out;
  };
  skipCfws();
  // The leading value, up to the first ";" (type "/" subtype for Content-Type).
  let value = '';
  while (i < s.length && s[i] !== ';') {
    const c = s[i]!;
    if (c === '(' || c === ' ' || c === '\t') skipCfws();
    else {
      value += c;
      i++;
    }
  }
  value = value.toLowerCase();
  // Parameters; RFC 2231 §3 pieces are gathered first, then joined in order.
  const simple = new Map<string, string>();
  const pieces = new Map<string, { n: number; encoded: boolean; text: string }[]>();
  while (i < s.length) {
    if (s[i] !== ';') {
      i++;
      continue;
    }
    i++;
    skipCfws();
    const name = token().toLowerCase();
    skipCfws();
    if (name === '' || s[i] !== '=') continue;
    i++;
    skipCfws();
    const text = s[i] === '"' ? quoted() : token();
    skipCfws();
    const m = /^([^*]+)(?:\*(\d+))?(\*)?$/.exec(name);
    if (!m) continue;
    const base = m[1]!;
    if (m[2] === undefined && m[3] === undefined) {
      if (!simple.has(base)) simple.set(base, text);
      continue;
    }
    const list = pieces.get(base) ?? [];
    list.push({ n: m[2] === undefined ? 0 : Number(m[2]), encoded: m[3] !== undefined, text });
    pieces.set(base, list);
  }
  const params = new Map<string, string>();
  for (const [name, list] of pieces) {
    list.sort((a, b) => a.n - b.n);
    let charset = '';
    const bytes: number[] = [];
    list.forEach((p, k) => {
      let text = p.text;
      if (p.encoded && k === 0) {
        // charset'language'value
        const q1 = text.indexOf("'");
        const q2 = q1 < 0 ? -1 : text.indexOf("'", q1 + 1);
        if (q2 >= 0) {
          charset = text.slice(0, q1);
          text = text.slice(q2 + 1);
        }
      }
      if (p.encoded) percentDecode(text, bytes);
      else for (const b of new TextEncoder().encode(text)) bytes.push(b);
    });
    const decoder = (charset && charsetDecoder(charset)) || decodeUtf8;
    params.set(name, safeDecode(decoder, Uint8Array.from(bytes)));
  }
  for (const [name, v] of simple) if (!params.has(name)) params.set(name, decodeEncodedWords(v));
  return { value, params };
}

function percentDecode(text: string, out: number[]): void {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25 && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) out.push(c);
    else for (const b of new TextEncoder().encode(text[i])) out.push(b);
  }
}

/** A Content-Type value, or null when it is not `type/subtype` (RFC 2045 §5.1). */
export function parseContentType(value: string): ContentType | null {
  const { value: v, params } = parseStructuredValue(value);
  const slash = v.indexOf('/');
  if (slash <= 0 || slash === v.length - 1) return null;
  const type = v.slice(0, slash);
  const subtype = v.slice(slash + 1);
  for (const c of type + subtype) if (!isTokenChar(c)) return null;
  return { type, subtype, params };
}

function safeDecode(decoder: (b: Uint8Array) => string, bytes: Uint8Array): string {
  try {
    return decoder(bytes);
  } catch {
    return decodeUtf8(bytes);
  }
}

/** RFC 2045 §6.8 base64; characters outside the alphabet are ignored, as §6.8 asks. */
export function decodeBase64(bytes: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(((end - start) * 3) / 4) + 3);
  let n = 0;
  let acc = 0;
  let bits = 0;
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    let v: number;
    if (c >= 0x41 && c <= 0x5a) v = c - 0x41;
    else if (c >= 0x61 && c <= 0x7a) v = c - 0x61 + 26;
    else if (c >= 0x30 && c <= 0x39) v = c - 0x30 + 52;
    else if (c === 0x2b) v = 62;
    else if (c === 0x2f) v = 63;
    else if (c === 0x3d)
      break; // padding: the data ends
    else continue;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, n);
}

function hex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/**
 * RFC 2045 §6.7 quoted-printable: `=XX` octets, soft line breaks (`=` at the end of a line, with
 * trailing white space tolerated), and a malformed `=` kept as written (§6.7 note 1).
 */
export function decodeQuotedPrintable(bytes: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start);
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    if (c !== 0x3d) {
      out[n++] = c;
      continue;
    }
    const hi = i + 1 < end ? hex(bytes[i + 1]!) : -1;
    const lo = i + 2 < end ? hex(bytes[i + 2]!) : -1;
    if (hi >= 0 && lo >= 0) {
      out[n++] = (hi << 4) | lo;
      i += 2;
      continue;
    }
    // A soft line break: "=" then optional white space, then CRLF or LF (or the end).
    let j = i + 1;
    while (j < end && (bytes[j] === SP || bytes[j] === HT)) j++;
    if (j >= end) {
      i = end;
      continue;
    }
    if (bytes[j] === LF) {
      i = j;
      continue;
    }
    if (bytes[j] === CR && j + 1 < end && bytes[j + 1] === LF) {
      i = j + 1;
      continue;
    }
    out[n++] = c;
  }
  return out.subarray(0, n);
}

/** The part's body with its Content-Transfer-Encoding undone (unknown encodings: as is). */
export function decodedBody(tree: MimeTree, part: MimePart): Uint8Array {
  return decodeTransfer(tree.bytes, part.bodyStart, part.bodyEnd, part.transferEncoding);
}

export function decodeTransfer(bytes: Uint8Array, start: number, end: number, encoding: string): Uint8Array {
  if (encoding === 'base64') return decodeBase64(bytes, start, end);
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(bytes, start, end);
  return bytes.subarray(start, end);
}

/**
 * The part's content as Unicode: transfer encoding undone, and for text parts the charset
 * converted (RFC 5173 §5.2; an unknown charset is read as UTF-8). Other parts read as UTF-8.
 */
export function partContent(tree: MimeTree, part: MimePart): string {
  const body = decodedBody(tree, part);
  if (part.type.type !== 'text') return decodeUtf8(body);
  const charset = part.type.params.get('charset');
  const decoder = (charset !== undefined && charsetDecoder(charset)) || decodeUtf8;
  return safeDecode(decoder, body);
}

/**
 * The part as text, for body :text (RFC 5173 §5.3) and extracttext (RFC 5703 §7): text parts
 * decoded to Unicode, HTML reduced to its text. Null for multiparts and messages, whose text is
 * in their children.
 */
export function partText(tree: MimeTree, part: MimePart): string | null {
  if (part.type.type === 'multipart' || (part.type.type === 'message' && part.type.subtype === 'rfc822')) {
    return part.opaque ? '' : null;
  }
  const content = partContent(tree, part);
  return isHtml(part) ? htmlToText(content) : content;
}

/** Whether a part is HTML: text/html, or XHTML (RFC 3236 application/xhtml+xml). */
export function isHtml(part: MimePart): boolean {
  const { type, subtype } = part.type;
  return (type === 'text' && subtype === 'html') || (type === 'application' && subtype === 'xhtml+xml');
}

/** Octets as text, invalid UTF-8 replaced (for raw bodies, preambles and headers). */
export function rawText(bytes: Uint8Array, start: number, end: number): string {
  return decodeUtf8(bytes.subarray(start, end));
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  copy: '\u00a9',
  reg: '\u00ae',
  euro: '\u20ac',
  hellip: '\u2026',
  mdash: '\u2014',
  ndash: '\u2013',
  lsquo: '\u2018',
  rsquo: '\u2019',
  ldquo: '\u201c',
  rdquo: '\u201d',
};

const BLOCK = /^(?:p|div|br|tr|li|h[1-6]|table|ul|ol|blockquote|pre|hr|section|article|header|footer)$/;

/**
 * HTML reduced to its text (RFC 5173 §5.3: "sophisticated implementations MAY strip mark-up"):
 * tags removed (block elements become a line break), script, style and head content and comments
 * dropped, character references decoded. A linear scan: no regular-expression backtracking on
 * hostile input.
 */
export function htmlToText(html: string): string {
  let out = '';
  let i = 0;
  const n = html.length;
  while (i < n) {
    const lt = html.indexOf('<', i);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd > i) out += decodeEntities(html.slice(i, textEnd));
    if (lt < 0) break;
    if (html.startsWith('<!--', lt)) {
      const close = html.indexOf('-->', lt + 4);
      i = close < 0 ? n : close + 3;
      continue;
    }
    const gt = html.indexOf('>', lt + 1);
    if (gt < 0) break;
    const m = /^<\s*(\/?)\s*([A-Za-z][A-Za-z0-9]*)/.exec(html.slice(lt, Math.min(gt + 1, lt + 64)));
    i = gt + 1;
    if (!m) continue;
    const name = m[2]!.toLowerCase();
    if (m[1] === '' && (name === 'script' || name === 'style' || name === 'head' || name === 'title')) {
      const close = html.toLowerCase().indexOf(`</${name}`, i);
      if (close >= 0) {
        const closeEnd = html.indexOf('>', close);
        i = closeEnd < 0 ? n : closeEnd + 1;
      }
      continue;
    }
    if (BLOCK.test(name) && !out.endsWith('\n') && out !== '') out += '\n';
  }
  return out;
}

function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z]{2,8});/g, (whole, ref: string) => {
    if (ref[0] === '#') {
      const cp = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff) ? String.fromCodePoint(cp) : whole;
    }
    return ENTITIES[ref.toLowerCase()] ?? whole;
  });
}
