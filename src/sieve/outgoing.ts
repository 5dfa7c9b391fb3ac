// The messages sent on a script's behalf, built from the actions' JSON: the redirected copy
// (RFC 5228 §4.2, with a trace field for loop control), the vacation response (RFC 5230 §5,
// RFC 3834 §3), mailto notifications (RFC 5436) and the rejection notice (RFC 5429 §2.1).
// One place for the test-suite runner (src/testsuite/mailstore.ts) and for delivery: both call
// these functions and only choose the envelope settings. Pure: no I/O, no node: imports.
// The message the actions themselves file or send carries the script's edits: editedMessage.
import type { ActionJson, ActionJsonTypes } from './runtime.js';
import type { SieveMessage } from './message/types.js';
import { applyEdits, encodeFieldValue, toCrlf } from './message/edit.js';

/** The message as a script's edits (editheader, replace, enclose) leave it, for the actions that carry it. */
export interface EditedMessage {
  /** What the implicit keep stores: every edit applied (the octets given when there is none). */
  readonly stored: Uint8Array;
  /** What a redirect made after every edit sends: the same without enclose (RFC 5703 §6). */
  readonly redirected: Uint8Array;
  /**
   * What one action stores or sends: the edits made before it ran (its `editCount`; all of
   * them without one), RFC 5293 §6; a redirect leaves out enclose. Other actions get `stored`.
   */
  of(action: ActionJson): Uint8Array;
}

/**
 * The message a result's actions carry: `bytes` (as the script received it) with its edits, as
 * each action saw it. The copies are built once each, and only when asked for.
 */
export function editedMessage(bytes: Uint8Array, actions: readonly ActionJson[]): EditedMessage {
  const edits = actions.flatMap((a) => (a.type === 'edit' ? a.edits : []));
  // By count of edits and kind of action: each state is built from the one before it.
  const cache = new Map<string, Uint8Array>();
  const state = (count: number, redirect: boolean): Uint8Array => {
    const n = Math.max(0, Math.min(count, edits.length));
    const applied = edits.slice(0, n).filter((e) => !(redirect && e.op === 'enclose'));
    if (applied.length === 0) return bytes;
    // Without an enclose among them, the redirected copy is the stored one.
    const kind = redirect && applied.length < n ? 'r' : 's';
    const key = `${kind}${n}`;
    let out = cache.get(key);
    if (out === undefined) {
      out = applyEdits(bytes, applied);
      cache.set(key, out);
    }
    return out;
  };
  return {
    get stored() {
      return state(edits.length, false);
    },
    get redirected() {
      return state(edits.length, true);
    },
    of(action) {
      const carried =
        action.type === 'keep' || action.type === 'fileinto' || action.type === 'redirect'
          ? action.editCount
          : undefined;
      const count = carried ?? edits.length;
      return state(count, action.type === 'redirect');
    },
  };
}

/** A message to hand to the mail transport: the text and its envelope. */
export interface OutgoingMail {
  readonly raw: string;
  /** The envelope sender (MAIL FROM); null is the null reverse-path "<>". */
  readonly from: string | null;
  /** The envelope recipient (RCPT TO). */
  readonly to: string;
}

/** The envelope of the message the script ran on. */
export interface OriginalEnvelope {
  readonly from: string | null;
  readonly to: string | null;
  readonly originalTo?: string | null;
}

export interface OutgoingOptions {
  /** The user's own address: the loop-control trace of redirects, a vacation sender. */
  readonly userAddress: string;
  /** The postmaster's address: the default sender of notifications. */
  readonly postmaster: string;
  /** The Date of built messages; default now. */
  readonly date?: Date;
  /** The Message-ID of a built message (with the angle brackets); default a random one. */
  readonly messageId?: () => string;
  /** The X-Sieve field naming the filter that sent the message; default "sievert". */
  readonly agent?: string;
  /** vacation: the longest Subject in characters before it is cut (default 256). */
  readonly maxSubjectChars?: number;
  /** vacation: send from the recipient instead of the null sender (RFC 3834 §3.3 allows both). */
  readonly sendFromRecipient?: boolean;
  /** vacation: address To to the original's Sender/From field even when the envelope differs. */
  readonly toHeaderIgnoresEnvelope?: boolean;
  /** notify: the envelope sender of notifications instead of the postmaster. */
  readonly envelopeFrom?: string | null;
}

