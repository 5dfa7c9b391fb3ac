/**
 * Delivery: for each recipient, the scripts that apply (global before-scripts, the user's active
 * script, global after-scripts, like Pigeonhole's sieve_before / sieve_after), run by the engine,
 * and their result carried out: copies into the user's Maildir, messages through the SMTP relay,
 * memory entries in the store. The answer for a recipient is 250 only once every copy is on disk
 * (fsynced) and every message was accepted by the relay; a failure on the way is a 4xx with
 * nothing stored, so the MTA's retry cannot deliver a copy twice.
 */
import { createHash } from 'node:crypto';
import { hostname as osHostname } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { UserSource } from '../auth/index.js';
import {
  decodeScript,
  formatDate,
  formatDiagnostic,
  parseMessage,
  splitSubaddress,
  type ActionJson,
  type EditheaderPolicy,
  type Engine,
  type IncludedScript,
  type Program,
  type RunResult,
  type ScoreTestConfig,
  type SieveHost,
  type SieveMessage,
  type VacationPolicy,
  type OriginalEnvelope,
  type OutgoingOptions,
} from '../sieve/index.js';
import type { ScriptStore } from '../store/index.js';
import { VERSION } from '../version.js';
import { MAX_LOOKUP_ROUNDS, PrefetchedLookups } from './lookups.js';
import {
  isTemporaryFsError,
  MailboxNameError,
  Maildir,
  type MaildirOptions,
  type StagedCopy,
} from './maildir.js';
import {
  mailboxKey,
  planDelivery,
  scriptOutcome,
  type Plan,
  type PlannedCopy,
  type ScriptOutcome,
} from './plan.js';
import type { Relay } from './relay.js';

export { createRelay, type Relay, type RelayOptions } from './relay.js';

/** A global script (sieve.before / sieve.after), compiled when the server starts. */
export interface GlobalScript {
  /** Where it came from, for logs ("before:/etc/sievert/spam.sieve"). */
  readonly id: string;
  readonly program: Program;
}

export interface DeliveryOptions {
  /** Our host name: Received fields, the environment's "host". */
  readonly hostname?: string;
  /**
   * Where a user's mail goes: "maildir:PATH" with %u (user name), %n (its local part) and %d (its
   * domain, else the recipient's). Relative paths are resolved against `baseDir`.
   */
  readonly mailLocation: string;
  readonly baseDir?: string;
  readonly maildir?: MaildirOptions;
  /**
   * fileinto (without :create) to a folder that does not exist: "create" it (Dovecot's
   * lda_mailbox_autocreate), or "inbox": keep in INBOX and log it (Pigeonhole's default). Default "inbox".
   */
  readonly missingMailbox?: 'create' | 'inbox';
  /** Characters that separate user and detail in a local part ("+" or "+-"); "" for none. Default "+". */
  readonly recipientDelimiter?: string;
  /**
   * How a recipient address names a user, tried in order: "%u" the address (without its detail),
   * "%n" its local part. Default ["%u", "%n"].
   */
  readonly userLookup?: readonly string[];
  /** The postmaster's address: the sender of notices and rejections. Default "postmaster@<hostname>". */
  readonly postmaster?: string;
  /** Envelope sender of redirected copies (see redirectSender in src/sieve/outgoing.ts). Default "sender". */
  readonly redirectEnvelopeFrom?: string;
  readonly vacationPolicy?: VacationPolicy;
  /** editheader: header fields scripts may not add or delete (the site's, RFC 5293 §6). */
  readonly editheaderPolicy?: EditheaderPolicy;
  readonly spamtest?: ScoreTestConfig;
  readonly virustest?: ScoreTestConfig;
  readonly before?: readonly GlobalScript[];
  readonly after?: readonly GlobalScript[];
  /** Scripts `include :global` reads, by name; null when none are configured. */
  readonly globalInclude?: (name: string) => IncludedScript | null;
  /** Tell the user by a message in INBOX when their script fails (once per script version). Default true. */
  readonly errorNotices?: boolean;
  /**
   * special-use (RFC 8579, attributes of RFC 6154): the folder that has each attribute, by
   * attribute (`\Junk` → `Junk`; attributes compare case-insensitively). A folder has its
   * attribute only while it exists. Default: no folder has one.
   */
  readonly specialUse?: Readonly<Record<string, string>>;
}

