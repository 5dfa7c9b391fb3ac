// Limits.maxIncludes: the most distinct scripts one run may include (Pigeonhole's
// sieve_include_max_includes, default 255), a run-time error past it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, DEFAULT_LIMITS, parseMessage, type RunResult } from '../../../../src/sieve/index.js';
import { applySettings } from '../../../../src/testsuite/settings.js';
import { DEFAULT_MESSAGE } from '../helpers.js';

/** Runs a main script that includes scripts s1…sN (each of which does nothing). */
function includeScripts(names: string[], limits?: { maxIncludes: number }): RunResult {
  const engine = createEngine(limits ? { limits } : {});
  const source = 'require "include";\n' + names.map((n) => `include "${n}";\n`).join('');
  const { program, diagnostics } = engine.compile(source);
  if (!program) throw new Error(diagnostics.map((d) => d.message).join('; '));
  return engine.run(program, {
    message: parseMessage(new TextEncoder().encode(DEFAULT_MESSAGE)),
    envelope: { from: 'a@example.com', to: 'b@example.org' },
    host: { loadScript: (location, name) => ({ source: 'keep;', id: `${location}:${name}` }) },
  });
}

const scripts = (n: number): string[] => Array.from({ length: n }, (_, i) => `s${i + 1}`);

test('the default is 255, as Pigeonhole', () => {
  assert.equal(DEFAULT_LIMITS.maxIncludes, 255);
});

test('at the limit the run passes; one more script is a run-time error', () => {
  assert.equal(includeScripts(scripts(3), { maxIncludes: 3 }).error, null);
  const r = includeScripts(scripts(4), { maxIncludes: 3 });
  assert.match(
    r.error?.message ?? '',
    /include: cannot include "s4": no more than 3 distinct scripts may be included in one run/,
  );
  assert.equal(r.error?.line, 5);
});

test('with the default limit: 255 scripts pass, 256 fail', () => {
  assert.equal(includeScripts(scripts(255)).error, null);
  assert.match(includeScripts(scripts(256)).error?.message ?? '', /no more than 255 distinct scripts/);
});

test('a script included again counts once', () => {
  assert.equal(includeScripts(['s1', 's2', 's1', 's2', 's1'], { maxIncludes: 2 }).error, null);
});

test("the test-suite runner maps Pigeonhole's sieve_include_max_includes", () => {
  assert.equal(applySettings(new Map([['sieve_include_max_includes', '7']])).limits['maxIncludes'], 7);
});
