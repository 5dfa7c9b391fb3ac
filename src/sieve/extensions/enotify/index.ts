// RFC 5435: enotify. The notify action, the valid_notify_method and notify_method_capability
// tests, and the :encodeurl modifier of `set` (with variables). The mailto method (RFC 5436) is
// built in; the host may offer other methods through notifyMethodAvailable.
import type { Argument } from '../../ast.js';
import type { SieveHost } from '../../host.js';
import {
  actionOptions,
  compileActionOptions,
  type ExtensionDefinition,
  type TagSpec,
} from '../../registry.js';
import {
  actionDescriptions,
  evaluate,
  SieveRuntimeError,
  type ActionJsonTypes,
  type ActionOptionFields,
  type ExecutionContext,
  type StringValue,
} from '../../runtime.js';
import type { ValidationContext } from '../../validator.js';
import { parseMailbox } from '../base/address.js';
import { MATCH_GROUPS } from '../base/index.js';
import type { SetModifier } from '../variables/index.js';
import { parseMailto, type MailtoUri } from './mailto.js';

declare module '../../runtime.js' {
  interface ActionJsonTypes {
    notify: {
      /** The notification URI (RFC 5435 §3.2). */
      method: string;
      /** :from (§3.3), or null for the method's default. */
      from: string | null;
      /** :importance (§3.4): "1" high, "2" normal (the default), "3" low. */
      importance: '1' | '2' | '3';
      /** :options (§3.5), "name=value" each. */
      options: string[];
      /** :message (§3.6), or null for the method's default. */
      message: string | null;
      /** The parsed URI for the mailto method (RFC 5436), else null. */
      mailto: MailtoUri | null;
    } & Partial<ActionOptionFields>;
  }
}

/** RFC 5435 §3.5: optionname = l-d *l-d-p; value = no CR, LF or NUL. */
const OPTION = /^[A-Za-z0-9][A-Za-z0-9._-]*=[^\r\n\0]*$/;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

type MethodCheck = { scheme: string; mailto: MailtoUri | null } | { error: string };

/**
 * RFC 5435 §3.2 and §4: the method must be supported and syntactically valid. `host` is absent
 * at compile time, when only mailto URIs can be checked.
 */
export function checkMethod(uri: string, host: SieveHost | null): MethodCheck {
  const m = SCHEME.exec(uri);
  if (!m) return { error: `"${uri}" is not a URI (it needs a scheme such as "mailto:")` };
  const scheme = m[1]!.toLowerCase();
  if (scheme === 'mailto') {
    // The mailto method is always built in; a host may still turn it off.
    if (host && host.notifyMethodAvailable?.(uri) === false)
      return { error: 'the mailto method is not available' };
    const r = parseMailto(uri.slice(m[0].length));
    if ('error' in r) return { error: `invalid mailto URI: ${r.error}` };
    return { scheme, mailto: r };
  }
  if (host === null) return { scheme, mailto: null };
  if (!host.notifyMethodAvailable?.(uri))
    return { error: `the notification method "${scheme}" is not supported` };
  if (/[\s\0]/.test(uri)) return { error: `invalid ${scheme} URI: it holds white space` };
  return { scheme, mailto: null };
}

const IMPORTANCE = new Set(['1', '2', '3']);

function optionError(option: string): string {
  return `invalid :options item "${option}": it must be "name=value" (RFC 5435 §3.5)`;
}

function constants(v: ValidationContext, arg: Argument | undefined) {
  return arg ? v.constantValues(arg) : [];
}

/**
 * RFC 5435 §6: percent-encode every octet of the UTF-8 form outside the unreserved set of
 * RFC 3986 §2.3 (ALPHA / DIGIT / "-" / "." / "_" / "~").
 */
