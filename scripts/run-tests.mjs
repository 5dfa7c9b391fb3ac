#!/usr/bin/env node
// Node 20's test runner expands no globs and silently runs nothing when given a folder,
// so the test files are listed here explicitly.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const suite = process.argv[2] ?? 'unit';
const roots = { unit: ['test/unit'], interop: ['test/interop'] }[suite];
if (!roots) {
  console.error(`unknown suite ${suite}; expected unit or interop`);
  process.exit(2);
}
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.ts')) files.push(p);
  }
};
for (const r of roots) walk(r);
if (files.length === 0) {
  console.error(`no test files under ${roots.join(', ')}`);
  process.exit(1);
}
const extra = process.argv.slice(3);
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', ...extra, ...files],
  {
    stdio: 'inherit',
  },
);
process.exit(r.status ?? 1);
