// The engine fuzzer shared by the unit test (a short deterministic run) and bench/fuzz.ts
// (a long run): mutated scripts and messages must never throw, hang or exceed a limit.
import assert from 'node:assert/strict';
import { createEngine, parseMessage, type Diagnostic } from '../../src/sieve/index.js';

/** mulberry32: a small seeded PRNG, so every run fuzzes the same inputs. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const SEEDS = [
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

export const TOKENS = [
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

export function mutate(s: string, r: () => number): string {
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

export const MESSAGES = [
  'From: a@example.com\r\nTo: b@example.com, c@x.org\r\nSubject: =?utf-8?q?hi?=\r\nX-N: 10\r\n\r\nbody\r\n',
  '',
  '\0\0\0\xff\xfe',
  'From: <<<@@@>>> "unterminated\r\nSubject: =?bogus?x?===?=\r\n\r\n',
  'no header at all',
];

export function messageBytes(s: string, r: () => number): Uint8Array {
  const b = Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
  for (let i = 0; i < b.length; i++) if (r() < 0.05) b[i] = Math.floor(r() * 256);
  return b;
}

export function checkDiagnostics(ds: readonly Diagnostic[], src: string): void {
  for (const d of ds) {
    assert.ok(
      d.line >= 1 && d.column >= 1,
      `bad position in ${JSON.stringify(d)} for ${JSON.stringify(src)}`,
    );
    assert.ok(d.message.length > 0 && d.code.length > 0);
  }
}

/** Compiles `iterations` mutated scripts and runs those that compile; returns how many compiled. */
export function fuzzEngine(seed: number, iterations: number): number {
  const engine = createEngine({ cacheSize: 0 });
  const r = rng(seed);
  let compiled = 0;
  for (let i = 0; i < iterations; i++) {
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
  return compiled;
}
