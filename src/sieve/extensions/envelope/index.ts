// RFC 5228 §5.4: the envelope test.
import type { ExtensionDefinition } from '../../registry.js';
import { evaluate, type Envelope } from '../../runtime.js';
import type { MailAddress } from '../../message/types.js';

/** Envelope parts this engine can provide; extensions (envelope-dsn, -auth) may add more. */
const PARTS: Record<string, (e: Envelope) => string | null | undefined> = {
  from: (e) => e.from ?? '',
  to: (e) => e.to,
  // The authenticated submitter (RFC 4954 AUTH=), as Pigeonhole; absent when not authenticated.
  auth: (e) => e.auth ?? null,
};

/**
 * RFC 5321 §4.1.2 Domain: labels separated by single dots, or an address literal. Labels are
 * letters, digits, "-" and "_" anywhere (real hostnames break the LDH rule) and UTF-8 (RFC 6531).
 */
const DOMAIN = /^(?:[\p{L}\p{N}_-]+(?:\.[\p{L}\p{N}_-]+)*|\[[^[\]\\\s]+\])$/u;
/** A-d-l: "@" Domain *( "," "@" Domain ), the obsolete source route. */
const ROUTE = /^@[^,:@]+(?:,@[^,:@]+)*:/;
/** Local part: a quoted string, or atext and dots (dots are not checked: real mail has "a..b"). */
const LOCAL = /^(?:"(?:[^"\\]|\\.)*"|[^\s"(),:;<>@[\\\]]+)$/u;

/**
 * Splits an SMTP path (RFC 5321 §4.1.2; angle brackets optional) into its parts, dropping a
 * source route. A path that is not valid gives null: there is no address to compare (as
 * RFC 5228 §2.7.4 has it for invalid header addresses). A local part alone ("MAILER-DAEMON") is
 * accepted, as servers use it for their own postmaster addresses.
 */
export function envelopeAddress(input: string): MailAddress | null {
  let path = input;
  if (path.startsWith('<') || path.endsWith('>')) {
    if (!(path.startsWith('<') && path.endsWith('>'))) return null;
    path = path.slice(1, -1);
  }
  const route = ROUTE.exec(path);
  if (route) {
    const domains = route[0].slice(1, -1).split(',@');
    if (!domains.every((d) => DOMAIN.test(d))) return null;
    path = path.slice(route[0].length);
  }
  const at = path.lastIndexOf('@');
  let local = at < 0 ? path : path.slice(0, at);
  const domain = at < 0 ? '' : path.slice(at + 1);
  if (!LOCAL.test(local) || (at >= 0 && !DOMAIN.test(domain))) return null;
  if (local.length >= 2 && local.startsWith('"') && local.endsWith('"')) {
    local = local.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return { localPart: local, domain, address: path, name: '' };
}

export const envelope: ExtensionDefinition = {
  name: 'envelope',
  setup(r) {
    r.test({
      name: 'envelope',
      positional: [
        { name: 'envelope parts', type: 'string-list' },
        { name: 'key list', type: 'string-list' },
      ],
      groups: ['comparator', 'match-type', 'address-part'],
      tests: 'none',
      validate(v, t) {
        const arg = t.positional[0];
        if (!arg) return;
        for (const { value, span } of v.constantValues(arg)) {
          if (!(value.toLowerCase() in PARTS)) {
            v.error(
              'envelope.unknown-part',
              `unknown envelope part "${value}" (known parts: ${Object.keys(PARTS).join(', ')})`,
              span,
            );
          }
        }
      },
      compile(cc, t) {
        const parts = cc.stringList(t.positional[0]!);
        const matcher = cc.matcher(t, t.positional[1]!);
        const part = t.addressPart!;
        return (ctx) => {
          const values: string[] = [];
          for (const p of parts) {
            const get = PARTS[evaluate(p, ctx).toLowerCase()];
            const path = get?.(ctx.envelope);
            if (path === null || path === undefined) continue;
            // RFC 5228 §5.4: the null reverse-path compares as the empty string for every part.
            if (path === '') {
              values.push('');
              continue;
            }
            const address = envelopeAddress(path);
            if (address === null) continue;
            const v = part.extract(address, ctx);
            if (v !== null) values.push(v);
          }
          return matcher.match(ctx, values);
        };
      },
    });
  },
};
