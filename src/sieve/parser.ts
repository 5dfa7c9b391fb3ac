// RFC 5228 §8.2: a recursive-descent parser that keeps going after errors.
import type { Argument, CommandNode, ScriptNode, StringArgument, TestNode } from './ast.js';
import { DiagnosticBag, type Span } from './diagnostics.js';
import { Lexer, type Token, type TokenKind } from './lexer.js';

export interface ParseOptions {
  /** Maximum depth of nested blocks and tests. */
  maxNesting: number;
}

export interface ParseResult {
  readonly script: ScriptNode;
  readonly diagnostics: DiagnosticBag;
}

class ParseAbort extends Error {}

export function parse(source: string, options: ParseOptions, diags = new DiagnosticBag()): ParseResult {
  const p = new Parser(source, options, diags);
  return { script: p.script(), diagnostics: diags };
}

const describe = (t: Token): string => {
  switch (t.kind) {
    case 'eof':
      return 'end of script';
    case 'identifier':
      return `identifier "${t.text}"`;
    case 'tag':
      return `tag ":${t.text}"`;
    case 'number':
      return `number ${t.text}`;
    case 'string':
    case 'multiline':
      return 'string';
    default:
      return `"${t.kind}"`;
  }
};

class Parser {
  private readonly lexer: Lexer;
  private tok: Token;
  private prevEnd: Span['end'];
  private depth = 0;

  constructor(
    source: string,
    private readonly options: ParseOptions,
    private readonly diags: DiagnosticBag,
  ) {
    this.lexer = new Lexer(source, diags);
    this.tok = this.lexer.next();
    this.prevEnd = this.tok.span.start;
  }

  /** The current token's kind (a method, so TypeScript does not narrow it across advance()). */
  private kind(): TokenKind {
    return this.tok.kind;
  }

  private advance(): Token {
    const t = this.tok;
    this.prevEnd = t.span.end;
    this.tok = this.lexer.next();
    return t;
  }

  private expectError(what: string): never {
    this.diags.error(
      'parse.unexpected-token',
      `expected ${what} but found ${describe(this.tok)}`,
      this.tok.span,
    );
    throw new ParseAbort();
  }

  script(): ScriptNode {
    const start = this.tok.span.start;
    const commands = this.commands(true);
    return { kind: 'script', commands, span: { start, end: this.tok.span.end } };
  }

  /** commands until "}" (or end of script at top level). */
  private commands(top: boolean): CommandNode[] {
    const out: CommandNode[] = [];
    for (;;) {
      const k = this.tok.kind;
      if (k === 'eof') return out;
      if (k === '}') {
        if (!top) return out;
        this.diags.error('parse.unexpected-token', 'unexpected "}" with no open block', this.tok.span);
        this.advance();
        continue;
      }
      try {
        out.push(this.command());
      } catch (e) {
        if (!(e instanceof ParseAbort)) throw e;
        this.recover();
      }
    }
  }

  /** Skips to the end of the broken command: past ";", past a balanced block, or to a "}". */
  private recover(): void {
    let depth = 0;
    for (;;) {
      const k = this.tok.kind;
      if (k === 'eof') return;
      if (k === ';' && depth === 0) {
        this.advance();
        return;
      }
      if (k === '{') depth++;
      if (k === '}') {
        if (depth === 0) return;
        depth--;
        if (depth === 0) {
          this.advance();
          return;
        }
      }
      this.advance();
    }
  }

  private enter(span: Span): void {
    if (++this.depth > this.options.maxNesting) {
      this.diags.error(
        'limit.nesting',
        `nesting is too deep (more than ${this.options.maxNesting} levels of blocks and tests)`,
        span,
      );
      throw new ParseAbort();
    }
  }

  private command(): CommandNode {
    const t = this.tok;
    if (t.kind !== 'identifier') this.expectError('a command');
    this.advance();
    const args = this.arguments();
    const { tests, testList } = this.testsAfterArguments();
    let block: CommandNode[] | null = null;
    if (this.tok.kind === ';') {
      this.advance();
    } else if (this.tok.kind === '{') {
      const open = this.advance();
      this.enter(open.span);
      try {
        block = this.commands(false);
      } finally {
        this.depth--;
      }
      if (this.kind() !== '}') {
        this.diags.error('parse.unclosed-block', 'missing "}" to close the block opened here', open.span);
        throw new ParseAbort();
      }
      this.advance();
    } else {
      this.expectError(
        tests.length === 0 && args.length === 0 ? 'arguments, ";" or a block' : '";" or a block',
      );
    }
    return {
      kind: 'command',
      name: t.text.toLowerCase(),
      nameSpan: t.span,
      args,
      tests,
      testList,
      block,
      span: { start: t.span.start, end: this.prevEnd },
    };
  }

  private arguments(): Argument[] {
    const args: Argument[] = [];
    for (;;) {
      const t = this.tok;
      switch (t.kind) {
        case 'string':
        case 'multiline':
          args.push(this.string());
          break;
        case 'number':
          this.advance();
          args.push({ kind: 'number', value: t.value, span: t.span });
          break;
        case 'tag':
          this.advance();
          args.push({ kind: 'tag', name: t.text.toLowerCase(), span: t.span });
          break;
        case '[':
          args.push(this.stringList());
          break;
        default:
          return args;
      }
    }
  }

  private string(): StringArgument {
    const t = this.advance();
    return { kind: 'string', value: t.text, multiline: t.kind === 'multiline', span: t.span };
  }

  private stringList(): Argument {
    const open = this.advance();
    const items: StringArgument[] = [];
    for (;;) {
      const k: TokenKind = this.tok.kind;
      if (k !== 'string' && k !== 'multiline') this.expectError('a string in the string list');
      items.push(this.string());
      if (this.tok.kind === ',') {
        this.advance();
        continue;
      }
      if (this.tok.kind === ']') {
        this.advance();
        break;
      }
      this.expectError('"," or "]" in the string list');
    }
    return { kind: 'string-list', items, span: { start: open.span.start, end: this.prevEnd } };
  }

  private testsAfterArguments(): { tests: TestNode[]; testList: boolean } {
    if (this.tok.kind === 'identifier') return { tests: [this.test()], testList: false };
    if (this.tok.kind === '(') return { tests: this.testList(), testList: true };
    return { tests: [], testList: false };
  }

  private testList(): TestNode[] {
    const open = this.advance();
    const tests: TestNode[] = [];
    for (;;) {
      if (this.kind() !== 'identifier') this.expectError('a test');
      tests.push(this.test());
      if (this.kind() === ',') {
        this.advance();
        continue;
      }
      if (this.kind() === ')') {
        this.advance();
        return tests;
      }
      this.diags.error(
        'parse.unexpected-token',
        `expected "," or ")" in the test list opened at line ${open.span.start.line} but found ${describe(this.tok)}`,
        this.tok.span,
      );
      throw new ParseAbort();
    }
  }

  private test(): TestNode {
    const t = this.advance();
    this.enter(t.span);
    try {
      const args = this.arguments();
      const { tests, testList } = this.testsAfterArguments();
      return {
        kind: 'test',
        name: t.text.toLowerCase(),
        nameSpan: t.span,
        args,
        tests,
        testList,
        span: { start: t.span.start, end: this.prevEnd },
      };
    } finally {
      this.depth--;
    }
  }
}
