// The deprecated notify extension (draft-martin-sieve-notify-01), kept so that scripts written
// before RFC 5435 (Roundcube's managesieve plugin still writes them) keep working:
//   notify [":method" string] [":id" string] [":options" string-list]
//          [<":low" / ":normal" / ":high">] [":message" string]
//   denotify [MATCH-TYPE string] [<":low" / ":normal" / ":high">]
// Only the mailto method exists: :options lists the recipients. The action is enotify's mailto
// notification (RFC 5436), so hosts send it as they send enotify's. Accepted in require, never
// advertised, and not usable together with enotify (whose notify command has the same name).
import {
  actionOptions,
  compileActionOptions,
  type ExtensionDefinition,
  type TagSpec,
  type ValidatedCommand,
} from '../../registry.js';
import {
  evaluate,
  SieveRuntimeError,
  type Action,
  type ActionJsonTypes,
  type ExecutionContext,
  type Matcher,
  type StringValue,
} from '../../runtime.js';
import { octet } from '../../comparators/builtin.js';
import { parseMailbox } from '../base/address.js';
import { containsMatcher, isMatcher, matchesMatcher } from '../base/match.js';
import type { MailtoUri } from '../enotify/mailto.js';
import { DEFAULT_MESSAGE, notificationText } from './message.js';

type Importance = ActionJsonTypes['notify']['importance'];

/** The importance tags, as RFC 5435 numbers them (1 high, 2 normal, 3 low). */
const IMPORTANCE: readonly (readonly [string, Importance])[] = [
  ['high', '1'],
  ['normal', '2'],
  ['low', '3'],
];
const importanceTags: TagSpec[] = IMPORTANCE.map(([name, value]) => ({
  name,
  group: 'importance',
  data: value,
}));

/** At most this many recipients per notify; the rest is left out (Pigeonhole's limit). */
export const MAX_RECIPIENTS = 8;

/** Pigeonhole's subject for these notifications; the text goes in the body. */
const SUBJECT = '[SIEVE] New mail notification';

/** What denotify needs to know about the notify actions of this extension. */
const notifications = new WeakMap<Action, { id: string | null; importance: Importance }>();

function importanceOf(cmd: ValidatedCommand): Importance | null {
  return (cmd.groups.get('importance')?.spec.data as Importance | undefined) ?? null;
}

function addressError(value: string, why: string): string {
  return `notify: the :options address "${value}" is not valid for the mailto method: ${why}`;
}

/** The URI of the recipients, for the action's method field (RFC 6068: "," separates them). */
function mailtoMethod(addresses: readonly string[]): string {
  return `mailto:${addresses.map((a) => a.replace(/[^A-Za-z0-9\-._~!$'()*+;:@=/]/g, encodeURIComponent)).join(',')}`;
}

/** The recipients already notified by mailto in this run, lower-cased. */
function notifiedBefore(ctx: ExecutionContext): Set<string> {
  const out = new Set<string>();
  for (const a of ctx.result.actions) {
    if (a.json.type === 'notify' && a.json.mailto) {
      for (const r of [...a.json.mailto.to, ...a.json.mailto.cc]) out.add(r.toLowerCase());
    }
  }
  return out;
}

const MATCH_TAGS: TagSpec[] = ['is', 'contains', 'matches'].map((name) => ({
  name,
  value: { name: 'id key', type: 'string' },
  group: 'match-type',
}));

