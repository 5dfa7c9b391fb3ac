import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile, createEngine, parseMessage, run } from '../../../src/sieve/index.js';
import { KEEP, actions, fileinto, program, runScript } from './helpers.js';

const msg = (headers: string[], body = 'body'): string => [...headers, '', body, ''].join('\r\n');

test('implicit keep when nothing cancels it', () => {
  assert.deepEqual(actions('if false { discard; }'), [KEEP]);
  assert.deepEqual(actions(''), [KEEP]);
});

test('fileinto and redirect cancel the implicit keep; :copy does not', () => {
  assert.deepEqual(actions('require "fileinto"; fileinto "A";'), [fileinto('A')]);
  assert.deepEqual(actions('redirect "x@example.com";'), [
    { type: 'redirect', address: 'x@example.com', copy: false },
  ]);
});

test('discard is reported only when the message ends up nowhere', () => {
  assert.deepEqual(actions('discard;'), [{ type: 'discard' }]);
  assert.deepEqual(actions('require "fileinto"; discard; fileinto "A";'), [fileinto('A')]);
  assert.deepEqual(actions('discard; keep;'), [KEEP]);
});

test('duplicate actions are merged', () => {
  assert.deepEqual(actions('require "fileinto"; fileinto "A"; fileinto "A";'), [fileinto('A')]);
  assert.deepEqual(actions('require "fileinto"; fileinto "INBOX"; keep;'), [KEEP]);
  assert.deepEqual(actions('require "fileinto"; keep; fileinto "inbox";'), [KEEP]);
  assert.deepEqual(actions('redirect "a@example.com"; redirect "a@EXAMPLE.com";'), [
    { type: 'redirect', address: 'a@example.com', copy: false },
  ]);
});

test('keep after fileinto keeps both in execution order', () => {
  assert.deepEqual(actions('require "fileinto"; fileinto "A"; keep;'), [fileinto('A'), KEEP]);
});

test('stop ends the script; the implicit keep still applies', () => {
  assert.deepEqual(actions('stop; discard;'), [KEEP]);
  assert.deepEqual(actions('require "fileinto"; if true { fileinto "A"; stop; } fileinto "B";'), [
    fileinto('A'),
  ]);
});

test('if / elsif / else take the first true branch only', () => {
  const s =
    'require "fileinto"; if header :is "x-n" "1" { fileinto "one"; } elsif header :is "x-n" "2" { fileinto "two"; } else { fileinto "other"; }';
  assert.deepEqual(actions(s, msg(['X-N: 1'])), [fileinto('one')]);
  assert.deepEqual(actions(s, msg(['X-N: 2'])), [fileinto('two')]);
  assert.deepEqual(actions(s, msg(['X-N: 3'])), [fileinto('other')]);
});

test('allof and anyof evaluate left to right and short-circuit', () => {
  // The trace shows which tests ran: the second test of each list must not.
  const p = program('if anyof (true, header :is "a" "b") {} if allof (false, header :is "c" "d") {}');
  const seen: string[] = [];
  run(p, {
    message: parseMessage(new TextEncoder().encode(msg(['A: b']))),
    envelope: { from: 'a@b.c', to: 'd@e.f' },
    trace: (e) => {
      if (e.kind === 'test') seen.push(e.text);
    },
  });
  assert.deepEqual(seen, ['true test: true', 'anyof test: true', 'false test: false', 'allof test: false']);
});

test('header: :is, :contains, :matches, case-insensitive by default, every occurrence tried', () => {
  const m = msg(['Subject: Hello World', 'X-Tag: one', 'X-Tag: two']);
  const hit = (t: string): boolean => actions(`if ${t} { discard; }`, m)[0]?.type === 'discard';
  assert.ok(hit('header :is "subject" "hello world"'));
  assert.ok(!hit('header :is :comparator "i;octet" "subject" "hello world"'));
  assert.ok(hit('header :contains "Subject" "LO WO"'));
  assert.ok(hit('header :matches "subject" "H*o W?rld"'));
  assert.ok(!hit('header :matches "subject" "Hello"'));
  assert.ok(hit('header :is "x-tag" "two"'));
  assert.ok(hit('header :is ["x-none", "x-tag"] ["zero", "one"]'));
  assert.ok(!hit('header :contains "x-none" ""'));
  assert.ok(hit('header :contains "subject" ""'));
});

