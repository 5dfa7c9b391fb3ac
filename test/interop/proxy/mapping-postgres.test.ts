import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SqlMapping } from '../../../src/proxy/mapping.js';
import { startPostgres, type PostgresCluster } from '../store/postgres-cluster.js';

let pg: PostgresCluster;

before(async () => {
  pg = await startPostgres();
  pg.psql(
    "CREATE TABLE proxy_routes (identifier text PRIMARY KEY, destination text); INSERT INTO proxy_routes VALUES ('alice@example.com', 'new');",
  );
});

after(() => pg?.remove());

test('PostgreSQL mapping: hit, miss, and an outage reported as an error rather than a miss', async () => {
  const m = await SqlMapping.open(
    {
      driver: 'postgres',
      url: pg.url('postgres'),
      query: 'SELECT destination FROM proxy_routes WHERE identifier = $1',
    },
    2000,
  );
  try {
    assert.equal(await m.lookup('alice@example.com'), 'new');
    assert.equal(await m.lookup('bob@example.com'), undefined);
    pg.stop();
    await assert.rejects(m.lookup('alice@example.com'), /mapping SQL lookup failed/);
  } finally {
    await m.close();
  }
});
