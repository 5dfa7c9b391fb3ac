import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { openStore, StoreError, UNLIMITED } from '../../../src/store/index.js';
import { POSTGRES_MIGRATIONS } from '../../../src/store/migrations.js';
import { storeConformance, type StoreHarness } from '../../unit/store/conformance.js';
import { startPostgres, type PostgresCluster } from './postgres-cluster.js';

let cluster: PostgresCluster;
before(async () => {
  cluster = await startPostgres();
});
after(() => cluster.remove());

let seq = 0;

async function rawQuery(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<Record<string, unknown>>(sql)).rows;
  } finally {
    await c.end();
  }
}

/** Each database is created from template0 and dropped with its connections. */
const harness: StoreHarness = {
  database() {
    const name = `t${seq++}`;
    cluster.psql(`CREATE DATABASE ${name}`);
    const url = cluster.url(name);
    return Promise.resolve({
      open: () => openStore(url),
      query: (sql: string) => rawQuery(url, sql),
      drop: () => Promise.resolve(void cluster.psql(`DROP DATABASE ${name} WITH (FORCE)`)),
    });
  },
};

storeConformance('PostgreSQL', harness);

describe('PostgreSQL store: nodes', () => {
  test('four nodes opening a new database together migrate it once', async () => {
    const db = await harness.database();
    const stores = await Promise.all([db.open(), db.open(), db.open(), db.open()]);
    try {
      // Each migration exactly once, whichever node got there first.
      assert.deepEqual(
        await db.query('SELECT version FROM schema_version ORDER BY version'),
        POSTGRES_MIGRATIONS.map((m) => ({ version: m.version })),
      );
      // Migration 2 replaced the kind constraint: delivery's notices are accepted.
      await stores[1].memoryMark('u', 'notice', 'k', new Date(Date.now() + 60_000));
      assert.equal(await stores[2].memoryHas('u', 'notice', 'k', new Date()), true);
      await stores[0].putScript('u', 'a', Buffer.from('keep;'), UNLIMITED);
      assert.deepEqual(await stores[3].getScript('u', 'a'), Buffer.from('keep;'));
    } finally {
      for (const s of stores) await s.close();
      await db.drop();
    }
  });

  test('content is bytea, and names sort by octets whatever the database locale', async () => {
    const db = await harness.database();
    const s = await db.open();
    try {
      await s.putScript('u', 'a', Buffer.from([0xff, 0x00, 0x0d, 0x0a]), UNLIMITED);
      assert.deepEqual(
        await db.query('SELECT pg_typeof(content)::text AS t, octet_length(content) AS n FROM scripts'),
        [{ t: 'bytea', n: 4 }],
      );
    } finally {
      await s.close();
      await db.drop();
    }
  });

  // Last: it stops the cluster.
  test('an outage is TRYLATER naming the database, never the password', async () => {
    const name = 'outage';
    cluster.psql(`CREATE DATABASE ${name}`);
    const s = await openStore(cluster.url(name, 'hunter2-secret'), { busyTimeoutMs: 1000 });
    await s.putScript('u', 'a', Buffer.from('keep;'), UNLIMITED);
    cluster.stop();
    const isTryLater = (e: unknown): boolean => {
      assert.ok(e instanceof StoreError, String(e));
      assert.equal(e.code, 'TRYLATER');
      assert.ok(e.message.includes(`127.0.0.1:${cluster.port}/${name}`), e.message);
      assert.ok(!e.message.includes('hunter2'), e.message);
      return true;
    };
    await assert.rejects(s.getScript('u', 'a'), isTryLater);
    await assert.rejects(s.putScript('u', 'b', Buffer.from('keep;'), UNLIMITED), isTryLater);
    await assert.rejects(openStore(cluster.url(name, 'hunter2-secret'), { busyTimeoutMs: 1000 }), isTryLater);
    await s.close();
  });
});
