// From the scripts' results to what delivery does for one recipient: the copies to store (one per
// folder), the messages to send, the memory entries to record once that is done, and the LMTP
// answer. Pure: the files and the relay are touched by the caller (src/deliver/index.ts).
import {
  editedMessage,
  isRedirectLoop,
  notifyMessages,
  REDIRECTED_FROM,
  redirectSender,
  rejectionMessage,
  vacationResponse,
  type ActionJson,
  type ActionJsonTypes,
  type EditedMessage,
  type OriginalEnvelope,
  type OutgoingOptions,
  type SieveMessage,
} from '../sieve/index.js';
import type { MemoryKind } from '../store/index.js';
import type { RelayMail } from './relay.js';

/** A copy to store. */
export interface PlannedCopy {
  readonly mailbox: string;
  readonly bytes: Uint8Array;
  flags: string[];
  /** fileinto :create (RFC 5490 §3.2). */
  readonly create: boolean;
  /**
   * A message delivery made itself rather than the message delivered: its notice to the user, or
   * the fcc copy of a message sent (RFC 8580). No trace fields, never merged with other copies.
   */
  readonly generated?: 'notice' | 'fcc';
}

/** A message to send, with what to do about its failure. */
export interface PlannedMail extends RelayMail {
  readonly kind: 'redirect' | 'vacation' | 'reject' | 'notify';
  /** A memory entry to record once the relay accepted it (vacation's response period). */
  readonly remember?: MemoryMark;
  /** redirect: the copy to keep in INBOX when the relay refuses it (RFC 5228 §2.10.6). */
  readonly keep?: Uint8Array;
  /**
   * vacation and notify :fcc (RFC 8580): the copy of this message to file once the relay accepted
   * it. The mails of one notify (one message, several recipients) share one copy object: it is
   * filed once, when any of them was accepted.
   */
  readonly fcc?: PlannedCopy;
}

export interface MemoryMark {
  readonly kind: MemoryKind;
  readonly key: string;
  readonly seconds: number;
  /** Replace an existing entry's expiry (duplicate :last); else an existing entry is kept. */
  readonly replace: boolean;
}

export interface Plan {
  copies: PlannedCopy[];
  mails: PlannedMail[];
  /** Recorded after success whatever was sent (duplicate tracking, RFC 7352 §3). */
  marks: MemoryMark[];
  /** ereject (RFC 5429 §2.1): refuse the message for this recipient with this text. */
  refuse: string | null;
  /** Notes for the log (actions that could not be carried out as asked). */
  notes: string[];
}

/**
 * One script's result, with the message as its actions carry it (each store and redirect the
 * edits made before it ran, RFC 5293 §6); `message.stored` is also the message a next script sees.
 */
export interface ScriptOutcome {
  readonly actions: readonly ActionJson[];
  readonly message: EditedMessage;
}

/** The outcome of a script that ran on `bytes` (the message before its own edits). */
export function scriptOutcome(bytes: Uint8Array, actions: readonly ActionJson[]): ScriptOutcome {
  return { actions, message: editedMessage(bytes, actions) };
}

export interface PlanContext {
  readonly envelope: OriginalEnvelope;
  readonly original: SieveMessage;
  readonly outgoing: OutgoingOptions;
  /** sieve.redirect_envelope_from: sender | recipient | orig_recipient | user_email | postmaster | an address. */
  readonly redirectEnvelopeFrom: string;
  /** Whether an SMTP relay is configured: without one, redirects are kept instead. */
  readonly canSend: boolean;
}

/** IMAP's INBOX is case-insensitive (RFC 3501 §5.1); other names are not. */
export function mailboxKey(name: string): string {
  return name.toUpperCase() === 'INBOX' ? 'INBOX' : name;
}

function headerAddresses(message: SieveMessage, field: string): string[] {
  return message
    .headers(field)
    .map((v) =>
      v
        .trim()
        .replace(/^<(.*)>$/, '$1')
        .toLowerCase(),
    )
    .filter((v) => v !== '');
}

const encoder = new TextEncoder();

/** What :fcc says on a vacation or notify action (RFC 8580 §3; the engine's FccJson). */
type FccJson = NonNullable<ActionJsonTypes['vacation']['fcc']>;

/** The copy :fcc asks for of a message sent (RFC 8580 §3): exactly that message, with the fcc's flags. */
function fccCopy(fcc: FccJson | undefined, raw: Uint8Array): PlannedCopy | undefined {
  if (!fcc) return undefined;
  return { mailbox: fcc.mailbox, bytes: raw, flags: [...fcc.flags], create: fcc.create, generated: 'fcc' };
}

/**
 * Builds the plan from the results of the scripts that ran, in order (the last one's actions
 * hold the implicit keep when it is in force). Stores into one folder are merged (RFC 5228
 * §2.10.3: a message is filed into a mailbox at most once), their flags joined.
 */
