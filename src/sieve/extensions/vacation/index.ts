// RFC 5230: vacation, and RFC 6131: its ":seconds" parameter (capability "vacation-seconds",
// which implies "vacation"). The engine decides whether a response is due (RFC 5230 §4.5 and
// RFC 3834 §2: no response to automatic mail, mailing lists, system senders, the null sender,
// or mail the user was not addressed in; none when one was sent to this sender with this
// handle within the period) and, when it is, adds a `vacation` action holding everything
// delivery needs to build and send the reply. Delivery marks the response memory when it has
// sent the reply (with the action's `memoryKey` and `seconds`), so a run that fails, or a dry
// run (`sievert test`), remembers nothing.
import type { Span } from '../../diagnostics.js';
import { hashSource } from '../../engine.js';
import type { ExpiringMemory, VacationPolicy } from '../../host.js';
import {
  actionOptions,
  compileActionOptions,
  type ExtensionDefinition,
  type TagUse,
} from '../../registry.js';
import {
  actionDescriptions,
  evaluate,
  SieveRuntimeError,
  type ActionOptionFields,
  type ExecutionContext,
  type StringValue,
} from '../../runtime.js';
import { parseMailbox } from '../base/address.js';

declare module '../../runtime.js' {
  interface ActionJsonTypes {
    vacation: {
      /** The envelope sender of the message: the reply goes there (RFC 5230 §4.1). */
      to: string;
      /** The reply's From: `:from`, else the user's address the message was sent to. */
      from: string;
      /** `:subject`, else "Auto: " and the original subject (RFC 5230 §4.5, RFC 3834 §3.1.5). */
      subject: string;
      /** The reply text, or a MIME entity (headers and body) when `mime` is true (§4.3). */
      reason: string;
      mime: boolean;
      /** `:handle`, else one derived from reason, :subject, :from and :mime (§4.2). */
      handle: string;
      /** The response period in seconds, within the host's policy; 0: always respond (RFC 6131). */
      seconds: number;
      /** The original Message-ID, for In-Reply-To (RFC 5230 §4.6, RFC 3834 §3.1.3). */
      inReplyTo: string | null;
      /** The original References and Message-ID, for References (RFC 5322 §3.6.4). */
      references: string | null;
      /** The key to mark in the vacation memory once the reply is sent (sender and handle). */
      memoryKey: string;
    } & Partial<ActionOptionFields>;
  }
}

const DAY = 86400;

/**
 * The period policy when the host gives none: at least 1 day, 7 days by default, at most 60
 * days (Pigeonhole's minimum and default; RFC 5230 §4.1 lets sites set a maximum, which "MUST
 * be greater than 7, and SHOULD be greater than 30" days).
 */
export const DEFAULT_VACATION_POLICY: VacationPolicy = {
  minPeriod: DAY,
  defaultPeriod: 7 * DAY,
  maxPeriod: 60 * DAY,
};

/** RFC 6131 §2: ":seconds" is "greater than or equal to 0 and less than 2**31". */
const MAX_SECONDS = 2 ** 31 - 1;

/** RFC 5230 §4.5 and RFC 3834 §2: the headers of mailing-list mail (RFC 2369, RFC 2919). */
const LIST_HEADERS = [
  'list-id',
  'list-help',
  'list-subscribe',
  'list-unsubscribe',
  'list-post',
  'list-owner',
  'list-archive',
];

/** RFC 5230 §4.5: the user's address must be among these headers' recipients. */
const RECIPIENT_HEADERS = ['to', 'cc', 'bcc', 'resent-to', 'resent-cc', 'resent-bcc'];

const STATE = Symbol('vacation');

/**
 * Whether a vacation command ran for this run's result (reject is incompatible with it, RFC 5429
 * §2.4). The state holds the result it ran for: a run has one result, but each block of the test
 * suite (vnd.dovecot.testsuite) starts a new one.
 */
export function vacationExecuted(ctx: ExecutionContext): boolean {
  return ctx.state.get(STATE) === ctx.result;
}

/** The memory used when the host gives none: nothing was sent before this run. */
const EMPTY_MEMORY: ExpiringMemory = { has: () => false, mark: () => {} };

/**
 * Why a sender is not to be answered (RFC 5230 §4.5: "MAILER-DAEMON", list owners and request
 * addresses, as RFC 3834 §2 describes them), or null.
 */
export function systemSender(address: string): string | null {
  const at = address.lastIndexOf('@');
  const local = (at < 0 ? address : address.slice(0, at)).toLowerCase();
  if (local === 'mailer-daemon') return 'the sender is a mailer daemon';
  if (local === 'listserv' || local === 'majordomo') return 'the sender is a mailing list program';
  if (local.startsWith('owner-') || local.endsWith('-request')) {
    return 'the sender is a mailing list address (owner-*, *-request)';
  }
  return null;
}

