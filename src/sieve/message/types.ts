import type { MimeLimits, MimeTree } from './mime.js';

/** One mailbox from an address header (RFC 5322 §3.4), as Sieve's address test sees it. */
export interface MailAddress {
  /** The local part with RFC 5322 quoting removed (`"a b"@x` gives `a b`). */
  readonly localPart: string;
  /** The domain as written (no case change); empty for an address without "@". */
  readonly domain: string;
  /** `localPart@domain` (the local part re-quoted only when it needs quotes), or the raw text for unparsable values. */
  readonly address: string;
  /** Display name, RFC 2047 decoded, or "" when none. */
  readonly name: string;
}

/**
 * What the address test gets for one occurrence of an address header. `addresses` is null when
 * the value could not be parsed as an address list; RFC 5228 §2.7.4 then compares the whole
 * value for `:all`.
 */
export interface AddressHeaderValue {
  readonly raw: string;
  readonly addresses: readonly MailAddress[] | null;
}

/**
 * The message as the engine sees it: parsed lazily, every lookup cached. Header names are
 * case-insensitive. Implementations never throw on malformed input.
 */
export interface SieveMessage {
  /** Size of the whole message in octets (RFC 5228 §5.9). */
  readonly size: number;
  /** True when at least one field with this name exists. */
  hasHeader(name: string): boolean;
  /**
   * Unfolded values of every field with this name, in message order, not decoded: the text after
   * the colon as written (a leading space included), header octets read as UTF-8 (RFC 6532).
   */
  rawHeaders(name: string): readonly string[];
  /**
   * Values for the header test: unfolded, leading and trailing whitespace removed, RFC 2047
   * encoded words decoded to Unicode (an undecodable encoded word is left as written).
   */
  headers(name: string): readonly string[];
  /** Address lists of every field with this name, for the address test. */
  addresses(name: string): readonly AddressHeaderValue[];
  /**
   * The octets this view reads: the whole message, or at least its header block (`size` is the
   * whole message's). Editing extensions (editheader, replace, enclose) build the edited message
   * from it; absent on implementations that cannot provide it.
   */
  readonly source?: Uint8Array;
  /**
   * The MIME structure (RFC 2045), parsed on first use and cached (the limits of the first call
   * apply). Absent on implementations without one: body and MIME tests then see a plain message.
   */
  mime?(limits?: MimeLimits): MimeTree;
}
