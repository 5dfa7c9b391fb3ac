import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ManageSieveClient, requireOk } from '../../../src/managesieve/client.js';
import { startSievertServe, type SievertServe, type SievertServeOptions } from './sievert-serve.js';

// Crash safety (issue 5, "Bad input"): a stream of pipelined PUTSCRIPTs and SETACTIVEs against
// `sievert serve` on SQLite, SIGKILL of the server in the middle of it, a restart on the same
// data directory: every script acknowledged with OK is there octet for octet, or replaced by a
// later PUTSCRIPT of the same name that was in flight; nothing is half written; at most one
// script is active.

const USER = 'crash@example.com';
const NAMES = 12;
/** Commands in flight at once, so that the kill lands while several are being handled. */
const DEPTH = 6;
/** Acknowledgements before the kill. */
const KILL_AFTER = 150;

let dir: string;
let options: SievertServeOptions;
let server: SievertServe | undefined;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sievert-ms-crash-'));
  options = {
    dir,
    users: [{ user: USER, password: '{PLAIN}crashpw' }],
    tls: 'plain',
    plaintextWithoutTls: true,
    maxScriptSize: '1M',
  };
  server = await startSievertServe(options);
});

after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const connect = async (port: number): Promise<ManageSieveClient> => {
  const c = await ManageSieveClient.connect({ host: '127.0.0.1', port, tls: 'plain', timeoutMs: 10_000 });
  requireOk('AUTHENTICATE', await c.authenticate(USER, 'crashpw'));
  return c;
};

/** A valid script of 2–200 KB whose every octet depends on `seq` (comments of random hex). */
function scriptFor(seq: number): Buffer {
  const size = 2_000 + ((seq * 7919) % 198_000);
  const lines = [
    `# script ${seq}\r\n`,
    'require ["fileinto"];\r\n',
    `if header :is "x-seq" "${seq}" { fileinto "S${seq}"; }\r\n`,
  ];
  let length = lines.reduce((a, l) => a + l.length, 0);
  while (length < size) {
    const l = `# ${randomBytes(48).toString('hex')}\r\n`;
    lines.push(l);
    length += l.length;
  }
  lines.push('keep;\r\n');
  return Buffer.from(lines.join(''), 'latin1');
}

type Sent = { kind: 'put'; name: string; content: Buffer } | { kind: 'activate'; name: string };

test('SIGKILL during a stream of PUTSCRIPTs: every acknowledged script is intact after a restart', async () => {
  const first = server!;
  const c = await connect(first.port);
  const inFlight: Sent[] = [];
  const acked = new Map<string, Buffer>();
  let activeAcked: string | undefined;
  const unacked: Sent[] = [];
  let seq = 0;
  let ackCount = 0;
  let killed = false;
  try {
    for (;;) {
      while (inFlight.length < DEPTH) {
        seq++;
        const name = `s${seq % NAMES}`;
        if (seq % 10 === 0) {
          c.send(`SETACTIVE "${name}"\r\n`);
          inFlight.push({ kind: 'activate', name });
        } else {
          const content = scriptFor(seq);
          c.send(
            Buffer.concat([
              Buffer.from(`PUTSCRIPT "${name}" {${content.length}+}\r\n`),
              content,
              Buffer.from('\r\n'),
            ]),
          );
          inFlight.push({ kind: 'put', name, content });
        }
      }
      if (ackCount === KILL_AFTER && !killed) {
        killed = true;
        await first.crash();
      }
      const r = await c.readResponse();
      const done = inFlight.shift()!;
      // A SETACTIVE of a name not yet put fails with NONEXISTENT: that is fine, it changed nothing.
      if (done.kind === 'put') {
        assert.equal(r.status, 'OK', `PUTSCRIPT ${done.name}: ${r.text}`);
        acked.set(done.name, done.content);
      } else if (r.status === 'OK') activeAcked = done.name;
      ackCount++;
    }
  } catch (e) {
    // The stream ends when the server is killed; any other failure is the test's.
    if (!killed) throw e;
    unacked.push(...inFlight);
  } finally {
    c.close();
  }
  assert.ok(killed, 'the server was killed mid-stream');
  assert.ok(acked.size > 0);

  server = await startSievertServe({ ...options, port: first.port });
  const after = await connect(server.port);
  const list = await after.listScripts();
  assert.equal(list.status, 'OK');
  const listed = new Set(list.scripts.map((s) => s.name));
  for (let i = 0; i < NAMES; i++) {
    const name = `s${i}`;
    const allowed = [
      ...(acked.has(name) ? [acked.get(name)!] : []),
      ...unacked.flatMap((s) => (s.kind === 'put' && s.name === name ? [s.content] : [])),
    ];
    if (!listed.has(name)) {
      assert.ok(!acked.has(name), `acknowledged script ${name} is missing`);
      continue;
    }
    const got = await after.getScript(name);
    assert.equal(got.status, 'OK');
    assert.ok(
      allowed.some((a) => a.equals(got.content!)),
      `${name}: ${got.content!.length} octets match neither the acknowledged script nor one in flight`,
    );
  }
  const active = list.scripts.filter((s) => s.active).map((s) => s.name);
  assert.ok(active.length <= 1, `one active script at most: ${active.join(', ')}`);
  const inFlightActivations = unacked.flatMap((s) => (s.kind === 'activate' ? [s.name] : []));
  if (activeAcked !== undefined)
    assert.ok(
      active[0] === activeAcked || inFlightActivations.includes(active[0] ?? ''),
      `active: ${active[0]} (acknowledged: ${activeAcked})`,
    );
  await after.logout();
});
