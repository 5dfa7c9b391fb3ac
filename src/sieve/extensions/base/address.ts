// Address syntax checks for constant arguments (redirect, RFC 5228 §4.2) and the address
// parts of RFC 5228 §2.7.4.
import type { AddressPartSpec } from '../../registry.js';

const ATEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uffff-]+$/;

function isDotAtom(s: string): boolean {
  return s.length > 0 && s.split('.').every((p) => ATEXT.test(p));
}

function isQuotedString(s: string): boolean {
  return /^"(?:[^"\\\r\n]|\\.)*"$/.test(s);
}

/**
 * Checks an RFC 5322 addr-spec, optionally inside a name-addr ("Name <a@b>"); returns the
 * addr-spec in its plain form or an error message. White space around the local part and the
 * domain is folding white space (RFC 5322 §3.4.1: dot-atom = [CFWS] dot-atom-text [CFWS]) and is
 * left out; a quoted local part that would be a dot-atom without its quotes loses them (§3.2.4:
 * a quoted-string "is identical to atom, semantically").
 */
export function parseMailbox(input: string): { address: string } | { error: string } {
  let s = input.trim();
  const lt = s.lastIndexOf('<');
  if (lt >= 0 && s.endsWith('>')) s = s.slice(lt + 1, -1).trim();
  const at = s.lastIndexOf('@');
  if (at < 0) return { error: `missing "@" and domain in "${input}"` };
  let local = s.slice(0, at).replace(/[ \t]+$/, '');
  const domain = s.slice(at + 1).replace(/^[ \t]+/, '');
  if (!local) return { error: `missing local part before "@" in "${input}"` };
  if (isQuotedString(local)) {
    const content = local.slice(1, -1).replace(/\\(.)/g, '$1');
    if (isDotAtom(content)) local = content;
  } else if (!isDotAtom(local)) {
    return { error: `invalid local part "${local}"` };
  }
  if (!domain) return { error: `missing domain after "@" in "${input}"` };
  if (!isDotAtom(domain) && !/^\[[^[\]\\]*\]$/.test(domain)) return { error: `invalid domain "${domain}"` };
  return { address: `${local}@${domain}` };
}

export const addressParts: AddressPartSpec[] = [
  { name: 'all', extract: (a) => a.address },
  { name: 'localpart', extract: (a) => a.localPart },
  { name: 'domain', extract: (a) => a.domain },
];
