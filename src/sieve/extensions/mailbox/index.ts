// RFC 5490 §3.1: the "mailbox" extension — the mailboxexists test and fileinto :create.
import type { ExtensionDefinition } from '../../registry.js';
import { evaluate, type ExecutionContext } from '../../runtime.js';
import { FCC_OPTION } from '../fcc/index.js';
import { hasRawOctets } from '../../octets.js';
import { isInbox, warnNonUtf8Mailbox } from '../fileinto/index.js';

/**
 * Whether a mailbox exists, asking the host. Without a host service only INBOX exists (the
 * state of a fresh account, and what a dry run can promise).
 */
export function mailboxExists(ctx: ExecutionContext, name: string): boolean {
  // A name that is not UTF-8 names no mailbox (see octets.ts).
  if (hasRawOctets(name)) return false;
  return ctx.host.mailboxExists ? ctx.host.mailboxExists(name) : isInbox(name);
}

export const mailbox: ExtensionDefinition = {
  name: 'mailbox',
  setup(r) {
    // RFC 5490 §3.1: ":create" makes fileinto create the mailbox when it does not exist; RFC 8580
    // §3 allows it with :fcc on vacation and notify. There it carries fcc's option, whose check
    // reports a :create without :fcc.
    r.tag(['fileinto'], { name: 'create' });
    r.tag(['vacation', 'notify'], { name: 'create', data: FCC_OPTION });

    r.test({
      name: 'mailboxexists',
      positional: [{ name: 'mailbox names', type: 'string-list' }],
      tests: 'none',
      validate: (v, t) => warnNonUtf8Mailbox(v, 'mailboxexists', t.positional[0]),
      compile(cc, t) {
        const names = cc.stringList(t.positional[0]!);
        // RFC 5490 §3.1: true only when every named mailbox exists.
        return (ctx) => names.every((n) => mailboxExists(ctx, evaluate(n, ctx)));
      },
    });
  },
};
