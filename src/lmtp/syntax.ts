import { isIPv4, isIPv6 } from 'node:net';
import type { LmtpReply } from './options.js';

/**
 * MAIL FROM / RCPT TO arguments: the path (RFC 5321 §4.1.2, with RFC 6531's UTF-8 in local parts
 * and domains) and the ESMTP parameters (§4.1.1.11).
 */

export interface ParsedPath {
  /** Without brackets or source route; '' for `<>`. A quoted local part that needs no quotes loses them. */
  address: string;
  params: Record<string, string>;
  /** The address or a parameter has octets past ASCII (allowed only with SMTPUTF8, RFC 6531 §3.4). */
  utf8: boolean;
}

const reply = (code: number, enhanced: string, text: string): LmtpReply => ({ code, enhanced, text });

/** RFC 5322 atext, and RFC 6531 §3.3 UTF8-non-ascii (here already decoded to characters). */
const ATOM = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\u{10ffff}]+$/u;
/** A sub-domain (RFC 5321 Let-dig [Ldh-str]) or an RFC 6531 U-label. */
const LABEL =
  /^[A-Za-z0-9\u0080-\u{10ffff}](?:[A-Za-z0-9\-\u0080-\u{10ffff}]*[A-Za-z0-9\u0080-\u{10ffff}])?$/u;
/** RFC 5321 §4.1.2 esmtp-keyword. */
const KEYWORD = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
/** esmtp-value: %d33-60 / %d62-126, and UTF-8 with SMTPUTF8 (RFC 6531 §3.3). */
const VALUE = /^[\x21-\x3c\x3e-\x7e\u0080-\u{10ffff}]+$/u;
/** RFC 3461 §4 xtext. */
const XTEXT = /^(?:[\x21-\x2a\x2c-\x3c\x3e-\x7e]|\+[0-9A-F]{2})*$/;
/** RFC 5321 §4.1.3 dcontent, the inside of a general address literal. */
const DCONTENT = /^[\x21-\x5a\x5e-\x7e]+$/;

function isDomain(d: string): boolean {
  if (d.startsWith('[')) {
    if (!d.endsWith(']')) return false;
    const inner = d.slice(1, -1);
    if (/^IPv6:/i.test(inner)) return isIPv6(inner.slice(5));
    if (/^[\d.]+$/.test(inner)) return isIPv4(inner);
    // General-address-literal: Standardized-tag ":" 1*dcontent.
    const colon = inner.indexOf(':');
    return colon > 0 && KEYWORD.test(inner.slice(0, colon)) && DCONTENT.test(inner.slice(colon + 1));
  }
  return d.length > 0 && d.split('.').every((l) => LABEL.test(l));
}

const isDotString = (s: string): boolean => s.split('.').every((a) => ATOM.test(a));

/**
 * Parses `<path> [params]` after `FROM:` or `TO:`. `nullPath` allows `<>` (MAIL), `postmaster`
 * allows `<postmaster>` without a domain (RCPT, RFC 5321 §4.1.1.3). Source routes
 * (`<@a,@b:user@c>`) are accepted and dropped (§4.1.2, appendix C). Errors come as the reply.
 */
export function parsePath(
  text: string,
  o: { nullPath: boolean; postmaster: boolean; badAddress: string },
): ParsedPath | LmtpReply {
  const badAddress = reply(501, o.badAddress, 'Bad address syntax');
  if (!text.startsWith('<')) return reply(501, '5.5.4', 'Syntax: the address must be in angle brackets');
  let i = 1;
  let address: string;
  if (text[i] === '>') {
    if (!o.nullPath) return badAddress;
    address = '';
    i++;
  } else {
    if (text[i] === '@') {
      const colon = text.indexOf(':', i);
      if (colon < 0) return badAddress;
      const route = text.slice(i, colon).split(',');
      if (!route.every((r) => r.startsWith('@') && isDomain(r.slice(1)))) return badAddress;
      i = colon + 1;
    }
    let local: string;
    if (text[i] === '"') {
      // RFC 5321 §4.1.2 Quoted-string: qtextSMTP and quoted-pairSMTP (backslash, then %d32-126).
      let j = i + 1;
      let content = '';
      for (;;) {
        const c = text[j];
        if (c === undefined) return badAddress;
        if (c === '"') break;
        if (c === '\\') {
          const n = text[j + 1];
          if (n === undefined || n < ' ' || n > '~') return badAddress;
          content += n;
          j += 2;
          continue;
        }
        if (c < ' ' || c === '\x7f') return badAddress;
        content += c;
        j++;
      }
      local = isDotString(content) ? content : text.slice(i, j + 1);
      i = j + 1;
    } else {
      const end = text.slice(i).search(/[@>]/);
      if (end <= 0) return badAddress;
      local = text.slice(i, i + end);
      if (!isDotString(local)) return badAddress;
      i += end;
    }
    if (text[i] === '>' && o.postmaster && local.toLowerCase() === 'postmaster') {
      address = local;
      i++;
    } else {
      if (text[i] !== '@') return badAddress;
      const close = text.indexOf('>', i);
      if (close < 0) return badAddress;
      const domain = text.slice(i + 1, close);
      if (!isDomain(domain)) return badAddress;
      address = `${local}@${domain}`;
      i = close + 1;
    }
  }
  const rest = text.slice(i);
  if (rest !== '' && !rest.startsWith(' '))
    return reply(501, '5.5.4', 'Syntax: a space must follow the address');
  const params: Record<string, string> = {};
  let utf8 = /[\u0080-\uffff]/.test(address);
  for (const p of rest.split(' ')) {
    if (p === '') continue;
    const eq = p.indexOf('=');
    const name = (eq < 0 ? p : p.slice(0, eq)).toUpperCase();
    const value = eq < 0 ? '' : p.slice(eq + 1);
    if (!KEYWORD.test(name) || (eq >= 0 && !VALUE.test(value)))
      return reply(501, '5.5.4', `Syntax error in parameter ${JSON.stringify(p)}`);
    if (Object.hasOwn(params, name)) return reply(501, '5.5.4', `Parameter ${name} given twice`);
    if (/[\u0080-\uffff]/.test(value)) utf8 = true;
    params[name] = value;
  }
  return { address, params, utf8 };
}

