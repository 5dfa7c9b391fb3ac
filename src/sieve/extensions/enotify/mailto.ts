// RFC 5436: the mailto notification method. Its URIs follow RFC 6068:
//   mailtoURI = "mailto:" [ to ] [ hfields ]; to = addr-spec *("," addr-spec)
//   hfields = "?" hfield *( "&" hfield ); hfield = hfname "=" hfvalue
// with every character outside qchar percent-encoded.
import { parseMailbox } from '../base/address.js';
import { isFieldName } from '../base/index.js';

export interface MailtoUri {
  /** Recipients from the address part and "to" fields. */
  readonly to: string[];
  /** Recipients from "cc" fields (RFC 6068 §2). */
  readonly cc: string[];
  /** The first "subject" field, or null. */
  readonly subject: string | null;
  /** The first "body" field, or null. */
  readonly body: string | null;
  /** Other header fields for the notification message. */
  readonly headers: { name: string; value: string }[];
  /**
   * Recipients given in a "to" or "cc" field as a mailbox with a display name
   * (`Name <addr>`): the text as written, by lower-case address, for the notification's fields.
   */
  readonly mailboxes?: Readonly<Record<string, string>>;
}

/**
 * RFC 5436: header fields of the URI that are ignored, because the notification message sets
 * them itself or they would let a URI forge its origin or hide recipients (Pigeonhole's list).
 */
const RESERVED = new Set([
  'auto-submitted',
  'received',
  'message-id',
  'date',
  'bcc',
  'in-reply-to',
  'references',
  'resent-date',
  'resent-from',
  'resent-sender',
  'resent-to',
  'resent-cc',
  'resent-bcc',
  'resent-msg-id',
  'from',
  'sender',
]);

/** Header fields that may appear once (RFC 5322 §3.6); a second one is ignored. */
const UNIQUE = new Set(['reply-to']);

/** RFC 6068 §2: unreserved / pct-encoded / some-delims, plus the delimiters of the syntax. */
const URI_CHARS = /^[A-Za-z0-9\-._~!$'()*+,;:@%=&?/]*$/;

class MailtoError extends Error {}

function decode(s: string): string {
  if (/%(?![0-9A-Fa-f]{2})/.test(s)) throw new MailtoError(`invalid percent-encoding in "${s}"`);
  if (/%00/.test(s)) throw new MailtoError('a percent-encoded NUL is not allowed');
  try {
    return decodeURIComponent(s);
  } catch {
    throw new MailtoError(`percent-encoded octets of "${s}" are not UTF-8`);
  }
}

/**
 * Adds the recipients of a comma-separated list. The URI's address part holds bare addresses
 * (RFC 6068 §2: `to = addr-spec *("," addr-spec)`); a "to" or "cc" field is a header field value
 * (RFC 6068 §2: hfvalue), where a mailbox may carry a display name (`Name <addr>`, RFC 5322 §3.4).
 */
function addRecipients(
  list: string[],
  decoded: string,
  seen: Set<string>,
  mailboxes?: Record<string, string>,
): void {
  for (const raw of decoded.split(',')) {
    const text = raw.trim();
    if (text === '') continue;
    const r = parseMailbox(text);
    const named = mailboxes !== undefined && !('error' in r) && text.endsWith('>') && /\S\s*</.test(text);
    if ('error' in r || (r.address !== text && !named)) {
      throw new MailtoError(`invalid recipient "${text}"${'error' in r ? `: ${r.error}` : ''}`);
    }
    const address = r.address;
    const key = address.toLowerCase();
    if (named && !seen.has(key)) mailboxes[key] = text;
    if (seen.has(key)) continue; // a duplicate recipient gets one message
    seen.add(key);
    list.push(address);
  }
}

/** Parses what follows "mailto:"; returns an error message when it is not a valid mailto URI. */
export function parseMailto(rest: string): MailtoUri | { error: string } {
  try {
    if (!URI_CHARS.test(rest)) {
      const bad = [...rest].find((c) => !URI_CHARS.test(c)) ?? '';
      throw new MailtoError(
        `invalid character ${JSON.stringify(bad)} (RFC 6068 §2: it must be percent-encoded)`,
      );
    }
    const q = rest.indexOf('?');
    const toPart = q < 0 ? rest : rest.slice(0, q);
    const query = q < 0 ? '' : rest.slice(q + 1);
    const seen = new Set<string>();
    const uri = {
      to: [] as string[],
      cc: [] as string[],
      subject: null as string | null,
      body: null as string | null,
      headers: [] as { name: string; value: string }[],
      mailboxes: {} as Record<string, string>,
    };
    if (toPart.includes('?')) throw new MailtoError('"?" may appear once');
    addRecipients(uri.to, decode(toPart), seen);
    const ccs: string[] = [];
    if (query !== '') {
      for (const field of query.split('&')) {
        const eq = field.indexOf('=');
        if (eq < 0) throw new MailtoError(`header field "${field}" has no "="`);
        const name = decode(field.slice(0, eq));
        const value = decode(field.slice(eq + 1));
        const lower = name.toLowerCase();
        if (!isFieldName(name)) throw new MailtoError(`invalid header field name "${name}"`);
        if (lower !== 'body' && /[\r\n\0]/.test(value)) {
          throw new MailtoError(`the value of the "${name}" field holds a line break`);
        }
        if (lower === 'to') addRecipients(uri.to, value, seen, uri.mailboxes);
        else if (lower === 'cc') ccs.push(value);
        else if (lower === 'subject') uri.subject ??= value;
        else if (lower === 'body') uri.body ??= value;
        else if (RESERVED.has(lower)) continue;
        else if (UNIQUE.has(lower) && uri.headers.some((h) => h.name.toLowerCase() === lower)) continue;
        else uri.headers.push({ name, value });
      }
    }
    // A recipient in both To and Cc is a To recipient.
    for (const c of ccs) addRecipients(uri.cc, c, seen, uri.mailboxes);
    if (Object.keys(uri.mailboxes).length > 0) return uri;
    const { mailboxes: _none, ...plain } = uri;
    return plain;
  } catch (e) {
    if (e instanceof MailtoError) return { error: e.message };
    throw e;
  }
}
