// RFC 9042: "mailboxid" — fileinto :mailboxid and the mailboxidexists test. Mailboxes are found
// by their IMAP OBJECTID (RFC 8474) through the host; without it, no id is known.
import type { ExtensionDefinition } from '../../registry.js';
import { evaluate, type ExecutionContext } from '../../runtime.js';
import type { MailboxSelector } from '../fileinto/index.js';
import { fccSelector } from '../fcc/index.js';

/** RFC 8474 §4: objectid = 1*255(ALPHA / DIGIT / "_" / "-"). Other strings name no mailbox. */
export function isObjectId(id: string): boolean {
  return /^[A-Za-z0-9_-]{1,255}$/.test(id);
}

export function mailboxById(ctx: ExecutionContext, id: string): string | null {
  if (!isObjectId(id)) return null;
  return ctx.host.mailboxById?.(id) ?? null;
}

/**
 * RFC 9042 §4: the mailbox with this id when it exists, else the named mailbox (created with
 * :create, §4.1). §4.2: tried before :specialuse.
 */
export const mailboxIdSelector: MailboxSelector = {
  order: 1,
  select: (ctx, value) => mailboxById(ctx, value),
};

export const mailboxid: ExtensionDefinition = {
  name: 'mailboxid',
  setup(r) {
    // §4 on fileinto; §4.3 with :fcc on vacation and notify.
    r.tag(['fileinto'], {
      name: 'mailboxid',
      value: { name: 'mailbox id', type: 'string' },
      data: mailboxIdSelector,
    });
    r.tag(['vacation', 'notify'], {
      name: 'mailboxid',
      value: { name: 'mailbox id', type: 'string' },
      data: fccSelector(mailboxIdSelector),
    });

    r.test({
      name: 'mailboxidexists',
      positional: [{ name: 'mailbox ids', type: 'string-list' }],
      tests: 'none',
      compile(cc, t) {
        const ids = cc.stringList(t.positional[0]!);
        // §5: true only when every id names an existing mailbox.
        return (ctx) => ids.every((id) => mailboxById(ctx, evaluate(id, ctx)) !== null);
      },
    });
  },
};