test(':matches: wildcards, escapes and edge cases', () => {
  const m = msg(['Subject: a*b?c\\d']);
  const hit = (k: string): boolean =>
    actions(`if header :matches "subject" ${JSON.stringify(k)} { discard; }`, m)[0]?.type === 'discard';
  assert.ok(hit('a\\*b\\?c\\\\d'));
  assert.ok(!hit('a\\*b\\?cd'));
  assert.ok(hit('*'));
  assert.ok(hit('a*d'));
  // The value a*b?c\d has 7 characters.
  assert.ok(hit('???????'));
  assert.ok(!hit('??????'));
  assert.ok(!hit('????????'));
  assert.ok(hit('*?*?*?*?*?*?*?*'));
  assert.ok(!hit('*?*?*?*?*?*?*?*?*'));
  assert.ok(hit('a***d'));
  assert.ok(hit('*b?c*'));
  // The literal after the last star must match the end of the value.
  assert.ok(!hit('*xyz'));
  assert.ok(!hit('a*xyz'));
  assert.ok(!hit('*c'));
  assert.ok(hit('*d'));
  assert.ok(hit('a*?d'));
});

test('address: all, localpart, domain over every address of every header', () => {
  const m = msg([
    'From: "A" <alice@Example.COM>',
    'To: b@x.org, Group: c@y.org, "q u"@z.org;',
    'Cc: (comment) d@w.org (x)',
  ]);
  const hit = (t: string): boolean => actions(`if ${t} { discard; }`, m)[0]?.type === 'discard';
  assert.ok(hit('address :is "from" "alice@example.com"'));
  assert.ok(hit('address :localpart :is "from" "ALICE"'));
  assert.ok(hit('address :domain :is "from" "example.com"'));
  assert.ok(hit('address :is "to" "c@y.org"'));
  assert.ok(hit('address :localpart :is "to" "q u"'));
  assert.ok(hit('address :is "cc" "d@w.org"'));
  assert.ok(!hit('address :is "from" "A"'));
  assert.ok(!hit('address :is "cc" "(comment) d@w.org (x)"'));
});

test('envelope: from and to, null sender, address parts', () => {
  const s = 'require "envelope"; if envelope :is "from" "" { discard; }';
  assert.deepEqual(actions(s, undefined, { from: '', to: 'x@y.z' }), [{ type: 'discard' }]);
  assert.deepEqual(actions(s, undefined, { from: 'a@b.c', to: 'x@y.z' }), [KEEP]);
  const d = 'require "envelope"; if envelope :domain :is "to" "Y.Z" { discard; }';
  assert.deepEqual(actions(d, undefined, { from: 'a@b.c', to: 'x@y.z' }), [{ type: 'discard' }]);
});

test('envelope: SMTP paths (RFC 5321 §4.1.2): source routes dropped, invalid paths match nothing', () => {
  const part = (path: string, t: string): boolean =>
    actions(`require "envelope"; if envelope ${t} { discard; }`, undefined, { from: path, to: 'x@y.z' })[0]
      ?.type === 'discard';
  // A source route (A-d-l) is obsolete and ignored (RFC 5321 §4.1.2, §C).
  assert.ok(part('@relay.example.org:bob@example.org', ':all :is "from" "bob@example.org"'));
  assert.ok(part('<@a.example,@b.example:bob@example.org>', ':localpart :is "from" "bob"'));
  assert.ok(part('<bob@example.org>', ':all :is "from" "bob@example.org"'));
  // A path that is not one: nothing to compare, whatever the address part.
  for (const bad of [
    'bob@',
    '<<bob@example.org>',
    'bob@example.org>',
    '<bob@example.org',
    'bob@@example.org',
    '<bob example.org>',
    'relay.example.org:bob@example.org',
    '@.example.org:bob@example.org',
    '@a..example:bob@example.org',
    '@a.example,b.example:bob@example.org',
  ]) {
    assert.ok(!part(bad, ':domain :contains "from" ""'), bad);
    assert.ok(!part(bad, ':all :contains "from" ""'), bad);
  }
  // A local part alone ("MAILER-DAEMON") and lax dots in local parts are accepted.
  assert.ok(part('MAILER-DAEMON', ':all :is "from" "MAILER-DAEMON"'));
  assert.ok(part('.dots..@example.com', ':localpart :is "from" ".dots.."'));
  // Hostnames that break the letter-digit-hyphen rule are still domains.
  assert.ok(part('a@_example.com', ':domain :is "from" "_example.com"'));
  assert.ok(part('a@example-.com', ':domain :is "from" "example-.com"'));
});

