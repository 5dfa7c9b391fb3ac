// RFC 5228 §8.1: the lexical tokens of Sieve.
import { DiagnosticBag, type Position, type Span } from './diagnostics.js';

export type TokenKind =
  | 'identifier'
  | 'tag'
  | 'number'
  | 'string'
  | 'multiline'
  | '['
  | ']'
  | '('
  | ')'
  | '{'
  | '}'
  | ','
  | ';'
  | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** identifier or tag name (without ':'), the decoded string value, or the punctuation. */
  readonly text: string;
  /** For numbers: the value with its K/M/G quantifier applied. */
  readonly value: number;
  readonly span: Span;
}

const MAX_NUMBER = Number.MAX_SAFE_INTEGER;

const isAlpha = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/**
 * Splits a script into tokens. Errors (bad characters, unterminated strings or comments,
 * numbers out of range) go to `diags`; the lexer always reaches the end of the input.
 */
export class Lexer {
  private pos = 0;
  private line = 1;
  private lineStart = 0;

  constructor(
    private readonly src: string,
    private readonly diags: DiagnosticBag,
  ) {}

  private here(): Position {
    return { line: this.line, column: this.pos - this.lineStart + 1, offset: this.pos };
  }

  private spanFrom(start: Position): Span {
    return { start, end: this.here() };
  }

  private newline(at: number): void {
    this.line++;
    this.lineStart = at + 1;
  }

