import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ManageSieveClient, requireOk } from '../../../src/managesieve/client.js';
import { makeCerts, type TestCerts } from '../../unit/proxy/helpers.js';
import { startPostgres, type PostgresCluster } from '../store/postgres-cluster.js';
import type { PasswdUser } from './common.js';
import { startSievertServe, type SievertServe } from './sievert-serve.js';

// Two `sievert serve` nodes on one PostgreSQL database (a private PostgreSQL 15 cluster on a
// loopback port, run as the postgres user and stopped with pg_ctl): what one node writes the
// other sees at once, and the script count quota holds across nodes under concurrent writes.

const MAX_SCRIPTS = 3;
const users: PasswdUser[] = ['shared', 'race'].map((u) => ({
  user: `${u}@example.com`,
  password: '{PLAIN}pgpw',
}));

let dir: string;
let pg: PostgresCluster;
let certs: TestCerts;
const nodes: SievertServe[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sievert-ms-pg-'));
  pg = await startPostgres();
  certs = makeCerts();
  for (const n of ['a', 'b']) {
    const nodeDir = join(dir, n);
    mkdirSync(nodeDir);
    nodes.push(
      await startSievertServe({
        dir: nodeDir,
        users,
        storeUrl: pg.url('postgres'),
        cert: certs.certFile,
        key: certs.keyFile,
        maxScripts: MAX_SCRIPTS,
      }),
    );
  }
});

after(async () => {
  for (const n of nodes) await n.stop();
  pg?.remove();
  certs?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const login = async (node: SievertServe, user: string): Promise<ManageSieveClient> => {
  const c = await ManageSieveClient.connect({
    host: '127.0.0.1',
    port: node.port,
    tlsOptions: { ca: certs.ca, servername: 'localhost' },
    timeoutMs: 10_000,
  });
  requireOk('AUTHENTICATE', await c.authenticate(user, 'pgpw'));
  return c;
};

test('a script put on node A is listed, fetched and activated on node B at once', async () => {
  const a = await login(nodes[0]!, 'shared@example.com');
  const b = await login(nodes[1]!, 'shared@example.com');
  try {
    const script = Buffer.from('require "fileinto";\r\n# Grüße\r\nfileinto "INBOX.a";\r\n');
    requireOk('PUTSCRIPT', await a.putScript('from-a', script));
    assert.deepEqual((await b.listScripts()).scripts, [{ name: 'from-a', active: false }]);
    assert.deepEqual((await b.getScript('from-a')).content, script);
    requireOk('SETACTIVE', await b.setActive('from-a'));
    assert.deepEqual((await a.listScripts()).scripts, [{ name: 'from-a', active: true }]);
    const del = await a.deleteScript('from-a');
    assert.deepEqual([del.status, del.code], ['NO', 'ACTIVE'], 'activated on B, so active on A');
    requireOk('RENAMESCRIPT', await b.renameScript('from-a', 'renamed'));
    assert.deepEqual((await a.listScripts()).scripts, [{ name: 'renamed', active: true }]);
  } finally {
    a.close();
    b.close();
  }
});

test(`concurrent PUTSCRIPTs on both nodes with max_scripts = ${MAX_SCRIPTS} never store more`, async () => {
  const clients = await Promise.all([0, 1, 0, 1, 0, 1].map((n) => login(nodes[n]!, 'race@example.com')));
  try {
    const okNames: string[] = [];
    const codes = new Set<string>();
    // Each client sends all its PUTSCRIPTs at once (pipelined); every name is distinct.
    await Promise.all(
      clients.map(async (c, i) => {
        const names = Array.from({ length: 8 }, (_, j) => `c${i}-${j}`);
        c.send(names.map((n) => `PUTSCRIPT "${n}" {7+}\r\nkeep;\r\n\r\n`).join(''));
        for (const n of names) {
          const r = await c.readResponse();
          if (r.status === 'OK') okNames.push(n);
          else codes.add(`${r.status} ${r.code ?? ''}`);
        }
      }),
    );
    const listed = (await clients[0]!.listScripts()).scripts.map((s) => s.name).sort();
    assert.deepEqual(listed, okNames.sort(), 'exactly the acknowledged scripts are stored');
    assert.equal(listed.length, MAX_SCRIPTS);
    // RFC 5804 §1.3: a server may also answer TRYLATER when a write conflicts.
    for (const code of codes) assert.match(code, /^NO (QUOTA\/MAXSCRIPTS|TRYLATER)$/);
  } finally {
    for (const c of clients) c.close();
  }
});
