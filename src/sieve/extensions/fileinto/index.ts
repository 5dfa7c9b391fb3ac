// RFC 5228 §4.1: fileinto.
import type { Span } from '../../diagnostics.js';
import type { Action } from '../../runtime.js';
import type { ExtensionDefinition } from '../../registry.js';
import { evaluate, SieveRuntimeError } from '../../runtime.js';
import { keepAction } from '../base/actions.js';

/** Options other extensions attach to fileinto (imap4flags :flags, copy :copy, mailbox :create). */
export interface FileintoOptions {
  flags: string[];
  copy: boolean;
  create: boolean;
}

/** IMAP's INBOX is case-insensitive (RFC 3501 §5.1); filing into it is the keep. */
export function isInbox(mailbox: string): boolean {
  return mailbox.toUpperCase() === 'INBOX';
}

export function fileintoAction(mailbox: string, o: FileintoOptions, span?: Span): Action {
  if (isInbox(mailbox)) {
    const keep = keepAction(o.flags, span);
    return o.copy ? { ...keep, cancelsImplicitKeep: false } : keep;
  }
  const self: Action = {
    json: { type: 'fileinto', mailbox, flags: [...o.flags].sort(), copy: o.copy, create: o.create },
    cancelsImplicitKeep: !o.copy,
    delivers: true,
    // RFC 5228 §2.10.3: filing twice into one mailbox stores one copy.
    key: `fileinto:${mailbox}`,
    span,
    merge(later) {
      if (later.json.type !== 'fileinto') return self;
      const flags = [...new Set([...o.flags, ...later.json.flags])];
      return fileintoAction(
        mailbox,
        { flags, copy: o.copy && later.json.copy, create: o.create || later.json.create },
        span,
      );
    },
  };
  return self;
}

export const fileinto: ExtensionDefinition = {
  name: 'fileinto',
  setup(r) {
    r.command({
      name: 'fileinto',
      positional: [{ name: 'mailbox', type: 'string' }],
      tests: 'none',
      block: 'none',
      validate(v, cmd) {
        const arg = cmd.positional[0];
        if (arg?.kind === 'string' && v.isConstant(arg) && v.value(arg) === '') {
          v.error('fileinto.empty-mailbox', 'fileinto needs a mailbox name, not an empty string', arg.span);
        }
      },
      compile(cc, cmd) {
        const mailbox = cc.string(cmd.positional[0]!);
        const copy = cmd.tags.has('copy');
        const create = cmd.tags.has('create');
        const span = cmd.node.span;
        return (ctx) => {
          const name = evaluate(mailbox, ctx);
          if (name === '') throw new SieveRuntimeError('fileinto: the mailbox name is empty', span);
          const flags = ctx.result.implicitKeepFlags();
          ctx.result.add(fileintoAction(name, { flags, copy, create }, span), span);
          return false;
        };
      },
    });
  },
};
