import { decodeEncodedWords } from './encoded-words.js';
import type { MailAddress } from './types.js';

/*
 * RFC 5322 §3.4 address lists, read the way Sieve's address test (RFC 5228 §5.1) needs them.
 *
 * How invalid input is handled follows Pigeonhole (checked with sieve-test 0.5.19), which reads
 * the list from the left and stops at the first syntax error:
 * - addresses read before a syntax error are kept, the rest is dropped
 *   (`a@b junk`, `a@b c@d`, `x:a@b;junk` all give a@b);
 * - a mailbox without a domain (`root`, `<>`, `Joe <a>`) is skipped (`a@b, root` gives a@b);
 * - when that leaves no address at all, the value is not an address list (null), and the address
 *   test compares the whole value for `:all` (`root`, `a b@c`, `Joe <a@b`, `a@b (x`, `a@b.`).
 *
 * Deliberate deviations from Pigeonhole:
 * - an empty value, and a value holding only empty groups (`undisclosed-recipients:;`), give an
 *   empty list: RFC 5322 §3.4 allows an empty group, it names no address. Pigeonhole treats both
 *   as unparsable, so `address :all :contains "to" "undisclosed"` matches there and not here;
 * - UTF-8 in local parts and domains is accepted (RFC 6532 §3.2: `jöe@bücher.de`);
 * - CFWS around the dots of a local part or domain is accepted (RFC 5322 §4.4 obs-local-part,
 *   obs-domain: `a . b @ c`), which Pigeonhole rejects.
 */

const TAB = 0x09;
const SPACE = 0x20;
const QUOTE = 0x22;
const L_PAREN = 0x28;
const R_PAREN = 0x29;
const COMMA = 0x2c;
const DOT = 0x2e;
const COLON = 0x3a;
const SEMICOLON = 0x3b;
const LT = 0x3c;
const GT = 0x3e;
const AT = 0x40;
const L_BRACKET = 0x5b;
const BACKSLASH = 0x5c;
const R_BRACKET = 0x5d;

/** 1 for RFC 5322 §3.2.3 atext in US-ASCII; every non-ASCII character is atext too (RFC 6532 §3.2). */
const ATEXT = new Uint8Array(128);
for (const c of "!#$%&'*+-/=?^_`{|}~") ATEXT[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) ATEXT[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) ATEXT[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) ATEXT[c] = 1;

function isAtext(c: number): boolean {
  return c >= 0x80 ? true : ATEXT[c] === 1;
}

/**
 * Thrown inside the parser to stop at the first syntax error; never escapes parseAddressList.
 * One shared instance, so a syntax error costs no stack capture.
 */
class SyntaxStop extends Error {}
const STOP = new SyntaxStop('address syntax error');

/** A word of a phrase or local part: an atom, a quoted string's content, or an obs-phrase dot. */
interface Word {
  kind: 'atom' | 'quoted' | 'dot';
  text: string;
  /** White space or a comment came before it. */
  spaced: boolean;
}

/**
 * Parses an unfolded address header value. Returns the mailboxes (group members included, in
 * order), an empty list when the value names none, or null when it is not an address list.
 * Never throws.
 */
export function parseAddressList(value: string): MailAddress[] | null {
  const parser = new AddressParser(value);
  try {
    return parser.parse();
  } catch (error) {
    if (error !== STOP) return null;
    return parser.found.length > 0 ? parser.found : null;
  }
}

class AddressParser {
  readonly found: MailAddress[] = [];
  private pos = 0;
  /** A mailbox without a usable address was skipped (see the file comment). */
  private skipped = false;

  constructor(private readonly s: string) {}

  parse(): MailAddress[] | null {
    const s = this.s;
    for (;;) {
      this.skipCfws();
      if (this.pos >= s.length) break;
      // RFC 5322 §4.4 obs-addr-list: empty list elements (`, a@b`, `a@b,,c@d`) are allowed.
      if (s.charCodeAt(this.pos) === COMMA) {
        this.pos++;
        continue;
      }
      this.address(false);
      this.skipCfws();
      if (this.pos >= s.length) break;
      if (s.charCodeAt(this.pos) !== COMMA) throw STOP;
      this.pos++;
    }
    if (this.found.length === 0 && this.skipped) return null;
    return this.found;
  }