test('exists is true only if every header exists', () => {
  const m = msg(['A: 1', 'B: 2']);
  assert.deepEqual(actions('if exists ["a", "b"] { discard; }', m), [{ type: 'discard' }]);
  assert.deepEqual(actions('if exists ["a", "c"] { discard; }', m), [KEEP]);
});

test('size :over and :under are strict', () => {
  const m = msg(['A: 1'], 'x'.repeat(100));
  const size = new TextEncoder().encode(m).length;
  const t = (s: string): boolean => actions(`if ${s} { discard; }`, m)[0]?.type === 'discard';
  assert.ok(t(`size :over ${size - 1}`));
  assert.ok(!t(`size :over ${size}`));
  assert.ok(t(`size :under ${size + 1}`));
  assert.ok(!t(`size :under ${size}`));
});

test('i;ascii-numeric: leading digits, non-numbers equal each other and exceed every number', () => {
  const m = msg(['X-A: 0042abc', 'X-B: abc', 'X-C: 99999999999999999999999']);
  const hit = (t: string): boolean =>
    actions(`require "comparator-i;ascii-numeric"; if ${t} { discard; }`, m)[0]?.type === 'discard';
  assert.ok(hit('header :comparator "i;ascii-numeric" "x-a" "42"'));
  assert.ok(hit('header :comparator "i;ascii-numeric" "x-b" "xyz"'));
  assert.ok(!hit('header :comparator "i;ascii-numeric" "x-b" "0"'));
  assert.ok(hit('header :comparator "i;ascii-numeric" "x-c" "099999999999999999999999"'));
});

test('i;unicode-casemap compares case-insensitively beyond ASCII', () => {
  const m = msg(['Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=']);
  const s =
    'require "comparator-i;unicode-casemap"; if header :comparator "i;unicode-casemap" :is "subject" "GRÜSSE" { discard; }';
  const s2 =
    'require "comparator-i;unicode-casemap"; if header :comparator "i;unicode-casemap" :is "subject" "grüße" { discard; }';
  assert.deepEqual(actions(s2, m), [{ type: 'discard' }]);
  assert.deepEqual(actions(s, m), [KEEP]);
});

test('the redirect limit is a run-time error with implicit keep, never a silent drop', () => {
  const engine = createEngine({ limits: { maxRedirects: 2 } });
  const p = engine.compile('redirect "a@x.org"; redirect "b@x.org"; redirect "c@x.org";').program!;
  const r = engine.run(p, {
    message: parseMessage(new TextEncoder().encode(msg(['A: 1']))),
    envelope: { from: 'a@b.c', to: 'd@e.f' },
  });
  assert.deepEqual(r.actions, [KEEP]);
  assert.match(r.error!.message, /number of redirect actions exceeds policy limit \(3 > 2\)/);
  assert.equal(r.error!.line, 1);
  // At the limit exactly: fine.
  const ok = engine.compile('redirect "a@x.org"; redirect "b@x.org";').program!;
  assert.equal(
    engine.run(ok, { message: parseMessage(new Uint8Array()), envelope: { from: null, to: 'x@y.z' } }).error,
    null,
  );
});

test('the step budget ends a run with a run-time error', () => {
  const engine = createEngine({ limits: { maxSteps: 10 } });
  const p = engine.compile('keep; keep; keep; keep; keep; keep; keep; keep; keep; keep;').program!;
  const input = { message: parseMessage(new Uint8Array()), envelope: { from: null, to: 'x@y.z' } };
  assert.equal(engine.run(p, input).error, null);
  const p2 = engine.compile('keep; keep; keep; keep; keep; keep; keep; keep; keep; keep; keep;').program!;
  assert.match(engine.run(p2, input).error!.message, /too many steps/);
});

test('the action limit is a run-time error', () => {
  const engine = createEngine({ limits: { maxActions: 2 } });
  const p = engine.compile('require "fileinto"; fileinto "a"; fileinto "b"; fileinto "c";').program!;
  const r = engine.run(p, { message: parseMessage(new Uint8Array()), envelope: { from: null, to: 'x@y.z' } });
  assert.match(r.error!.message, /total number of actions exceeds policy limit \(3 > 2\)/);
});