export function encodeUrl(s: string): string {
  let out = '';
  for (const b of new TextEncoder().encode(s)) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** One character of encodeUrl's output: a plain character, or the escapes of one UTF-8 sequence. */
const ENCODED_CHARACTER = /%[C-F][0-9A-F](?:%[89AB][0-9A-F])*|%[0-9A-F]{2}|[^%]/g;

/**
 * encodeUrl's output cut to `max` code units at a character: neither an escape nor the escapes
 * of one character are split (a cut "%4" would not be a URL).
 */
function truncateEncoded(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = 0;
  for (const m of s.matchAll(ENCODED_CHARACTER)) {
    if (m.index + m[0].length > max) break;
    end = m.index + m[0].length;
  }
  return s.slice(0, end);
}

/** The recipients of a mailto notification, lower-cased, for duplicate suppression. */
function recipients(uri: MailtoUri): string[] {
  return [...uri.to, ...uri.cc].map((a) => a.toLowerCase());
}

/**
 * RFC 5435 §7 lets a method collapse the notifications of one run: a recipient notified by an
 * earlier mailto notify action of this run is dropped from a later one, and a later one left
 * without recipients is dropped (as Pigeonhole does).
 */
function withoutEarlierRecipients(ctx: ExecutionContext, uri: MailtoUri): MailtoUri | null {
  const before = new Set<string>();
  for (const a of ctx.result.actions) {
    if (a.json.type === 'notify' && a.json.mailto) for (const r of recipients(a.json.mailto)) before.add(r);
  }
  if (before.size === 0) return uri;
  const to = uri.to.filter((r) => !before.has(r.toLowerCase()));
  const cc = uri.cc.filter((r) => !before.has(r.toLowerCase()));
  if (to.length + cc.length === 0 && recipients(uri).length > 0) return null;
  return { ...uri, to, cc };
}

actionDescriptions.set('notify', (a) => {
  const n = a as Partial<ActionJsonTypes['notify']>;
  const to = n.mailto ? ` to ${[...n.mailto.to, ...n.mailto.cc].map((r) => `<${r}>`).join(', ')}` : '';
  return `send notification with method ${n.method ?? ''}${to} (importance ${n.importance ?? '2'})`;
});

const encodeurl: TagSpec = {
  name: 'encodeurl',
  // RFC 5435 §6: "The :encodeurl modifier has precedence 15."
  data: { precedence: 15, apply: encodeUrl, truncate: truncateEncoded } satisfies SetModifier,
};

export const enotify: ExtensionDefinition = {
  name: 'enotify',
  setup(r) {
    r.tag(['set'], encodeurl);

    r.command({
      name: 'notify',
      positional: [{ name: 'method', type: 'string' }],
      tags: [
        { name: 'from', value: { name: 'from', type: 'string' } },
        { name: 'importance', value: { name: 'importance', type: 'string' } },
        { name: 'options', value: { name: 'options', type: 'string-list' } },
        { name: 'message', value: { name: 'message', type: 'string' } },
      ],
      tests: 'none',
      block: 'none',
      validate(v, cmd) {
        // Tags other extensions add to notify (RFC 8580 :fcc) check themselves.
        for (const option of actionOptions(cmd)) option.validate(v, cmd);
        let mailto = false;
        for (const { value, span } of constants(v, cmd.positional[0])) {
          const r = checkMethod(value, null);
          if ('error' in r) v.error('notify.invalid-method', `notify: ${r.error}`, span);
          else mailto = r.mailto !== null;
        }
        for (const { value, span } of constants(v, cmd.tags.get('importance')?.value)) {
          if (!IMPORTANCE.has(value)) {
            v.error(
              'notify.invalid-importance',
              `notify: :importance must be "1", "2" or "3", not "${value}" (RFC 5435 §3.4)`,
              span,
            );
          }
        }
        for (const { value, span } of constants(v, cmd.tags.get('options')?.value)) {
          if (!OPTION.test(value)) v.error('notify.invalid-option', `notify: ${optionError(value)}`, span);
        }
        if (mailto) {
          for (const { value, span } of constants(v, cmd.tags.get('from')?.value)) {
            const r = parseMailbox(value);
            if ('error' in r)
              v.error('notify.invalid-from', `notify: invalid :from address for mailto: ${r.error}`, span);
          }
        }
      },
      compile(cc, cmd) {
        const method = cc.string(cmd.positional[0]!);
        const tag = (name: string): StringValue | null => {
          const u = cmd.tags.get(name);
          return u?.value ? cc.string(u.value) : null;
        };
        const from = tag('from');
        const importance = tag('importance');
        const message = tag('message');
        const optionsArg = cmd.tags.get('options')?.value;
        const options = optionsArg ? cc.stringList(optionsArg) : [];
        const extra = compileActionOptions(cc, cmd);
        const span = cmd.node.span;
        return (ctx) => {
          const fail = (why: string): never => {
            throw new SieveRuntimeError(`notify: ${why}`, span);
          };
          const uri = evaluate(method, ctx);
          const check = checkMethod(uri, ctx.host);
          if ('error' in check) return fail(check.error);
          const level = importance ? evaluate(importance, ctx) : '2';
          if (level !== '1' && level !== '2' && level !== '3') {
            return fail(`:importance must be "1", "2" or "3", not "${level}" (RFC 5435 §3.4)`);
          }
          const opts = options.map((o) => evaluate(o, ctx));
          for (const o of opts) if (!OPTION.test(o)) fail(optionError(o));
          const fromText = from ? evaluate(from, ctx) : null;
          if (fromText !== null && check.mailto) {
            const r = parseMailbox(fromText);
            // RFC 5435 §3.3: an invalid :from is an error.
            if ('error' in r) fail(`invalid :from address for mailto: ${r.error}`);
          }
          let mailto = check.mailto;
          if (mailto) {
            mailto = withoutEarlierRecipients(ctx, mailto);
            if (mailto === null) {
              ctx.trace?.({
                line: span.start.line,
                kind: 'info',
                text: 'notify: every recipient was notified already',
              });
              return false;
            }
          }
          ctx.result.add(
            {
              json: {
                type: 'notify',
                method: uri,
                from: fromText,
                importance: level,
                options: opts,
                message: message ? evaluate(message, ctx) : null,
                mailto,
                ...extra(ctx),
              },
              // RFC 5435 §7: notify MUST NOT cancel the implicit keep.
              cancelsImplicitKeep: false,
              delivers: false,
              span,
            },
            span,
          );
          return false;
        };
      },
    });

    r.test({
      name: 'valid_notify_method',
      positional: [{ name: 'notification uris', type: 'string-list' }],
      tests: 'none',
      compile(cc, t) {
        const uris = cc.stringList(t.positional[0]!);
        // RFC 5435 §4: true only if every listed method is supported and valid.
        return (ctx) => uris.every((u) => !('error' in checkMethod(evaluate(u, ctx), ctx.host)));
      },
    });

    r.test({
      name: 'notify_method_capability',
      positional: [
        { name: 'notification uri', type: 'string' },
        { name: 'notification capability', type: 'string' },
        { name: 'key list', type: 'string-list' },
      ],
      groups: MATCH_GROUPS,
      tests: 'none',
      compile(cc, t) {
        const uri = cc.string(t.positional[0]!);
        const capability = cc.string(t.positional[1]!);
        const matcher = cc.matcher(t, t.positional[2]!);
        return (ctx) => {
          // RFC 5435 §5: false, without an error, for an invalid or unsupported URI and for an
          // unknown capability (compared case-insensitively).
          if ('error' in checkMethod(evaluate(uri, ctx), ctx.host)) return false;
          if (evaluate(capability, ctx).toLowerCase() !== 'online') return false;
          // RFC 5436 §2.2: for mailto, "online" is always "maybe".
          return matcher.match(ctx, ['maybe']);
        };
      },
    });
  },
};
