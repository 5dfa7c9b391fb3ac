// The regex match type has two engines for one translated pattern: JavaScript's backtracking
// RegExp, used while its worst case is small for the value's length, and a backtracking-free
// simulation (a Pike VM) otherwise. Both must give the same match and the same groups, so that
// match variables do not depend on the length of the value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CharTests } from '../../../../src/sieve/extensions/regex/charset.js';
import { BacktrackingCost } from '../../../../src/sieve/extensions/regex/cost.js';
import { RegexWorkExceeded } from '../../../../src/sieve/extensions/regex/linear.js';
import { compileRegex } from '../../../../src/sieve/extensions/regex/matcher.js';
import {
  RegexSyntaxError,
  translateRegex,
  type CaseMode,
} from '../../../../src/sieve/extensions/regex/posix.js';

type Groups = (string | undefined)[] | null;

function both(pattern: string, mode: CaseMode, value: string): { backtracking: Groups; linear: Groups } {
  const c = compileRegex(pattern, mode);
  const m = c.execBacktracking(value);
  return { backtracking: m && Array.from(m), linear: c.linear.exec(value) };
}

function assertSame(pattern: string, mode: CaseMode, value: string): void {
  const r = both(pattern, mode, value);
  assert.deepEqual(r.linear, r.backtracking, `/${pattern}/ (${mode}) on ${JSON.stringify(value)}`);
}