export function planDelivery(ctx: PlanContext, outcomes: readonly ScriptOutcome[]): Plan {
  const plan: Plan = { copies: [], mails: [], marks: [], refuse: null, notes: [] };
  const byMailbox = new Map<string, PlannedCopy>();
  const store = (mailbox: string, bytes: Uint8Array, flags: readonly string[], create: boolean): void => {
    const key = mailboxKey(mailbox);
    const existing = byMailbox.get(key);
    if (existing) {
      for (const f of flags) if (!existing.flags.includes(f)) existing.flags.push(f);
      return;
    }
    const copy: PlannedCopy = { mailbox, bytes, flags: [...flags], create };
    byMailbox.set(key, copy);
    plan.copies.push(copy);
  };
  const user = ctx.outgoing.userAddress;

  for (const outcome of outcomes) {
    const { message } = outcome;
    for (const action of outcome.actions) {
      switch (action.type) {
        case 'keep':
          store('INBOX', message.of(action), action.flags, false);
          break;
        case 'fileinto':
          store(action.mailbox, message.of(action), action.flags, action.create);
          break;
        case 'redirect': {
          // The message as it was when the redirect ran; kept instead, it is that message too.
          const redirected = message.of(action);
          const to = action.address;
          // RFC 5228 §4.2: loops are the implementation's to stop. A message this user redirected
          // before, or one already delivered to the target, is kept instead of sent again.
          const loop =
            isRedirectLoop(ctx.original, [user, ctx.envelope.to ?? '']) ||
            headerAddresses(ctx.original, 'delivered-to').includes(to.toLowerCase());
          if (loop || !ctx.canSend) {
            plan.notes.push(
              loop
                ? `redirect to ${to}: a mail loop, kept instead`
                : `redirect to ${to}: no relay configured, kept instead`,
            );
            store('INBOX', redirected, [], false);
            break;
          }
          const prefix = encoder.encode(`${REDIRECTED_FROM}: ${user}\r\n`);
          const raw = Buffer.concat([prefix, redirected]);
          plan.mails.push({
            kind: 'redirect',
            from: redirectSender(ctx.envelope, ctx.redirectEnvelopeFrom, ctx.outgoing),
            to,
            raw,
            keep: redirected,
          });
          break;
        }
        case 'vacation': {
          if (!ctx.canSend) {
            plan.notes.push('vacation: no relay configured, no response sent');
            break;
          }
          const mail = vacationResponse(action, ctx.original, ctx.envelope, ctx.outgoing);
          const raw = Buffer.from(mail.raw, 'utf8');
          plan.mails.push({
            kind: 'vacation',
            from: mail.from,
            to: mail.to,
            raw,
            fcc: fccCopy(action.fcc, raw),
            remember:
              action.seconds > 0
                ? { kind: 'vacation', key: action.memoryKey, seconds: action.seconds, replace: true }
                : undefined,
          });
          break;
        }
        case 'reject': {
          const mail = rejectionMessage(action.reason, ctx.original, ctx.envelope, ctx.outgoing);
          if (mail && ctx.canSend) {
            plan.mails.push({
              kind: 'reject',
              from: mail.from,
              to: mail.to,
              raw: Buffer.from(mail.raw, 'utf8'),
            });
          } else {
            plan.notes.push(
              mail ? 'reject: no relay configured, no notice sent' : 'reject: null sender, no notice sent',
            );
          }
          break;
        }
        case 'ereject':
          plan.refuse = action.reason;
          break;
        case 'notify': {
          const notify = action as ActionJsonTypes['notify'];
          if (!notify.mailto) {
            plan.notes.push(`notify: method ${notify.method} is not available`);
            break;
          }
          if (!ctx.canSend) {
            plan.notes.push('notify: no relay configured, no notification sent');
            break;
          }
          // One message to each recipient: one fcc copy for them all.
          let fcc: PlannedCopy | undefined;
          for (const mail of notifyMessages(notify, ctx.original, ctx.envelope, ctx.outgoing)) {
            const raw = Buffer.from(mail.raw, 'utf8');
            fcc ??= fccCopy(notify.fcc, raw);
            plan.mails.push({ kind: 'notify', from: mail.from, to: mail.to, raw, fcc });
          }
          break;
        }
        case 'duplicate':
          plan.marks.push({
            kind: 'duplicate',
            key: action.memoryKey,
            seconds: action.seconds,
            replace: action.last,
          });
          break;
        case 'discard':
        case 'edit':
          break;
        default:
          plan.notes.push(`${action.type}: not carried out at delivery`);
      }
    }
  }
  // A refusal at the protocol level excludes storing (RFC 5429 §2.1); with copies already made by
  // an earlier script of a sequence, the copies win and the refusal is dropped.
  if (plan.refuse !== null && plan.copies.length > 0) {
    plan.notes.push('ereject after a script stored the message: not refused');
    plan.refuse = null;
  }
  return plan;
}
