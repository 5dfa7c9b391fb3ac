import { isUtf8 } from 'node:buffer';
import { ProtocolError, type LineReader } from '../net/index.js';
import { MAX_QUOTED } from './wire.js';

/**
 * The client's side of the RFC 5804 §4 syntax: a command is an atom followed by strings
 * (quoted, or literals) and numbers, ending with CRLF. A literal's octets follow its `{n+}`
 * header at once: ManageSieve has no continuation response, so a client never waits for one,
 * and a `{n}` literal (literal-s2c, which clients are not meant to send) is read the same way.
 *
 * Unlike IMAP's readCommand (src/net/imap-syntax.ts) this reader answers an oversized literal
 * itself: it skips the announced octets without buffering them and discards the rest of the
 * command, so the body of a refused literal is never parsed as commands.
 */

/** An argument: an atom (the command name, a number) or a string with its exact octets. */
export type Arg = { kind: 'atom'; value: string } | { kind: 'string'; value: Buffer; literal: boolean };

export type ReadResult =
  | { kind: 'command'; verb: string | undefined; args: Arg[] }
  /** The command could not be parsed; everything it sent has been consumed. */
  | { kind: 'invalid'; verb: string | undefined; message: string }
  /** A literal was larger than `literalLimit` allowed; its octets were skipped. */
  | { kind: 'too-large'; verb: string | undefined; argIndex: number; size: number; limit: number };

export interface ReadOptions {
  /** Largest literal accepted at this position (`args` so far: the command name, earlier arguments). */
  literalLimit(args: readonly Arg[]): number;
  /** Most arguments in one command, the command name included (bounds what one command buffers). */
  maxArgs: number;
  /** Blank lines before a command are passed over (some clients send a stray CRLF after a literal). */
  skipBlankLines: boolean;
}

/** RFC 5804 §4 `number`: a 32-bit unsigned number. */
export const MAX_NUMBER = 4_294_967_295;

/** A literal header ending the line: `{n+}` or `{n}`, at the line's start or after a space. */
const literalHeader = /(?:^| )\{(\d{1,20})(\+?)\}$/;

/** RFC 5804 §4 ATOM-CHAR: any CHAR except `(`, `)`, `{`, SP, CTL, `"` and `\`. */
function isAtomChar(c: number): boolean {
  return c > 0x20 && c < 0x7f && c !== 0x28 && c !== 0x29 && c !== 0x7b && c !== 0x22 && c !== 0x5c;
}

/** Tokenizes one line (without its literal header); returns an error message or undefined. */
function scan(line: string, args: Arg[]): string | undefined {
  let i = 0;
  const n = line.length;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === 0x20) {
      i++;
      continue;
    }
    if (c === 0x22) {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= n) return 'unterminated quoted string';
        const d = line.charCodeAt(j);
        if (d === 0x5c) {
          const e = line[j + 1];
          if (e !== '"' && e !== '\\')
            return 'bad escape in quoted string: a backslash may only escape a double quote or a backslash';
          value += e;
          j += 2;
        } else if (d === 0x22) {
          break;
        } else if (d === 0) {
          return 'NUL in quoted string';
        } else {
          value += line[j];
          j++;
        }
      }
      // RFC 5804 §4 (erratum 2655): at most 1024 octets between the quotes.
      if (j - i - 1 > MAX_QUOTED) return `quoted string longer than ${MAX_QUOTED} octets; send a literal`;
      const bytes = Buffer.from(value, 'latin1');
      if (!isUtf8(bytes)) return 'quoted string is not valid UTF-8';
      args.push({ kind: 'string', value: bytes, literal: false });
      i = j + 1;
      if (i < n && line.charCodeAt(i) !== 0x20) return 'expected a space after a quoted string';
      continue;
    }
    let j = i;
    while (j < n && isAtomChar(line.charCodeAt(j))) j++;
    if (j === i || (j < n && line.charCodeAt(j) !== 0x20)) return unexpected(line, j);
    args.push({ kind: 'atom', value: line.slice(i, j) });
    i = j;
  }
  return undefined;
}

function unexpected(line: string, at: number): string {
  const c = line.charCodeAt(at);
  if (c === 0x7b) return `malformed literal at column ${at + 1}: expected {number+} at the end of the line`;
  return `unexpected character 0x${c.toString(16).padStart(2, '0')} at column ${at + 1}`;
}

/** The command name, upper-cased; undefined when the command does not start with an atom. */
export function verbOf(args: readonly Arg[]): string | undefined {
  const a = args[0];
  return a?.kind === 'atom' ? a.value.toUpperCase() : undefined;
}

/**
 * Reads one command (or one SASL client response), following its literals. Throws
 * ProtocolError (fatal) when the stream cannot be followed any more: a line longer than the
 * reader's limit, a literal size beyond 32 bits.
 */
export async function readCommand(reader: LineReader, o: ReadOptions): Promise<ReadResult> {
  const args: Arg[] = [];
  let error: string | undefined;
  let tooLarge: { argIndex: number; size: number; limit: number } | undefined;
  for (let first = true; ; first = false) {
    let line = await reader.readLine();
    if (first && o.skipBlankLines) while (line === '') line = await reader.readLine();
    const m = literalHeader.exec(line);
    const body = m ? line.slice(0, m.index) : line;
    if (error === undefined && tooLarge === undefined) {
      // After a literal the command goes on at once: with a space and more arguments, or CRLF.
      if (!first && body !== '' && !body.startsWith(' ')) error = 'expected a space after a literal';
      else error = scan(body, args);
      if (error === undefined && args.length + (m ? 1 : 0) > o.maxArgs) error = 'too many arguments';
    }
    if (!m) break;
    const size = Number(m[1]);
    if (m[1]!.length > 10 || size > MAX_NUMBER)
      throw new ProtocolError(`literal size ${m[1]} is not a 32-bit number`, true);
    if (error !== undefined || tooLarge !== undefined) {
      await reader.skipBytes(size);
      continue;
    }
    const limit = o.literalLimit(args);
    if (size > limit) {
      tooLarge = { argIndex: args.length, size, limit };
      await reader.skipBytes(size);
      continue;
    }
    args.push({ kind: 'string', value: await reader.readBytes(size), literal: true });
  }
  const verb = verbOf(args);
  if (tooLarge) return { kind: 'too-large', verb, ...tooLarge };
  if (error !== undefined) return { kind: 'invalid', verb, message: error };
  return { kind: 'command', verb, args };
}