  /** RFC 5322 §3.4 address = mailbox / group. */
  private address(inGroup: boolean): void {
    const s = this.s;
    const words = this.words();
    this.skipCfws();
    const c = this.pos < s.length ? s.charCodeAt(this.pos) : -1;
    if (c === LT) {
      // name-addr = [display-name] angle-addr; the display name is a phrase of words and
      // (obs-phrase) dots, and may not start with a dot.
      if (words.length > 0 && words[0]!.kind === 'dot') throw STOP;
      this.angleAddr(displayName(words));
    } else if (c === AT) {
      this.pos++;
      const lp = localPart(words);
      this.add(lp, this.domain(), '');
    } else if (c === COLON && !inGroup && words.length > 0) {
      this.pos++;
      this.groupList();
    } else if (words.length > 0 && (c === -1 || c === COMMA || (inGroup && c === SEMICOLON))) {
      // A bare local part (`root`): a mailbox without a domain, skipped like Pigeonhole does. It
      // must still be a local part: `Joe Smith` is a phrase without an address, a syntax error.
      localPart(words);
      this.skipped = true;
    } else {
      throw STOP;
    }
  }

  /** RFC 5322 §3.4 group: the display name and colon are read; members up to `;`. */
  private groupList(): void {
    const s = this.s;
    for (;;) {
      this.skipCfws();
      // A group left open at the end of the value is accepted, as Pigeonhole does.
      if (this.pos >= s.length) return;
      const c = s.charCodeAt(this.pos);
      if (c === SEMICOLON) {
        this.pos++;
        return;
      }
      if (c === COMMA) {
        this.pos++;
        continue;
      }
      this.address(true);
      this.skipCfws();
      if (this.pos < s.length && s.charCodeAt(this.pos) === COMMA) this.pos++;
      else if (this.pos < s.length && s.charCodeAt(this.pos) !== SEMICOLON) throw STOP;
    }
  }

  /** RFC 5322 §3.4 angle-addr, with §4.4 obs-route (`<@relay1,@relay2:a@b>`); `<` is current. */
  private angleAddr(name: string): void {
    const s = this.s;
    this.pos++;
    this.skipCfws();
    if (this.pos < s.length && s.charCodeAt(this.pos) === AT) this.obsRoute();
    const words = this.words();
    this.skipCfws();
    const c = this.pos < s.length ? s.charCodeAt(this.pos) : -1;
    if (c === AT) {
      this.pos++;
      const lp = localPart(words);
      const domain = this.domain();
      this.skipCfws();
      if (this.pos >= s.length || s.charCodeAt(this.pos) !== GT) throw STOP;
      this.pos++;
      this.add(lp, domain, name);
    } else if (c === GT) {
      // `<>` (the null reverse-path) or `<local>`: no domain, skipped.
      if (words.length > 0) localPart(words);
      this.pos++;
      this.skipped = true;
    } else {
      throw STOP;
    }
  }

  /**
   * obs-route = obs-domain-list ":"; the routing information is ignored (RFC 5322 §4.4). Like
   * Pigeonhole, a list that runs into the address without the colon (`<@r1,a@b>`) is accepted.
   */
  private obsRoute(): void {
    const s = this.s;
    for (;;) {
      this.skipCfws();
      if (this.pos >= s.length) throw STOP;
      const c = s.charCodeAt(this.pos);
      if (c === AT) {
        this.pos++;
        this.domain();
      } else if (c === COMMA) {
        this.pos++;
      } else if (c === COLON) {
        this.pos++;
        return;
      } else {
        return;
      }
    }
  }

  private add(localPartText: string, domain: string, name: string): void {
    // Pigeonhole yields an empty address for `""@b`, which no key matches: the same as none.
    if (localPartText === '') return;
    const local = needsQuoting(localPartText) ? quote(localPartText) : localPartText;
    this.found.push({ localPart: localPartText, domain, address: `${local}@${domain}`, name });
  }

  /**
   * RFC 5322 §3.4.1 domain = dot-atom / domain-literal / obs-domain, read after the `@`. The
   * domain is returned as written, without CFWS; a domain literal keeps its brackets.
   */
  private domain(): string {
    const s = this.s;
    this.skipCfws();
    if (this.pos < s.length && s.charCodeAt(this.pos) === L_BRACKET) return this.domainLiteral();
    let domain = this.atom();
    for (;;) {
      const save = this.pos;
      this.skipCfws();
      if (this.pos >= s.length || s.charCodeAt(this.pos) !== DOT) {
        this.pos = save;
        return domain;
      }
      this.pos++;
      this.skipCfws();
      domain += '.' + this.atom(); // `a@b.` and `a@b..c` are syntax errors, as in Pigeonhole
    }
  }

