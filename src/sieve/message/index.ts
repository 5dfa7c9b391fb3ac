import { parseAddressList } from './address.js';
import { decodeEncodedWords } from './encoded-words.js';
import { buildHeaderIndex, unfoldedValue, type HeaderIndex } from './header-index.js';
import { parseMime, type MimeLimits, type MimeTree } from './mime.js';
import type { AddressHeaderValue, SieveMessage } from './types.js';

export type { AddressHeaderValue, MailAddress, SieveMessage } from './types.js';
export { decodeEncodedWords } from './encoded-words.js';
export { parseAddressList } from './address.js';
export type { ContentType, MimeLimits, MimePart, MimeTree, StructuredValue } from './mime.js';

export interface ParseMessageOptions {
  /**
   * Size of the whole message in octets, when `bytes` holds only its beginning (say the header
   * block read from disk). Defaults to `bytes.length`.
   */
  size?: number;
}

/**
 * Wraps a message for the engine. Nothing is parsed here: the header index is built on the first
 * lookup and every lookup is cached. `bytes` is the whole message or at least its header block;
 * it must not change while the message is in use.
 */
export function parseMessage(bytes: Uint8Array, options?: ParseMessageOptions): SieveMessage {
  const size = options?.size;
  return new LazyMessage(bytes, typeof size === 'number' && size >= 0 ? size : bytes.length);
}

const NONE: readonly never[] = Object.freeze([]);

class LazyMessage implements SieveMessage {
  private index: HeaderIndex | null = null;
  private readonly raw = new Map<string, readonly string[]>();
  private readonly decoded = new Map<string, readonly string[]>();
  private readonly addressLists = new Map<string, readonly AddressHeaderValue[]>();
  private tree: MimeTree | null = null;

  constructor(
    private readonly bytes: Uint8Array,
    readonly size: number,
  ) {}

  get source(): Uint8Array {
    return this.bytes;
  }

  /** Parsed only when a body or MIME test asks: the header-only path never comes here. */
  mime(limits?: MimeLimits): MimeTree {
    this.tree ??= parseMime(this.bytes, (header) => new LazyMessage(header, header.length), limits);
    return this.tree;
  }

  hasHeader(name: string): boolean {
    return this.entries(name.toLowerCase()) !== undefined;
  }

  rawHeaders(name: string): readonly string[] {
    return this.rawByKey(name.toLowerCase());
  }

  /** `rawHeaders` for a name already lower-cased. */
  private rawByKey(key: string): readonly string[] {
    let values = this.raw.get(key);
    if (values === undefined) {
      const entries = this.entries(key);
      if (entries === undefined) return NONE;
      const list: string[] = [];
      for (let i = 0; i < entries.length; i += 3) {
        list.push(unfoldedValue(this.bytes, entries[i]!, entries[i + 1]!, entries[i + 2] === 1));
      }
      values = list;
      this.raw.set(key, values);
    }
    return values;
  }

  headers(name: string): readonly string[] {
    // Scripts usually spell a name the same way each time: look it up as given first.
    const hit = this.decoded.get(name);
    if (hit !== undefined) return hit;
    const key = name.toLowerCase();
    let values = this.decoded.get(key);
    if (values === undefined) {
      const raw = this.rawByKey(key);
      // RFC 5228 §2.7.2 compares decoded values; RFC 2047 §6.1 decoding, fast path without `=?`.
      values = raw.length === 0 ? NONE : raw.map((value) => decodeEncodedWords(trimWsp(value)));
      this.decoded.set(key, values);
    }
    if (name !== key) this.decoded.set(name, values);
    return values;
  }

  addresses(name: string): readonly AddressHeaderValue[] {
    const key = name.toLowerCase();
    let values = this.addressLists.get(key);
    if (values === undefined) {
      const raw = this.rawByKey(key);
      if (raw.length === 0) return NONE;
      values = raw.map((value) => {
        const trimmed = trimWsp(value);
        return { raw: trimmed, addresses: parseAddressList(trimmed) };
      });
      this.addressLists.set(key, values);
    }
    return values;
  }

  private entries(key: string): number[] | undefined {
    this.index ??= buildHeaderIndex(this.bytes);
    return this.index.get(key);
  }
}

/** Removes leading and trailing white space (SP, HTAB and stray CR/LF), not other Unicode spaces. */
function trimWsp(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isWsp(value.charCodeAt(start))) start++;
  while (end > start && isWsp(value.charCodeAt(end - 1))) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

function isWsp(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

/** The first address of the first field with this name that has one with a local part. */
function firstAddress(message: SieveMessage, name: string): string | null {
  for (const h of message.addresses(name)) {
    const a = h.addresses?.[0];
    if (a && a.localPart !== '') return a.address;
  }
  return null;
}

/**
 * The envelope a lone message implies, as Pigeonhole's sieve-test and test suite derive it: the
 * recipient from Envelope-To, else To, else recipient@example.com; the sender from Return-Path
 * (`<>` is the null sender, ""), else Sender, else From, else sender@example.com.
 */
export function impliedEnvelope(message: SieveMessage): { from: string; to: string } {
  const to = firstAddress(message, 'envelope-to') ?? firstAddress(message, 'to') ?? 'recipient@example.com';
  const returnPath = message.headers('return-path')[0];
  const from =
    returnPath !== undefined && returnPath.replace(/\s/g, '') === '<>'
      ? ''
      : (firstAddress(message, 'return-path') ??
        firstAddress(message, 'sender') ??
        firstAddress(message, 'from') ??
        'sender@example.com');
  return { from, to };
}