  /** Skips whitespace and comments. */
  private skipTrivia(): void {
    const s = this.src;
    for (;;) {
      const c = s.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x09) {
        this.pos++;
      } else if (c === 0x0a) {
        this.newline(this.pos);
        this.pos++;
      } else if (c === 0x0d) {
        if (s.charCodeAt(this.pos + 1) !== 0x0a) {
          const start = this.here();
          this.pos++;
          this.diags.error(
            'lex.bare-cr',
            'carriage return not followed by a line feed',
            this.spanFrom(start),
          );
        } else {
          this.pos++;
        }
      } else if (c === 0x23 /* # */) {
        while (this.pos < s.length && s.charCodeAt(this.pos) !== 0x0a) this.pos++;
      } else if (c === 0x2f /* / */ && s.charCodeAt(this.pos + 1) === 0x2a /* * */) {
        const start = this.here();
        this.pos += 2;
        const end = s.indexOf('*/', this.pos);
        const stop = end < 0 ? s.length : end;
        for (let i = this.pos; i < stop; i++) if (s.charCodeAt(i) === 0x0a) this.newline(i);
        if (end < 0) {
          this.pos = s.length;
          this.diags.error('lex.unterminated-comment', 'unterminated bracket comment (missing "*/")', {
            start,
            end: this.here(),
          });
        } else {
          this.pos = end + 2;
        }
      } else {
        return;
      }
    }
  }

  next(): Token {
    this.skipTrivia();
    const s = this.src;
    const start = this.here();
    if (this.pos >= s.length) return { kind: 'eof', text: '', value: 0, span: { start, end: start } };
    const c = s.charCodeAt(this.pos);
    if (isAlpha(c) || c === 0x5f) {
      const name = this.identifier();
      // RFC 5228 §8.1: multi-line strings start with "text:".
      if (s.charCodeAt(this.pos) === 0x3a && name.toLowerCase() === 'text') {
        this.pos++;
        return this.multiline(start);
      }
      return { kind: 'identifier', text: name, value: 0, span: this.spanFrom(start) };
    }
    if (c === 0x3a /* : */) {
      this.pos++;
      const n = s.charCodeAt(this.pos);
      if (!(isAlpha(n) || n === 0x5f)) {
        this.diags.error('lex.bad-tag', 'expected a tag name after ":"', this.spanFrom(start));
        return this.next();
      }
      const name = this.identifier();
      return { kind: 'tag', text: name, value: 0, span: this.spanFrom(start) };
    }
    if (isDigit(c)) return this.number(start);
    if (c === 0x22 /* " */) return this.quoted(start);
    switch (c) {
      case 0x5b:
      case 0x5d:
      case 0x28:
      case 0x29:
      case 0x7b:
      case 0x7d:
      case 0x2c:
      case 0x3b: {
        this.pos++;
        const text = String.fromCharCode(c);
        return { kind: text as TokenKind, text, value: 0, span: this.spanFrom(start) };
      }
    }
    // Anything else is not part of the grammar: report it once per run of bad characters.
    const cp = s.codePointAt(this.pos) ?? 0;
    this.pos += cp > 0xffff ? 2 : 1;
    while (this.pos < s.length && !this.startsToken(s.charCodeAt(this.pos))) {
      const more = s.codePointAt(this.pos) ?? 0;
      this.pos += more > 0xffff ? 2 : 1;
    }
    const shown =
      cp === 0
        ? 'NUL'
        : cp < 0x20 || cp === 0x7f
          ? `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`
          : `"${String.fromCodePoint(cp)}"`;
    this.diags.error('lex.unexpected-character', `unexpected character ${shown}`, this.spanFrom(start));
    return this.next();
  }

  private startsToken(c: number): boolean {
    return (
      c === 0x20 ||
      c === 0x09 ||
      c === 0x0a ||
      c === 0x0d ||
      c === 0x23 ||
      c === 0x2f ||
      c === 0x22 ||
      c === 0x3a ||
      isAlpha(c) ||
      isDigit(c) ||
      c === 0x5f ||
      '[](){},;'.includes(String.fromCharCode(c))
    );
  }

  private identifier(): string {
    const s = this.src;
    const begin = this.pos;
    this.pos++;
    for (;;) {
      const c = s.charCodeAt(this.pos);
      if (isAlpha(c) || isDigit(c) || c === 0x5f) this.pos++;
      else break;
    }
    return s.slice(begin, this.pos);
  }

  private number(start: Position): Token {
    const s = this.src;
    const begin = this.pos;
    while (isDigit(s.charCodeAt(this.pos))) this.pos++;
    let value = Number(s.slice(begin, this.pos));
    const q = s.charCodeAt(this.pos) | 0x20;
    // RFC 5228 §2.4.1: K = 2^10, M = 2^20, G = 2^30.
    if (q === 0x6b) value *= 1024;
    else if (q === 0x6d) value *= 1024 * 1024;
    else if (q === 0x67) value *= 1024 * 1024 * 1024;
    if (q === 0x6b || q === 0x6d || q === 0x67) this.pos++;
    const span = this.spanFrom(start);
    if (isAlpha(s.charCodeAt(this.pos)) || s.charCodeAt(this.pos) === 0x5f) {
      const bad = this.identifier();
      this.diags.error(
        'lex.bad-number',
        `invalid number: unexpected "${bad}" after the digits (quantifiers are K, M and G)`,
        this.spanFrom(start),
      );
    }
    if (!(value <= MAX_NUMBER)) {
      this.diags.error('lex.number-too-large', `number is too large (the maximum is ${MAX_NUMBER})`, span);
      value = MAX_NUMBER;
    }
    return { kind: 'number', text: s.slice(begin, this.pos), value, span: this.spanFrom(start) };
  }

  private quoted(start: Position): Token {
    const s = this.src;
    this.pos++; // opening quote
    let out = '';
    let chunk = this.pos;
    for (;;) {
      if (this.pos >= s.length) {
        this.diags.error('lex.unterminated-string', "unterminated quoted string (missing closing '\"')", {
          start,
          end: this.here(),
        });
        out += s.slice(chunk, this.pos);
        break;
      }
      const c = s.charCodeAt(this.pos);
      if (c === 0x22) {
        out += s.slice(chunk, this.pos);
        this.pos++;
        break;
      }
      if (c === 0x5c /* \ */) {
        // RFC 5228 §2.4.2: only \" and \\ are escapes; any other backslash is dropped.
        out += s.slice(chunk, this.pos);
        this.pos++;
        chunk = this.pos;
        if (this.pos < s.length) {
          if (s.charCodeAt(this.pos) === 0x0a) this.newline(this.pos);
          this.pos++;
        }
        continue;
      }
      if (c === 0x0a) this.newline(this.pos);
      else if (c === 0x0d && s.charCodeAt(this.pos + 1) !== 0x0a) {
        this.diags.error('lex.bare-cr', 'carriage return not followed by a line feed', {
          start: this.here(),
          end: this.here(),
        });
      }
      this.pos++;
    }
    return { kind: 'string', text: normalizeNewlines(out), value: 0, span: this.spanFrom(start) };
  }

  private multiline(start: Position): Token {
    const s = this.src;
    // "text:" *(SP / HTAB) (hash-comment / CRLF)
    while (s.charCodeAt(this.pos) === 0x20 || s.charCodeAt(this.pos) === 0x09) this.pos++;
    if (s.charCodeAt(this.pos) === 0x23) {
      while (this.pos < s.length && s.charCodeAt(this.pos) !== 0x0a) this.pos++;
    }
    if (s.charCodeAt(this.pos) === 0x0d) this.pos++;
    if (s.charCodeAt(this.pos) !== 0x0a) {
      this.diags.error('lex.bad-multiline', 'expected end of line after "text:"', this.spanFrom(start));
      // Recover: treat the rest of the line as if it had been a comment.
      while (this.pos < s.length && s.charCodeAt(this.pos) !== 0x0a) this.pos++;
      if (this.pos >= s.length) return { kind: 'multiline', text: '', value: 0, span: this.spanFrom(start) };
    }
    this.newline(this.pos);
    this.pos++;
    const lines: string[] = [];
    for (;;) {
      if (this.pos >= s.length) {
        this.diags.error(
          'lex.unterminated-multiline',
          'unterminated multi-line string (missing a line with a single ".")',
          {
            start,
            end: this.here(),
          },
        );
        break;
      }
      let eol = s.indexOf('\n', this.pos);
      if (eol < 0) eol = s.length;
      let line = s.slice(this.pos, eol);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      const atEnd = eol >= s.length;
      this.pos = atEnd ? eol : eol + 1;
      if (!atEnd) this.newline(eol);
      if (line === '.') break;
      // RFC 5228 §2.4.2 (multi-line-dotstart): "Remove a leading '.' if followed by another '.'";
      // a single dot before other text stays.
      lines.push(line.startsWith('..') ? line.slice(1) : line);
      if (atEnd) {
        this.diags.error(
          'lex.unterminated-multiline',
          'unterminated multi-line string (missing a line with a single ".")',
          {
            start,
            end: this.here(),
          },
        );
        break;
      }
    }
    // Every line of the value ends with CRLF, as in the RFC's grammar.
    const text = lines.length === 0 ? '' : lines.join('\r\n') + '\r\n';
    return { kind: 'multiline', text, value: 0, span: this.spanFrom(start) };
  }
}

/** Line breaks inside quoted strings are CRLF in the value, whatever the file used. */
function normalizeNewlines(s: string): string {
  if (!s.includes('\n')) return s;
  return s.replace(/\r?\n/g, '\r\n');
}
