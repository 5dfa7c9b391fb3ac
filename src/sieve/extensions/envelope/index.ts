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

/** Splits an SMTP path (RFC 5321 §4.1.2, brackets already removed) into its parts. */
export function envelopeAddress(path: string): MailAddress {
  const at = path.lastIndexOf('@');
  let local = at < 0 ? path : path.slice(0, at);
  if (local.length >= 2 && local.startsWith('"') && local.endsWith('"')) {
    local = local.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return { localPart: local, domain: at < 0 ? '' : path.slice(at + 1), address: path, name: '' };
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
            const v = part.extract(envelopeAddress(path), ctx);
            if (v !== null) values.push(v);
          }
          return matcher.match(ctx, values);
        };
      },
    });
  },
};