export interface DeliveryDeps {
  readonly store: ScriptStore;
  readonly users: UserSource;
  readonly engine: Engine;
  /** Null: no relay configured; redirects are kept instead and nothing is sent. */
  readonly relay: Relay | null;
  readonly logger: Logger;
  /** The clock (tests). */
  readonly now?: () => number;
}

/** A recipient resolved to a user. */
export interface DeliveryRecipient {
  /** The address as given in RCPT TO. */
  readonly address: string;
  /** The user whose scripts and Maildir apply. */
  readonly user: string;
  /** The detail part of the address (RFC 5233), or null. */
  readonly detail: string | null;
}

export interface DeliveryEnvelope {
  /** The reverse path; '' or null for "<>". */
  readonly from: string | null;
  /** The client's LHLO name and address, for the Received field and the environment. */
  readonly lhlo?: string;
  readonly clientAddress?: string;
  readonly sessionId?: string;
}

/** The answer for one recipient (an LMTP reply). */
export interface DeliveryReply {
  readonly code: number;
  readonly enhanced: string;
  readonly text: string;
}

/** A notice for the user about their failing script (RFC 5228 §2.10.6). */
interface ScriptNotice {
  /** The script's name. */
  readonly id: string;
  readonly text: string;
  /** The script's octets: one notice per version. */
  readonly version: Buffer;
}

/** How long a script-error notice is remembered: a year, so one version notifies once. */
const NOTICE_SECONDS = 365 * 24 * 3600;

const ok = (text: string): DeliveryReply => ({ code: 250, enhanced: '2.0.0', text });
const tempFail = (text: string, enhanced = '4.3.0'): DeliveryReply => ({ code: 451, enhanced, text });

function clean(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').slice(0, 400);
}

export class Delivery {
  private readonly hostname: string;
  private readonly postmaster: string;
  private readonly delimiters: string;
  private readonly lookupFormats: readonly string[];
  private readonly maildirs = new Map<string, Maildir>();
  /** The special-use folders by lower-cased attribute. */
  private readonly specialUse: ReadonlyMap<string, string>;

  constructor(
    private readonly options: DeliveryOptions,
    private readonly deps: DeliveryDeps,
  ) {
    this.hostname = options.hostname ?? osHostname();
    this.postmaster = options.postmaster ?? `postmaster@${this.hostname}`;
    this.delimiters = options.recipientDelimiter ?? '+';
    this.lookupFormats = options.userLookup ?? ['%u', '%n'];
    this.specialUse = new Map(
      Object.entries(options.specialUse ?? {}).map(([use, folder]) => [use.toLowerCase(), folder]),
    );
    if (!/^maildir:./.test(options.mailLocation)) {
      throw new Error(`mail_location must be "maildir:PATH", got ${JSON.stringify(options.mailLocation)}`);
    }
  }

  /** RCPT TO: the user an address belongs to, or null for an unknown user. Throws when the user source fails. */
  async resolve(address: string): Promise<DeliveryRecipient | null> {
    const at = address.lastIndexOf('@');
    const domain = at < 0 ? '' : address.slice(at);
    const { user: local, detail } = splitSubaddress(at < 0 ? address : address.slice(0, at), [
      ...this.delimiters,
    ]);
    const base = local + domain;
    for (const format of this.lookupFormats) {
      const name = format === '%n' ? local : base;
      if (name === '') continue;
      const entry = await this.deps.users.lookup(name);
      if (entry) return { address, user: entry.name, detail };
    }
    return null;
  }

