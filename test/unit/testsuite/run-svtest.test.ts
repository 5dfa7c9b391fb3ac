// Every .svtest file under test/svtest runs through the test-suite runner and must pass; files
// named *.fail.svtest run with --expect-fail (every block must fail). A first line
// `# needs: ext1 ext2` skips a file until the engine has those extensions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createEngine } from '../../../src/sieve/index.js';
import { runTestsuiteFile } from '../../../src/testsuite/index.js';

const ROOT = 'test/svtest';

function svtestFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...svtestFiles(p));
    else if (name.endsWith('.svtest')) out.push(p);
  }
  return out;
}

const capabilities = new Set(createEngine().capabilities());

function missingCapabilities(file: string): string[] {
  const first = readFileSync(file, 'utf8').split('\n', 1)[0] ?? '';
  const m = /^#\s*needs:\s*(.*)$/.exec(first);
  return m ? m[1]!.split(/\s+/).filter((c) => c !== '' && !capabilities.has(c)) : [];
}

const files = svtestFiles(ROOT);

test('there are .svtest files to run', () => {
  assert.ok(files.length >= 5, `found ${files.length} files under ${ROOT}`);
  assert.ok(files.some((f) => f.endsWith('.fail.svtest')));
});

for (const file of files) {
  const name = relative(ROOT, file);
  const missing = missingCapabilities(file);
  const expectFail = file.endsWith('.fail.svtest');
  test(
    `${name}${expectFail ? ' (expect-fail)' : ''}`,
    { skip: missing.length ? `needs ${missing.join(', ')}` : false },
    () => {
      const report = runTestsuiteFile(file, { expectFail });
      assert.ok(report.passed, `\n${report.stdout}${report.stderr}`);
      assert.ok(report.tests > 0);
      assert.equal(report.stderr, '');
    },
  );
}
