#!/usr/bin/env node
// Node 20's test runner expands no globs and silently runs nothing when given a folder,
// so the test files are listed here explicitly.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { clearTimeout, setTimeout } from 'node:timers';

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
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--import',
    './scripts/test-diagnostics.mjs',
    '--test',
    '--test-reporter=spec',
    ...extra,
    ...files,
  ],
  { stdio: ['inherit', 'pipe', 'inherit'] },
);
// The output goes through as it comes; lines marked by test-diagnostics.mjs, and the runner's own
// notes of errors raised after a test ended, are kept and repeated after the summary.
const marked = [];
let partial = '';
let inside = false;
child.stdout.setEncoding('utf8');
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  const lines = (partial + chunk).split('\n');
  partial = lines.pop() ?? '';
  for (const line of lines) {
    if (line.includes('[test-diagnostics]') || line.startsWith('ℹ Error')) inside = true;
    else if (!line.startsWith('  ')) inside = false;
    if (inside) marked.push(line);
  }
});
// A test process that never ends (a deadlock inside node, a handle left open) must not hold CI
// until its own time limit: past the deadline the files still running are named and killed.
const deadlineMinutes = Number(process.env.SIEVERT_TEST_DEADLINE_MINUTES ?? (suite === 'unit' ? 15 : 45));
const childrenOf = (pid) => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
};
const watchdog = setTimeout(() => {
  const stuck = childrenOf(child.pid);
  const names = stuck.map((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
        .split('\0')
        .filter((a) => a.endsWith('.test.ts'))
        .join(' ');
    } catch {
      return `pid ${pid}`;
    }
  });
  marked.push(
    `[run-tests] still running after ${deadlineMinutes} minutes, killed: ${names.join(', ') || '(none)'}`,
  );
  process.stdout.write(`\n${marked.at(-1)}\n`);
  for (const pid of stuck) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  setTimeout(() => child.kill('SIGKILL'), 5000).unref();
}, deadlineMinutes * 60_000);
watchdog.unref();
child.on('close', (code) => {
  clearTimeout(watchdog);
  if (marked.length > 0) {
    process.stdout.write(`\nDiagnostics from the test files (repeated from above):\n${marked.join('\n')}\n`);
  }
  process.exit(code ?? 1);
});
