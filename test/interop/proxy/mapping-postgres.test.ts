import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SqlMapping } from '../../../src/proxy/mapping.js';
import { freePort } from './dovecot.js';

// A throwaway PostgreSQL 15 cluster, run as the postgres user and stopped with pg_ctl.
const bin = '/usr/lib/postgresql/15/bin';
let dir: string;
let port: number;
let running = false;

const asPostgres = (cmd: string, args: string[]): string =>
  execFileSync('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], {
    encoding: 'utf8',
    stdio: 'pipe',
  });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sievert-pg-'));
  chownSync(dir, 101, 104);
  port = await freePort();
  asPostgres('initdb', ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres']);
  asPostgres('pg_ctl', [
    '-D',
    join(dir, 'data'),
    '-l',
    join(dir, 'log'),
    '-o',
    `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir}`,
    '-w',
    'start',
  ]);
  running = true;
  execFileSync(
    join(bin, 'psql'),
    [
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-U',
      'postgres',
      '-c',
      "CREATE TABLE proxy_routes (identifier text PRIMARY KEY, destination text); INSERT INTO proxy_routes VALUES ('alice@example.com', 'new');",
    ],
    { stdio: 'pipe' },
  );
});

after(() => {
  if (running) asPostgres('pg_ctl', ['-D', join(dir, 'data'), '-m', 'fast', 'stop']);
  rmSync(dir, { recursive: true, force: true });
});

test('PostgreSQL mapping: hit, miss, and an outage reported as an error rather than a miss', async () => {
  const m = await SqlMapping.open(
    {
      driver: 'postgres',
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      query: 'SELECT destination FROM proxy_routes WHERE identifier = $1',
    },
    2000,
  );
  try {
    assert.equal(await m.lookup('alice@example.com'), 'new');
    assert.equal(await m.lookup('bob@example.com'), undefined);
    asPostgres('pg_ctl', ['-D', join(dir, 'data'), '-m', 'fast', 'stop']);
    running = false;
    await assert.rejects(m.lookup('alice@example.com'), /mapping SQL lookup failed/);
  } finally {
    await m.close();
  }
});
