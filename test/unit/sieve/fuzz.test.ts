// Deterministic fuzzing of the engine: mutated scripts and messages must never throw, hang or
// exceed a limit; every failure is a diagnostic or a run-time error with implicit keep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, parseMessage } from '../../../src/sieve/index.js';
import { TOKENS, checkDiagnostics, fuzzEngine, rng } from '../../fuzz/engine.js';

test('mutated scripts never throw: each compiles or gives positioned diagnostics', () => {
  const compiled = fuzzEngine(0x5eed, 3000);
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
