// RFC 8579: "special-use" — fileinto :specialuse and the specialuse_exists test. The host says
// which mailbox has which special-use attribute (RFC 6154); without it, no mailbox has one.
import type { Argument } from '../../ast.js';
import type { Span } from '../../diagnostics.js';
import type { ExtensionDefinition } from '../../registry.js';
import { evaluate, SieveRuntimeError, type ExecutionContext } from '../../runtime.js';
import type { ValidationContext } from '../../validator.js';
import { warnNonUtf8Mailbox, type MailboxSelector } from '../fileinto/index.js';
import { fccSelector } from '../fcc/index.js';

/**
 * RFC 6154 §6: use-attr = "\All" / "\Archive" / … / use-attr-ext, use-attr-ext = "\" atom.
 * RFC 3501 §9: atom = 1*ATOM-CHAR, any CHAR except atom-specials
 * ( "(" / ")" / "{" / SP / CTL / "%" / "*" / DQUOTE / "\" / "]" ).
 */
// eslint-disable-next-line no-control-regex -- CTL is part of the RFC's atom-specials
const SPECIAL_USE_FLAG = /^\\[^(){ \x00-\x1f\x7f%*"\\\]\u0080-\uffff]+$/;

export function isSpecialUseFlag(flag: string): boolean {
  return SPECIAL_USE_FLAG.test(flag);
}

/** RFC 8579 §4, §5: a syntactically invalid special-use flag is an error, at compile time when constant. */
export function checkSpecialUseFlags(v: ValidationContext, what: string, arg: Argument): void {
  for (const { value, span } of v.constantValues(arg)) {
    if (!isSpecialUseFlag(value)) {
      v.error(
        'special-use.invalid-flag',
        `${what}: "${value}" is not a valid special-use flag (a backslash and an atom, such as "\\\\Junk")`,
        span,
      );
    }
  }
}

/** The mailbox with this special-use attribute, or null; a run-time error for an invalid flag. */
export function specialUseMailbox(
  ctx: ExecutionContext,
  flag: string,
  span: Span | undefined,
): string | null {
  if (!isSpecialUseFlag(flag)) {
    throw new SieveRuntimeError(`"${flag}" is not a valid special-use flag`, span);
  }
  return ctx.host.specialUseMailbox?.(flag) ?? null;
}

/**
 * RFC 8579 §5: fileinto :specialuse files into the mailbox that has the attribute; when none has
 * it, the named mailbox is the fallback (with :create, it is created). RFC 9042 §4.2: after
 * :mailboxid.
 */
export const specialUseSelector: MailboxSelector = {
  order: 2,
  select: (ctx, value, span) => specialUseMailbox(ctx, value, span),
  validate: (v, value) => checkSpecialUseFlags(v, ':specialuse', value),
};

export const specialUse: ExtensionDefinition = {
  name: 'special-use',
  setup(r) {
    r.tag(['fileinto'], {
      name: 'specialuse',
      value: { name: 'special-use flag', type: 'string' },
      data: specialUseSelector,
    });
    // With RFC 8580's :fcc on vacation and notify: it picks the mailbox of the copy.
    r.tag(['vacation', 'notify'], {
      name: 'specialuse',
      value: { name: 'special-use flag', type: 'string' },
      data: fccSelector(specialUseSelector),
    });

    // RFC 8579 §4: specialuse_exists [<mailbox: string>] <special-use-flags: string-list>.
    // The registry makes only trailing arguments optional, so with one argument the first is
    // the flag list; with two, the first is the mailbox and must be a single string.
    r.test({
      name: 'specialuse_exists',
      positional: [
        { name: 'mailbox or special-use flags', type: 'string-list' },
        { name: 'special-use flags', type: 'string-list', optional: true },
      ],
      tests: 'none',
      validate(v, t) {
        const first = t.positional[0];
        if (t.positional.length === 2 && first?.kind !== 'string') {
          v.error(
            'special-use.invalid-mailbox',
            'specialuse_exists: the mailbox must be a single string, not a list',
            first!.span,
          );
        }
        if (t.positional.length === 2) warnNonUtf8Mailbox(v, 'specialuse_exists', first);
        checkSpecialUseFlags(v, 'specialuse_exists', t.positional[t.positional.length - 1]!);
      },
      compile(cc, t) {
        const flags = cc.stringList(t.positional[t.positional.length - 1]!);
        const mailbox = t.positional.length === 2 ? cc.string(t.positional[0]!) : null;
        const span = t.node.span;
        return (ctx) => {
          const found = flags.map((f) => specialUseMailbox(ctx, evaluate(f, ctx), span));
          if (mailbox === null) return found.every((m) => m !== null);
          // With a mailbox: true when that mailbox has every one of the attributes.
          const box = evaluate(mailbox, ctx);
          return found.every((m) => m === box);
        };
      },
    });
  },
};