function sameAddress(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** Why no response may be sent for this message (RFC 5230 §4.5, RFC 3834 §2), or null. */
function noResponseReason(ctx: ExecutionContext, userAddresses: readonly string[]): string | null {
  const sender = ctx.envelope.from;
  if (sender === null || sender === '') return 'the envelope sender is null (RFC 5230 §4.5)';
  for (const value of ctx.message.headers('auto-submitted')) {
    const keyword = value
      .split(';')[0]!
      .replace(/\([^)]*\)/g, '')
      .trim()
      .toLowerCase();
    if (keyword !== 'no') return `the message is Auto-Submitted: ${value} (RFC 3834 §2)`;
  }
  for (const name of LIST_HEADERS) {
    if (ctx.message.hasHeader(name))
      return `the message has a ${name} header: mailing list mail (RFC 5230 §4.5)`;
  }
  for (const value of ctx.message.headers('precedence')) {
    const p = value.trim().toLowerCase();
    if (p === 'bulk' || p === 'list' || p === 'junk') return `the message has Precedence: ${p} (RFC 3834 §2)`;
  }
  // Microsoft's X-Auto-Response-Suppress: "All" or "OOF" ask for no out-of-office replies
  // (not an RFC, but the same request as RFC 3834 §2's Auto-Submitted, made by Exchange).
  for (const value of ctx.message.headers('x-auto-response-suppress')) {
    const words = value.split(',').map((w) => w.trim().toLowerCase());
    if (words.includes('all') || words.includes('oof'))
      return `the message has X-Auto-Response-Suppress: ${value.trim()}`;
  }
  const system = systemSender(sender);
  if (system !== null) return `${system} (RFC 5230 §4.5)`;
  if (userAddresses.some((u) => sameAddress(u, sender))) return 'the sender is the user (RFC 3834 §2)';
  return null;
}

/** The first of the user's addresses the message was sent to (To, Cc, Bcc, Resent-*), or null. */
function addressedTo(ctx: ExecutionContext, userAddresses: readonly string[]): string | null {
  for (const name of RECIPIENT_HEADERS) {
    for (const hv of ctx.message.addresses(name)) {
      for (const a of hv.addresses ?? []) {
        if (userAddresses.some((u) => sameAddress(u, a.address))) return a.address;
      }
    }
  }
  return null;
}

/** The subject of a response without :subject (RFC 5230 §4.5), as the policy words it. */
function defaultSubject(policy: VacationPolicy, original: string): string {
  if (original === '') return policy.defaultSubject ?? 'Automated reply';
  const template = policy.subjectTemplate ?? 'Auto: %$';
  return template.replace(/%(\$|\{subject\}|%)/g, (_, v: string) => (v === '%' ? '%' : original));
}

function period(ctx: ExecutionContext, days: number | undefined, seconds: number | undefined): number {
  const policy = ctx.host.vacationPolicy ?? DEFAULT_VACATION_POLICY;
  // RFC 6131 §2: ":seconds 0" means every message is answered.
  if (seconds === 0) return 0;
  const asked = days !== undefined ? days * DAY : (seconds ?? policy.defaultPeriod);
  return Math.min(Math.max(asked, policy.minPeriod), policy.maxPeriod);
}

function numberTag(use: TagUse | undefined): number | undefined {
  return use?.value?.kind === 'number' ? use.value.value : undefined;
}

function checkAddress(what: string, value: string, span: Span): string {
  const r = parseMailbox(value);
  if ('error' in r) throw new SieveRuntimeError(`vacation: invalid ${what} address: ${r.error}`, span);
  return value;
}

actionDescriptions.set('vacation', (a) => {
  const v = a as { to?: string; subject?: string; seconds?: number };
  return `send vacation response to <${v.to ?? ''}> (subject: ${JSON.stringify(v.subject ?? '')}, period: ${v.seconds ?? 0} s)`;
});

