import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile, createEngine } from '../../../src/sieve/index.js';
import { errorCodes, errors, program } from './helpers.js';

test('a valid script compiles with every construct of RFC 5228', () => {
  program(`require ["fileinto", "envelope", "comparator-i;ascii-numeric"];
# comment
/* bracket
   comment */
if anyof (address :all :is "from" "a@b.c", not exists ["x-a", "x-b"]) {
  fileinto "A";
} elsif allof (header :contains ["subject"] ["x", "y"], size :over 10K) {
  redirect "someone@example.com";
} elsif envelope :domain :matches "from" "*.example.com" {
  discard;
} else {
  keep;
  stop;
}
if header :comparator "i;ascii-numeric" :is "x-n" "10" { keep; }
if true { } if false { }
`);
});

test('unknown commands and tests are errors, also in code that never runs', () => {
  assert.deepEqual(errorCodes('if false { frobnicate; }'), ['command.unknown']);
  assert.deepEqual(errorCodes('if false { if bogus { } }'), ['test.unknown']);
});

test('extensions need require, even in dead code', () => {
  assert.deepEqual(errorCodes('if false { fileinto "x"; }'), ['require.missing']);
  assert.deepEqual(errorCodes('if envelope "from" "x" {}'), ['require.missing']);
  assert.match(errors('fileinto "x";')[0]!.message, /require "fileinto"/);
});

test('require only at the start, and only known capabilities', () => {
  assert.deepEqual(errorCodes('keep;\nrequire "fileinto";'), ['require.not-first']);
  assert.deepEqual(errorCodes('if true { require "fileinto"; }'), ['require.not-first']);
  assert.deepEqual(errorCodes('require ["fileinto", "x-unknown"];'), ['require.unknown-extension']);
  assert.deepEqual(errorCodes('require 5;'), ['argument.type']);
});

test('elsif and else only after if or elsif', () => {
  assert.deepEqual(errorCodes('elsif true {}'), ['command.misplaced']);
  assert.deepEqual(errorCodes('if true {} else {} else {}'), ['command.misplaced']);
  assert.deepEqual(errorCodes('if true {} keep; else {}'), ['command.misplaced']);
  program('if true {} elsif false {} elsif true {} else {}');
});

test('if takes one test, not a test list; allof takes a test list', () => {
  assert.deepEqual(errorCodes('if (true) {}'), ['command.expects-one-test']);
  assert.deepEqual(errorCodes('if {}'), ['command.expects-one-test']);
  assert.deepEqual(errorCodes('if allof true {}'), ['test.expects-test-list']);
  assert.deepEqual(errorCodes('if not (true, false) {}'), ['test.expects-one-test']);
  assert.deepEqual(errorCodes('keep true;'), ['command.unexpected-test']);
});

test('blocks where required and nowhere else', () => {
  assert.deepEqual(errorCodes('if true;'), ['command.expects-block']);
  assert.deepEqual(errorCodes('keep {}'), ['command.unexpected-block']);
});

test('positional arguments: count and type', () => {
  assert.deepEqual(errorCodes('if header "subject" {}'), ['argument.count']);
  assert.deepEqual(errorCodes('if size :over "1" {}'), ['argument.type']);
  assert.deepEqual(errorCodes('stop "x";'), ['argument.count']);
  assert.deepEqual(errorCodes('redirect ["a@b.c", "d@e.f"];'), ['argument.type']);
});

test('tagged arguments: unknown, duplicated, exclusive groups, missing values, after positionals', () => {
  assert.deepEqual(errorCodes('if header :bogus "a" "b" {}'), ['argument.unknown-tag']);
  assert.deepEqual(errorCodes('if header :is :contains "a" "b" {}'), ['argument.duplicate-group']);
  assert.deepEqual(errorCodes('if header :is :is "a" "b" {}'), ['argument.duplicate-group']);
  assert.deepEqual(errorCodes('if header :comparator "a" "b" {}'), ['argument.count', 'comparator.unknown']);
  assert.deepEqual(errorCodes('if header "subject" "x" :contains {}'), ['argument.tag-after-positional']);
  assert.deepEqual(errorCodes('if address :localpart :domain "from" "x" {}'), ['argument.duplicate-group']);
  assert.deepEqual(errorCodes('if size 10 {}'), ['size.missing-tag']);
  assert.deepEqual(errorCodes('if size :over :under 10 {}'), ['argument.duplicate-group']);
});

test('comparators: unknown ones, ascii-numeric needs require and has no substring match', () => {
  assert.deepEqual(errorCodes('if header :comparator "i;foo" "a" "b" {}'), ['comparator.unknown']);
  assert.deepEqual(errorCodes('if header :comparator "i;ascii-numeric" "a" "1" {}'), ['require.missing']);
  assert.deepEqual(
    errorCodes(
      'require "comparator-i;ascii-numeric";\nif header :contains :comparator "i;ascii-numeric" "a" "1" {}',
    ),
    ['comparator.unsupported-match'],
  );
  program(
    'require "comparator-i;unicode-casemap";\nif header :comparator "i;unicode-casemap" :contains "a" "b" {}',
  );
});

