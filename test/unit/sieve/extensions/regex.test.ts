// draft-ietf-sieve-regex-01: the :regex match type and :quoteregex.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorCodes, errors } from '../helpers.js';
import { hostActions, runWithHost } from './with-host.js';
import { quoteRegex, translateRegex } from '../../../../src/sieve/extensions/regex/posix.js';

const MESSAGE = [
  'From: "Alice" <alice@example.com>',
  'Subject: [list-x] Re: Hello World',
  'X-Unicode: Grüße aus Köln',
  'X-Path: a.b|c(d)*',
  '',
  'body',
  '',
].join('\r\n');

function when(t: string, requires: string[] = []): boolean {
  const req = JSON.stringify(['regex', 'fileinto', ...requires]);
  const src = `require ${req};\nif ${t} { fileinto "yes"; }\n`;
  return hostActions(src, {}, MESSAGE).some((a) => a.type === 'fileinto' && a.mailbox === 'yes');
}

function mailbox(src: string): string {
  const a = hostActions(src, {}, MESSAGE).find((x) => x.type === 'fileinto');
  return a?.type === 'fileinto' ? a.mailbox : '(none)';
}

test('§3: :regex needs require "regex" and a comparator that compares characters', () => {
  assert.deepEqual(errorCodes('if header :regex "subject" "x" { keep; }'), ['require.missing']);
  assert.deepEqual(
    errorCodes(
      'require ["regex", "comparator-i;ascii-numeric"]; if header :regex :comparator "i;ascii-numeric" "subject" "1" { keep; }',
    ),
    ['comparator.unsupported-match'],
  );
});

test('§3: a search anywhere in the value, with anchors, alternation and intervals', () => {
  assert.equal(when('header :regex "subject" "Hello"'), true);
  assert.equal(when('header :regex "subject" "^Hello"'), false);
  assert.equal(when('header :regex "subject" "^\\\\[list-[a-z]+\\\\]"'), true);
  assert.equal(when('header :regex "subject" "World$"'), true);
  assert.equal(when('header :regex "subject" "(Fwd|Re): "'), true);
  assert.equal(when('header :regex "subject" "l{2}o"'), true);
  assert.equal(when('header :regex "subject" "l{3,}"'), false);
  assert.equal(when('address :regex :domain "from" "^example\\\\.(com|org)$"'), true);
});

test('§3: the comparator decides case: i;octet exact, i;ascii-casemap ASCII only, i;unicode-casemap all', () => {
  assert.equal(when('header :regex "subject" "hello world"'), true); // i;ascii-casemap is the default
  assert.equal(when('header :regex :comparator "i;octet" "subject" "hello world"'), false);
  assert.equal(when('header :regex :comparator "i;octet" "subject" "Hello World"'), true);
  assert.equal(when('header :regex "x-unicode" "GRÜSSE"'), false);
  assert.equal(when('header :regex "x-unicode" "GRüßE"'), true);
  assert.equal(when('header :regex "x-unicode" "grÜße"'), false); // Ü is not ASCII
  assert.equal(
    when('header :regex :comparator "i;unicode-casemap" "x-unicode" "grÜße aus KÖLN"', [
      'comparator-i;unicode-casemap',
    ]),
    true,
  );
  assert.equal(when('header :regex "subject" "[[:upper:]]ELLO"'), true);
  assert.equal(when('header :regex :comparator "i;octet" "subject" "[A-G]ello"'), false);
  assert.equal(when('header :regex "subject" "[a-h]ELLO"'), true);
});

test('§3: bracket expressions: classes, "]" first, "-" last, negation, backslash literal', () => {
  assert.equal(when('header :regex "subject" "^[[][[:alpha:]]+-[[:lower:]]]"'), true);
  assert.equal(when('header :regex "x-path" "[]|]c"'), true);
  assert.equal(when('header :regex "x-path" "[^a-z.|()*]"'), false);
  assert.equal(when('header :regex "x-path" "d[)-]"'), true);
  assert.equal(when('header :regex "x-unicode" "^[[:alpha:]]+ [[:alpha:]]+ [[:alpha:]]+$"'), true);
  assert.equal(when('header :regex "x-unicode" "Gr.ße"'), true); // "." is one character
  assert.equal(when('header :regex "x-path" "[\\\\]"'), false); // matches "\" only
});

