// draft-ietf-sieve-regex-01: the :regex match type and :quoteregex.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorCodes, errors } from '../helpers.js';
import { hostActions, runWithHost } from './with-host.js';
import { quoteRegex, translateRegex } from '../../../../src/sieve/extensions/regex/posix.js';
import { compileRegex } from '../../../../src/sieve/extensions/regex/matcher.js';
import { createEngine, parseMessage } from '../../../../src/sieve/index.js';

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

test('patterns that backtrack badly compile, as every valid ERE does', () => {
  for (const p of [
    '(a+)+$',
    '(a*)*b',
    '([a-z]+\\\\s?)*$',
    '(.*,)+x',
    '(a|ab)*c',
    '(a|a)+',
    '.*a.*b.*c.*d',
    '(.*>[ \\\\t]*,?[ \\\\t]*)?([^-@]*)-([^-@]*)(-bounces)?@ant\\\\.example\\\\.com',
    'a{2,3}{2,3}',
    'a{1,200}{1,2}',
  ]) {
    assert.deepEqual(errorCodes(`require "regex"; if header :regex "subject" "${p}" { keep; }`), [], p);
  }
});

test("a pattern whose repetitions expand beyond the matcher's size limit is refused with its position", () => {
  const e = errors('require "regex";\nif header :regex "subject" "x(a{1,200}){1,200}" { keep; }');
  assert.equal(e.length, 1);
  assert.equal(e[0]!.code, 'regex.invalid');
  assert.match(e[0]!.message, /at character 2: .*too large/);
});

/** A run over a message whose header `name` is `value`: the mailbox filed into, or the error. */
function longRun(name: string, value: string, test: string, requires: string[] = []): string {
  const req = JSON.stringify(['regex', 'variables', 'fileinto', ...requires]);
  const msg = `${name}: ${value}\r\n\r\nbody\r\n`;
  const r = runWithHost(`require ${req};\nif ${test} else { fileinto "no"; }`, {}, msg);
  if (r.error) return `error: ${r.error.message}`;
  const a = r.actions.find((x) => x.type === 'fileinto');
  return a?.type === 'fileinto' ? a.mailbox : '(none)';
}

test('catastrophic patterns on long values finish with the right answer (no length limit)', () => {
  const as = 'a'.repeat(10_000);
  assert.equal(longRun('X', `${as}b`, 'header :regex "x" "(a+)+$" { fileinto "yes"; }'), 'no');
  assert.equal(longRun('X', `${as}b`, 'header :regex "x" "^(a+)+b$" { fileinto "yes"; }'), 'yes');
  const abs = 'ab'.repeat(5_000);
  assert.equal(longRun('X', abs, 'header :regex "x" "(a|ab)*c" { fileinto "yes"; }'), 'no');
  assert.equal(longRun('X', `${abs}c`, 'header :regex "x" "^(a|ab)*c" { fileinto "${1}"; }'), 'ab');
  // Words then a character that is neither a word character nor a space: the only match is the
  // empty one at the very end.
  const words = 'word '.repeat(3_000);
  assert.equal(
    longRun('X', `${words}!`, 'header :regex "x" "(\\\\w+\\\\s?)*$" { fileinto "[${0}|${1}]"; }'),
    '[|]',
  );
  const xs = 'x'.repeat(20_000);
  assert.equal(longRun('X', `a${xs}bcd`, 'header :regex "x" "a.*b.*c.*d.*e" { fileinto "yes"; }'), 'no');
  assert.equal(
    longRun(
      'X',
      `a${'x'.repeat(3_000)}bcde`,
      'header :regex "x" "a.*b.*c.*d.*e" { set :length "n" "${0}"; fileinto "${n}"; }',
    ),
    '3005',
  );
  // Groups with an unbounded quantifier inside, one after another: polynomial of a high degree
  // for a backtracking engine.
  assert.equal(longRun('X', as, 'header :regex "x" "(a*)(a*)(a*)(a*)(a*)b" { fileinto "yes"; }'), 'no');
  assert.equal(longRun('X', as, 'header :regex "x" "((a|a))*b" { fileinto "yes"; }'), 'no');
});

test('a real mailing-list pattern on a 1,500-character header gives the match values', () => {
  const sender = `${'x'.repeat(1_470)}, antlr-interest-bounces@ant.example.com`;
  assert.equal(
    longRun(
      'Sender',
      sender,
      'header :regex "sender" "(.*>[ \\\\t]*,?[ \\\\t]*)?([^-@]*)-([^-@]*)(-bounces)?@ant\\\\.example\\\\.com" ' +
        '{ fileinto "${1}|${3}|${4}|${5}"; }',
    ),
    '|interest|-bounces|',
  );
  assert.equal(
    longRun(
      'Sender',
      `${'y'.repeat(1_500)} > , antlr-interest@ant.example.com`,
      'header :regex "sender" "(.*>[ \\\\t]*,?[ \\\\t]*)?([^-@]*)-([^-@]*)(-bounces)?@ant\\\\.example\\\\.com" ' +
        '{ fileinto "${2}|${3}|${4}"; }',
    ),
    'antlr|interest|',
  );
});