test('compile limits: script size and nesting depth, at the boundary', () => {
  const engine = createEngine({ limits: { maxScriptSize: 20, maxNesting: 3 } });
  assert.ok(engine.compile('keep;'.padEnd(20, ' ')).program);
  assert.equal(engine.compile('keep;'.padEnd(21, ' ')).diagnostics[0]?.code, 'limit.script-size');
  const big = createEngine({ limits: { maxNesting: 3 } });
  assert.ok(big.compile('if true { if true { if true { keep; } } }').program);
  assert.equal(
    big.compile('if true { if true { if true { if true { keep; } } } }').diagnostics[0]?.code,
    'limit.nesting',
  );
  assert.equal(big.compile('if not not not not true { keep; }').diagnostics[0]?.code, 'limit.nesting');
});

test('check() reports what compile() would, without caching a program', () => {
  const engine = createEngine({ limits: { maxScriptSize: 40 } });
  for (const source of [
    'keep;',
    'require "fileinto";\nfileinto "a"',
    'frop;\nfrop;',
    'keep;'.padEnd(40, ' '),
    'keep;'.padEnd(41, ' '),
  ]) {
    assert.deepEqual(
      engine.check(source),
      createEngine({ limits: { maxScriptSize: 40 } }).compile(source).diagnostics,
      source,
    );
  }
  assert.equal(engine.check('keep;'.padEnd(41, ' '))[0]?.code, 'limit.script-size');
  // A compiled script's check is its cached diagnostics.
  const compiled = engine.compile('if true { frop; }');
  assert.equal(engine.check('if true { frop; }'), compiled.diagnostics);
});

test('1,000 levels of nesting give one clear error, not a stack overflow', () => {
  const deep = 'if true { '.repeat(1000) + 'keep;' + ' }'.repeat(1000);
  const r = compile(deep);
  assert.equal(r.program, null);
  assert.equal(r.diagnostics[0]?.code, 'limit.nesting');
  const deepTests = 'if ' + 'not '.repeat(1000) + 'true {}';
  assert.equal(compile(deepTests).diagnostics[0]?.code, 'limit.nesting');
});

test('compiled programs are cached by content and reusable across messages', () => {
  const a = compile('keep;');
  assert.equal(compile('keep;'), a);
  const p = a.program!;
  for (const m of ['A: 1', 'B: 2']) {
    assert.deepEqual(
      run(p, {
        message: parseMessage(new TextEncoder().encode(msg([m]))),
        envelope: { from: null, to: 'x@y.z' },
      }).actions,
      [KEEP],
    );
  }
});

test('runScript reports run-time errors with the line', () => {
  const r = runScript(
    '\n\nredirect "a@x.org"; redirect "b@x.org"; redirect "c@x.org"; redirect "d@x.org"; redirect "e@x.org";',
  );
  assert.equal(r.error?.line, 3);
});

test('i;ascii-casemap folds ASCII letters only (long s, Kelvin sign and dotless i stay distinct)', () => {
  const m = msg(['Subject: =?UTF-8?Q?=C5=BF_=E2=84=AA_=C4=B1?=']);
  const hit = (t: string): boolean => actions(`if ${t} { discard; }`, m)[0]?.type === 'discard';
  for (const k of ['s', 'S', 'k', 'K', 'i', 'I']) {
    assert.equal(hit(`header :contains "subject" "${k}"`), false, `:contains ${k}`);
    assert.equal(hit(`header :matches "subject" "*${k}*"`), false, `:matches ${k}`);
  }
  assert.ok(hit('header :contains "subject" "\u017f"'));
  assert.ok(hit('header :is "subject" "\u017f \u212a \u0131"'));
});

test('string length limit, at the boundary', () => {
  // Every string counts, the header name "subject" (7) too.
  const engine = createEngine({ limits: { maxStringLength: 7 } });
  assert.ok(engine.compile('if header "subject" "1234567" { keep; }').program);
  assert.equal(
    engine.compile('if header "subject" "12345678" { keep; }').diagnostics[0]?.code,
    'limit.string-length',
  );
});

test('error count limit: reporting stops at maxErrors', () => {
  const engine = createEngine({ limits: { maxErrors: 3 } });
  const r = engine.compile('frob1;\nfrob2;\nfrob3;\nfrob4;\nfrob5;');
  assert.equal(r.program, null);
  assert.equal(r.diagnostics.filter((d) => d.severity === 'error').length, 3);
});
