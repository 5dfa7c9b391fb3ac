import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DiagnosticBag } from '../../../src/sieve/diagnostics.js';
import { Lexer, type Token } from '../../../src/sieve/lexer.js';

function lex(src: string): { tokens: Token[]; diags: DiagnosticBag } {
  const diags = new DiagnosticBag();
  const l = new Lexer(src, diags);
  const tokens: Token[] = [];
  for (;;) {
    const t = l.next();
    tokens.push(t);
    if (t.kind === 'eof') break;
  }
  return { tokens, diags };
}

const kinds = (src: string): string[] => lex(src).tokens.map((t) => t.kind);

test('identifiers, tags, punctuation and comments', () => {
  assert.deepEqual(kinds('if header :is ["a", "b"] { keep; } # c\n/* x\ny */ stop;'), [
    'identifier',
    'identifier',
    'tag',
    '[',
    'string',
    ',',
    'string',
    ']',
    '{',
    'identifier',
    ';',
    '}',
    'identifier',
    ';',
    'eof',
  ]);
});

test('numbers take K, M and G quantifiers (G is 2^30)', () => {
  const t = lex('1 1K 2m 3G 07').tokens;
  assert.deepEqual(
    t.slice(0, 5).map((x) => x.value),
    [1, 1024, 2 * 1024 * 1024, 3 * 1024 ** 3, 7],
  );
});

test('a number with junk after it is an error', () => {
  const { diags } = lex('1X');
  assert.equal(diags.items[0]?.code, 'lex.bad-number');
});

test('a number beyond 2^53 is an error, not a wrong value', () => {
  const { diags } = lex('99999999999999999999G');
  assert.equal(diags.items[0]?.code, 'lex.number-too-large');
});

test('quoted strings: only \\" and \\\\ are escapes, other backslashes are dropped', () => {
  const t = lex('"a\\"b\\\\c\\d\\\\\\e"').tokens[0]!;
  assert.equal(t.text, 'a"b\\cd\\e');
});

test('quoted strings may span lines; line breaks become CRLF', () => {
  const { tokens } = lex('"a\nb" x');
  assert.equal(tokens[0]!.text, 'a\r\nb');
  assert.equal(tokens[1]!.span.start.line, 2);
});

test('multi-line strings: dot-unstuffing, comment after text:, CRLF or LF', () => {
  for (const nl of ['\n', '\r\n']) {
    const src = ['text: # comment', 'line 1', '..dot', '.', ';'].join(nl);
    const t = lex(src).tokens;
    assert.equal(t[0]!.kind, 'multiline');
    assert.equal(t[0]!.text, 'line 1\r\n.dot\r\n');
    assert.equal(t[1]!.kind, ';');
    assert.equal(t[1]!.span.start.line, 5);
  }
});

test('multi-line strings: a single leading dot before other text is kept (RFC 5228 §2.4.2)', () => {
  // multi-line-dotstart: "Remove a leading '.' if followed by another '.'" — only then.
  const src = ['text:', '.one', '..two', '...three', '.', ';'].join('\n');
  assert.equal(lex(src).tokens[0]!.text, '.one\r\n.two\r\n..three\r\n');
});

test('"text:" followed by other text on the line is an error', () => {
  assert.equal(lex('text: x\n.\n').diags.items[0]?.code, 'lex.bad-multiline');
});

test('unterminated strings and comments are reported with the opening position', () => {
  const a = lex('keep;\n  "abc').diags.items[0]!;
  assert.equal(a.code, 'lex.unterminated-string');
  assert.deepEqual([a.line, a.column], [2, 3]);
  assert.equal(lex('/* never closed').diags.items[0]?.code, 'lex.unterminated-comment');
  assert.equal(lex('text:\nabc\n').diags.items[0]?.code, 'lex.unterminated-multiline');
});

test('unexpected characters, NUL and bare CR are reported once per run', () => {
  const { diags } = lex('keep; @@@ \0 \r x');
  assert.deepEqual(
    diags.items.map((d) => d.code),
    ['lex.unexpected-character', 'lex.unexpected-character', 'lex.bare-cr'],
  );
  assert.match(diags.items[1]!.message, /NUL/);
});

test('every token carries line and column', () => {
  const t = lex('require "x";\r\n  keep;').tokens;
  assert.deepEqual([t[3]!.span.start.line, t[3]!.span.start.column], [2, 3]);
});