test('long values under case-insensitive comparators: i;ascii-casemap and i;unicode-casemap', () => {
  const as = 'a'.repeat(10_000);
  assert.equal(longRun('X', `${as}B`, 'header :regex "x" "^(A+)+b$" { fileinto "yes"; }'), 'yes');
  assert.equal(
    longRun('X', `${'ä'.repeat(5_000)}Ä!`, 'header :regex "x" "(Ä+)+$" { fileinto "yes"; }'),
    'no',
  );
  assert.equal(
    longRun(
      'X',
      `${'ä'.repeat(5_000)}Ä`,
      'header :regex :comparator "i;unicode-casemap" "x" "^(Ä+)+$" { fileinto "yes"; }',
      ['comparator-i;unicode-casemap'],
    ),
    'yes',
  );
  assert.equal(
    longRun(
      'X',
      `${'😀ß'.repeat(3_000)}ẞ`,
      'header :regex :comparator "i;unicode-casemap" "x" "(.ß)*(ß)$" { fileinto "${2}"; }',
      ['comparator-i;unicode-casemap'],
    ),
    'ẞ',
  );
});

test('maxRegexWork: the matches of one run may do exactly the limit of work; one unit less ends the run', () => {
  // Two values: a short one for the backtracking engine and a long one for the linear matcher.
  const pattern = '(.*>[ \\t]*,?[ \\t]*)?([^-@]*)-([^-@]*)(-bounces)?@ant\\.example\\.com';
  const short = 'a-b'; // does not match (no domain): the work is done all the same
  const long = `${'x'.repeat(300)} <list-bounces@ant.example.com>`;
  const c = compileRegex(pattern, 'ascii');
  assert.ok(short.length <= c.backtrackingLimit && long.length > c.backtrackingLimit, 'one value per engine');
  c.exec(short);
  const shortWork = c.lastWork;
  c.exec(long);
  const longWork = c.lastWork;
  assert.ok(shortWork > 0 && longWork > 0);
  const message = `From: a@example.com\r\nX-A: ${short}\r\nX-B: ${long}\r\n\r\nbody\r\n`;
  const src =
    `require ["regex", "fileinto"];\n` +
    `if header :regex "x-a" "${pattern.replace(/\\/g, '\\\\')}" { }\n` +
    `if header :regex "x-b" "${pattern.replace(/\\/g, '\\\\')}" { fileinto "both"; }\n`;
  const runWith = (maxRegexWork: number) => {
    const engine = createEngine({ limits: { maxRegexWork } });
    return engine.run(engine.compile(src).program!, {
      message: parseMessage(new TextEncoder().encode(message)),
      envelope: { from: 'a@example.com', to: 'b@example.org' },
    });
  };
  const at = runWith(shortWork + longWork);
  assert.equal(at.error, null);
  assert.deepEqual(
    at.actions.map((a) => a.type),
    ['fileinto'],
  );
  const over = runWith(shortWork + longWork - 1);
  assert.match(
    over.error?.message ?? '',
    /regular expressions of this run took too much work: the limit is \d+ units/,
  );
  assert.equal(over.error?.line, 3, 'at the match that went past it');
  const first = runWith(shortWork - 1);
  assert.equal(first.error?.line, 2, 'the backtracking match is refused before it runs');
  const exact = runWith(shortWork);
  assert.equal(exact.error?.line, 3, 'the backtracking match may use all of the limit');
});

test("maxRegexWork counts the linear matcher's set-up: many short values against a large pattern", () => {
  // No value goes to the backtracking engine ("a?a?" repeated is exponential for it); each match
  // of a one-character value sets up the Pike VM for ~18,500 instructions and 21 groups.
  const groups = [...'bcdefghijklmnopqrstu'].map((c) => `(${c})`).join('');
  const pattern = `x(a?a?${groups}){1,250}`;
  assert.equal(compileRegex(pattern, 'ascii').backtrackingLimit, -1);
  const values = Array.from({ length: 1000 }, () => '"y"').join(', ');
  const src = `require ["regex", "variables"];\nif string :regex [${values}] "${pattern}" { keep; }\n`;
  const engine = createEngine();
  const r = engine.run(engine.compile(src).program!, {
    message: parseMessage(new TextEncoder().encode('From: a@example.com\r\n\r\nx\r\n')),
    envelope: { from: 'a@example.com', to: 'b@example.org' },
  });
  assert.match(r.error?.message ?? '', /took too much work/);
});

test('a script whose matches together pass the default maxRegexWork ends with a run-time error', () => {
  // Each match keeps 20 groups alive over 72,000 characters (millions of units); 64 of them pass
  // the default limit, as a script built to spend CPU (Pigeonhole's errors-cpu-limit) does.
  const alts = [...'ABCDEFGHIJKLMNOPQR'].map((c) => `(${c})`).join('|');
  const value = 'ABCDEFGHIJKLMNOPQRRQPONMLKJIHGFEDCBA'.repeat(2000) + '@';
  const tests = Array.from({ length: 64 }, () => `if string :regex "\${v}" "^((${alts}))*$" { keep; }`);
  const src = `require ["regex", "variables"];\nset "v" "${value}";\n${tests.join('\n')}\n`;
  const engine = createEngine({ limits: { maxVariableSize: value.length } });
  const r = engine.run(engine.compile(src).program!, {
    message: parseMessage(new TextEncoder().encode('From: a@example.com\r\n\r\nx\r\n')),
    envelope: { from: 'a@example.com', to: 'b@example.org' },
  });
  assert.match(r.error?.message ?? '', /took too much work/);
});
