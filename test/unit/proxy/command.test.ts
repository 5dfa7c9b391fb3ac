import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { proxyCommand } from '../../../src/proxy/index.js';
import { dial, dialTls, makeCerts } from './helpers.js';

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

/** Starts `sievert proxy --config file` in a child process; resolves with the first listener's port. */
function spawnProxy(file: string): { child: ReturnType<typeof spawn>; port: Promise<number> } {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      `import('./src/proxy/index.ts').then(async (m) => { process.exitCode = await m.proxyCommand(['--config', ${JSON.stringify(file)}]); })`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = new Promise<number>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /"event":"listen".*?"port":(\d+)/.exec(buf);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', () => reject(new Error(`exited early: ${buf}`)));
  });
  return { child, port };
}

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
  const { child, port: portP } = spawnProxy(join(dir, 'run.toml'));
  try {
    const port = await portP;
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

test(
  'SIGHUP re-reads the listener certificates: new connections get the new one, open sessions carry on',
  {
    timeout: 20_000,
  },
  async () => {
    const first = makeCerts();
    const second = makeCerts();
    const certFile = join(dir, 'hup-cert.pem');
    const keyFile = join(dir, 'hup-key.pem');
    copyFileSync(first.certFile, certFile);
    copyFileSync(first.keyFile, keyFile);
    const file = join(dir, 'hup.toml');
    writeFileSync(
      file,
      good.replace(
        'bind = ["127.0.0.1:0"]',
        `bind = ["127.0.0.1:0"]\ntls = "implicit"\ncert = "${certFile}"\nkey = "${keyFile}"`,
      ),
    );
    const { child, port: portP } = spawnProxy(file);
    try {
      const port = await portP;
      const before = await dialTls(port, first.ca);
      await before.expect(/^\* OK /);
      copyFileSync(second.certFile, certFile);
      copyFileSync(second.keyFile, keyFile);
      child.kill('SIGHUP');
      // The reload is done when a client trusting only the new CA gets through.
      let after;
      for (let i = 0; i < 100 && !after; i++) {
        after = await dialTls(port, second.ca).catch(() => undefined);
        if (!after) await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(after, 'a new connection is offered the new certificate');
      await after.expect(/^\* OK /);
      await assert.rejects(dialTls(port, first.ca), /certificate/, 'the old certificate is gone');
      // The session accepted before the reload still answers.
      before.send('a1 NOOP');
      await before.expect('a1 OK NOOP completed.');
      before.close();
      after.close();
      const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      assert.equal(await exit, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      first.cleanup();
      second.cleanup();
    }
  },
);
