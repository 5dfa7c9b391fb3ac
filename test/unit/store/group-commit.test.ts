import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { DEFAULT_MAX_BATCH, SqliteStore, type SqliteStoreOptions } from '../../../src/store/sqlite.js';
import { StoreError, UNLIMITED, type Quota, type StoreErrorCode } from '../../../src/store/types.js';

const root = mkdtempSync(join(tmpdir(), 'sievert-group-commit-'));
after(() => rmSync(root, { recursive: true, force: true }));
let seq = 0;
const newPath = (): string => join(root, `db${seq++}.db`);

const buf = (s: string): Buffer => Buffer.from(s, 'utf8');
const quota = (q: Partial<Quota>): Quota => ({ ...UNLIMITED, ...q });

/** A store whose commits are counted: each entry is the number of writes one transaction held. */
async function counted(
  options: SqliteStoreOptions = {},
  path = newPath(),
): Promise<{ store: SqliteStore; commits: number[] }> {
  const commits: number[] = [];
  const store = await SqliteStore.open(path, { ...options, onCommit: (n) => commits.push(n) });
  return { store, commits };
}

function codeOf(r: PromiseSettledResult<unknown>): StoreErrorCode | 'ok' | 'other' {
  if (r.status === 'fulfilled') return 'ok';
  return r.reason instanceof StoreError ? r.reason.code : 'other';
}