/** The trace field a redirect adds (RFC 5228 §4.2: "adding headers to the message"). */
export const REDIRECTED_FROM = 'X-Sieve-Redirected-From';

const CRLF = '\r\n';

function sameAddress(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** A configured address: "<a@b>" or "a@b"; "<>" and "" are the null address. */
function configuredAddress(value: string): string | null {
  const bare = value
    .trim()
    .replace(/^<(.*)>$/, '$1')
    .trim();
  return bare === '' ? null : bare;
}

/**
 * The envelope sender of a redirected copy. `setting` names it: "sender" (the default: the
 * original sender, so bounces go where they would have gone), "recipient", "orig_recipient",
 * "user_email", "postmaster" or an explicit address. A message with the null sender keeps it:
 * a bounce must never cause another bounce (RFC 5321 §4.5.5).
 */
export function redirectSender(
  envelope: OriginalEnvelope,
  setting: string | undefined,
  opts: Pick<OutgoingOptions, 'userAddress' | 'postmaster'>,
): string | null {
  if (envelope.from === null || envelope.from === '') return null;
  const how = (setting ?? 'sender').trim();
  switch (how.toLowerCase()) {
    case 'sender':
      return envelope.from;
    case 'recipient':
      return envelope.to;
    case 'orig_recipient':
      return envelope.originalTo ?? envelope.to;
    case 'user_email':
      return opts.userAddress;
    case 'postmaster':
      return opts.postmaster;
    default:
      return configuredAddress(how);
  }
}

/** Whether the message was already redirected by one of these addresses (a mail loop). */
export function isRedirectLoop(original: SieveMessage, userAddresses: readonly string[]): boolean {
  return original
    .headers(REDIRECTED_FROM)
    .some((value) => userAddresses.some((user) => sameAddress(value, user)));
}

/** The redirected copy: the message with the loop-control trace field on top. */
export function redirectedMessage(raw: string, userAddress: string): string {
  return `${REDIRECTED_FROM}: ${userAddress}${CRLF}${raw}`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5322 §3.3 date-time, in UTC. */
export function formatDate(d: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`
  );
}

function newMessageId(opts: OutgoingOptions): string {
  if (opts.messageId) return opts.messageId();
  const domain = opts.userAddress.slice(opts.userAddress.lastIndexOf('@') + 1) || 'localhost';
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  const id = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `<sieve.${id}@${domain}>`;
}

/** Folds a long ASCII value at spaces (RFC 5322 §2.2.3: lines SHOULD stay within 78). */
function fold(name: string, value: string): string {
  const words = value.split(' ');
  let line = `${name}:`;
  const lines: string[] = [];
  for (const word of words) {
    if (word === '') continue;
    if (line.length + 1 + word.length > 76 && line.length > name.length + 1) {
      lines.push(line);
      line = '';
    }
    line += ` ${word}`;
  }
  lines.push(line);
  return lines.join(CRLF);
}

type Field = readonly [string, string | null | undefined];

/** The header block: fields with an empty value are left out; values are encoded and folded. */
function headerBlock(fields: readonly Field[]): string {
  const out: string[] = [];
  for (const [name, value] of fields) {
    if (value === null || value === undefined || value === '') continue;
    // eslint-disable-next-line no-control-regex
    out.push(/[^\x00-\x7f]/.test(value) ? `${name}: ${encodeFieldValue(value)}` : fold(name, value));
  }
  return out.join(CRLF) + CRLF;
}

/** A text body with its MIME fields (UTF-8; 8bit only when it needs it). */
function textBody(text: string): { fields: Field[]; body: string } {
  const body = toCrlf(text).replace(/(\r\n)?$/, CRLF);
  // eslint-disable-next-line no-control-regex
  const eight = /[^\x00-\x7f]/.test(body);
  return {
    fields: [
      ['MIME-Version', '1.0'],
      ['Content-Type', 'text/plain; charset=utf-8; format=flowed'],
      ['Content-Transfer-Encoding', eight ? '8bit' : '7bit'],
    ],
    body,
  };
}

/** A mailbox for a header field: `"Name" <addr>` (encoded words for a non-ASCII name). */
function mailboxText(name: string, address: string): string {
  if (name === '') return `<${address}>`;
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(name)) return `${encodeFieldValue(name)} <${address}>`;
  return `"${name.replace(/["\\]/g, '\\$&')}" <${address}>`;
}