export const isReply = (r: ParsedPath | LmtpReply): r is LmtpReply => 'code' in r;

/**
 * Checks MAIL FROM parameters: the ones we know (RFC 1870 SIZE, RFC 6152 BODY, RFC 6531
 * SMTPUTF8, RFC 3461 RET and ENVID, RFC 4954 AUTH) and their values. Others: 555 5.5.4.
 */
export function checkMailParams(params: Record<string, string>, maxSize: number): LmtpReply | undefined {
  for (const [name, value] of Object.entries(params)) {
    switch (name) {
      case 'SIZE':
        if (!/^\d{1,20}$/.test(value)) return reply(501, '5.5.4', 'SIZE needs a number of octets');
        // RFC 1870 §6.1: a declared size over the fixed maximum is refused at MAIL.
        if (Number(value) > maxSize)
          return reply(552, '5.3.4', `Message size exceeds fixed maximum message size (${maxSize})`);
        break;
      case 'BODY': {
        const v = value.toUpperCase();
        // RFC 3030 §3: BINARYMIME needs CHUNKING and a store for binary bodies; not offered.
        if (v === 'BINARYMIME') return reply(555, '5.5.4', 'BODY=BINARYMIME is not supported');
        if (v !== '7BIT' && v !== '8BITMIME') return reply(501, '5.5.4', 'BODY must be 7BIT or 8BITMIME');
        break;
      }
      case 'SMTPUTF8':
        if (value !== '') return reply(501, '5.5.4', 'SMTPUTF8 takes no value');
        break;
      case 'RET':
        if (!/^(FULL|HDRS)$/i.test(value)) return reply(501, '5.5.4', 'RET must be FULL or HDRS');
        break;
      case 'ENVID':
        if (value === '' || value.length > 100 || !XTEXT.test(value))
          return reply(501, '5.5.4', 'ENVID must be xtext of at most 100 characters');
        break;
      case 'AUTH':
        if (value === '' || (value !== '<>' && !XTEXT.test(value)))
          return reply(501, '5.5.4', 'AUTH must be xtext or <>');
        break;
      default:
        return reply(555, '5.5.4', `Unsupported parameter ${name}`);
    }
  }
  return undefined;
}

/** RCPT TO parameters: RFC 3461 NOTIFY and ORCPT. Others: 555 5.5.4. */
export function checkRcptParams(params: Record<string, string>): LmtpReply | undefined {
  for (const [name, value] of Object.entries(params)) {
    switch (name) {
      case 'NOTIFY': {
        const v = value.toUpperCase().split(',');
        const ok =
          (v.length === 1 && v[0] === 'NEVER') ||
          (v.length > 0 &&
            new Set(v).size === v.length &&
            v.every((x) => /^(SUCCESS|FAILURE|DELAY)$/.test(x)));
        if (!ok) return reply(501, '5.5.4', 'NOTIFY must be NEVER or a list of SUCCESS, FAILURE, DELAY');
        break;
      }
      case 'ORCPT':
        // RFC 3461 §4.2 addr-type ";" xtext (RFC 6533 utf-8-addr-xtext is xtext too).
        if (!/^[A-Za-z0-9][A-Za-z0-9-]*;/.test(value) || !XTEXT.test(value.slice(value.indexOf(';') + 1)))
          return reply(501, '5.5.4', 'ORCPT must be addr-type;xtext');
        break;
      default:
        return reply(555, '5.5.4', `Unsupported parameter ${name}`);
    }
  }
  return undefined;
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * A command line (octets as a binary string) as text: UTF-8 decoded, or undefined when it is
 * not valid UTF-8.
 */
export function decodeUtf8(line: string): string | undefined {
  if (!/[\u0080-\uffff]/.test(line)) return line;
  try {
    return utf8Decoder.decode(Buffer.from(line, 'latin1'));
  } catch {
    return undefined;
  }
}
