// RFC 5233: the address parts :user and :detail, for the address and envelope tests (and any
// other test that accepts address parts).
import type { MailAddress } from '../../message/types.js';
import type { ExtensionDefinition } from '../../registry.js';
import type { ExecutionContext } from '../../runtime.js';

/** The separator when the host names none (RFC 5233 §1: "typically '+'"). */
export const DEFAULT_SEPARATORS: readonly string[] = ['+'];

export interface Subaddress {
  readonly user: string;
  /** Null when the local part has no separator; "" when nothing follows it (RFC 5233 §4). */
  readonly detail: string | null;
}

/**
 * Splits a local part at the first occurrence of any separator (Postfix's and Dovecot's
 * recipient_delimiter behave the same way: "a+b+c" is user "a", detail "b+c"). When two
 * separators start at the same place, the longer one is taken. Empty separators are ignored.
 */
export function splitSubaddress(localPart: string, separators: readonly string[]): Subaddress {
  let at = -1;
  let length = 0;
  for (const s of separators) {
    if (s === '') continue;
    const i = localPart.indexOf(s);
    if (i < 0) continue;
    if (at < 0 || i < at || (i === at && s.length > length)) {
      at = i;
      length = s.length;
    }
  }
  if (at < 0) return { user: localPart, detail: null };
  return { user: localPart.slice(0, at), detail: localPart.slice(at + length) };
}

/**
 * The separators for a run: host.subaddressSeparators, or "+" when the host gives none (or an
 * empty list). `ctx` is absent when the caller of an address part passes no context.
 */
function separators(ctx: ExecutionContext | undefined): readonly string[] {
  const s = ctx?.host.subaddressSeparators;
  return s && s.length > 0 ? s : DEFAULT_SEPARATORS;
}

export const subaddress: ExtensionDefinition = {
  name: 'subaddress',
  setup(r) {
    // RFC 5233 §4: ":user" is the part left of the separator, the whole local part without one.
    r.addressPart({
      name: 'user',
      extract: (a: MailAddress, ctx?: ExecutionContext) => splitSubaddress(a.localPart, separators(ctx)).user,
    });
    // RFC 5233 §4: without a detail sub-part "the address fails to match any of the specified
    // keys" (null: not even :matches "*"); a zero-length detail is "".
    r.addressPart({
      name: 'detail',
      extract: (a: MailAddress, ctx?: ExecutionContext) =>
        splitSubaddress(a.localPart, separators(ctx)).detail,
    });
  },
};
