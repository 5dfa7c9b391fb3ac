// RFC 8580: "fcc" — `:fcc <mailbox>` on vacation (RFC 5230) and notify (RFC 5435): a copy of the
// message those commands send is filed into a mailbox. With it come :create (mailbox), :flags
// (imap4flags), :specialuse (special-use, RFC 8579) and :mailboxid (RFC 9042 §4.3).
//
// vacation and notify belong to their own extensions: every companion tag carries an fcc option
// (an ActionOption, registry.ts; FCC_OPTION, or fccSelector's for :specialuse and :mailboxid),
// whose validate and compile those commands run generically; what it gives at run time goes
// under "fcc" in their action's JSON.
import type { Argument } from '../../ast.js';
import type { ActionOption, ExtensionDefinition, TagUse, ValidatedCommand } from '../../registry.js';
import { evaluate, type CompileContext, type ExecutionContext } from '../../runtime.js';
import type { ValidationContext } from '../../validator.js';
import {
  mailboxSelectors,
  selectMailbox,
  validateMailboxSelectors,
  type MailboxSelector,
  type SelectorOf,
} from '../fileinto/index.js';
import { checkFlags, normalizeFlags } from '../imap4flags/index.js';

/** The commands that accept :fcc. */
export const FCC_TARGETS = ['vacation', 'notify'] as const;

declare module '../../runtime.js' {
  interface ActionOptionFields {
    /** RFC 8580: where vacation or notify files a copy of the message it sends. */
    fcc: FccJson;
  }
}

/** What a vacation or notify action carries when it has :fcc (the "fcc" field of its JSON). */
export interface FccJson {
  /** The mailbox to file the copy into, after :mailboxid and :specialuse were looked up. */
  mailbox: string;
  /** RFC 8580 §3 with RFC 5490: create the mailbox when it does not exist. */
  create: boolean;
  /** RFC 8580 §3 with RFC 5232: flags for the filed copy, normalised (unique, sorted). */
  flags: string[];
  /** The special-use attribute asked for (RFC 8579), to assign when the mailbox is created. */
  specialuse?: string;
  /** The mailbox id asked for (RFC 9042). */
  mailboxid?: string;
}

/** Tags that only mean something together with :fcc (RFC 8580 §3). */
const FCC_COMPANIONS = ['create', 'flags', 'specialuse', 'mailboxid'];

/** The mailbox selector a tag of vacation or notify carries (:specialuse, :mailboxid), if any. */
const selectorOf: SelectorOf = (data) => (isFccOption(data) ? (data.selector ?? null) : null);

/**
 * Compile-time checks for a vacation or notify command: the companions of :fcc need :fcc,
 * :flags needs imap4flags, the mailbox must not be empty, special-use flags must be valid (with
 * :fcc or without), flags that will be ignored are warned about.
 */
export function validateFcc(v: ValidationContext, cmd: ValidatedCommand): void {
  const fcc = cmd.tags.get('fcc');
  for (const name of FCC_COMPANIONS) {
    const use = cmd.tags.get(name);
    if (!use) continue;
    if (!fcc) {
      v.error(
        'fcc.missing',
        `${cmd.spec.name}: :${name} can only be used together with :fcc (RFC 8580 §3)`,
        use.tag.span,
      );
    }
    if (name === 'flags' && !v.requires('imap4flags')) {
      v.error(
        'require.missing',
        `${cmd.spec.name}: :flags with :fcc requires the "imap4flags" extension: add require "imap4flags"`,
        use.tag.span,
      );
    }
  }
  const arg = fcc?.value;
  if (arg?.kind === 'string' && v.isConstant(arg) && v.value(arg) === '') {
    v.error(
      'fcc.empty-mailbox',
      `${cmd.spec.name}: :fcc needs a mailbox name, not an empty string`,
      arg.span,
    );
  }
  validateMailboxSelectors(v, cmd.tags, selectorOf);
  // RFC 5232 §3 (RFC 8580 §3 takes its flags): an invalid flag is ignored, as on fileinto.
  checkFlags(v, cmd.tags.get('flags')?.value);
}

function stringValue(use: TagUse | undefined): Argument | undefined {
  return use?.value;
}

/**
 * Compiles the :fcc arguments of a vacation or notify command; null when it has no :fcc. The
 * function returned gives the "fcc" field of the action at run time.
 */
export function fccOptions(
  cc: CompileContext,
  cmd: ValidatedCommand,
): ((ctx: ExecutionContext) => FccJson) | null {
  const fcc = stringValue(cmd.tags.get('fcc'));
  if (!fcc) return null;
  const mailbox = cc.string(fcc);
  const create = cmd.tags.has('create');
  const flagsArg = stringValue(cmd.tags.get('flags'));
  const flags = flagsArg ? cc.stringList(flagsArg) : [];
  const specialuseArg = stringValue(cmd.tags.get('specialuse'));
  const specialuse = specialuseArg ? cc.string(specialuseArg) : null;
  const mailboxidArg = stringValue(cmd.tags.get('mailboxid'));
  const mailboxid = mailboxidArg ? cc.string(mailboxidArg) : null;
  const selectors = mailboxSelectors(cmd.tags, (a) => cc.string(a), selectorOf);
  const span = cmd.node.span;
  return (ctx) => {
    const named = evaluate(mailbox, ctx);
    const out: FccJson = {
      mailbox: selectMailbox(ctx, selectors, named, span),
      create,
      flags: normalizeFlags(flags.map((f) => evaluate(f, ctx))).sort(),
    };
    if (specialuse) out.specialuse = evaluate(specialuse, ctx);
    if (mailboxid) out.mailboxid = evaluate(mailboxid, ctx);
    return out;
  };
}

/** The data of :fcc's tags on vacation and notify; a selector tag's carries its selector too. */
interface FccOption extends ActionOption {
  readonly selector?: MailboxSelector;
}

function isFccOption(data: unknown): data is FccOption {
  return typeof data === 'object' && data !== null && (data as { field?: unknown }).field === 'fcc';
}

/**
 * An fcc option. A command's tags may carry several (FCC_OPTION and one per selector tag); all
 * fill the "fcc" field, so the command applies one of them (actionOptions, registry.ts): it checks
 * and compiles the whole of :fcc and its companions, and each mistake is reported once.
 */
function fccOption(selector?: MailboxSelector): FccOption {
  return { field: 'fcc', ...(selector ? { selector } : {}), validate: validateFcc, compile: fccOptions };
}

/** What :fcc, :flags and :create tell vacation and notify (RFC 8580 §4, §5). */
export const FCC_OPTION: ActionOption = fccOption();

/**
 * The data of a tag that selects :fcc's mailbox on vacation and notify (RFC 8579 :specialuse,
 * RFC 9042 §4.3 :mailboxid): without :fcc it is an error like :create's (RFC 8580 §3).
 */
export function fccSelector(selector: MailboxSelector): ActionOption {
  return fccOption(selector);
}

export const fcc: ExtensionDefinition = {
  name: 'fcc',
  setup(r) {
    r.tag(FCC_TARGETS, { name: 'fcc', value: { name: 'mailbox', type: 'string' }, data: FCC_OPTION });
    // RFC 8580 §3: ":flags" <list-of-flags> with :fcc, when imap4flags is required (checked by
    // validateFcc; the tag is declared here because imap4flags puts :flags on keep and fileinto only).
    r.tag(FCC_TARGETS, {
      name: 'flags',
      value: { name: 'list of flags', type: 'string-list' },
      data: FCC_OPTION,
    });
  },
};
