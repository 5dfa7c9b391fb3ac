// The servers' buffered JSON logger: lines reach standard output in batches, after at most
// LOG_FLUSH_MS when few arrive, and none is lost when the process exits or dies of an error.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { test } from 'node:test';

/** A child that makes the logger, logs `n` lines, then runs `then`. */
function childScript(n: number, then: string): string[] {
  const body =
    `import('./src/log.ts').then((m) => { const log = m.serverLogger('info', 'test');` +
    ` for (let i = 0; i < ${n}; i++) log.info({ i }, 'line'); ${then} });`;
  return ['--import', 'tsx', '-e', body];
}

const lines = (out: string): number[] =>
  out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as { i: number; service: string }).i);

test('lines logged just before process.exit are written out', () => {
  const r = spawnSync(process.execPath, childScript(3, 'process.exit(0);'));
  assert.equal(r.status, 0, r.stderr.toString());
  assert.deepEqual(lines(r.stdout.toString()), [0, 1, 2]);
});

test('lines logged before an uncaught error are written out', () => {
  const r = spawnSync(process.execPath, childScript(2, "throw new Error('boom');"));
  assert.notEqual(r.status, 0);
  assert.deepEqual(lines(r.stdout.toString()), [0, 1]);
});

test('a few lines in a quiet process are written without waiting for more or for the exit', async () => {
  // The child stays alive until killed: the line can only arrive through the periodic flush.
  const child = spawn(process.execPath, childScript(1, 'setInterval(() => {}, 1000);'));
  try {
    const out = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stdout.on('data', (d: Buffer) => {
        text += d.toString();
        if (text.endsWith('\n')) resolve(text);
      });
      child.on('exit', (code) => reject(new Error(`child exited ${code} before logging`)));
      // A bound, not a speed check: the flush is due after LOG_FLUSH_MS.
      setTimeout(() => reject(new Error('no line within 10 s')), 10_000).unref();
    });
    assert.deepEqual(lines(out), [0]);
  } finally {
    child.kill('SIGKILL');
  }
});

test('a quiet process is not woken to write an empty buffer', () => {
  // Counts sonic-boom's writes to fd 1: the one line, once, then nothing for five flush periods.
  const body =
    `const fs = require('node:fs'); const real = fs.write; let writes = 0;` +
    ` fs.write = (fd, ...rest) => { if (fd === 1) writes++; return real(fd, ...rest); };` +
    ` import('./src/log.ts').then((m) => { m.serverLogger('info', 'test').info('line');` +
    ` setTimeout(() => { process.stderr.write('writes=' + writes); process.exit(0); }, 5 * m.LOG_FLUSH_MS + 100); });`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', body]);
  assert.equal(r.status, 0, r.stderr.toString());
  assert.equal(lines(r.stdout.toString()).length, 1);
  assert.match(r.stderr.toString(), /writes=1$/);
});