  private atom(): string {
    const s = this.s;
    const start = this.pos;
    while (this.pos < s.length && isAtext(s.charCodeAt(this.pos))) this.pos++;
    if (this.pos === start) throw STOP;
    return s.slice(start, this.pos);
  }

  /** RFC 5322 §3.4.1 domain-literal, kept as written (`[1.2.3.4]`). */
  private domainLiteral(): string {
    const s = this.s;
    const start = this.pos;
    this.pos++;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c === BACKSLASH) this.pos += 2;
      else if (c === R_BRACKET) {
        this.pos++;
        return s.slice(start, this.pos);
      } else if (c === L_BRACKET) throw STOP;
      else this.pos++;
    }
    throw STOP;
  }

  /** Atoms, quoted strings and dots up to the next other special, with the CFWS between them. */
  private words(): Word[] {
    const s = this.s;
    const words: Word[] = [];
    for (;;) {
      const before = this.pos;
      this.skipCfws();
      const spaced = this.pos > before;
      if (this.pos >= s.length) return words;
      const c = s.charCodeAt(this.pos);
      if (c === QUOTE) {
        words.push({ kind: 'quoted', text: this.quotedString(), spaced });
      } else if (c === DOT) {
        this.pos++;
        words.push({ kind: 'dot', text: '.', spaced });
      } else if (isAtext(c)) {
        words.push({ kind: 'atom', text: this.atom(), spaced });
      } else {
        this.pos = before;
        return words;
      }
    }
  }

  /** RFC 5322 §3.2.4 quoted-string; returns the content with quoted-pairs resolved. */
  private quotedString(): string {
    const s = this.s;
    this.pos++;
    let text = '';
    let chunk = this.pos;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c === QUOTE) {
        text += s.slice(chunk, this.pos);
        this.pos++;
        return text;
      }
      if (c === BACKSLASH) {
        text += s.slice(chunk, this.pos);
        this.pos++;
        chunk = this.pos; // the escaped character starts the next chunk
        if (this.pos < s.length) this.pos++;
        continue;
      }
      this.pos++;
    }
    throw STOP; // unbalanced quote
  }

  /** Skips white space and RFC 5322 §3.2.2 comments, which nest and may hold quoted-pairs. */
  private skipCfws(): void {
    const s = this.s;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c === SPACE || c === TAB || c === 0x0d || c === 0x0a) {
        this.pos++;
      } else if (c === L_PAREN) {
        let depth = 1;
        this.pos++;
        while (depth > 0) {
          if (this.pos >= s.length) throw STOP; // unbalanced comment
          const d = s.charCodeAt(this.pos++);
          if (d === BACKSLASH) this.pos++;
          else if (d === L_PAREN) depth++;
          else if (d === R_PAREN) depth--;
        }
      } else {
        return;
      }
    }
  }
}

/**
 * The local part from its words: RFC 5322 §4.4 obs-local-part = word *("." word). Like Pigeonhole,
 * stray dots are tolerated (`.a@b`, `a..b@c`, `a.@b`), two words without a dot between them are
 * not (`a b@c`, `a"b"@c`).
 */
function localPart(words: readonly Word[]): string {
  if (words.length === 0) throw STOP;
  let text = '';
  let lastWasWord = false;
  for (const word of words) {
    if (word.kind === 'dot') {
      lastWasWord = false;
    } else {
      if (lastWasWord) throw STOP;
      lastWasWord = true;
    }
    text += word.text;
  }
  return text;
}

/**
 * RFC 5322 §3.2.5 phrase (with obs-phrase dots), words separated by one space where the source
 * had white space, then RFC 2047 decoded. Encoded words are decoded inside quoted strings too
 * (RFC 2047 §5 forbids them there, but mailers write them and readers decode them).
 */
function displayName(words: readonly Word[]): string {
  let name = '';
  for (const word of words) {
    if (name !== '' && word.spaced) name += ' ';
    name += word.text;
  }
  return name.includes('=?') ? decodeEncodedWords(name) : name;
}

/** RFC 5322 §3.2.3: a local part that is not a dot-atom must be written as a quoted string. */
function needsQuoting(local: string): boolean {
  let atomStart = true;
  for (let i = 0; i < local.length; i++) {
    const c = local.charCodeAt(i);
    if (c === DOT) {
      if (atomStart) return true;
      atomStart = true;
    } else if (isAtext(c)) {
      atomStart = false;
    } else {
      return true;
    }
  }
  return atomStart;
}

function quote(local: string): string {
  return `"${local.replace(/["\\]/g, '\\$&')}"`;
}
