// The test mail store (mailboxes with messages and flags) and the outbox (outgoing messages with
// their envelopes) that test_result_execute fills, and the execution of each action type.
import {
  isRedirectLoop,
  notifyMessages,
  redirectedMessage,
  redirectSender,
  rejectionMessage,
  vacationResponse,
  type ActionJson,
  type ActionJsonTypes,
  type OutgoingMail,
  type OutgoingOptions,
} from '../sieve/index.js';
import {
  parseTestMessage,
  type ExecutionInput,
  type TestEnvelope,
  type TestMessage,
} from '../sieve/extensions/testsuite/index.js';
import { parseBoolean } from './settings.js';

export const POSTMASTER = 'postmaster@example.com';
export const USER = 'testsuite-mail-user@example.org';

/**
 * IMAP's INBOX is case-insensitive (RFC 3501 §5.1), also as the first level of a hierarchical
 * name ("Inbox.Sub" is INBOX's sub-mailbox "Sub", as in Dovecot; Pigeonhole's test store is a
 * Maildir++ one, whose hierarchy separator is "."); other names are not.
 */
export function mailboxKey(name: string): string {
  const m = /^inbox(?=$|[./])/i.exec(name);
  return m ? `INBOX${name.slice(5)}` : name;
}

/**
 * Why a mailbox name cannot exist in the store, or null. The store's hierarchy separator is "/",
 * as in Pigeonhole's test mail user: a name with an empty level ("a//b", "/a", "a/") names none.
 */
function invalidMailboxName(name: string): string | null {
  if (name.split('/').some((level) => level === '')) return 'invalid mailbox name (an empty hierarchy level)';
  return null;
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

/** The message-building options (src/sieve/outgoing.ts) for Pigeonhole's settings. */
function outgoingOptions(envelope: TestEnvelope, settings: ReadonlyMap<string, string>): OutgoingOptions {
  const maxSubject = Number(settings.get('sieve_vacation_max_subject_codepoints') ?? '');
  const notifyFrom = settings.get('sieve_notify_mailto_envelope_from');
  const userAddress = settings.get('sieve_user_email') ?? envelope.to;
  return {
    userAddress,
    postmaster: POSTMASTER,
    sendFromRecipient: parseBoolean(settings.get('sieve_vacation_send_from_recipient'), false),
    toHeaderIgnoresEnvelope: parseBoolean(settings.get('sieve_vacation_to_header_ignore_envelope'), false),
    ...(Number.isInteger(maxSubject) && maxSubject > 0 ? { maxSubjectChars: maxSubject } : {}),
    ...(notifyFrom !== undefined
      ? { envelopeFrom: redirectSender(envelope, notifyFrom, { userAddress, postmaster: POSTMASTER }) }
      : {}),
  };
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
  /** Pigeonhole's settings (test_config_set): the redirect, vacation and notify ones apply. */
  settings: ReadonlyMap<string, string>,
): string | null {
  const { action, raw, envelope } = input;
  const type: string = action.type;
  const opts = outgoingOptions(envelope, settings);
  const original = () => parseTestMessage(raw);
  const send = (mail: OutgoingMail | null): null => {
    if (mail) outbox.send(mail.raw, mail.from, mail.to);
    return null;
  };
  switch (type) {
    case 'keep':
    case 'fileinto': {
      const mailbox = text(action, 'mailbox') ?? 'INBOX';
      const flags = (field(action, 'flags') as string[] | undefined) ?? [];
      const invalid = invalidMailboxName(mailbox);
      if (invalid !== null) return `failed to store into mailbox '${mailbox}': ${invalid}`;
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
      // RFC 5228 §4.2 loop control: a message this user redirected before is kept instead.
      if (isRedirectLoop(original(), [opts.userAddress, envelope.to])) {
        store.store('INBOX', raw, []);
        return null;
      }
      const from = redirectSender(envelope, settings.get('sieve_redirect_envelope_from'), opts);
      outbox.send(redirectedMessage(raw, opts.userAddress), from, to);
      return null;
    }
    case 'reject':
    case 'ereject':
      return send(rejectionMessage(text(action, 'reason') ?? '', original(), envelope, opts));
    case 'vacation':
      return send(vacationResponse(action as ActionJsonTypes['vacation'], original(), envelope, opts));
    case 'notify': {
      const notify = action as ActionJsonTypes['notify'];
      if (!notify.mailto) {
        recorded.push({ action, envelope });
        return null;
      }
      for (const mail of notifyMessages(notify, original(), envelope, opts)) send(mail);
      return null;
    }
    default:
      recorded.push({ action, envelope });
      return null;
  }
}
