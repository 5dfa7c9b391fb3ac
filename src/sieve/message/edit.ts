// Changes scripts make to the message (editheader, RFC 5293; replace and enclose, RFC 5703).
// Each change is a plain record, applied to the message octets to give the edited message. The
// engine applies them as the script runs, so later tests see the edited message; the result
// carries the same records, so delivery can apply them to the copy it stores (applyEdits).
import { parseMime, type MimeLimits } from './mime.js';
import { buildHeaderIndex } from './header-index.js';
import { parseMessage } from './index.js';

export type MessageEdit =
  /** RFC 5293 §4: a field added at the top of the header, or at its end with :last. */
  | { readonly op: 'addheader'; readonly name: string; readonly value: string; readonly last: boolean }
  /**
   * RFC 5293 §5: fields removed, by their 1-based positions among the fields of that name (from
   * the top) at the time of the change.
   */
  | { readonly op: 'deleteheader'; readonly name: string; readonly occurrences: readonly number[] }
  /**
   * RFC 5703 §5: a MIME part (by its pre-order index; 0 is the whole message) replaced by a
   * text/plain part holding `content`, or by the MIME entity `content` when `mime` is set. For the
   * whole message, `subject` and `from` replace those fields (the old ones are kept as
   * Original-Subject and Original-From).
   */
  | {
      readonly op: 'replace';
      readonly part: number;
      readonly mime: boolean;
      readonly content: string;
      readonly subject: string | null;
      readonly from: string | null;
    }
  /**
   * RFC 5703 §6: the message enclosed as a message/rfc822 part of a new multipart/mixed message
   * whose first part is `text`. Delivery applies it to stored copies only: "This action does not
   * affect messages that are forwarded via a redirect action."
   */
  | {
      readonly op: 'enclose';
      readonly subject: string | null;
      readonly headers: readonly string[];
      readonly text: string;
      /** The synthesized From and Date fields (RFC 5703 §6), unless copied through `headers`. */
      readonly from: string;
      readonly date: string;
      readonly boundary: string;
    };

const encoder = new TextEncoder();
const CRLF = '\r\n';

interface Field {
  /** Lower-cased name; "" for a line that is not a field. */
  readonly name: string;
  readonly start: number;
  /** Just past the field's last line break (or the end of the octets). */
  readonly end: number;
}

/** The fields of the header block at the start of `bytes`, and where the body starts. */
function headerFields(bytes: Uint8Array): { fields: Field[]; headerEnd: number; bodyStart: number } {
  const fields: Field[] = [];
  let pos = 0;
  const n = bytes.length;
  while (pos < n) {
    const b = bytes[pos]!;
    if (b === 0x0a) return { fields, headerEnd: pos, bodyStart: pos + 1 };
    if (b === 0x0d && pos + 1 < n && bytes[pos + 1] === 0x0a)
      return { fields, headerEnd: pos, bodyStart: pos + 2 };
    const start = pos;
    // The field's lines: this one and the continuation lines that start with WSP.
    for (;;) {
      const lf = bytes.indexOf(0x0a, pos);
      pos = lf < 0 ? n : lf + 1;
      if (pos >= n || (bytes[pos] !== 0x20 && bytes[pos] !== 0x09)) break;
    }
    let name = '';
    for (let i = start; i < pos; i++) {
      const c = bytes[i]!;
      if (c === 0x3a) break;
      if (c === 0x0a) {
        name = '';
        break;
      }
      name += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c | 0x20 : c);
    }
    fields.push({ name: name.trim(), start, end: pos });
  }
  return { fields, headerEnd: n, bodyStart: n };
}

