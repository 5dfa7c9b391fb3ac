// RFC 5228 §4.1: fileinto.
import type { Argument } from '../../ast.js';
import type { Span } from '../../diagnostics.js';
import type { ValidationContext } from '../../validator.js';
import type { Action, ExecutionContext } from '../../runtime.js';
import type { ExtensionDefinition, TagUse } from '../../registry.js';
import { evaluate, SieveRuntimeError, type StringValue } from '../../runtime.js';
import { hasRawOctets, showOctets } from '../../octets.js';
import { compileActionFlags, keepAction } from '../base/actions.js';

/** Options other extensions attach to fileinto (imap4flags :flags, copy :copy, mailbox :create). */
export interface FileintoOptions {
  flags: string[];
  copy: boolean;
  create: boolean;
}

/**
 * The `data` of a tag that picks the mailbox by something other than its name (special-use
 * :specialuse, RFC 8579 §4; mailboxid :mailboxid, RFC 9042 §4). Selectors are tried in `order`
 * (lowest first); the first mailbox found wins, else the named mailbox is the fallback.
 */
export interface MailboxSelector {
  readonly order: number;
  /** The mailbox the tag's value selects, or null when there is none. */
  select(ctx: ExecutionContext, value: string, span: Span): string | null;
  /** Compile-time checks of the tag's value. */
  validate?(v: ValidationContext, value: Argument): void;
}

/**
 * The selector a tag's data carries, or null. On fileinto the data is the selector; :fcc's
 * selector tags on vacation and notify carry it inside their fcc option (fcc/index.ts).
 */
export type SelectorOf = (data: unknown) => MailboxSelector | null;

function isMailboxSelector(data: unknown): data is MailboxSelector {
  return typeof data === 'object' && data !== null && 'select' in data && 'order' in data;
}

const ownSelector: SelectorOf = (data) => (isMailboxSelector(data) ? data : null);

/** The selector tags of a command with their values, in the order they are tried. */
function selectorTags(
  tags: ReadonlyMap<string, TagUse>,
  selectorOf: SelectorOf,
): { selector: MailboxSelector; value: Argument }[] {
  return [...tags.values()]
    .flatMap((u) => {
      const selector = selectorOf(u.spec.data);
      return selector && u.value ? [{ selector, value: u.value }] : [];
    })
    .sort((a, b) => a.selector.order - b.selector.order);
}

/** Runs the compile-time checks of a command's selector tags (fileinto, and :fcc's tags). */
export function validateMailboxSelectors(
  v: ValidationContext,
  tags: ReadonlyMap<string, TagUse>,
  selectorOf: SelectorOf = ownSelector,
): void {
  for (const { selector, value } of selectorTags(tags, selectorOf)) selector.validate?.(v, value);
}

/** The selector tags of a command with their compiled values, in the order they are tried. */
export function mailboxSelectors(
  tags: ReadonlyMap<string, TagUse>,
  string: (arg: Argument) => StringValue,
  selectorOf: SelectorOf = ownSelector,
): { selector: MailboxSelector; value: StringValue }[] {
  return selectorTags(tags, selectorOf).map(({ selector, value }) => ({ selector, value: string(value) }));
}

/** The mailbox the selectors choose, or `fallback`. */
export function selectMailbox(
  ctx: ExecutionContext,
  selectors: readonly { selector: MailboxSelector; value: StringValue }[],
  fallback: string,
  span: Span,
): string {
  for (const { selector, value } of selectors) {
    const found = selector.select(ctx, evaluate(value, ctx), span);
    if (found !== null) return found;
  }
  return fallback;
}

/** Why a mailbox name cannot name a mailbox: it holds octets that are not UTF-8 (RFC 6855 §3). */
export function invalidFolderName(name: string): string | null {
  return hasRawOctets(name) ? `invalid folder name "${showOctets(name)}": it is not UTF-8` : null;
}

/**
 * For tests that look a mailbox up (mailboxexists, metadata, specialuse_exists): a constant name
 * that is not UTF-8 names no mailbox, which is almost certainly not what the author meant.
 */
export function warnNonUtf8Mailbox(v: ValidationContext, what: string, arg: Argument | undefined): void {
  if (!arg) return;
  for (const { value, span } of v.constantValues(arg)) {
    if (hasRawOctets(value)) {
      v.warning(
        'mailbox.not-utf8',
        `${what}: the mailbox name "${showOctets(value)}" is not UTF-8, so no mailbox has it`,
        span,
      );
    }
  }
}

/** IMAP's INBOX is case-insensitive (RFC 3501 §5.1); filing into it is the keep. */
export function isInbox(mailbox: string): boolean {
  return mailbox.toUpperCase() === 'INBOX';
}

export function fileintoAction(mailbox: string, o: FileintoOptions, span?: Span): Action {
  if (isInbox(mailbox)) {
    const keep = keepAction(o.flags, span, 'fileinto');
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
      // RFC 5232 §5: "the last flag list value MUST win".
      return fileintoAction(
        mailbox,
        { flags: later.json.flags, copy: o.copy && later.json.copy, create: o.create || later.json.create },
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
        const invalid = arg?.kind === 'string' && v.isConstant(arg) ? invalidFolderName(v.value(arg)) : null;
        if (invalid !== null) v.error('fileinto.invalid-mailbox', `fileinto: ${invalid}`, arg!.span);
        validateMailboxSelectors(v, cmd.tags);
      },
      compile(cc, cmd) {
        const mailbox = cc.string(cmd.positional[0]!);
        const copy = cmd.tags.has('copy');
        const create = cmd.tags.has('create');
        const span = cmd.node.span;
        const selectors = mailboxSelectors(cmd.tags, (a) => cc.string(a));
        const actionFlags = compileActionFlags(cc, cmd.tags);
        return (ctx) => {
          let name = evaluate(mailbox, ctx);
          if (name === '') throw new SieveRuntimeError('fileinto: the mailbox name is empty', span);
          const invalid = invalidFolderName(name);
          if (invalid !== null) throw new SieveRuntimeError(`fileinto: ${invalid}`, span);
          if (selectors.length > 0) name = selectMailbox(ctx, selectors, name, span);
          const flags = actionFlags(ctx);
          ctx.result.add(fileintoAction(name, { flags, copy, create }, span), span);
          return false;
        };
      },
    });
  },
};