  /** The Maildir of a user (cached), or a MailboxNameError for a user name unfit for a path. */
  maildirOf(recipient: DeliveryRecipient): Maildir {
    const at = recipient.user.lastIndexOf('@');
    const n = at < 0 ? recipient.user : recipient.user.slice(0, at);
    const rcptAt = recipient.address.lastIndexOf('@');
    const d = at >= 0 ? recipient.user.slice(at + 1) : rcptAt >= 0 ? recipient.address.slice(rcptAt + 1) : '';
    for (const part of [n, d]) {
      if (part === '.' || part === '..' || part.includes('/') || part.includes('\0')) {
        throw new MailboxNameError(`the user name ${JSON.stringify(recipient.user)} cannot name a directory`);
      }
    }
    const template = this.options.mailLocation.slice('maildir:'.length);
    const path = template.replace(/%([und%])/g, (_, c: string) =>
      c === 'u' ? recipient.user.replace(/\//g, '_') : c === 'n' ? n : c === 'd' ? d.toLowerCase() : '%',
    );
    const full = isAbsolute(path) ? path : resolve(this.options.baseDir ?? '.', path);
    let maildir = this.maildirs.get(full);
    if (!maildir) {
      maildir = new Maildir(full, this.options.maildir);
      if (this.maildirs.size > 10_000) this.maildirs.clear();
      this.maildirs.set(full, maildir);
    }
    return maildir;
  }

  /** Delivers `message` (CRLF line ends) to each recipient; one reply per recipient, in order. */
  deliver(
    envelope: DeliveryEnvelope,
    recipients: readonly DeliveryRecipient[],
    message: Buffer,
  ): Promise<DeliveryReply[]> {
    return Promise.all(
      recipients.map((r) =>
        this.deliverOne(envelope, r, message).catch((e: unknown) => {
          this.deps.logger.error({ event: 'deliver-failed', user: r.user, err: (e as Error).message });
          return tempFail('internal error, try again later');
        }),
      ),
    );
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  private host(
    recipient: DeliveryRecipient,
    envelope: DeliveryEnvelope,
    maildir: Maildir,
    lookups: PrefetchedLookups,
  ): SieveHost {
    const o = this.options;
    const exists = (name: string): boolean => {
      try {
        return maildir.exists(name);
      } catch {
        return false;
      }
    };
    return {
      now: () => this.now(),
      timeZoneOffset: (at) => -new Date(at).getTimezoneOffset(),
      userAddresses: recipient.user.includes('@') ? [recipient.user] : [],
      environment: {
        domain: this.hostname.includes('.')
          ? this.hostname.slice(this.hostname.indexOf('.') + 1)
          : this.hostname,
        host: this.hostname,
        location: 'MDA',
        name: 'sievert',
        phase: 'during',
        'remote-host': envelope.lhlo ?? '',
        'remote-ip': envelope.clientAddress ?? '',
        version: VERSION,
      },
      loadScript: lookups.loadScript,
      mailboxExists: exists,
      // RFC 8579 §4, §5: only a folder that exists has its attribute, so specialuse_exists is
      // false and fileinto :specialuse uses the named mailbox while the configured one is missing.
      specialUseMailbox: (use) => {
        const folder = this.specialUse.get(use.toLowerCase());
        return folder !== undefined && exists(folder) ? folder : null;
      },
      vacationMemory: lookups.memoryOf('vacation'),
      duplicateMemory: lookups.memoryOf('duplicate'),
      ...(o.vacationPolicy ? { vacationPolicy: o.vacationPolicy } : {}),
      ...(o.editheaderPolicy ? { editheaderPolicy: o.editheaderPolicy } : {}),
      ...(o.spamtest ? { spamtest: o.spamtest } : {}),
      ...(o.virustest ? { virustest: o.virustest } : {}),
      subaddressSeparators: this.delimiters === '' ? ['+'] : [...this.delimiters],
      notifyMethodAvailable: (uri) => /^mailto:/i.test(uri) && this.deps.relay !== null,
    };
  }

  /**
   * Runs one program, fetching what it asked of the store until it asks nothing new. Every round
   * gets the same parsed message, so its header index is built once.
   */
  private async runScript(
    program: Program,
    message: SieveMessage,
    runEnvelope: { from: string | null; to: string },
    host: SieveHost,
    lookups: PrefetchedLookups,
  ): Promise<RunResult> {
    const now = new Date(this.now());
    for (let round = 1; ; round++) {
      const result = this.deps.engine.run(program, {
        message,
        envelope: runEnvelope,
        host,
      });
      if (!lookups.incomplete || round >= MAX_LOOKUP_ROUNDS) return result;
      await lookups.fetch(now);
    }
  }

  private async deliverOne(
    envelope: DeliveryEnvelope,
    recipient: DeliveryRecipient,
    message: Buffer,
  ): Promise<DeliveryReply> {
    const log = this.deps.logger.child({ session: envelope.sessionId, user: recipient.user });
    let maildir: Maildir;
    try {
      maildir = this.maildirOf(recipient);
    } catch (e) {
      log.error({ event: 'deliver-refused', err: (e as Error).message });
      return { code: 550, enhanced: '5.1.1', text: 'the user cannot receive mail here' };
    }
    const from = envelope.from === '' ? null : envelope.from;
    const runEnvelope = { from, to: recipient.address };
    const lookups = new PrefetchedLookups(
      this.deps.store,
      recipient.user,
      this.options.globalInclude ?? (() => null),
    );
    const host = this.host(recipient, envelope, maildir, lookups);

    // The sequence: before-scripts, the user's active script, after-scripts. The next one runs
    // only after an implicit keep or a `keep` command (Pigeonhole's rule for script sequences).
    const sequence: GlobalScript[] = [...(this.options.before ?? [])];
    const active = await this.deps.store.getActiveScript(recipient.user);
    const notices: ScriptNotice[] = [];
    if (active) {
      const decoded = decodeScript(active.content);
      const id = `personal:${active.name}`;
      if ('text' in decoded) {
        const compiled = this.deps.engine.compile(decoded.text);
        if (compiled.program) sequence.push({ id, program: compiled.program });
        else {
          const errors = compiled.diagnostics.filter((d) => d.severity === 'error');
          const text = errors.map((d) => formatDiagnostic(active.name, d)).join('\n');
          log.warn({ event: 'script-error', script: active.name, errors: errors.length });
          notices.push({
            id: active.name,
            text: `The script does not compile:\n${text}`,
            version: active.content,
          });
        }
      } else {
        log.warn({ event: 'script-error', script: active.name, line: decoded.line });
        notices.push({
          id: active.name,
          text: `The script is not valid UTF-8 (line ${decoded.line}, column ${decoded.column}).`,
          version: active.content,
        });
      }
    }
    sequence.push(...(this.options.after ?? []));

    const outcomes: ScriptOutcome[] = [];
    // The message is parsed once for the plan and for the scripts, and again only after a
    // script's edits changed it.
    const original = parseMessage(message);
    let bytes: Uint8Array = message;
    let parsed = original;
    let keepInForce = true;
    // The flags the deferred keep of the scripts so far holds: the next script starts with them
    // (imap4flags' internal variable, as one Pigeonhole result spans the sequence).
    let flags: readonly string[] = [];
    for (let i = 0; i < sequence.length && keepInForce; i++) {
      const { id, program } = sequence[i]!;
      const runHost = flags.length > 0 ? { ...host, messageFlags: flags } : host;
      const result = await this.runScript(program, parsed, runEnvelope, runHost, lookups);
      const isLast = i === sequence.length - 1;
      if (result.error) {
        log.warn({ event: 'script-error', script: id, line: result.error.line, err: result.error.message });
        if (id.startsWith('personal:')) {
          const where = result.error.line
            ? ` (line ${result.error.line}, column ${result.error.column ?? 1})`
            : '';
          notices.push({
            id: id.slice('personal:'.length),
            text: `The script failed while running${where}: ${result.error.message}`,
            version: active!.content,
          });
        }
      }
      // The next script runs after an implicit keep or a `keep` command, not after anything
      // else (fileinto "INBOX" included): Pigeonhole's rule for sieve_before / sieve_after.
      keepInForce = (result.implicitKeep || result.keepCommand) && !result.error;
      // The implicit keep of a script that is followed by another is left to the sequence's end;
      // a `keep` command's copy is made (the sequence's last keep merges with it).
      const deferKeep = keepInForce && result.implicitKeep && !isLast;
      const actions: ActionJson[] = deferKeep
        ? result.actions.filter((a) => a.type !== 'keep')
        : result.actions;
      const outcome = scriptOutcome(bytes, actions);
      outcomes.push(outcome);
      // Later scripts see the edited message (Pigeonhole passes it on).
      if (outcome.message.stored !== bytes) {
        bytes = outcome.message.stored;
        parsed = parseMessage(bytes);
      }
      const keep = result.actions.find((a) => a.type === 'keep');
      if (keepInForce && keep?.type === 'keep') flags = keep.flags;
    }
    if (outcomes.length === 0) {
      // No script: the implicit keep (RFC 5228 §2.10.2).
      outcomes.push(scriptOutcome(bytes, [{ type: 'keep', flags: [] }]));
    }

    const userAddress = recipient.user.includes('@') ? recipient.user : recipient.address;
    const outgoing: OutgoingOptions = {
      userAddress,
      postmaster: this.postmaster,
      date: new Date(this.now()),
    };
    const originalEnvelope: OriginalEnvelope = { from, to: recipient.address };
    const plan = planDelivery(
      {
        envelope: originalEnvelope,
        original,
        outgoing,
        redirectEnvelopeFrom: this.options.redirectEnvelopeFrom ?? 'sender',
        canSend: this.deps.relay !== null,
      },
      outcomes,
    );
    for (const note of plan.notes) log.info({ event: 'action-note', note });
    if (plan.refuse !== null) {
      log.info({ event: 'ereject' });
      return { code: 550, enhanced: '5.7.1', text: clean(plan.refuse) || 'rejected by the recipient' };
    }
    await this.addNotices(recipient, notices, plan);
    return this.carryOut(recipient, envelope, maildir, plan, log);
  }

  /** RFC 5228 §2.10.6 asks that the user be told of a failing script: once per script version. */
  private async addNotices(
    recipient: DeliveryRecipient,
    notices: readonly ScriptNotice[],
    plan: Plan,
  ): Promise<void> {
    if (this.options.errorNotices === false) return;
    for (const n of notices) {
      const key = createHash('sha256').update(n.version).digest('hex');
      if (await this.deps.store.memoryHas(recipient.user, 'notice', key, new Date(this.now()))) continue;
      const body =
        `Your Sieve script "${n.id}" could not filter a message delivered at ${formatDate(new Date(this.now()))}.\r\n` +
        `The message was kept in your INBOX instead.\r\n\r\n${n.text.replace(/\r?\n/g, '\r\n')}\r\n\r\n` +
        `You get this notice once for each version of the script.\r\n`;
      const raw =
        `From: Mail Delivery System <${this.postmaster}>\r\n` +
        `To: <${recipient.address}>\r\n` +
        `Subject: Sieve script error: ${n.id.replace(/[^\x20-\x7e]/g, '?')}\r\n` +
        `Date: ${formatDate(new Date(this.now()))}\r\n` +
        `Auto-Submitted: auto-generated\r\n` +
        `MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n` +
        body;
      plan.copies.push({
        mailbox: 'INBOX',
        bytes: Buffer.from(raw, 'utf8'),
        flags: [],
        create: false,
        generated: 'notice',
      });
      plan.marks.push({ kind: 'notice', key, seconds: NOTICE_SECONDS, replace: true });
    }
  }

  private traceFields(recipient: DeliveryRecipient, envelope: DeliveryEnvelope): Buffer {
    const from = envelope.from ?? '';
    const client = envelope.clientAddress ? ` ([${envelope.clientAddress}])` : '';
    return Buffer.from(
      `Return-Path: <${from}>\r\n` +
        `Delivered-To: ${recipient.address}\r\n` +
        `Received: from ${envelope.lhlo ?? 'unknown'}${client}\r\n` +
        `\tby ${this.hostname} (sievert) with LMTP${envelope.sessionId ? ` id ${envelope.sessionId}` : ''}\r\n` +
        `\tfor <${recipient.address}>; ${formatDate(new Date(this.now()))}\r\n`,
      'utf8',
    );
  }

  /** Stages every copy, sends every message, then makes the copies visible and records memory. */
  private async carryOut(
    recipient: DeliveryRecipient,
    envelope: DeliveryEnvelope,
    maildir: Maildir,
    plan: Plan,
    log: Logger,
  ): Promise<DeliveryReply> {
    const trace = this.traceFields(recipient, envelope);
    const staged: StagedCopy[] = [];
    /** The folders (by mailboxKey) the message's own copies went to. */
    const filed = new Set<string>();
    const stage = async (copy: PlannedCopy): Promise<void> => {
      let mailbox = copy.mailbox;
      try {
        if (!maildir.exists(mailbox)) {
          if (copy.create || this.options.missingMailbox === 'create') await maildir.create(mailbox);
          else {
            log.warn({ event: 'mailbox-missing', mailbox, note: 'kept in INBOX' });
            mailbox = 'INBOX';
          }
        }
      } catch (e) {
        if (!(e instanceof MailboxNameError)) throw e;
        log.warn({ event: 'mailbox-invalid', mailbox, err: e.message, note: 'kept in INBOX' });
        mailbox = 'INBOX';
      }
      const generated = copy.generated !== undefined;
      // A copy that fell back to a folder another copy already went to is that copy (RFC 5228
      // §2.10.3); the plan merged copies by name, so only a fallback can meet one here.
      if (!generated) {
        if (filed.has(mailboxKey(mailbox))) return;
        filed.add(mailboxKey(mailbox));
      }
      const bytes = generated ? copy.bytes : Buffer.concat([trace, copy.bytes]);
      try {
        staged.push(await maildir.stage(mailbox, bytes, copy.flags));
      } catch (e) {
        // INBOX always "exists" (RFC 3501 §6.3.1): its directories are made on first delivery.
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || mailboxKey(mailbox) !== 'INBOX') throw e;
        await maildir.create('INBOX');
        staged.push(await maildir.stage(mailbox, bytes, copy.flags));
      }
    };
    try {
      for (const copy of plan.copies) await stage(copy);
    } catch (e) {
      await maildir.abort(staged);
      log.error({ event: 'store-failed', err: (e as Error).message });
      return isTemporaryFsError(e)
        ? tempFail('cannot store the message now, try again later', '4.3.1')
        : tempFail('cannot store the message, try again later');
    }

    const outcomes = plan.mails.length > 0 && this.deps.relay ? await this.deps.relay.send(plan.mails) : [];
    if (outcomes.length > 0) {
      const temporary = outcomes.find((o) => !o.ok && o.temporary);
      if (temporary && !temporary.ok) {
        await maildir.abort(staged);
        log.warn({ event: 'relay-failed', err: temporary.text });
        return tempFail('cannot send on a message now, try again later', '4.4.1');
      }
      for (let i = 0; i < outcomes.length; i++) {
        const o = outcomes[i]!;
        const mail = plan.mails[i]!;
        if (o.ok) continue;
        log.warn({ event: 'send-refused', kind: mail.kind, err: o.text });
        // RFC 5228 §2.10.6: an action that fails leaves the message kept (stage() skips it when
        // INBOX already has the message).
        if (mail.keep) {
          try {
            await stage({ mailbox: 'INBOX', bytes: mail.keep, flags: [], create: false });
          } catch (e) {
            await maildir.abort(staged);
            log.error({ event: 'store-failed', err: (e as Error).message });
            return tempFail('cannot store the message now, try again later', '4.3.1');
          }
        }
      }
    }

    // RFC 8580: the fcc copy of each vacation response or notification the relay accepted (one
    // per message, however many recipients it had), staged like every copy so that it appears
    // with them. A copy that cannot be filed does not fail the delivery: the message is sent.
    const filedFcc = new Set<PlannedCopy>();
    for (let i = 0; i < plan.mails.length; i++) {
      const fcc = plan.mails[i]!.fcc;
      if (!fcc || outcomes[i]?.ok !== true || filedFcc.has(fcc)) continue;
      filedFcc.add(fcc);
      try {
        await stage(fcc);
      } catch (e) {
        log.warn({
          event: 'fcc-failed',
          kind: plan.mails[i]!.kind,
          mailbox: fcc.mailbox,
          err: (e as Error).message,
        });
      }
    }

    try {
      await maildir.commit(staged);
    } catch (e) {
      // commit moved back what it had moved: nothing of this recipient stays visible.
      await maildir.abort(staged);
      log.error({ event: 'store-failed', err: (e as Error).message });
      return tempFail('cannot store the message now, try again later', '4.3.1');
    }

    const now = this.now();
    const sent = plan.mails.filter((_, i) => outcomes[i]?.ok === true);
    const marks = [...plan.marks, ...sent.flatMap((m) => (m.remember ? [m.remember] : []))];
    for (const m of marks) {
      try {
        if (!m.replace && (await this.deps.store.memoryHas(recipient.user, m.kind, m.key, new Date(now))))
          continue;
        await this.deps.store.memoryMark(recipient.user, m.kind, m.key, new Date(now + m.seconds * 1000));
      } catch (e) {
        // The mail is delivered; a lost memory entry only risks one more vacation reply.
        log.error({ event: 'memory-failed', err: (e as Error).message });
      }
    }
    log.info({
      event: 'delivered',
      folders: staged.map((s) => s.mailbox),
      sent: sent.map((m) => m.kind),
    });
    return ok(
      staged.length ? `${recipient.address} delivered` : `${recipient.address} handled, nothing stored`,
    );
  }
}
