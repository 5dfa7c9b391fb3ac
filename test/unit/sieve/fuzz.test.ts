// Deterministic fuzzing of the engine: mutated scripts and messages must never throw, hang or
// exceed a limit; every failure is a diagnostic or a run-time error with implicit keep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, parseMessage, type Diagnostic } from '../../../src/sieve/index.js';

/** mulberry32: a small seeded PRNG, so every run fuzzes the same inputs. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEEDS = [
  `require ["fileinto", "envelope", "encoded-character", "comparator-i;ascii-numeric"];
if anyof (address :domain :is ["from", "to"] "example.com", header :matches "subject" "*[SPAM]*") {
  fileinto "Junk"; stop;
} elsif allof (not exists "x-a", size :over 10K, envelope :localpart :contains "from" "x") {
  redirect "a@example.org";
} else { keep; discard; }
if header :comparator "i;ascii-numeric" :is "x-n" "10" { fileinto "\${hex:41}"; }
`,
  'if header :contains "subject" text:\nline\n..dot\n.\n{ keep; }\n',
  '/* comment */ # x\nif true { if false { stop; } }\n',
];

const TOKENS = [
  'if',
  'elsif',
  'else',
  'require',
  'keep',
  'stop',
  'header',
  'address',
  ':is',
  ':contains',
  ':matches',
  ':comparator',
  '"x"',
  '["a","b"]',
  '(',
  ')',
  '{',
  '}',
  '[',
  ']',
  ',',
  ';',
  '1K',
  '99999999999G',
  'text:\n.\n',
  '"\\',
  '/*',
  '#',
  '\0',
  '\r',
  '\u00e9',
  '\ud800',
  'true',
  'not',
  'allof',
  'anyof',
  ':over',
];

function mutate(s: string, r: () => number): string {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  let out = s;
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(r() * (out.length + 1));
    switch (Math.floor(r() * 5)) {
      case 0: // delete a span
        out = out.slice(0, at) + out.slice(at + Math.floor(r() * 8));
        break;
      case 1: // insert a token
        out = out.slice(0, at) + ' ' + pick(TOKENS) + ' ' + out.slice(at);
        break;
      case 2: // replace a character with a random one
        out = out.slice(0, at) + String.fromCharCode(Math.floor(r() * 0x250)) + out.slice(at + 1);
        break;
      case 3: // truncate
        out = out.slice(0, at);
        break;
      default: // duplicate a span
        out = out.slice(0, at) + out.slice(Math.max(0, at - 20), at) + out.slice(at);
    }
  }
  return out;
}

function checkDiagnostics(ds: readonly Diagnostic[], src: string): void {
  for (const d of ds) {
    assert.ok(
      d.line >= 1 && d.column >= 1,
      `bad position in ${JSON.stringify(d)} for ${JSON.stringify(src)}`,
    );
    assert.ok(d.message.length > 0 && d.code.length > 0);
  }
}

const MESSAGES = [
  'From: a@example.com\r\nTo: b@example.com, c@x.org\r\nSubject: =?utf-8?q?hi?=\r\nX-N: 10\r\n\r\nbody\r\n',
  '',
  '\0\0\0\xff\xfe',
  'From: <<<@@@>>> "unterminated\r\nSubject: =?bogus?x?===?=\r\n\r\n',
  'no header at all',
];

function messageBytes(s: string, r: () => number): Uint8Array {
  const b = Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
  for (let i = 0; i < b.length; i++) if (r() < 0.05) b[i] = Math.floor(r() * 256);
  return b;
}

test('mutated scripts never throw: each compiles or gives positioned diagnostics', () => {
  const engine = createEngine({ cacheSize: 0 });
  const r = rng(0x5eed);
  let compiled = 0;
  for (let i = 0; i < 3000; i++) {
    const src = mutate(SEEDS[i % SEEDS.length]!, r);
    const res = engine.compile(src);
    checkDiagnostics(res.diagnostics, src);
    if (res.program) {
      compiled++;
      const msg = parseMessage(messageBytes(MESSAGES[i % MESSAGES.length]!, r));
      const out = engine.run(res.program, {
        message: msg,
        envelope: { from: i % 3 ? 'a@b.c' : null, to: 'd@e.f' },
      });
      assert.ok(
        Array.isArray(out.actions) && out.actions.length > 0,
        'every run ends with at least one action',
      );
      if (out.error) assert.deepEqual(out.actions, [{ type: 'keep', flags: [] }]);
    } else {
      assert.ok(
        res.diagnostics.some((d) => d.severity === 'error'),
        `no error reported for a failed compile: ${JSON.stringify(src)}`,
      );
    }
  }
  assert.ok(compiled > 100, `only ${compiled} mutated scripts compiled: the fuzzer is too destructive`);
});

test('random token soup never throws', () => {
  const engine = createEngine({ cacheSize: 0 });
  const r = rng(42);
  for (let i = 0; i < 2000; i++) {
    const n = Math.floor(r() * 30);
    const src = Array.from({ length: n }, () => TOKENS[Math.floor(r() * TOKENS.length)]!).join(
      r() < 0.5 ? ' ' : '',
    );
    checkDiagnostics(engine.compile(src).diagnostics, src);
  }
});

test('binary junk, NUL bytes and invalid UTF-8 in scripts give diagnostics', () => {
  const engine = createEngine();
  const junk = String.fromCharCode(...Array.from({ length: 500 }, (_, i) => (i * 7919) % 256));
  for (const src of [
    junk,
    'keep;\0',
    'if header "a\0b" "c" {}',
    '\ud800\udfff\ud800',
    'keep;'.repeat(1) + '\u0000'.repeat(100),
  ]) {
    const r = engine.compile(src);
    checkDiagnostics(r.diagnostics, src);
  }
  assert.equal(engine.compile('keep;\0').program, null);
});

test('hostile messages: 10 MB header, NUL bytes, invalid UTF-8, no header end', () => {
  const engine = createEngine();
  const p = engine.compile(
    'if anyof (header :contains "subject" "x", address :is "from" "a@b.c", exists "x-big", size :over 1M) { discard; }',
  ).program!;
  const big = 'X-Big: ' + 'a'.repeat(10 * 1024 * 1024) + '\r\nSubject: x\r\n\r\nbody';
  const cases = [
    big,
    'Subject: \0\0x\0\r\nFrom: \xff\xfe@\x80\r\n\r\n',
    'Subject: x',
    '\r\n\r\n\r\n',
    'From:\r\n\t\r\n',
  ];
  for (const c of cases) {
    const out = engine.run(p, {
      message: parseMessage(Uint8Array.from(c, (ch) => ch.charCodeAt(0) & 0xff)),
      envelope: { from: null, to: 'x@y.z' },
    });
    assert.equal(out.error, null);
  }
  const out = engine.run(p, {
    message: parseMessage(new TextEncoder().encode(big)),
    envelope: { from: null, to: 'x@y.z' },
  });
  assert.deepEqual(out.actions, [{ type: 'discard' }]);
});