function concat(parts: (Uint8Array | string)[]): Uint8Array {
  const chunks = parts.map((p) => (typeof p === 'string' ? encoder.encode(p) : p));
  const out = new Uint8Array(chunks.reduce((s, c) => s + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Line breaks as CRLF (RFC 5322 §2.1). */
export function toCrlf(text: string): string {
  return text.replace(/\r\n|\r|\n/g, CRLF);
}

/**
 * A field value ready for the header: non-ASCII runs of words as RFC 2047 encoded words (UTF-8,
 * base64; adjacent words decode back to the same text, RFC 2047 §6.2), line breaks as folds.
 */
export function encodeFieldValue(value: string): string {
  const lines = value.split(/\r\n|\r|\n/);
  return lines
    .map((line, k) => {
      const encoded = encodeNonAscii(line);
      return k === 0 || /^[ \t]/.test(encoded) ? encoded : ` ${encoded}`;
    })
    .join(CRLF);
}

function encodeNonAscii(line: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(line)) return line;
  // Words and the white space between them; runs of non-ASCII words are encoded together.
  const tokens = line.split(/([ \t]+)/);
  let out = '';
  let run: string[] = [];
  let gap = '';
  const flush = (): void => {
    if (run.length) out += encodeWords(run.join(''));
    run = [];
  };
  for (let i = 0; i < tokens.length; i += 2) {
    const word = tokens[i]!;
    const space = tokens[i + 1] ?? '';
    // eslint-disable-next-line no-control-regex
    if (/[^\x00-\x7f]/.test(word)) {
      if (run.length) run.push(gap);
      else out += gap;
      run.push(word);
    } else {
      flush();
      out += gap + word;
    }
    gap = space;
  }
  flush();
  return out + gap;
}

/** RFC 2047 B words of at most 45 octets of UTF-8 each (75 characters with the wrapping). */
function encodeWords(text: string): string {
  const words: string[] = [];
  let chunk: number[] = [];
  for (const ch of text) {
    const b = encoder.encode(ch);
    if (chunk.length + b.length > 45) {
      words.push(bWord(chunk));
      chunk = [];
    }
    for (const x of b) chunk.push(x);
  }
  if (chunk.length) words.push(bWord(chunk));
  return words.join(`${CRLF} `);
}

function bWord(bytes: number[]): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return `=?UTF-8?B?${btoa(bin)}?=`;
}

/** Applies one change to the message octets; returns the edited message's octets. */
export function applyEdit(bytes: Uint8Array, edit: MessageEdit, limits?: MimeLimits): Uint8Array {
  switch (edit.op) {
    case 'addheader': {
      const line = `${edit.name}: ${encodeFieldValue(edit.value)}${CRLF}`;
      if (!edit.last) return concat([line, bytes]);
      const { fields, headerEnd } = headerFields(bytes);
      const last = fields[fields.length - 1];
      // A header block cut without a final line break gets one before the new field.
      const needsBreak = last !== undefined && bytes[last.end - 1] !== 0x0a;
      return concat([bytes.subarray(0, headerEnd), needsBreak ? CRLF : '', line, bytes.subarray(headerEnd)]);
    }
    case 'deleteheader': {
      const { fields } = headerFields(bytes);
      const drop = new Set<Field>();
      let k = 0;
      for (const f of fields)
        if (f.name === edit.name.toLowerCase() && edit.occurrences.includes(++k)) drop.add(f);
      if (drop.size === 0) return bytes;
      const out: Uint8Array[] = [];
      let from = 0;
      for (const f of drop) {
        out.push(bytes.subarray(from, f.start));
        from = f.end;
      }
      out.push(bytes.subarray(from));
      return concat(out);
    }
    case 'replace':
      return replacePart(bytes, edit, limits);
    case 'enclose':
      return enclose(bytes, edit);
  }
}

/** Applies changes in order (what delivery does with the result's `edit` action). */
export function applyEdits(bytes: Uint8Array, edits: readonly MessageEdit[]): Uint8Array {
  let out = bytes;
  for (const e of edits) out = applyEdit(out, e);
  return out;
}

/** The replacement entity: header block text and body text. */
function replacementEntity(edit: { mime: boolean; content: string }): { header: string; body: string } {
  const content = toCrlf(edit.content);
  if (!edit.mime) {
    // eslint-disable-next-line no-control-regex
    const eightBit = /[^\x00-\x7f]/.test(content);
    return {
      header: `Content-Type: text/plain; charset=utf-8${CRLF}Content-Transfer-Encoding: ${eightBit ? '8bit' : '7bit'}${CRLF}`,
      body: content,
    };
  }
  // RFC 5703 §5: a MIME entity (RFC 2045 §2.4): header fields, an empty line, the content.
  const blank = content.startsWith(CRLF) ? 0 : content.indexOf(CRLF + CRLF);
  if (blank < 0) return { header: content.endsWith(CRLF) ? content : content + CRLF, body: '' };
  if (blank === 0) return { header: '', body: content.slice(2) };
  return { header: content.slice(0, blank + 2), body: content.slice(blank + 4) };
}

function isMimeField(name: string): boolean {
  return name.startsWith('content-') || name === 'mime-version';
}

function replacePart(
  bytes: Uint8Array,
  edit: Extract<MessageEdit, { op: 'replace' }>,
  limits: MimeLimits | undefined,
): Uint8Array {
  const entity = replacementEntity(edit);
  if (edit.part > 0) {
    const tree = parseMime(bytes, (h) => parseMessage(h), limits);
    const part = tree.parts[edit.part];
    if (part === undefined) return bytes;
    return concat([
      bytes.subarray(0, part.headerStart),
      entity.header,
      CRLF,
      entity.body,
      bytes.subarray(part.bodyEnd),
    ]);
  }
  // The whole message: its fields stay, but those of the MIME structure being replaced.
  const { fields } = headerFields(bytes);
  const kept: (Uint8Array | string)[] = [];
  const index = buildHeaderIndex(bytes);
  const hadMimeVersion = index.has('mime-version');
  for (const f of fields) {
    if (isMimeField(f.name) && f.name !== 'mime-version') continue;
    const raw = bytes.subarray(f.start, f.end);
    if (edit.subject !== null && f.name === 'subject') kept.push(renameField(raw, 'Original-Subject'));
    else if (edit.from !== null && f.name === 'from') kept.push(renameField(raw, 'Original-From'));
    else kept.push(raw);
    if (raw[raw.length - 1] !== 0x0a) kept.push(CRLF);
  }
  const added: string[] = [];
  if (edit.from !== null) added.push(`From: ${encodeFieldValue(edit.from)}${CRLF}`);
  if (edit.subject !== null) added.push(`Subject: ${encodeFieldValue(edit.subject)}${CRLF}`);
  if (!hadMimeVersion) added.push(`MIME-Version: 1.0${CRLF}`);
  return concat([...kept, ...added, entity.header, CRLF, entity.body]);
}

/** The field with its name changed (RFC 5703 §5: the old Subject kept as Original-Subject). */
function renameField(field: Uint8Array, name: string): string {
  const text = new TextDecoder().decode(field);
  const colon = text.indexOf(':');
  return colon < 0 ? text : `${name}${text.slice(colon)}`;
}

function enclose(bytes: Uint8Array, edit: Extract<MessageEdit, { op: 'enclose' }>): Uint8Array {
  const { fields } = headerFields(bytes);
  const wanted = new Set(edit.headers.map((h) => h.toLowerCase()));
  const copied: (Uint8Array | string)[] = [];
  const copiedNames = new Set<string>();
  for (const f of fields) {
    // The new message's own structure is multipart/mixed: MIME fields are never copied.
    if (!wanted.has(f.name) || isMimeField(f.name)) continue;
    if (edit.subject !== null && f.name === 'subject') continue;
    const field = bytes.subarray(f.start, f.end);
    copied.push(field);
    if (field[field.length - 1] !== 0x0a) copied.push(CRLF);
    copiedNames.add(f.name);
  }
  const header: string[] = [];
  if (!copiedNames.has('from')) header.push(`From: ${edit.from}${CRLF}`);
  if (!copiedNames.has('date')) header.push(`Date: ${edit.date}${CRLF}`);
  if (edit.subject !== null) header.push(`Subject: ${encodeFieldValue(edit.subject)}${CRLF}`);
  else if (!copiedNames.has('subject')) {
    // RFC 5703 §6: without :subject, the subject is taken from the enclosed message.
    const subject = fields.find((f) => f.name === 'subject');
    if (subject) {
      copied.push(bytes.subarray(subject.start, subject.end));
      if (bytes[subject.end - 1] !== 0x0a) copied.push(CRLF);
    }
  }
  header.push(`MIME-Version: 1.0${CRLF}`);
  header.push(`Content-Type: multipart/mixed; boundary="${edit.boundary}"${CRLF}`);
  const text = toCrlf(edit.text);
  // eslint-disable-next-line no-control-regex
  const eightBit = /[^\x00-\x7f]/.test(text);
  return concat([
    ...copied,
    ...header,
    CRLF,
    `--${edit.boundary}${CRLF}`,
    `Content-Type: text/plain; charset=utf-8${CRLF}`,
    `Content-Transfer-Encoding: ${eightBit ? '8bit' : '7bit'}${CRLF}${CRLF}`,
    text,
    `${CRLF}--${edit.boundary}${CRLF}`,
    `Content-Type: message/rfc822${CRLF}${CRLF}`,
    bytes,
    `${CRLF}--${edit.boundary}--${CRLF}`,
  ]);
}

/** A boundary that occurs nowhere in `bytes` (RFC 2046 §5.1.1), derived from its content. */
export function uniqueBoundary(bytes: Uint8Array, seed: string): string {
  for (let n = 0; ; n++) {
    const candidate = `sievert-${seed}-${n}`;
    const probe = encoder.encode(candidate);
    if (indexOf(bytes, probe) < 0) return candidate;
  }
}

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  const first = needle[0]!;
  for (let i = hay.indexOf(first); i >= 0 && i + needle.length <= hay.length; i = hay.indexOf(first, i + 1)) {
    let ok = true;
    for (let j = 1; j < needle.length; j++) {
      if (hay[i + j] !== needle[j]) {
        ok = false;
        break;
      }
    }
    if (ok) return i;
  }
  return -1;
}