test('invalid header names are a warning, not an error (RFC 5228 §2.4.2.2), and match nothing', () => {
  for (const src of [
    'if header "sub ject" "x" {}',
    'if exists ["ok", "bad:name"] {}',
    'if header "" "x" {}',
  ]) {
    const r = compile(src);
    assert.ok(r.program, src);
    assert.deepEqual(
      r.diagnostics.map((d) => [d.severity, d.code]),
      [['warning', 'header.invalid-name']],
    );
  }
});

test('requiring the always-present comparators is allowed (RFC 5228 §2.7.3)', () => {
  program('require ["comparator-i;octet", "comparator-i;ascii-casemap"];');
});

test('the address test only takes headers that hold addresses', () => {
  assert.deepEqual(errorCodes('if address "subject" "x" {}'), ['address.not-address-header']);
  program('if address ["From", "resent-to", "Reply-To"] "x" {}');
});

test('envelope parts must be known', () => {
  assert.deepEqual(errorCodes('require "envelope"; if envelope "bogus" "x" {}'), ['envelope.unknown-part']);
  program('require "envelope"; if envelope ["From", "to"] "x" {}');
});

test('redirect addresses must be valid and fully qualified', () => {
  assert.deepEqual(errorCodes('redirect "foo";'), ['redirect.invalid-address']);
  assert.deepEqual(errorCodes('redirect "foo@";'), ['redirect.invalid-address']);
  assert.deepEqual(errorCodes('redirect "a b@example.com";'), ['redirect.invalid-address']);
  program('redirect "\\"a b\\"@example.com"; redirect "Name <x@example.com>";');
});

test('fileinto mailbox names must not be empty', () => {
  assert.deepEqual(errorCodes('require "fileinto"; fileinto "";'), ['fileinto.empty-mailbox']);
});

test('every error is reported with its position, like a compiler', () => {
  const e = errors('keep\nfoo;\nif header :x "a" "b" {}\nif size 1 {}\n');
  assert.ok(e.length >= 3, JSON.stringify(e));
  for (const d of e) assert.ok(d.line >= 1 && d.column >= 1);
  const lines = errors('frob;\nfileinto "x";\nif size 1 {}').map((d) => d.line);
  assert.deepEqual(lines, [1, 2, 3]);
});

test('parse errors recover at the next command', () => {
  const e = errors('keep\nkeep;\nif true { keep }\nbogus;\n');
  assert.ok(
    e.some((d) => d.line === 4 && d.code === 'command.unknown'),
    JSON.stringify(e),
  );
  assert.deepEqual(errorCodes('if true { keep;'), ['parse.unclosed-block']);
  assert.deepEqual(errorCodes('}'), ['parse.unexpected-token']);
  // "true false" is grammatical (a test with a sub-test); the validator rejects it.
  assert.deepEqual(errorCodes('if anyof (true false) {}'), ['test.unexpected-tests']);
  assert.deepEqual(errorCodes('if anyof (true, ) {}'), ['parse.unexpected-token']);
  assert.deepEqual(errorCodes('if header ["a" "b"] "c" {}'), ['parse.unexpected-token']);
});

test('encoded-character decodes ${hex:} and ${unicode:} only when required', () => {
  program('require ["encoded-character", "fileinto"]; fileinto "${hex:41 42}${unicode:1F600}";');
  assert.deepEqual(errorCodes('require "encoded-character"; keep; if header "a" "${unicode:D800}" {}'), [
    'encoded-character.invalid-unicode',
  ]);
  // Without the require, the text is an ordinary string: nothing to check.
  program('if header "a" "${unicode:D800}" {}');
});

test('the capability list keeps the two built-in comparators, which a script may require', () => {
  // RFC 5804 §1.7: SIEVE lists the extensions as a script names them in require; RFC 5228
  // §2.7.3 allows require "comparator-i;octet" and "comparator-i;ascii-casemap".
  const engine = createEngine();
  const caps = engine.capabilities();
  for (const c of ['comparator-i;octet', 'comparator-i;ascii-casemap']) {
    assert.ok(caps.includes(c), c);
    assert.ok(engine.compile(`require "${c}";\nkeep;`).program, `require "${c}" compiles`);
  }
});

test('a tag without its value is one error: the positional count is not checked on top', () => {
  // The string after :index was meant as a header name; reporting the missing number is enough.
  assert.deepEqual(errorCodes('require "index"; if header :index "to" "ok" {}'), ['argument.tag-value']);
  assert.deepEqual(errorCodes('require "index"; if header :index "x" "to" "ok" {}'), ['argument.tag-value']);
  assert.deepEqual(errorCodes('if address :comparator {}'), ['argument.tag-value']);
  // Other mistakes in the same command are still reported.
  assert.deepEqual(errorCodes('if header :comparator 5 "a" "b" "c" {}'), [
    'argument.tag-value',
    'argument.count',
  ]);
});
