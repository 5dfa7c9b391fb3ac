// The report of `sievert testsuite`, line for line as Pigeonhole's testsuite prints it, and the
// exit status.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { sievert as run, type Run } from '../cli/run.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTestsuiteFile } from '../../../src/testsuite/index.js';

const dir = mkdtempSync(join(tmpdir(), 'sievert-svtest-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function svtest(name: string, body: string): string {
  const p = join(dir, name);
  writeFileSync(p, `require "vnd.dovecot.testsuite";\n${body}`);
  return p;
}

test('passing blocks: SUCCEEDED lines, then PASS: N tests succeeded.', () => {
  const f = svtest('pass.svtest', 'test "One" { }\ntest "Two" { if false { test_fail "no"; } }\n');
  const r = runTestsuiteFile(f);
  assert.equal(
    r.stdout,
    `Test case: ${f}:\n\n 1: Test 'One' SUCCEEDED\n 2: Test 'Two' SUCCEEDED\n\nPASS: 2 tests succeeded.\n\n`,
  );
  assert.equal(r.passed, true);
  assert.equal(r.stderr, '');
});

test('a failed block prints its reason and the run goes on with the next block', () => {
  const f = svtest('fail.svtest', 'test "A" { test_fail "why"; }\ntest "B" { }\n');
  const r = runTestsuiteFile(f);
  assert.equal(
    r.stdout,
    `Test case: ${f}:\n\n 1: Test 'A' FAILED: why\n 2: Test 'B' SUCCEEDED\n\nFAIL: 1 of 2 tests failed.\n\n`,
  );
  assert.equal(r.passed, false);
  assert.equal(r.failures, 1);
});

test('block numbers are right-aligned to width 2', () => {
  const blocks = Array.from({ length: 10 }, (_, i) => `test "T${i + 1}" { }`).join('\n');
  const r = runTestsuiteFile(svtest('ten.svtest', blocks));
  assert.match(r.stdout, /\n 9: Test 'T9' SUCCEEDED\n10: Test 'T10' SUCCEEDED\n/);
});

test('test_fail outside a block fails the whole case and ends it', () => {
  const f = svtest('outside.svtest', 'test "A" { }\ntest_fail "setup broke";\ntest "B" { }\n');
  const r = runTestsuiteFile(f);
  assert.equal(
    r.stdout,
    `Test case: ${f}:\n\n 1: Test 'A' SUCCEEDED\nXX: Test CASE FAILED: setup broke\n\nFAIL: 1 of 1 tests failed.\n\n`,
  );
  assert.equal(r.stderr, '');
});

test('a compile error of the file goes to stderr as FILE: line N: error: …', () => {
  const f = svtest('bad.svtest', 'test "A" {\n  frop;\n}\n');
  const r = runTestsuiteFile(f);
  assert.equal(
    r.stdout,
    `Test case: ${f}:\n\nXX: Test CASE FAILED: failed to compile testcase script\n\nFAIL: 1 of 0 tests failed.\n\n`,
  );
  assert.match(
    r.stderr,
    new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: line 3: error: unknown command "frop"\n$`),
  );
});

test('nested test blocks are a compile error', () => {
  const r = runTestsuiteFile(svtest('nested.svtest', 'test "A" { test "B" { } }\n'));
  assert.match(r.stderr, /line 2: error: tests cannot be nested/);
});

test('a run-time error of the file aborts the case', () => {
  const f = svtest('runtime.svtest', 'test "A" {\n  test_set "frop" "x";\n}\n');
  const r = runTestsuiteFile(f);
  // An unknown object known at compile time is a compile error …
  assert.match(r.stderr, /unknown testsuite object 'frop'/);
  const g = svtest(
    'runtime2.svtest',
    'require "variables";\nset "o" "frop";\ntest "A" {\n  test_set "${o}" "x";\n}\n',
  );
  const s = runTestsuiteFile(g);
  // … one computed at run time ends the run.
  assert.equal(
    s.stdout,
    `Test case: ${g}:\n\nXX: Test CASE FAILED: test script execution aborted due to error\n\nFAIL: 1 of 1 tests failed.\n\n`,
  );
  assert.match(s.stderr, /line 5: error: test_set: unknown testsuite object 'frop'/);
});

test('--expect-fail: passes when every block fails, fails when one succeeds', () => {
  const all = svtest('all.svtest', 'test "A" { test_fail "x"; }\ntest "B" { test_fail "y"; }\n');
  const r = runTestsuiteFile(all, { expectFail: true });
  assert.equal(r.passed, true);
  assert.match(
    r.stdout,
    /\n 1: Test 'A' FAILED: x\n 2: Test 'B' FAILED: y\n\nPASS: 2 tests failed as expected\.\n\n$/,
  );
  const some = svtest('some.svtest', 'test "A" { test_fail "x"; }\ntest "B" { }\n');
  const s = runTestsuiteFile(some, { expectFail: true });
  assert.equal(s.passed, false);
  assert.match(s.stdout, /\nFAIL: 1 of 2 tests did not fail\.\n\n$/);
});

test('scripts outside the test suite cannot require vnd.dovecot.testsuite', async () => {
  const { compile } = await import('../../../src/sieve/index.js');
  const r = compile('require "vnd.dovecot.testsuite";\n');
  assert.equal(r.program, null);
});

function sievert(...args: string[]): Run {
  return run(args);
}

test('sievert testsuite: reports each file in turn; exit 0 only when all pass', () => {
  const ok = svtest('cli-ok.svtest', 'test "A" { }\n');
  const bad = svtest('cli-bad.svtest', 'test "B" { test_fail "no"; }\n');
  const r = sievert('testsuite', ok);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, `Test case: ${ok}:\n\n 1: Test 'A' SUCCEEDED\n\nPASS: 1 tests succeeded.\n\n`);
  const s = sievert('testsuite', ok, bad);
  assert.equal(s.code, 1);
  assert.ok(s.stdout.includes(`Test case: ${ok}:`) && s.stdout.includes(`Test case: ${bad}:`));
  assert.equal(sievert('testsuite', '--expect-fail', bad).code, 0);
});