/** The fields that name the sender of a message, in the order a reply looks at them. */
const SENDER_FIELDS = ['sender', 'resent-sender', 'resent-from', 'from'];

/**
 * The To field of a response to `recipient`: the original's mailbox with that address (its
 * display name kept), else the bare address. With `ignoreEnvelope`, the first of Sender and
 * From names the recipient whatever the envelope says (for rewritten senders such as SRS).
 */
function replyTo(original: SieveMessage, recipient: string, ignoreEnvelope: boolean): string {
  for (const name of ignoreEnvelope ? ['sender', 'from'] : SENDER_FIELDS) {
    for (const value of original.addresses(name)) {
      for (const a of value.addresses ?? []) {
        if (ignoreEnvelope || sameAddress(a.address, recipient)) return mailboxText(a.name, a.address);
      }
    }
  }
  return `<${recipient}>`;
}

/** Cuts a text after `max` characters and marks the cut with an ellipsis. */
function limitChars(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max).join('').trimEnd()}\u2026`;
}

/**
 * The vacation response (RFC 5230 §5 and RFC 3834 §3): to the envelope sender, from the null
 * reverse-path (unless the site sends from the recipient), with In-Reply-To/References
 * (RFC 3834 §3.1.5) and Auto-Submitted: auto-replied (RFC 3834 §5, RFC 5230 §5).
 */
export function vacationResponse(
  action: ActionJsonTypes['vacation'],
  original: SieveMessage,
  envelope: OriginalEnvelope,
  opts: OutgoingOptions,
): OutgoingMail {
  const subject = limitChars(action.subject.replace(/\s*[\r\n]+\s*/g, ' '), opts.maxSubjectChars ?? 256);
  const fields: Field[] = [
    ['X-Sieve', opts.agent ?? 'sievert'],
    ['Message-ID', newMessageId(opts)],
    ['Date', formatDate(opts.date ?? new Date())],
    ['From', action.from],
    ['To', replyTo(original, action.to, opts.toHeaderIgnoresEnvelope === true)],
    ['Subject', subject],
    ['In-Reply-To', action.inReplyTo],
    ['References', action.references],
    ['Auto-Submitted', 'auto-replied'],
    ['Precedence', 'bulk'],
  ];
  let raw: string;
  if (action.mime) {
    // RFC 5230 §4.3: with :mime the reason is a MIME entity, its own fields included.
    const entity = toCrlf(action.reason).replace(/(\r\n)?$/, CRLF);
    const withFields = /^[!-9;-~]+:/.test(entity) ? entity : `${CRLF}${entity}`;
    raw = headerBlock([...fields, ['MIME-Version', '1.0']]) + withFields;
  } else {
    const { fields: mime, body } = textBody(action.reason);
    raw = headerBlock([...fields, ...mime]) + CRLF + body;
  }
  const from = opts.sendFromRecipient === true ? (envelope.to ?? null) : null;
  return { raw, from, to: action.to };
}

/** RFC 3834 §5: the message says it was generated automatically. */
function isAutoSubmitted(original: SieveMessage): boolean {
  return original.headers('auto-submitted').some(
    (v) =>
      v
        .replace(/\([^)]*\)/g, '')
        .split(';')[0]!
        .trim()
        .toLowerCase() !== 'no',
  );
}

const IMPORTANCE: Record<string, [string, string]> = {
  '1': ['1 (Highest)', 'high'],
  '2': ['3 (Normal)', 'normal'],
  '3': ['5 (Lowest)', 'low'],
};

/**
 * The messages of a mailto notification (RFC 5436), one per recipient of the URI (To and Cc),
 * each showing all of them. None when the message that triggered it was itself automatic
 * (RFC 5436 §2.7: notifications MUST NOT be sent for such messages). The envelope sender is the
 * configured one, else :from, else the postmaster; the null sender when the triggering message
 * had the null sender, so that a bounce cannot start a loop.
 */
export function notifyMessages(
  action: ActionJsonTypes['notify'],
  original: SieveMessage,
  envelope: OriginalEnvelope,
  opts: OutgoingOptions,
): OutgoingMail[] {
  const uri = action.mailto;
  if (!uri || isAutoSubmitted(original)) return [];
  const recipients = [...uri.to, ...uri.cc];
  if (recipients.length === 0) return [];
  const show = (list: readonly string[]) => list.map((a) => uri.mailboxes?.[a.toLowerCase()] ?? a).join(', ');
  const originalSubject = original.headers('subject')[0]?.trim() ?? '';
  const sender = envelope.from ?? '';
  const summary = `New mail${sender ? ` from <${sender}>` : ''}${originalSubject ? `: ${originalSubject}` : ''}`;
  const [priority, importance] = IMPORTANCE[action.importance] ?? IMPORTANCE['2']!;
  const { fields: mime, body } = textBody(uri.body ?? action.message ?? `${summary}\n`);
  const raw =
    headerBlock([
      ['X-Sieve', opts.agent ?? 'sievert'],
      ['Message-ID', newMessageId(opts)],
      ['Date', formatDate(opts.date ?? new Date())],
      ['From', action.from ?? opts.postmaster],
      ['To', show(uri.to)],
      ['Cc', show(uri.cc)],
      ['Subject', uri.subject ?? action.message ?? summary],
      ...uri.headers.map(({ name, value }): Field => [name, value]),
      ['Auto-Submitted', 'auto-notified'],
      ['Precedence', 'bulk'],
      ['X-Priority', priority],
      ['Importance', importance],
      ...mime,
    ]) +
    CRLF +
    body;
  const from =
    envelope.from === null || envelope.from === ''
      ? null
      : opts.envelopeFrom !== undefined
        ? opts.envelopeFrom
        : (action.from ?? opts.postmaster);
  return recipients.map((to) => ({ raw, from, to }));
}

/**
 * The rejection notice of reject/ereject (RFC 5429 §2.1): to the envelope sender from the null
 * reverse-path; none for a message with the null sender.
 */
export function rejectionMessage(
  reason: string,
  original: SieveMessage,
  envelope: OriginalEnvelope,
  opts: OutgoingOptions,
): OutgoingMail | null {
  const sender = envelope.from;
  if (sender === null || sender === '') return null;
  const subject = original.headers('subject')[0]?.trim() ?? '';
  const { fields: mime, body } = textBody(
    `Your message to <${envelope.to ?? ''}> was automatically rejected:\n${reason}\n`,
  );
  const raw =
    headerBlock([
      ['Message-ID', newMessageId(opts)],
      ['Date', formatDate(opts.date ?? new Date())],
      ['From', `Mail Delivery Subsystem <${opts.postmaster}>`],
      ['To', `<${sender}>`],
      ['Subject', `Rejected: ${subject}`],
      ['In-Reply-To', original.headers('message-id')[0]?.trim()],
      ['Auto-Submitted', 'auto-replied (rejected)'],
      ...mime,
    ]) +
    CRLF +
    body;
  return { raw, from: null, to: sender };
}