test('§3: characters special in JavaScript but not in ERE are literal', () => {
  const t = translateRegex('a/b}c]d', 'octet');
  assert.equal(new RegExp(t.source, t.flags).test('xa/b}c]dx'), true);
  assert.equal(when('header :regex "x-path" "a\\\\.b\\\\|c\\\\(d\\\\)\\\\*"'), true);
});

test('§4: match variables ${0}…${9}: ${0} is the matched text, a group that took no part is ""', () => {
  const src =
    'require ["regex", "variables", "fileinto"];\n' +
    'if header :regex "subject" "(Fwd|Re): ([A-Z])[a-z]+|(nothing)" { fileinto "${0}|${1}|${2}|${3}"; }';
  assert.equal(mailbox(src), 'Re: Hello|Re|H|');
});

test('§5: :quoteregex escapes every special character (precedence 20, like :quotewildcard)', () => {
  assert.equal(quoteRegex('a.b|c(d)*[e]{f}^$+?\\'), 'a\\.b\\|c\\(d\\)\\*\\[e\\]\\{f\\}\\^\\$\\+\\?\\\\');
  const src =
    'require ["regex", "variables", "fileinto"];\n' +
    'set :quoteregex "p" "a.b|c(d)*";\n' +
    'if header :regex "x-path" "^${p}$" { fileinto "literal"; }';
  assert.equal(mailbox(src), 'literal');
  assert.deepEqual(errorCodes('require ["regex", "variables"]; set :quoteregex :quotewildcard "p" "x";'), [
    'set.modifier-conflict',
  ]);
  assert.deepEqual(errorCodes('require "variables"; set :quoteregex "p" "x";'), ['require.missing']);
});

test('§3: invalid patterns are compile errors at the key, with the position in the message', () => {
  const bad: [string, RegExp][] = [
    ['(a', /unmatched "\("/],
    ['[a', /unmatched "\["/],
    ['*a', /nothing to repeat/],
    ['a{2,1}', /maximum is below/],
    ['a{', /valid interval/],
    ['(a)\\\\1', /back-references/],
    ['[[:nope:]]', /unknown character class/],
    ['[z-a]', /invalid range/],
    ['a\\\\', /ends with/],
    ['a{300}', /exceed 255/],
  ];
  for (const [p, why] of bad) {
    const e = errors(`require "regex";\nif header :regex "subject" "${p}" { keep; }`);
    assert.equal(e.length, 1, p);
    assert.equal(e[0]!.code, 'regex.invalid');
    assert.equal(e[0]!.line, 2);
    assert.match(e[0]!.message, why, p);
    assert.match(e[0]!.message, /at character \d+/);
  }
});

test('§3: a pattern from a variable that is invalid is a run-time error', () => {
  const r = runWithHost(
    'require ["regex", "variables"]; set "p" "(a"; if header :regex "subject" "${p}" { discard; }',
    {},
    MESSAGE,
  );
  assert.match(r.error?.message ?? '', /unmatched "\("/);
  assert.deepEqual(r.actions, [{ type: 'keep', flags: [] }]);
});

test('catastrophic patterns are refused at compile time', () => {
  for (const p of ['(a+)+$', '(a*)*b', '([a-z]+\\\\s?)*$', '(.*,)+x', '(a|ab)*c', '(a|a)+', '.*a.*b.*c.*d']) {
    assert.deepEqual(
      errorCodes(`require "regex"; if header :regex "subject" "${p}" { keep; }`),
      ['regex.invalid'],
      p,
    );
  }
  // Delimited repetitions are linear and accepted.
  for (const p of [
    '^([a-z0-9-]+\\\\.)+example\\\\.com$',
    '(ab)+',
    '(foo|bar)*',
    '[a-z]+@[a-z]+\\\\.[a-z]+',
    'a.*b',
  ]) {
    assert.deepEqual(errorCodes(`require "regex"; if header :regex "subject" "${p}" { keep; }`), [], p);
  }
});

test('matching work is bounded: a value too long for the pattern is a run-time error, not a hang', () => {
  const long = 'x'.repeat(40_000);
  const msg = `Subject: ${long}\r\n\r\nbody\r\n`;
  const src = 'require "regex"; if header :regex "subject" "a.*b" { discard; }';
  const r = runWithHost(src, {}, msg);
  assert.match(r.error?.message ?? '', /too long for this regular expression/);
  // A pattern without repetition has no practical bound.
  assert.equal(
    runWithHost('require "regex"; if header :regex "subject" "xy" { discard; }', {}, msg).error,
    null,
  );
});