export const vacation: ExtensionDefinition = {
  name: 'vacation',
  aliases: ['vacation-seconds'],
  setup(r) {
    r.command({
      name: 'vacation',
      positional: [{ name: 'reason', type: 'string' }],
      tags: [
        { name: 'days', value: { name: 'days', type: 'number' }, group: 'period' },
        { name: 'seconds', value: { name: 'seconds', type: 'number' }, group: 'period' },
        { name: 'subject', value: { name: 'subject', type: 'string' } },
        { name: 'from', value: { name: 'from address', type: 'string' } },
        { name: 'addresses', value: { name: 'addresses', type: 'string-list' } },
        { name: 'mime' },
        { name: 'handle', value: { name: 'handle', type: 'string' } },
      ],
      tests: 'none',
      block: 'none',
      validate(v, cmd) {
        // Tags other extensions add to vacation (RFC 8580 :fcc) check themselves.
        for (const option of actionOptions(cmd)) option.validate(v, cmd);
        const seconds = cmd.tags.get('seconds');
        if (seconds && !v.requires('vacation-seconds')) {
          v.error(
            'require.missing',
            'the :seconds argument requires the "vacation-seconds" extension: add require "vacation-seconds"',
            seconds.tag.span,
          );
        }
        const s = numberTag(seconds);
        if (s !== undefined && s > MAX_SECONDS) {
          v.error(
            'vacation.seconds-range',
            `vacation: :seconds must be less than 2^31 (RFC 6131 §2), not ${s}`,
            seconds!.value!.span,
          );
        }
        const days = cmd.tags.get('days');
        if (numberTag(days) === 0) {
          v.warning(
            'vacation.days-zero',
            'vacation: ":days 0" is below the minimum period; the minimum (normally 1 day) is used (RFC 5230 §4.1)',
            days!.value!.span,
          );
        }
        const from = cmd.tags.get('from')?.value;
        if (from?.kind === 'string' && v.isConstant(from)) {
          const r = parseMailbox(v.value(from));
          if ('error' in r)
            v.error('vacation.invalid-from', `vacation: invalid :from address: ${r.error}`, from.span);
        }
        const addresses = cmd.tags.get('addresses')?.value;
        if (addresses) {
          for (const { value, span } of v.constantValues(addresses)) {
            const r = parseMailbox(value);
            if ('error' in r) {
              v.error('vacation.invalid-address', `vacation: invalid :addresses item: ${r.error}`, span);
            }
          }
        }
      },
      compile(cc, cmd) {
        const reason = cc.string(cmd.positional[0]!);
        const tag = (name: string): StringValue | null => {
          const u = cmd.tags.get(name);
          return u?.value ? cc.string(u.value) : null;
        };
        const subject = tag('subject');
        const from = tag('from');
        const handle = tag('handle');
        const addressesArg = cmd.tags.get('addresses')?.value;
        const addresses = addressesArg ? cc.stringList(addressesArg) : [];
        const mime = cmd.tags.has('mime');
        const days = numberTag(cmd.tags.get('days'));
        const seconds = numberTag(cmd.tags.get('seconds'));
        const options = compileActionOptions(cc, cmd);
        const span = cmd.node.span;
        const line = span.start.line;
        return (ctx) => {
          // RFC 5230 §4.7: a script MUST fail when it executes vacation twice.
          if (vacationExecuted(ctx)) {
            throw new SieveRuntimeError(
              'vacation: only one vacation action is allowed per script run (RFC 5230 §4.7)',
              span,
            );
          }
          ctx.state.set(STATE, ctx.result);
          for (const a of ctx.result.actions) {
            if (a.json.type === 'reject' || a.json.type === 'ereject') {
              throw new SieveRuntimeError(
                `vacation: the message was rejected with ${a.json.type} (RFC 5429 §2.4)`,
                span,
              );
            }
          }
          const reasonText = evaluate(reason, ctx);
          const subjectText = subject ? evaluate(subject, ctx) : null;
          const fromText = from ? checkAddress(':from', evaluate(from, ctx), span) : null;
          const handleText =
            handle !== null
              ? evaluate(handle, ctx)
              : // RFC 5230 §4.2: without :handle, responses with other text count as other responses.
                hashSource(JSON.stringify([reasonText, subjectText, fromText, mime]));
          const env = ctx.envelope;
          const policy = ctx.host.vacationPolicy ?? DEFAULT_VACATION_POLICY;
          const users = [
            env.to,
            ...(env.originalTo && policy.useOriginalRecipient !== false ? [env.originalTo] : []),
            ...(ctx.host.userAddresses ?? []),
            ...addresses.map((a) => evaluate(a, ctx)),
          ];
          const skip = (why: string): boolean => {
            ctx.trace?.({ line, kind: 'info', text: `vacation: no response: ${why}` });
            return false;
          };
          const why = noResponseReason(ctx, users);
          if (why !== null) return skip(why);
          // Without the check, the response comes from the envelope recipient.
          const addressed = policy.dontCheckRecipient
            ? (addressedTo(ctx, users) ?? env.to)
            : addressedTo(ctx, users);
          if (addressed === null) {
            return skip("none of the user's addresses is in To, Cc, Bcc or Resent-* (RFC 5230 §4.5)");
          }
          const sender = env.from!;
          const secs = period(ctx, days, seconds);
          const memoryKey = JSON.stringify([sender.toLowerCase(), handleText]);
          const now = ctx.host.now?.() ?? Date.now();
          const memory = ctx.host.vacationMemory ?? EMPTY_MEMORY;
          if (secs > 0 && memory.has(memoryKey, now)) {
            return skip(`a response was sent to ${sender} within the period (RFC 5230 §4.2)`);
          }
          const original = ctx.message.headers('subject')[0]?.trim() ?? '';
          const messageId = ctx.message.headers('message-id')[0]?.trim() || null;
          const references = ctx.message.headers('references')[0]?.trim() || null;
          ctx.result.add(
            {
              json: {
                type: 'vacation',
                to: sender,
                from: fromText ?? addressed,
                subject: subjectText ?? defaultSubject(policy, original),
                reason: reasonText,
                mime,
                handle: handleText,
                seconds: secs,
                inReplyTo: messageId,
                references:
                  messageId === null ? references : references ? `${references} ${messageId}` : messageId,
                memoryKey,
                ...options(ctx),
              },
              // RFC 5230 §4.7: vacation does not affect the implicit keep.
              cancelsImplicitKeep: false,
              delivers: false,
              key: 'vacation',
              span,
            },
            span,
          );
          return false;
        };
      },
    });
  },
};
