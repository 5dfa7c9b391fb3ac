import { ProtocolError, type LineReader } from './line-reader.js';

/**
 * The string syntax IMAP (RFC 9051 §4.3) and ManageSieve (RFC 5804 §1.3, §4) share: atoms,
 * quoted strings with `\"` and `\\` escapes, literals `{n}` (synchronizing) and `{n+}`
 * (RFC 7888 LITERAL+), parenthesized lists and NIL. Values are binary strings (latin1).
 */
export type Token =
  | { kind: 'atom'; value: string }
  | { kind: 'string'; value: string; literal: boolean }
  | { kind: 'list'; items: Token[] };

export interface CommandLimits {
  /** Largest literal accepted, in bytes. */
  maxLiteral: number;
  /** Most literals in one command. */
  maxLiterals: number;
}

export const defaultCommandLimits: CommandLimits = { maxLiteral: 65536, maxLiterals: 8 };

type Flat =
  | { kind: 'atom'; value: string }
  | { kind: 'string'; value: string; literal: boolean }
  | { kind: '(' }
  | { kind: ')' };

const literalAtEnd = /\{(\d{1,20})(\+?)\}$/;
/** RFC 9051 §9: `tag = 1*<any ASTRING-CHAR except "+">`: no CTL, SP, ( ) { % * " \ or +. */
const TAG_CHARS = '[^\\x00-\\x20\\x7f-\\xff(){%*"\\\\+]+';
const leadingTag = new RegExp(`^(${TAG_CHARS}) `);
const wholeTag = new RegExp(`^${TAG_CHARS}$`);

/** True when `s` is a valid IMAP command tag (RFC 9051 §9). */
export function isImapTag(s: string): boolean {
  return wholeTag.test(s);
}

/** Tokenizes one line (without its literal marker) into flat tokens. */
function tokenizeLine(line: string, out: Flat[]): void {
  let i = 0;
  const n = line.length;
  while (i < n) {
    const c = line[i];
    if (c === ' ') {
      i++;
    } else if (c === '(') {
      out.push({ kind: '(' });
      i++;
    } else if (c === ')') {
      out.push({ kind: ')' });
      i++;
    } else if (c === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= n) throw new ProtocolError('unterminated quoted string', false);
        const d = line[i];
        if (d === '\\') {
          const e = line[i + 1];
          if (e !== '"' && e !== '\\') throw new ProtocolError('bad escape in quoted string', false);
          value += e;
          i += 2;
        } else if (d === '"') {
          i++;
          break;
        } else {
          value += d;
          i++;
        }
      }
      out.push({ kind: 'string', value, literal: false });
    } else {
      let j = i;
      while (j < n && line[j] !== ' ' && line[j] !== '(' && line[j] !== ')' && line[j] !== '"') j++;
      const atom = line.slice(i, j);
      if (atom.includes('\0')) throw new ProtocolError('NUL in command', false);
      out.push({ kind: 'atom', value: atom });
      i = j;
    }
  }
}

function nest(flat: Flat[]): Token[] {
  const stack: Token[][] = [[]];
  for (const t of flat) {
    const top = stack[stack.length - 1]!;
    if (t.kind === '(') {
      const list: Token = { kind: 'list', items: [] };
      top.push(list);
      stack.push(list.items);
    } else if (t.kind === ')') {
      if (stack.length === 1) throw new ProtocolError('unbalanced parenthesis', false);
      stack.pop();
    } else {
      top.push(t);
    }
  }
  if (stack.length !== 1) throw new ProtocolError('unbalanced parenthesis', false);
  return stack[0]!;
}

export interface ReadCommandHooks {
  /** Called before waiting for a synchronizing literal's bytes: send the continuation. */
  continueLiteral(): void;
}

function refusedLiteral(message: string, sync: boolean): ProtocolError {
  const e = new ProtocolError(message, !sync);
  e.refusedLiteral = true;
  return e;
}

/**
 * Reads one command, following literals onto the next lines. An oversized synchronizing
 * literal is refused before the client sends it (the session answers and carries on); an
 * oversized non-synchronizing literal is fatal since its bytes are already on the way.
 * A ProtocolError raised once the command's first line is in carries the line's tag, if it
 * began with one, so that IMAP can answer with a tagged BAD (RFC 9051 §7.1.3).
 */
export async function readCommand(
  reader: LineReader,
  hooks: ReadCommandHooks,
  limits: CommandLimits = defaultCommandLimits,
): Promise<Token[]> {
  const first = await reader.readLine();
  const flat: Flat[] = [];
  try {
    let line = first;
    for (let literals = 0; ; literals++) {
      if (line.includes('\0')) throw new ProtocolError('NUL in command', false);
      const m = literalAtEnd.exec(line);
      const before = m ? line[m.index - 1] : undefined;
      if (!m || (m.index > 0 && before !== ' ' && before !== '(')) {
        tokenizeLine(line, flat);
        return nest(flat);
      }
      const size = Number(m[1]);
      const sync = m[2] !== '+';
      if (literals >= limits.maxLiterals) throw refusedLiteral('too many literals', sync);
      if (!Number.isSafeInteger(size) || size > limits.maxLiteral) {
        throw refusedLiteral(`literal larger than ${limits.maxLiteral} bytes`, sync);
      }
      tokenizeLine(line.slice(0, m.index), flat);
      if (sync) hooks.continueLiteral();
      const body = await reader.readBytes(size);
      flat.push({ kind: 'string', value: body.toString('latin1'), literal: true });
      line = await reader.readLine();
    }
  } catch (e) {
    if (e instanceof ProtocolError) e.tag ??= leadingTag.exec(first)?.[1];
    throw e;
  }
}

/** The value of an atom or string token, or undefined. */
export function stringValue(t: Token | undefined): string | undefined {
  if (!t || t.kind === 'list') return undefined;
  return t.value;
}

/** IMAP quoted string when safe, else undefined (the caller then sends a literal). */
export function quoteIfSafe(s: string): string | undefined {
  // RFC 9051 §4.3: a quoted string carries no CR, LF or NUL, and (here) only 7-bit bytes.
  if (/[\0\r\n\x80-\xff]/.test(s)) return undefined;
  return '"' + s.replace(/[\\"]/g, (c) => '\\' + c) + '"';
}

/** Renders a string token as IMAP/ManageSieve syntax for our own responses (quoted or NIL). */
export function quoteOrNil(s: string | null | undefined): string {
  if (s === null || s === undefined) return 'NIL';
  return quoteIfSafe(s) ?? `{${Buffer.byteLength(s, 'latin1')}}\r\n${s}`;
}
