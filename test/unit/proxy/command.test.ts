import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { proxyCommand } from '../../../src/proxy/index.js';
import { dial } from './helpers.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sievert-cmd-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const good = `
[listener.imap]
protocol = "imap"
bind = ["127.0.0.1:0"]
[destination.a]
host = "127.0.0.1"
allow_plaintext_auth = true
[destination.a.protocol.imap]
port = 1
[routing]
default_destination = "a"
`;

/** Runs proxyCommand in-process with stderr captured. */
async function run(argv: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const write = process.stderr.write.bind(process.stderr);
  const out = process.stdout.write.bind(process.stdout);
  process.stderr.write = (s: string) => ((stderr += s), true);
  process.stdout.write = () => true;
  try {
    return { code: await proxyCommand(argv), stderr };
  } finally {
    process.stderr.write = write;
    process.stdout.write = out;
  }
}

test('--check validates; a bad file exits 78 naming the file and key; bad usage exits 2', async () => {
  writeFileSync(join(dir, 'good.toml'), good);
  writeFileSync(join(dir, 'bad.toml'), good.replace('port = 1', 'port = 1\ntls = "tls"'));
  assert.deepEqual(await run(['--config', join(dir, 'good.toml'), '--check']), { code: 0, stderr: '' });
  const bad = await run(['--config', join(dir, 'bad.toml')]);
  assert.equal(bad.code, 78);
  assert.match(
    bad.stderr,
    /bad\.toml: destination\.a\.protocol\.imap\.tls: expected one of "plain", "starttls", "implicit"/,
  );
  assert.equal((await run([])).code, 2);
  assert.equal((await run(['--bogus'])).code, 2);
});

test('runs until SIGTERM, answering clients, then exits 0', { timeout: 15_000 }, async () => {
  writeFileSync(join(dir, 'run.toml'), good);
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      `import('./src/proxy/index.ts').then(async (m) => { process.exitCode = await m.proxyCommand(['--config', ${JSON.stringify(join(dir, 'run.toml'))}]); })`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        const m = /"event":"listen".*?"port":(\d+)/.exec(buf);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', () => reject(new Error(`exited early: ${buf}`)));
    });
    const c = await dial(port);
    await c.expect(/^\* OK \[CAPABILITY /);
    c.close();
    const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    assert.equal(await exit, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
