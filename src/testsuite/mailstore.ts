// The test mail store (mailboxes with messages and flags) and the outbox (outgoing messages with
// their envelopes) that test_result_execute fills, and the execution of each action type.
import type { ActionJson } from '../sieve/index.js';
import type { ExecutionInput, TestEnvelope, TestMessage } from '../sieve/extensions/testsuite/index.js';

export const POSTMASTER = 'postmaster@example.com';
export const USER = 'testsuite-mail-user@example.org';

/** IMAP's INBOX is case-insensitive (RFC 3501 §5.1); other names are not. */
function mailboxKey(name: string): string {
  return name.toUpperCase() === 'INBOX' ? 'INBOX' : name;
}

export class MailStore {
  private readonly boxes = new Map<string, TestMessage[]>([['INBOX', []]]);

  exists(name: string): boolean {
    return this.boxes.has(mailboxKey(name));
  }

  create(name: string): boolean {
    const key = mailboxKey(name);
    if (this.boxes.has(key)) return false;
    this.boxes.set(key, []);
    return true;
  }

  delete(name: string): boolean {
    const key = mailboxKey(name);
    if (key === 'INBOX') return false;
    return this.boxes.delete(key);
  }

  store(name: string, raw: string, flags: readonly string[]): void {
    this.boxes.get(mailboxKey(name))?.push({ raw, envelope: null, flags: [...flags] });
  }

  message(name: string, index: number): TestMessage | null {
    return this.boxes.get(mailboxKey(name))?.[index] ?? null;
  }

  mailboxes(): string[] {
    return [...this.boxes.keys()];
  }
}

/** Actions this runner cannot perform, recorded in order (for a test's inspection). */
export interface RecordedAction {
  readonly action: ActionJson;
  readonly envelope: TestEnvelope;
}

function field(action: ActionJson, name: string): unknown {
  return (action as unknown as Record<string, unknown>)[name];
}

function text(action: ActionJson, name: string): string | undefined {
  const v = field(action, name);
  return typeof v === 'string' ? v : undefined;
}

/** The first value of a header in a raw message, unfolded; '' when absent. */
function headerValue(raw: string, name: string): string {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const re = new RegExp(`^${name}:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)`, 'im');
  const m = re.exec(head);
  return m ? m[1]!.replace(/\r?\n[ \t]/g, ' ').trim() : '';
}

function compose(headers: [string, string][], body: string): string {
  return [...headers.filter(([, v]) => v !== '').map(([n, v]) => `${n}: ${v}`), '', body, ''].join('\r\n');
}

export interface ExecutionSettings {
  /** sieve_redirect_envelope_from: sender | recipient | orig_recipient | user_email | postmaster | <address>. */
  readonly redirectEnvelopeFrom?: string;
  readonly userEmail?: string;
}

/** The envelope sender of a redirected message (Pigeonhole's sieve_redirect_envelope_from). */
function redirectSender(envelope: TestEnvelope, s: ExecutionSettings): string | null {
  const how = (s.redirectEnvelopeFrom ?? 'sender').trim();
  switch (how.toLowerCase()) {
    case 'sender':
      return envelope.from;
    case 'recipient':
      return envelope.to;
    case 'orig_recipient':
      return envelope.originalTo ?? envelope.to;
    case 'user_email':
      return s.userEmail ?? envelope.to;
    case 'postmaster':
      return POSTMASTER;
    default:
      return how.replace(/^<|>$/g, '');
  }
}

export class Outbox {
  readonly messages: TestMessage[] = [];

  send(raw: string, from: string | null, to: string): void {
    this.messages.push({ raw, envelope: { from, to }, flags: [] });
  }

  reset(): void {
    this.messages.length = 0;
  }
}

/**
 * Performs one action into the store and outbox. The core actions are performed exactly; the
 * actions of other extensions (reject, vacation, notify …) as a best effort from their JSON
 * fields, and any other type is recorded. Returns null, or an error message.
 */
export function executeAction(
  input: ExecutionInput,
  store: MailStore,
  outbox: Outbox,
  recorded: RecordedAction[],
  settings: ExecutionSettings,
): string | null {
  const { action, raw, envelope } = input;
  const sender = envelope.from;
  const subject = headerValue(raw, 'subject');
  const messageId = headerValue(raw, 'message-id');
  const type: string = action.type;
  switch (type) {
    case 'keep':
    case 'fileinto': {
      const mailbox = text(action, 'mailbox') ?? 'INBOX';
      const flags = (field(action, 'flags') as string[] | undefined) ?? [];
      if (!store.exists(mailbox)) {
        if (field(action, 'create') !== true) {
          return `failed to store into mailbox '${mailbox}': Mailbox doesn't exist: ${mailbox}`;
        }
        store.create(mailbox);
      }
      store.store(mailbox, raw, flags);
      return null;
    }
    case 'redirect': {
      const to = text(action, 'address') ?? '';
      outbox.send(raw, redirectSender(envelope, settings), to);
      return null;
    }
    case 'reject':
    case 'ereject': {
      // RFC 5429 §2.1: the rejection goes to the envelope sender; none for the null sender.
      if (!sender) return null;
      const reason = text(action, 'reason') ?? '';
      outbox.send(
        compose(
          [
            ['From', `Mail Delivery Subsystem <${POSTMASTER}>`],
            ['To', `<${sender}>`],
            ['Subject', `Rejected: ${subject}`],
            ['In-Reply-To', messageId],
            ['Auto-Submitted', 'auto-replied (rejected)'],
          ],
          `Your message to <${envelope.to}> was automatically rejected:\r\n${reason}\r\n`,
        ),
        null,
        sender,
      );
      return null;
    }
    case 'vacation': {
      // RFC 5230 §5: the response goes to the envelope sender, never to the null sender.
      if (!sender) return null;
      const from = text(action, 'from') ?? envelope.to;
      const reason = text(action, 'reason') ?? '';
      outbox.send(
        compose(
          [
            ['From', from],
            ['To', `<${sender}>`],
            ['Subject', text(action, 'subject') ?? (subject ? `Auto: ${subject}` : 'Automated reply')],
            ['In-Reply-To', messageId],
            ['References', messageId],
            ['Auto-Submitted', 'auto-replied'],
          ],
          reason,
        ),
        null,
        sender,
      );
      return null;
    }
    case 'notify': {
      // enotify's mailto method (RFC 5436): a message to the URI's address.
      const method = text(action, 'method') ?? '';
      const m = /^mailto:([^?]*)/i.exec(method);
      if (!m) {
        recorded.push({ action, envelope });
        return null;
      }
      const to = decodeURIComponent(m[1]!);
      outbox.send(
        compose(
          [
            ['From', text(action, 'from') ?? POSTMASTER],
            ['To', to],
            ['Subject', text(action, 'message') ?? `[SIEVE] New mail: ${subject}`],
            ['Auto-Submitted', 'auto-notified'],
          ],
          text(action, 'message') ?? `You have received new mail from ${sender ?? ''}.`,
        ),
        null,
        to,
      );
      return null;
    }
    default:
      recorded.push({ action, envelope });
      return null;
  }
}