describe('SQLite store: group commit', () => {
  test('concurrent PUTSCRIPTs share transactions; one over its quota fails alone, the others are stored', async () => {
    const { store, commits } = await counted();
    try {
      const puts = Array.from({ length: 20 }, (_, i) =>
        i === 7
          ? store.putScript('u7', 'big', buf('# too big for this quota\r\nkeep;'), quota({ maxStorage: 10 }))
          : store.putScript(`u${i}`, 'main', buf(`# ${i}\r\nkeep;`), UNLIMITED),
      );
      const results = await Promise.allSettled(puts);
      assert.deepEqual(
        results.map(codeOf),
        results.map((_, i) => (i === 7 ? 'QUOTA' : 'ok')),
      );
      for (let i = 0; i < 20; i++) {
        if (i === 7) continue;
        assert.deepEqual(await store.getScript(`u${i}`, 'main'), buf(`# ${i}\r\nkeep;`));
      }
      assert.equal(await store.getScript('u7', 'big'), undefined);
      assert.deepEqual(await store.listScripts('u7'), []);
      // Failed writes are in the batches too: the counts add up to every write asked for.
      assert.equal(
        commits.reduce((a, b) => a + b, 0),
        20,
      );
      assert.ok(commits.length < 20, `${commits.length} transactions for 20 writes`);
    } finally {
      await store.close();
    }
  });

  test('a failing write rolls back only its own savepoint, whatever the operation', async () => {
    const { store, commits } = await counted();
    try {
      await store.putScript('u', 'a', buf('keep;'), UNLIMITED);
      await store.setActive('u', 'a');
      const results = await Promise.allSettled([
        store.putScript('u', 'b', buf('keep;'), UNLIMITED),
        store.setActive('u', 'missing'),
        store.deleteScript('u', 'a'),
        store.renameScript('u', 'b', 'a'),
        store.renameScript('u', 'b', 'c'),
        store.memoryMark('u', 'vacation', 'k', new Date(Date.now() + 60_000)),
      ]);
      assert.deepEqual(results.map(codeOf), ['ok', 'NONEXISTENT', 'ACTIVE', 'ALREADYEXISTS', 'ok', 'ok']);
      assert.deepEqual(commits.slice(2), [6]);
      assert.deepEqual(
        (await store.listScripts('u')).map((s) => [s.name, s.active]),
        [
          ['a', true],
          ['c', false],
        ],
      );
      assert.equal(await store.memoryHas('u', 'vacation', 'k', new Date()), true);
    } finally {
      await store.close();
    }
  });

  test("one user's writes in one batch run in the order asked: a put then a SETACTIVE of it", async () => {
    const { store, commits } = await counted();
    try {
      const put = store.putScript('u', 'new', buf('keep;'), UNLIMITED);
      const activate = store.setActive('u', 'new');
      await Promise.all([put, activate]);
      assert.deepEqual(commits, [2]);
      assert.deepEqual(await store.getActiveScript('u'), { name: 'new', content: buf('keep;') });
    } finally {
      await store.close();
    }
  });

  test('the quota check of each write sees the writes before it in the same transaction', async () => {
    const { store, commits } = await counted();
    try {
      const q = quota({ maxScripts: 3 });
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => store.putScript('u', `s${i}`, buf('keep;'), q)),
      );
      assert.deepEqual(results.map(codeOf), [
        'ok',
        'ok',
        'ok',
        ...new Array<string>(7).fill('QUOTA/MAXSCRIPTS'),
      ]);
      assert.deepEqual(commits, [10]);
      assert.equal((await store.listScripts('u')).length, 3);
    } finally {
      await store.close();
    }
  });

  test('a write is acknowledged only after the COMMIT that holds it', async () => {
    const events: string[] = [];
    const store = await SqliteStore.open(newPath(), { onCommit: (n) => events.push(`commit ${n}`) });
    try {
      await Promise.all([
        store.putScript('u', 'a', buf('keep;'), UNLIMITED).then(() => events.push('a acknowledged')),
        store.putScript('u', 'b', buf('keep;'), UNLIMITED).then(() => events.push('b acknowledged')),
      ]);
      assert.deepEqual(events, ['commit 2', 'a acknowledged', 'b acknowledged']);
    } finally {
      await store.close();
    }
  });

  test(`a batch holds at most maxBatch writes (default ${DEFAULT_MAX_BATCH})`, async () => {
    const def = await counted();
    const small = await counted({ maxBatch: 3 });
    try {
      const many = (s: SqliteStore, n: number): Promise<void[]> =>
        Promise.all(Array.from({ length: n }, (_, i) => s.putScript('u', `s${i}`, buf('keep;'), UNLIMITED)));
      await many(def.store, DEFAULT_MAX_BATCH + 1);
      assert.deepEqual(def.commits, [DEFAULT_MAX_BATCH, 1]);
      await many(small.store, 7);
      assert.deepEqual(small.commits, [3, 3, 1]);
      assert.equal((await small.store.listScripts('u')).length, 7);
    } finally {
      await def.store.close();
      await small.store.close();
    }
  });

  test('maxBatch must be a positive integer', async () => {
    for (const bad of [0, -1, 1.5])
      await assert.rejects(
        SqliteStore.open(':memory:', { maxBatch: bad }),
        /maxBatch must be a positive integer/,
      );
    const one = await counted({ maxBatch: 1 });
    await Promise.all([
      one.store.putScript('u', 'a', buf('keep;'), UNLIMITED),
      one.store.putScript('u', 'b', buf('keep;'), UNLIMITED),
    ]);
    assert.deepEqual(one.commits, [1, 1]);
    await one.store.close();
  });

  test('writes that arrive while another process holds the lock join the waiting batch', async () => {
    const path = newPath();
    const { store, commits } = await counted({ busyTimeoutMs: 30_000 }, path);
    const other = new Database(path);
    try {
      other.exec('BEGIN IMMEDIATE');
      const first = store.putScript('u', 'a', buf('keep;'), UNLIMITED);
      // Several event-loop turns: the first write's batch is by now waiting for the lock.
      await new Promise((r) => setTimeout(r, 50));
      const later = [store.putScript('u', 'b', buf('keep;'), UNLIMITED), store.setActive('u', 'b')];
      other.exec('COMMIT');
      await Promise.all([first, ...later]);
      assert.deepEqual(commits, [3]);
      assert.deepEqual((await store.getActiveScript('u'))?.name, 'b');
    } finally {
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
      await store.close();
    }
  });

  test('close() commits the writes still queued before closing the database', async () => {
    const path = newPath();
    const store = await SqliteStore.open(path);
    const put = store.putScript('u', 'a', buf('keep;'), UNLIMITED);
    await store.close();
    await put;
    await assert.rejects(store.putScript('u', 'b', buf('keep;'), UNLIMITED), /is closed/);
    const again = await SqliteStore.open(path);
    assert.deepEqual(await again.getScript('u', 'a'), buf('keep;'));
    await again.close();
  });
});