export const notify: ExtensionDefinition = {
  name: 'notify',
  advertised: false,
  conflicts: ['enotify'],
  // $text$ reads the body.
  needsBody: true,
  setup(r) {
    r.command({
      name: 'notify',
      positional: [],
      tags: [
        { name: 'method', value: { name: 'method', type: 'string' } },
        { name: 'id', value: { name: 'id', type: 'string' } },
        { name: 'options', value: { name: 'recipients', type: 'string-list' } },
        { name: 'message', value: { name: 'message', type: 'string' } },
        ...importanceTags,
      ],
      tests: 'none',
      block: 'none',
      validate(v, cmd) {
        for (const option of actionOptions(cmd)) option.validate(v, cmd);
        const method = cmd.tags.get('method')?.value;
        for (const { value, span } of method ? v.constantValues(method) : []) {
          if (value.toLowerCase() !== 'mailto') {
            v.error(
              'notify.invalid-method',
              `notify: the deprecated notify extension knows only the "mailto" method, not "${value}" (use enotify for others)`,
              span,
            );
          }
        }
        const options = cmd.tags.get('options')?.value;
        if (!options) {
          v.warning(
            'notify.no-recipients',
            'notify: without :options there is nobody to notify; the command does nothing',
            cmd.node.nameSpan,
          );
          return;
        }
        for (const { value, span } of v.constantValues(options)) {
          const r = parseMailbox(value);
          if ('error' in r) v.error('notify.invalid-address', addressError(value, r.error), span);
        }
      },
      compile(cc, cmd) {
        const tag = (name: string): StringValue | null => {
          const value = cmd.tags.get(name)?.value;
          return value ? cc.string(value) : null;
        };
        const method = tag('method');
        const id = tag('id');
        const message = tag('message');
        const optionsArg = cmd.tags.get('options')?.value;
        const options = optionsArg ? cc.stringList(optionsArg) : null;
        const importance = importanceOf(cmd) ?? '2';
        const extra = compileActionOptions(cc, cmd);
        const span = cmd.node.span;
        return (ctx) => {
          if (method) {
            const m = evaluate(method, ctx);
            if (m.toLowerCase() !== 'mailto') {
              throw new SieveRuntimeError(
                `notify: the deprecated notify extension knows only "mailto", not "${m}"`,
                span,
              );
            }
          }
          if (!options) return false;
          // Valid, distinct recipients (an address given twice is notified once).
          const before = notifiedBefore(ctx);
          const to: string[] = [];
          const mailboxes: Record<string, string> = {};
          const seen = new Set<string>();
          for (const item of options) {
            const raw = evaluate(item, ctx);
            const r = parseMailbox(raw);
            if ('error' in r) throw new SieveRuntimeError(addressError(raw, r.error), span);
            const key = r.address.toLowerCase();
            if (seen.has(key)) continue;
            seen.add(key);
            if (seen.size > MAX_RECIPIENTS) {
              ctx.trace?.({
                line: span.start.line,
                kind: 'info',
                text: `notify: more than ${MAX_RECIPIENTS} recipients; the rest is left out`,
              });
              break;
            }
            // A recipient an earlier notification of this run reaches gets no second one.
            if (before.has(key)) continue;
            to.push(r.address);
            if (raw.trim() !== r.address) mailboxes[key] = raw.trim();
          }
          if (to.length === 0) {
            ctx.trace?.({
              line: span.start.line,
              kind: 'info',
              text: 'notify: every recipient was notified already',
            });
            return false;
          }
          const mailto: MailtoUri = {
            to,
            cc: [],
            subject: SUBJECT,
            body: null,
            headers: [],
            ...(Object.keys(mailboxes).length > 0 ? { mailboxes } : {}),
          };
          const action: Action = {
            json: {
              type: 'notify',
              method: mailtoMethod(to),
              from: null,
              importance,
              options: [],
              message: notificationText(message ? evaluate(message, ctx) : DEFAULT_MESSAGE, ctx),
              mailto,
              ...extra(ctx),
            },
            // As enotify's (RFC 5435 §7), a notification does not cancel the implicit keep.
            cancelsImplicitKeep: false,
            delivers: false,
            span,
          };
          notifications.set(action, { id: id ? evaluate(id, ctx) : null, importance });
          ctx.result.add(action, span);
          return false;
        };
      },
    });

    r.command({
      name: 'denotify',
      positional: [],
      tags: [...MATCH_TAGS, ...importanceTags],
      tests: 'none',
      block: 'none',
      compile(cc, cmd) {
        const use = cmd.groups.get('match-type');
        const keys = use?.value ? [cc.string(use.value)] : null;
        // The :id is compared octet by octet (Pigeonhole's i;octet).
        let matcher: Matcher | null = null;
        if (keys && use) {
          const name = use.spec.name;
          matcher =
            name === 'is'
              ? isMatcher(octet, keys)
              : name === 'contains'
                ? containsMatcher(octet, keys)
                : matchesMatcher(octet, keys, false);
        }
        const importance = importanceOf(cmd);
        return (ctx) => {
          // Cancels this run's earlier notifications of the given importance (any without one)
          // whose :id matches (every one without a key; one without :id matches no key).
          const actions = ctx.result.actions;
          for (let i = actions.length - 1; i >= 0; i--) {
            const n = notifications.get(actions[i]!);
            if (!n || (importance !== null && n.importance !== importance)) continue;
            if (matcher && (n.id === null || !matcher.match(ctx, [n.id]))) continue;
            actions.splice(i, 1);
          }
          return false;
        };
      },
    });
  },
};