/** A small deterministic generator (mulberry32), so that a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABETS: Record<CaseMode, { pattern: string[]; value: string }> = {
  octet: { pattern: ['a', 'b', 'c', 'A', ' '], value: 'abcA _' },
  ascii: { pattern: ['a', 'b', 'B', 'c'], value: 'abcAB ' },
  unicode: { pattern: ['a', 'ß', 'k', 'Ä', 'ſ'], value: 'aßẞkKKäſ😀 ' },
};
const SETS = ['.', '[ab]', '[^a]', '[[:alpha:]]', '[[:upper:]]', '\\w', '\\s', '[a-cß]', '[^[:space:]]'];
const ASSERTIONS = ['^', '$', '\\b', '\\B', '\\<', '\\>'];
const QUANTIFIERS = ['*', '+', '?', '{2}', '{0,2}', '{1,3}', '{2,}', '{,2}', '{0}', '*{2}', '{1,2}{2}', '?+'];

function generator(seed: number, mode: CaseMode) {
  const r = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const alphabet = ALPHABETS[mode];
  const atom = (depth: number): string => {
    const x = r();
    if (x < 0.15 && depth < 4) return `(${alternatives(depth + 1)})`;
    if (x < 0.2) return pick(ASSERTIONS);
    if (x < 0.35) return pick(SETS);
    return pick(alphabet.pattern);
  };
  const item = (depth: number): string => {
    const a = atom(depth);
    if (ASSERTIONS.includes(a) || r() < 0.55) return a;
    return a + pick(QUANTIFIERS);
  };
  const sequence = (depth: number): string => {
    const n = Math.floor(r() * 4) + (depth === 0 ? 1 : 0);
    return Array.from({ length: n }, () => item(depth)).join('');
  };
  const alternatives = (depth: number): string => {
    const n = r() < 0.7 ? 1 : r() < 0.8 ? 2 : 3;
    return Array.from({ length: n }, () => sequence(depth)).join('|');
  };
  const value = (): string => {
    const chars = [...alphabet.value];
    return Array.from({ length: Math.floor(r() * 11) }, () => pick(chars)).join('');
  };
  return { pattern: () => alternatives(0), value };
}

for (const mode of ['octet', 'ascii', 'unicode'] as const) {
  test(`random patterns and values (${mode}): both engines give the same match and groups`, () => {
    const g = generator(0x5eed + mode.length, mode);
    let compared = 0;
    for (let i = 0; i < 2500; i++) {
      const pattern = g.pattern();
      try {
        compileRegex(pattern, mode);
      } catch (e) {
        if (e instanceof RegexSyntaxError) continue;
        throw e;
      }
      // The backtracking engine itself could take very long on some of these patterns.
      const t = translateRegex(pattern, mode);
      const cost = new BacktrackingCost(t.alts, new CharTests(t.flags));
      for (let k = 0; k < 8; k++) {
        const value = g.value();
        if (cost.total(value.length) > 1e8) continue;
        assertSame(pattern, mode, value);
        compared++;
      }
    }
    assert.ok(compared > 15_000, `only ${compared} comparisons`);
  });
}

test('every value up to length 6 over "ab" on patterns with nested and empty repetitions', () => {
  const patterns = [
    '(a*)*',
    '(a*)+',
    '(a*)+b',
    '(a|b*)*',
    '(a*|b)*',
    '((a)|b)+',
    '(a?){2,3}',
    '(()|a)+',
    '(a|())*b',
    '((a*)*b)*',
    '(\\b)*',
    '(^a|b)*',
    '(a$|b)*',
    '(a|ab)*(b*)',
    '(a|ab)(c|bcd)?(d*)',
    '((a)|(b))*',
    '((a)|(b)){2}',
    '(a{0,2}){2,3}',
    '((a?)*)*',
    '(a?b?)+$',
    '(a{2}|b)*{2}',
  ];
  const values = [''];
  for (let len = 1; len <= 6; len++) {
    for (let bits = 0; bits < 1 << len; bits++) {
      values.push(Array.from({ length: len }, (_, i) => ((bits >> i) & 1 ? 'b' : 'a')).join(''));
    }
  }
  for (const p of patterns) for (const v of values) assertSame(p, 'octet', v);
});

test('cases the random search once found', () => {
  // The search skips characters no match can start with: what was visited at the position
  // before the skip must not count at the position after it.
  assertSame('[a-cß]?\\<b|(bc)', 'ascii', 'A bc');
  assertSame('([ab]?+[a-cß]{0,2}A)?\\ba{0,2}(b\\>)', 'octet', 'AA_A_  b');
});

test('a search starts between characters, never inside a surrogate pair', () => {
  // V8 finds the empty match of \B between the two halves of 😀; the search goes on to "b".
  const c = compileRegex('\\B|b', 'octet');
  assert.deepEqual(c.execBacktracking('x😀b') && Array.from(c.execBacktracking('x😀b')!), ['b']);
  assert.deepEqual(c.linear.exec('x😀b'), ['b']);
  assertSame('\\B', 'unicode', 'k😀aäK');
});

test('the backtracking engine is kept only where its worst case is bounded for the value length', () => {
  // Linear patterns: always the backtracking engine.
  for (const p of ['Hello', '^\\[list-[a-z]+\\]', '(Fwd|Re): ', '^x[^x]*x$', 'l{2}o']) {
    assert.equal(compileRegex(p, 'ascii').backtrackingLimit, Infinity, p);
  }
  // Polynomial: up to some length only.
  for (const p of ['a.*b', '[a-z]+@[a-z]+\\.[a-z]+']) {
    const quadratic = compileRegex(p, 'octet').backtrackingLimit;
    assert.ok(quadratic >= 500 && quadratic < 100_000, `${p}: ${quadratic}`);
  }
  // High degree and exponential: only short values.
  for (const p of ['(a*)(a*)(a*)(a*)(a*)b', '(a+)+$', '((a|a))*b', '(a|ab)*c', '(a*ba*)*c', '(a|a){1,50}']) {
    assert.ok(compileRegex(p, 'octet').backtrackingLimit < 50, p);
  }
});

test('the linear matcher never ends past its budget: one unit less than its work throws', () => {
  // Some work is done after the last position's check: here "$" failing after "a".
  for (const [pattern, value] of [
    ['^a$', 'ab'],
    ['a', 'xxa'],
    ['(a|b)c', 'xxac'],
  ]) {
    const { linear } = compileRegex(pattern!, 'octet');
    linear.exec(value!);
    const work = linear.lastWork;
    assert.doesNotThrow(() => linear.exec(value!, work), pattern);
    assert.throws(() => linear.exec(value!, work - 1), RegexWorkExceeded, pattern);
  }
});
