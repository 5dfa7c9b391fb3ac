// Scripts run one after another into one result (test_script_run :append_result with
// test_result_execute in between, test_multiscript): what an earlier script performed cannot be
// taken back, so a later action that would conflict with it is no error (Pigeonhole's rule).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTestsuiteFile } from '../../../src/testsuite/index.js';

const dir = mkdtempSync(join(tmpdir(), 'sievert-multiscript-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const SCRIPTS: Record<string, string> = {
  'store.sieve': 'require "fileinto";\nfileinto "INBOX";\n',
  'reject-1.sieve': 'require "reject";\nreject "No.";\n',
  'reject-2.sieve': 'require "reject";\nreject "No again.";\n',
};
for (const [file, source] of Object.entries(SCRIPTS)) writeFileSync(join(dir, file), source);

function run(name: string, lines: string[]) {
  const file = join(dir, name);
  writeFileSync(file, ['require "vnd.dovecot.testsuite";', ...lines, ''].join('\n'));
  return runTestsuiteFile(file);
}

/** A test block that starts by running store.sieve into a fresh result. */
const STORE_FIRST = [
  'test "reject after store" {',
  '  if not allof (test_script_compile "store.sieve", test_script_run) {',
  '    test_fail "the first script did not run";',
  '  }',
];

const APPEND = (script: string, what: string) => [
  `  if not allof (test_script_compile "${script}", test_script_run :append_result) {`,
  `    test_fail "${what} did not run";`,
  '  }',
  `  if not test_result_execute { test_fail "${what}: its result did not execute"; }`,
];

test('a reject after an executed store is kept; a second reject is dropped', () => {
  const r = run('conflicts.svtest', [
    ...STORE_FIRST,
    '  if not test_result_execute { test_fail "the store did not execute"; }',
    ...APPEND('reject-1.sieve', 'the first reject'),
    ...APPEND('reject-2.sieve', 'the second reject'),
    '  if not test_result_action :index 1 "store" { test_fail "the store is gone"; }',
    '  if not test_result_action :index 2 "reject" { test_fail "the first reject is gone"; }',
    '  if test_result_action :index 3 "reject" { test_fail "the second reject was added"; }',
    '}',
  ]);
  assert.ok(r.passed, r.stdout);
});

test('a reject and a store not yet executed still conflict (RFC 5429 §2.4)', () => {
  const r = run('unexecuted.svtest', [
    ...STORE_FIRST,
    '  if not test_script_compile "reject-1.sieve" { test_fail "the reject did not compile"; }',
    '  if test_script_run :append_result { test_fail "the reject did not conflict"; }',
    '  if not test_error :contains "refused and delivered" { test_fail "another error"; }',
    '}',
  ]);
  assert.ok(r.passed, r.stdout);
});
