// test_result_action names actions as Pigeonhole does.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTestsuiteFile } from '../../../src/testsuite/index.js';

const dir = mkdtempSync(join(tmpdir(), 'sievert-result-action-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('fileinto "INBOX" is a store action, keep is keep, though both deliver to INBOX', () => {
  const file = join(dir, 'names.svtest');
  writeFileSync(
    file,
    [
      'require "vnd.dovecot.testsuite";',
      'require "fileinto";',
      'test "fileinto" {',
      '  fileinto "INBOX";',
      '  if not test_result_action :index 1 "store" { test_fail "fileinto INBOX is not store"; }',
      '}',
      'test "keep" {',
      '  keep;',
      '  if not test_result_action :index 1 "keep" { test_fail "keep is not keep"; }',
      '}',
      // Duplicates are one action: a store while only fileinto asked for it, else the keep.
      'test "fileinto twice" {',
      '  fileinto "INBOX";',
      '  fileinto "inbox";',
      '  if not test_result_action :index 1 "store" { test_fail "fileinto INBOX twice is not store"; }',
      '}',
      'test "fileinto and keep" {',
      '  fileinto "INBOX";',
      '  keep;',
      '  if not test_result_action :index 1 "keep" { test_fail "fileinto INBOX and keep is not keep"; }',
      '}',
      '',
    ].join('\n'),
  );
  const r = runTestsuiteFile(file);
  assert.ok(r.passed, r.stdout);
});

test("the duplicate test's tracking is the action duplicate_mark (the specification's name)", () => {
  const file = join(dir, 'duplicate.svtest');
  writeFileSync(
    file,
    [
      'require "vnd.dovecot.testsuite";',
      'require "duplicate";',
      'test_set "message" text:',
      'Message-ID: <a@example.com>',
      '',
      'x',
      '.',
      ';',
      'test "duplicate" {',
      '  if duplicate { }',
      '  if not test_result_action :is "duplicate_mark" { test_fail "no duplicate_mark action"; }',
      '}',
      '',
    ].join('\n'),
  );
  const r = runTestsuiteFile(file);
  assert.ok(r.passed, r.stdout);
});
