import type { Span } from './diagnostics.js';

// RFC 5228 §8.2: the grammar's nodes. Every node carries its source span.

export interface StringArgument {
  readonly kind: 'string';
  /** The value after quoted-string unescaping or multi-line dot-unstuffing. */
  readonly value: string;
  readonly multiline: boolean;
  readonly span: Span;
}

export interface StringListArgument {
  readonly kind: 'string-list';
  readonly items: readonly StringArgument[];
  readonly span: Span;
}

export interface NumberArgument {
  readonly kind: 'number';
  readonly value: number;
  readonly span: Span;
}

export interface TagArgument {
  readonly kind: 'tag';
  /** Lower-cased name without the colon. */
  readonly name: string;
  readonly span: Span;
}

export type Argument = StringArgument | StringListArgument | NumberArgument | TagArgument;

export interface TestNode {
  readonly kind: 'test';
  /** Lower-cased identifier (Sieve identifiers are case-insensitive). */
  readonly name: string;
  readonly nameSpan: Span;
  readonly args: readonly Argument[];
  readonly tests: readonly TestNode[];
  /** True when the tests were written as a parenthesised test list. */
  readonly testList: boolean;
  readonly span: Span;
}

export interface CommandNode {
  readonly kind: 'command';
  readonly name: string;
  readonly nameSpan: Span;
  readonly args: readonly Argument[];
  readonly tests: readonly TestNode[];
  readonly testList: boolean;
  /** The block's commands, or null when the command ended with ";". */
  readonly block: readonly CommandNode[] | null;
  readonly span: Span;
}

export interface ScriptNode {
  readonly kind: 'script';
  readonly commands: readonly CommandNode[];
  readonly span: Span;
}

export function argumentKindName(a: Argument): string {
  switch (a.kind) {
    case 'string':
      return 'string';
    case 'string-list':
      return 'string list';
    case 'number':
      return 'number';
    case 'tag':
      return `tag ":${a.name}"`;
  }
}
