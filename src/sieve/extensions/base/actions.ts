// The actions of RFC 5228 §4: keep, discard, redirect; fileinto reuses keep for INBOX.
import type { Span } from '../../diagnostics.js';
import type { TagUse } from '../../registry.js';
import type { Action, CompileContext, ExecutionContext } from '../../runtime.js';

/**
 * The `data` of a `:flags` tag on keep and fileinto (imap4flags, RFC 5232 §5): the flags the
 * message is stored with, instead of those of the internal variable.
 */
export interface FlagsTag {
  compileFlags(cc: CompileContext, use: TagUse): (ctx: ExecutionContext) => string[];
}

/** The flags a keep or fileinto stores the message with: its `:flags` tag's, else the implicit keep's. */
export function compileActionFlags(
  cc: CompileContext,
  tags: ReadonlyMap<string, TagUse>,
): (ctx: ExecutionContext) => string[] {
  for (const use of tags.values()) {
    const d = use.spec.data;
    if (typeof d === 'object' && d !== null && 'compileFlags' in d) {
      return (d as FlagsTag).compileFlags(cc, use);
    }
  }
  return (ctx) => ctx.result.implicitKeepFlags();
}

/**
 * keep (and fileinto "INBOX", whose `command` is "fileinto"): one per result. RFC 5232 §5: of
 * duplicates, "the last flag list value MUST win"; with a keep command among them, the action
 * is the keep command's.
 */
export function keepAction(flags: string[], span?: Span, command?: 'fileinto'): Action {
  const self: Action = {
    json: { type: 'keep', flags: [...flags].sort() },
    cancelsImplicitKeep: true,
    delivers: true,
    key: 'keep',
    span,
    ...(command ? { command } : {}),
    merge(later) {
      if (later.json.type !== 'keep') return self;
      return keepAction(later.json.flags, span, later.command === command ? command : undefined);
    },
  };
  return self;
}

export const discardAction: Action = {
  json: { type: 'discard' },
  cancelsImplicitKeep: true,
  delivers: false,
  key: 'discard',
};

/**
 * The `data` of a tag that makes redirect's argument name several addresses instead of one
 * (extlists :list, RFC 6134 §2.5). The argument is then not checked as an address.
 */
export interface RedirectExpansion {
  /** The addresses, already valid, that `name` stands for; a SieveRuntimeError when there are none to be had. */
  expandRedirect(ctx: ExecutionContext, name: string, span: Span): readonly string[];
}

/** The expansion one of a redirect's tags asks for, if any. */
export function redirectExpansion(tags: ReadonlyMap<string, TagUse>): RedirectExpansion | null {
  for (const use of tags.values()) {
    const d = use.spec.data;
    if (typeof d === 'object' && d !== null && 'expandRedirect' in d) return d as RedirectExpansion;
  }
  return null;
}

/** RFC 5228 §2.10.3: redirecting twice to the same address sends one message. */
export function redirectKey(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0
    ? `redirect:${address}`
    : `redirect:${address.slice(0, at)}@${address.slice(at + 1).toLowerCase()}`;
}

export function redirectAction(address: string, copy: boolean, span?: Span): Action {
  const self: Action = {
    json: { type: 'redirect', address, copy },
    cancelsImplicitKeep: !copy,
    delivers: true,
    key: redirectKey(address),
    isRedirect: true,
    span,
    merge(later) {
      // A plain redirect after a :copy one makes the merged action a plain redirect.
      const laterCopy = later.json.type === 'redirect' && later.json.copy;
      return copy && !laterCopy ? redirectAction(address, false, span) : self;
    },
  };
  return self;
}
