// A lossless syntax tree for Sieve (RFC 5228 §8): every byte of the source belongs to exactly one
// token or trivia piece, so printing the tree gives the source back, line endings, comments and
// string spellings included. The engine's parser (src/sieve/parser.ts) drops trivia; editors
// cannot. Scripts with syntax errors parse too: from the first top-level command that does not
// parse, the rest of the script is one raw node.

export type TriviaKind = 'whitespace' | 'newline' | 'hash-comment' | 'bracket-comment';

export interface Trivia {
  readonly kind: TriviaKind;
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export type TokenKind =
  | 'identifier'
  | 'tag'
  | 'number'
  | 'quoted-string'
  | 'multiline-string'
  | '['
  | ']'
  | '('
  | ')'
  | '{'
  | '}'
  | ','
  | ';'
  /** Text that is not a token (a stray character, an unterminated string or comment). */
  | 'error'
  | 'eof';

export interface SyntaxToken {
  readonly type: 'token';
  readonly kind: TokenKind;
  readonly start: number;
  readonly end: number;
  /** The token exactly as written. */
  readonly text: string;
  /** Whitespace and comments before the token (after the previous token's trailing trivia). */
  readonly leading: readonly Trivia[];
  /** Whitespace and comments after the token on the same line, up to and including the line end. */
  readonly trailing: readonly Trivia[];
}

export type ArgumentSyntax = SyntaxToken | StringListSyntax;

export interface StringListSyntax {
  readonly type: 'string-list';
  readonly start: number;
  readonly end: number;
  readonly items: readonly SyntaxToken[];
  readonly children: readonly SyntaxToken[];
}

export interface TestSyntax {
  readonly type: 'test';
  /** Lower-cased: Sieve identifiers are case-insensitive. */
  readonly name: string;
  readonly start: number;
  readonly end: number;
  readonly args: readonly ArgumentSyntax[];
  readonly tests: readonly TestSyntax[];
  /** True when the tests are a parenthesised test list. */
  readonly testList: boolean;
  readonly children: readonly SyntaxElement[];
}

export interface BlockSyntax {
  readonly type: 'block';
  readonly start: number;
  readonly end: number;
  readonly commands: readonly CommandSyntax[];
  readonly children: readonly SyntaxElement[];
}

export interface CommandSyntax {
  readonly type: 'command';
  readonly name: string;
  readonly start: number;
  readonly end: number;
  readonly args: readonly ArgumentSyntax[];
  readonly tests: readonly TestSyntax[];
  readonly testList: boolean;
  /** The block, or null when the command ends with ";". */
  readonly block: BlockSyntax | null;
  readonly children: readonly SyntaxElement[];
}

/** The unparsable tail of a script: kept as tokens so that nothing is lost. */
export interface RawSyntax {
  readonly type: 'raw';
  readonly start: number;
  readonly end: number;
  /** Why it did not parse, with the line and column. */
  readonly reason: string;
  readonly children: readonly SyntaxToken[];
}

export interface ScriptSyntax {
  readonly type: 'script';
  readonly source: string;
  readonly commands: readonly (CommandSyntax | RawSyntax)[];
  readonly eof: SyntaxToken;
  readonly children: readonly SyntaxElement[];
}

export type SyntaxNode =
  ScriptSyntax | CommandSyntax | TestSyntax | BlockSyntax | StringListSyntax | RawSyntax;
export type SyntaxElement = SyntaxNode | SyntaxToken;

const isAlpha = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

interface Piece {
  kind: TokenKind | TriviaKind;
  start: number;
  end: number;
}

/** RFC 5228 §8.1: splits the source into tokens and trivia covering every character. */
function scan(source: string): Piece[] {
  const s = source;
  const out: Piece[] = [];
  let i = 0;
  const n = s.length;
  // A byte order mark is not Sieve, but editors write one; keep it as whitespace.
  if (s.charCodeAt(0) === 0xfeff) {
    out.push({ kind: 'whitespace', start: 0, end: 1 });
    i = 1;
  }
  const lineEnd = (from: number): number => {
    let j = from;
    while (j < n) {
      const c = s.charCodeAt(j);
      if (c === 0x0a || c === 0x0d) break;
      j++;
    }
    return j;
  };
  while (i < n) {
    const start = i;
    const c = s.charCodeAt(i);
    if (c === 0x20 || c === 0x09) {
      while (i < n && (s.charCodeAt(i) === 0x20 || s.charCodeAt(i) === 0x09)) i++;
      out.push({ kind: 'whitespace', start, end: i });
    } else if (c === 0x0a) {
      out.push({ kind: 'newline', start, end: ++i });
    } else if (c === 0x0d) {
      i += s.charCodeAt(i + 1) === 0x0a ? 2 : 1;
      out.push({ kind: 'newline', start, end: i });
    } else if (c === 0x23) {
      i = lineEnd(i);
      out.push({ kind: 'hash-comment', start, end: i });
    } else if (c === 0x2f && s.charCodeAt(i + 1) === 0x2a) {
      const close = s.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
      out.push({ kind: close < 0 ? 'error' : 'bracket-comment', start, end: i });
    } else if (isAlpha(c)) {
      while (i < n && (isAlpha(s.charCodeAt(i)) || isDigit(s.charCodeAt(i)))) i++;
      if (s.charCodeAt(i) === 0x3a && s.slice(start, i).toLowerCase() === 'text') {
        i = multilineEnd(s, i + 1);
        out.push({ kind: i < 0 ? 'error' : 'multiline-string', start, end: i < 0 ? (i = n) : i });
      } else {
        out.push({ kind: 'identifier', start, end: i });
      }
    } else if (c === 0x3a && isAlpha(s.charCodeAt(i + 1))) {
      i++;
      while (i < n && (isAlpha(s.charCodeAt(i)) || isDigit(s.charCodeAt(i)))) i++;
      out.push({ kind: 'tag', start, end: i });
    } else if (isDigit(c)) {
      while (i < n && isDigit(s.charCodeAt(i))) i++;
      if (/[KMGkmg]/.test(s.charAt(i))) i++;
      out.push({ kind: 'number', start, end: i });
    } else if (c === 0x22) {
      i++;
      while (i < n && s.charCodeAt(i) !== 0x22) i += s.charCodeAt(i) === 0x5c ? 2 : 1;
      if (i >= n) out.push({ kind: 'error', start, end: (i = n) });
      else out.push({ kind: 'quoted-string', start, end: ++i });
    } else if ('[](){},;'.includes(s.charAt(i))) {
      out.push({ kind: s.charAt(i) as TokenKind, start, end: ++i });
    } else {
      // One stray code point (a surrogate pair stays whole).
      i += c >= 0xd800 && c <= 0xdbff && i + 1 < n ? 2 : 1;
      out.push({ kind: 'error', start, end: i });
    }
  }
  return out;
}

/**
 * RFC 5228 §8.1 multi-line: "text:" *(SP / HTAB) (hash-comment / CRLF) *(line) "." CRLF.
 * Returns the offset after the terminating line, or -1 when it is not terminated.
 */
function multilineEnd(s: string, from: number): number {
  let i = from;
  while (s.charCodeAt(i) === 0x20 || s.charCodeAt(i) === 0x09) i++;
  if (s.charCodeAt(i) === 0x23) while (i < s.length && s.charCodeAt(i) !== 0x0a) i++;
  if (s.charCodeAt(i) === 0x0d && s.charCodeAt(i + 1) === 0x0a) i += 2;
  else if (s.charCodeAt(i) === 0x0a) i++;
  else return -1;
  for (;;) {
    if (i >= s.length) return -1;
    if (s.charCodeAt(i) === 0x2e) {
      const c = s.charCodeAt(i + 1);
      if (c === 0x0a) return i + 2;
      if (c === 0x0d && s.charCodeAt(i + 2) === 0x0a) return i + 3;
      if (i + 1 >= s.length) return -1;
    }
    const nl = s.indexOf('\n', i);
    if (nl < 0) return -1;
    i = nl + 1;
  }
}

function isTrivia(kind: Piece['kind']): kind is TriviaKind {
  return kind === 'whitespace' || kind === 'newline' || kind === 'hash-comment' || kind === 'bracket-comment';
}

/** Groups trivia onto tokens: trailing trivia runs to the end of the token's line. */
function tokenize(source: string): SyntaxToken[] {
  const pieces = scan(source);
  const tokens: SyntaxToken[] = [];
  let k = 0;
  const trivia = (p: Piece): Trivia => ({
    kind: p.kind as TriviaKind,
    start: p.start,
    end: p.end,
    text: source.slice(p.start, p.end),
  });
  for (;;) {
    const leading: Trivia[] = [];
    while (k < pieces.length && isTrivia(pieces[k]!.kind)) leading.push(trivia(pieces[k++]!));
    const p = pieces[k];
    if (!p) {
      tokens.push({
        type: 'token',
        kind: 'eof',
        start: source.length,
        end: source.length,
        text: '',
        leading,
        trailing: [],
      });
      return tokens;
    }
    k++;
    const trailing: Trivia[] = [];
    for (;;) {
      const q = pieces[k];
      if (!q) break;
      if (q.kind === 'whitespace') trailing.push(trivia(pieces[k++]!));
      else if (q.kind === 'bracket-comment' && !/[\r\n]/.test(source.slice(q.start, q.end)))
        trailing.push(trivia(pieces[k++]!));
      else if (q.kind === 'hash-comment') trailing.push(trivia(pieces[k++]!));
      else {
        if (q.kind === 'newline') trailing.push(trivia(pieces[k++]!));
        break;
      }
      if (q.kind === 'hash-comment') {
        const nl = pieces[k];
        if (nl?.kind === 'newline') trailing.push(trivia(pieces[k++]!));
        break;
      }
    }
    tokens.push({
      type: 'token',
      kind: p.kind as TokenKind,
      start: p.start,
      end: p.end,
      text: source.slice(p.start, p.end),
      leading,
      trailing,
    });
  }
}

class ParseError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

/** Parses a script losslessly; never throws. */
export function parseSyntax(source: string): ScriptSyntax {
  const tokens = tokenize(source);
  let k = 0;
  const peek = (): SyntaxToken => tokens[k]!;
  const next = (): SyntaxToken => tokens[k++]!;
  const fail = (what: string): never => {
    const t = peek();
    const found = t.kind === 'eof' ? 'the end of the script' : `"${t.text.slice(0, 20)}"`;
    throw new ParseError(`expected ${what}, found ${found}`, t.start);
  };
  const expect = (kind: TokenKind, what: string): SyntaxToken => (peek().kind === kind ? next() : fail(what));

  const stringList = (): StringListSyntax => {
    const children: SyntaxToken[] = [next()];
    const items: SyntaxToken[] = [];
    for (;;) {
      const t = peek();
      if (t.kind !== 'quoted-string' && t.kind !== 'multiline-string') fail('a string');
      items.push(next());
      children.push(t);
      if (peek().kind === ',') children.push(next());
      else break;
    }
    children.push(expect(']', '"," or "]"'));
    return {
      type: 'string-list',
      start: children[0]!.start,
      end: children[children.length - 1]!.end,
      items,
      children,
    };
  };

  const args = (children: SyntaxElement[]): ArgumentSyntax[] => {
    const out: ArgumentSyntax[] = [];
    for (;;) {
      const t = peek();
      if (
        t.kind === 'tag' ||
        t.kind === 'number' ||
        t.kind === 'quoted-string' ||
        t.kind === 'multiline-string'
      ) {
        out.push(next());
      } else if (t.kind === '[') {
        out.push(stringList());
      } else {
        break;
      }
      children.push(out[out.length - 1]!);
    }
    return out;
  };

  const testsAfterArgs = (children: SyntaxElement[]): { tests: TestSyntax[]; testList: boolean } => {
    const t = peek();
    if (t.kind === '(') {
      children.push(next());
      const tests: TestSyntax[] = [];
      for (;;) {
        const test = parseTest();
        tests.push(test);
        children.push(test);
        if (peek().kind === ',') children.push(next());
        else break;
      }
      children.push(expect(')', '"," or ")"'));
      return { tests, testList: true };
    }
    if (t.kind === 'identifier') {
      const test = parseTest();
      children.push(test);
      return { tests: [test], testList: false };
    }
    return { tests: [], testList: false };
  };

  const parseTest = (): TestSyntax => {
    const id = expect('identifier', 'a test');
    const children: SyntaxElement[] = [id];
    const a = args(children);
    const { tests, testList } = testsAfterArgs(children);
    return {
      type: 'test',
      name: id.text.toLowerCase(),
      start: id.start,
      end: lastEnd(children),
      args: a,
      tests,
      testList,
      children,
    };
  };

  const parseCommand = (): CommandSyntax => {
    const id = expect('identifier', 'a command');
    const children: SyntaxElement[] = [id];
    const a = args(children);
    const { tests, testList } = testsAfterArgs(children);
    let block: BlockSyntax | null = null;
    if (peek().kind === '{') {
      const open = next();
      const bc: SyntaxElement[] = [open];
      const commands: CommandSyntax[] = [];
      while (peek().kind !== '}') {
        if (peek().kind !== 'identifier') fail('a command or "}"');
        const c = parseCommand();
        commands.push(c);
        bc.push(c);
      }
      bc.push(next());
      block = { type: 'block', start: open.start, end: lastEnd(bc), commands, children: bc };
      children.push(block);
    } else {
      children.push(expect(';', '";" or "{"'));
    }
    return {
      type: 'command',
      name: id.text.toLowerCase(),
      start: id.start,
      end: lastEnd(children),
      args: a,
      tests,
      testList,
      block,
      children,
    };
  };

  const commands: (CommandSyntax | RawSyntax)[] = [];
  while (peek().kind !== 'eof') {
    const begin = k;
    try {
      commands.push(parseCommand());
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      const rest = tokens.slice(begin, tokens.length - 1);
      const lines = new LineIndex(source);
      const line = lines.line(e.at);
      const column = e.at - lines.lineStart(e.at) + 1;
      commands.push({
        type: 'raw',
        start: rest[0]!.start,
        end: rest[rest.length - 1]!.end,
        reason: `line ${line}, column ${column}: ${e.message}`,
        children: rest,
      });
      k = tokens.length - 1;
    }
  }
  const eof = tokens[tokens.length - 1]!;
  return { type: 'script', source, commands, eof, children: [...commands, eof] };
}

function lastEnd(children: readonly SyntaxElement[]): number {
  const last = children[children.length - 1]!;
  return last.type === 'script' ? last.source.length : last.end;
}

/** Prints a tree: for an unedited tree, exactly its source. */
export function print(node: SyntaxElement): string {
  const out: string[] = [];
  const walk = (e: SyntaxElement): void => {
    if (e.type === 'token') {
      for (const t of e.leading) out.push(t.text);
      out.push(e.text);
      for (const t of e.trailing) out.push(t.text);
    } else {
      for (const c of e.children) walk(c);
    }
  };
  walk(node);
  return out.join('');
}

/** Every token of a node, in order. */
export function tokensOf(node: SyntaxElement): SyntaxToken[] {
  const out: SyntaxToken[] = [];
  const walk = (e: SyntaxElement): void => {
    if (e.type === 'token') out.push(e);
    else for (const c of e.children) walk(c);
  };
  walk(node);
  return out;
}

/**
 * The value of a string token: RFC 5228 §2.4.2 quoted strings lose their backslash escapes;
 * multi-line strings lose the "text:" line and the terminating ".", and "..", at the start of
 * a line, becomes ".". Line endings inside stay as written.
 */
export function stringValue(t: SyntaxToken): string {
  if (t.kind === 'quoted-string') return t.text.slice(1, -1).replace(/\\([\s\S])/g, '$1');
  if (t.kind === 'multiline-string') {
    const body = t.text.slice(t.text.indexOf('\n') + 1);
    const lines = body.split(/(?<=\n)/);
    lines.pop();
    return lines.map((l) => (l.startsWith('..') ? l.slice(1) : l)).join('');
  }
  return t.text;
}

/** Line starts of a source, for many offset → line look-ups. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(readonly source: string) {
    for (let i = source.indexOf('\n'); i >= 0; i = source.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  /** 1-based line of an offset. */
  line(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
  lineStart(offset: number): number {
    return this.starts[this.line(offset) - 1]!;
  }
  /** The offset just past the line end of the line holding `offset` (or the source's end). */
  lineEndAfter(offset: number): number {
    const nl = this.source.indexOf('\n', offset);
    return nl < 0 ? this.source.length : nl + 1;
  }
}
