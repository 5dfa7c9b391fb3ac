/**
 * The behaviour every ScriptStore backend must have, registered as node:test tests for any
 * backend: `storeConformance('SQLite', harness)`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PURGE_EVERY } from '../../../src/store/shared.js';
import {
  SchemaVersionError,
  StoreError,
  UNLIMITED,
  type Quota,
  type ScriptStore,
  type StoreErrorCode,
} from '../../../src/store/index.js';

/** One empty database of the backend under test. */
export interface TestDatabase {
  /** A new store object on this database (call it twice for two "processes" or "nodes"). */
  open(): Promise<ScriptStore>;
  /** Raw SQL on the database, bypassing the store (schema checks). */
  query(sql: string): Promise<Record<string, unknown>[]>;
  drop(): Promise<void>;
}

export interface StoreHarness {
  database(): Promise<TestDatabase>;
}

const buf = (s: string): Buffer => Buffer.from(s, 'utf8');
const quota = (q: Partial<Quota>): Quota => ({ ...UNLIMITED, ...q });

async function rejectsWith(p: Promise<unknown>, code: StoreErrorCode): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof StoreError, `expected a StoreError, got ${String(e)}`);
    assert.equal(e.code, code);
    return true;
  });
}

export function storeConformance(name: string, harness: StoreHarness): void {
  /** A fresh database and a store on it, both closed afterwards. */
  const withStore = async (fn: (s: ScriptStore, db: TestDatabase) => Promise<void>): Promise<void> => {
    const db = await harness.database();
    const s = await db.open();
    try {
      await fn(s, db);
    } finally {
      await s.close();
      await db.drop();
    }
  };
  /** Two store objects on one database. */
  const withTwo = async (fn: (a: ScriptStore, b: ScriptStore) => Promise<void>): Promise<void> => {
    const db = await harness.database();
    const a = await db.open();
    const b = await db.open();
    try {
      await fn(a, b);
    } finally {
      await a.close();
      await b.close();
      await db.drop();
    }
  };

  describe(`${name} store: scripts`, () => {
    test('put, list (sorted by octets, sizes in octets), get; unknown names are undefined', () =>
      withStore(async (s) => {
        assert.deepEqual(await s.listScripts('alice'), []);
        for (const n of ['b', 'B', 'é', 'a', 'Z']) await s.putScript('alice', n, buf(`# ${n}\n`), UNLIMITED);
        const list = await s.listScripts('alice');
        assert.deepEqual(
          list.map((x) => [x.name, x.size, x.active]),
          [
            ['B', 4, false],
            ['Z', 4, false],
            ['a', 4, false],
            ['b', 4, false],
            ['é', 5, false],
          ],
        );
        assert.ok(list.every((x) => x.modified instanceof Date && !Number.isNaN(x.modified.getTime())));
        assert.deepEqual(await s.getScript('alice', 'é'), buf('# é\n'));
        assert.equal(await s.getScript('alice', 'nope'), undefined);
        assert.equal(await s.getScript('bob', 'a'), undefined);
        assert.deepEqual(await s.listScripts('bob'), []);
      }));

    test('exact octets round trip: all byte values, CRLF, UTF-8, empty', () =>
      withStore(async (s) => {
        const samples: Record<string, Buffer> = {
          binary: Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7 + 3) % 256)),
          crlf: buf('require "fileinto";\r\nif true {\r\n  keep;\r\n}\r\n'),
          lf: buf('keep;\n'),
          utf8: buf('# Grüße 😀 日本\r\nkeep;'),
          nul: Buffer.from([0x6b, 0x00, 0x65, 0x00]),
          empty: Buffer.alloc(0),
          large: Buffer.alloc(300_000, 'x'),
        };
        for (const [n, c] of Object.entries(samples)) await s.putScript('u', n, c, UNLIMITED);
        for (const [n, c] of Object.entries(samples)) {
          const got = await s.getScript('u', n);
          assert.ok(got, n);
          assert.ok(Buffer.isBuffer(got), n);
          assert.ok(got.equals(c), n);
        }
        const sizes = Object.fromEntries((await s.listScripts('u')).map((x) => [x.name, x.size]));
        for (const [n, c] of Object.entries(samples)) assert.equal(sizes[n], c.length, n);
      }));

    test('replacing a script changes its content and keeps its active flag', () =>
      withStore(async (s) => {
        await s.putScript('u', 'main', buf('keep;'), UNLIMITED);
        await s.putScript('u', 'other', buf('discard;'), UNLIMITED);
        await s.setActive('u', 'main');
        await s.putScript('u', 'main', buf('stop;'), UNLIMITED);
        assert.deepEqual(await s.getActiveScript('u'), { name: 'main', content: buf('stop;') });
        await s.putScript('u', 'other', buf('keep;'), UNLIMITED);
        const list = await s.listScripts('u');
        assert.deepEqual(
          list.map((x) => [x.name, x.active]),
          [
            ['main', true],
            ['other', false],
          ],
        );
      }));

    test('setActive makes exactly one script active; null deactivates; unknown is NONEXISTENT', () =>
      withStore(async (s) => {
        assert.equal(await s.getActiveScript('u'), undefined);
        await s.putScript('u', 'a', buf('keep;'), UNLIMITED);
        await s.putScript('u', 'b', buf('discard;'), UNLIMITED);
        await s.setActive('u', 'a');
        await s.setActive('u', 'a');
        assert.equal((await s.getActiveScript('u'))?.name, 'a');
        await s.setActive('u', 'b');
        assert.deepEqual(await s.getActiveScript('u'), { name: 'b', content: buf('discard;') });
        assert.deepEqual(
          (await s.listScripts('u')).filter((x) => x.active).map((x) => x.name),
          ['b'],
        );
        await rejectsWith(s.setActive('u', 'missing'), 'NONEXISTENT');
        assert.equal((await s.getActiveScript('u'))?.name, 'b', 'a failed SETACTIVE changes nothing');
        await s.setActive('u', null);
        assert.equal(await s.getActiveScript('u'), undefined);
        assert.ok((await s.listScripts('u')).every((x) => !x.active));
        await s.setActive('u', null);
        await s.setActive('other', null);
      }));

    test('activation is per user', () =>
      withStore(async (s) => {
        await s.putScript('u', 'x', buf('keep;'), UNLIMITED);
        await s.putScript('v', 'x', buf('stop;'), UNLIMITED);
        await s.setActive('u', 'x');
        await s.setActive('v', 'x');
        assert.deepEqual(await s.getActiveScript('u'), { name: 'x', content: buf('keep;') });
        assert.deepEqual(await s.getActiveScript('v'), { name: 'x', content: buf('stop;') });
        await rejectsWith(s.setActive('w', 'x'), 'NONEXISTENT');
      }));

    test('delete: NONEXISTENT for unknown, ACTIVE for the active script, else gone', () =>
      withStore(async (s) => {
        await rejectsWith(s.deleteScript('u', 'a'), 'NONEXISTENT');
        await s.putScript('u', 'a', buf('keep;'), UNLIMITED);
        await s.putScript('u', 'b', buf('keep;'), UNLIMITED);
        await s.setActive('u', 'a');
        await rejectsWith(s.deleteScript('u', 'a'), 'ACTIVE');
        assert.ok(await s.getScript('u', 'a'));
        await s.deleteScript('u', 'b');
        assert.equal(await s.getScript('u', 'b'), undefined);
        await s.setActive('u', null);
        await s.deleteScript('u', 'a');
        assert.deepEqual(await s.listScripts('u'), []);
      }));

    test('rename: the active script stays active; NONEXISTENT; ALREADYEXISTS leaves both untouched', () =>
      withStore(async (s) => {
        await s.putScript('u', 'a', buf('A'), UNLIMITED);
        await s.putScript('u', 'b', buf('B'), UNLIMITED);
        await s.setActive('u', 'a');
        await s.renameScript('u', 'a', 'c');
        assert.deepEqual(await s.getActiveScript('u'), { name: 'c', content: buf('A') });
        assert.equal(await s.getScript('u', 'a'), undefined);
        await s.renameScript('u', 'b', 'd');
        assert.deepEqual(
          (await s.listScripts('u')).map((x) => [x.name, x.active]),
          [
            ['c', true],
            ['d', false],
          ],
        );
        await rejectsWith(s.renameScript('u', 'missing', 'e'), 'NONEXISTENT');
        await rejectsWith(s.renameScript('u', 'd', 'c'), 'ALREADYEXISTS');
        await rejectsWith(s.renameScript('u', 'c', 'c'), 'ALREADYEXISTS');
        assert.deepEqual(await s.getScript('u', 'c'), buf('A'));
        assert.deepEqual(await s.getScript('u', 'd'), buf('B'));
        assert.equal((await s.getActiveScript('u'))?.name, 'c');
      }));
  });

  describe(`${name} store: quotas (RFC 5804 §2.1.1, §2.5)`, () => {
    test('maxScriptSize: exactly at the limit passes, one octet over is QUOTA/MAXSIZE', () =>
      withStore(async (s) => {
        const q = quota({ maxScriptSize: 10 });
        await s.checkSpace('u', 'a', 10, q);
        await s.putScript('u', 'a', Buffer.alloc(10, 'k'), q);
        await rejectsWith(s.checkSpace('u', 'a', 11, q), 'QUOTA/MAXSIZE');
        await rejectsWith(s.putScript('u', 'a', Buffer.alloc(11, 'k'), q), 'QUOTA/MAXSIZE');
        assert.deepEqual(await s.getScript('u', 'a'), Buffer.alloc(10, 'k'), 'the old script is intact');
      }));

    test('maxScripts: the limit-th script passes, one more is QUOTA/MAXSCRIPTS; replacing is not new', () =>
      withStore(async (s) => {
        const q = quota({ maxScripts: 3 });
        for (const n of ['a', 'b', 'c']) await s.putScript('u', n, buf(n), q);
        await rejectsWith(s.checkSpace('u', 'd', 1, q), 'QUOTA/MAXSCRIPTS');
        await rejectsWith(s.putScript('u', 'd', buf('d'), q), 'QUOTA/MAXSCRIPTS');
        await s.checkSpace('u', 'a', 1, q);
        await s.putScript('u', 'a', buf('new a'), q);
        assert.deepEqual(
          (await s.listScripts('u')).map((x) => x.name),
          ['a', 'b', 'c'],
        );
        await s.putScript('other', 'd', buf('d'), q);
        await s.deleteScript('u', 'c');
        await s.putScript('u', 'd', buf('d'), q);
      }));

    test('maxStorage: total exactly at the limit passes, one over is QUOTA; the replaced octets are freed', () =>
      withStore(async (s) => {
        const q = quota({ maxStorage: 100 });
        await s.putScript('u', 'a', Buffer.alloc(60, 'a'), q);
        await s.checkSpace('u', 'b', 40, q);
        await rejectsWith(s.checkSpace('u', 'b', 41, q), 'QUOTA');
        await rejectsWith(s.putScript('u', 'b', Buffer.alloc(41, 'b'), q), 'QUOTA');
        await s.putScript('u', 'b', Buffer.alloc(40, 'b'), q);
        // Replacing a (60 octets): 40 + 60 fits, 40 + 61 does not.
        await s.checkSpace('u', 'a', 60, q);
        await rejectsWith(s.checkSpace('u', 'a', 61, q), 'QUOTA');
        await rejectsWith(s.putScript('u', 'a', Buffer.alloc(61, 'c'), q), 'QUOTA');
        assert.deepEqual(await s.getScript('u', 'a'), Buffer.alloc(60, 'a'));
        await s.putScript('u', 'a', Buffer.alloc(60, 'd'), q);
        await s.putScript('u', 'a', Buffer.alloc(10, 'e'), q);
        await s.putScript('u', 'c', Buffer.alloc(50, 'f'), q);
      }));

    test('the size check comes first, then the count, then the storage', () =>
      withStore(async (s) => {
        const q = { maxScripts: 1, maxScriptSize: 5, maxStorage: 8 };
        await s.putScript('u', 'a', buf('12345'), q);
        await rejectsWith(s.putScript('u', 'b', buf('123456'), q), 'QUOTA/MAXSIZE');
        await rejectsWith(s.putScript('u', 'b', buf('1234'), q), 'QUOTA/MAXSCRIPTS');
        await rejectsWith(s.putScript('u', 'b', buf('1234'), { ...q, maxScripts: 2 }), 'QUOTA');
      }));

    test('0 means unlimited', () =>
      withStore(async (s) => {
        for (let i = 0; i < 12; i++) await s.putScript('u', `s${i}`, Buffer.alloc(20_000, 'x'), UNLIMITED);
        await s.checkSpace('u', 'big', 50_000_000, UNLIMITED);
        assert.equal((await s.listScripts('u')).length, 12);
      }));
  });

  describe(`${name} store: users`, () => {
    test('add, get (quota overrides as given), passwd, list sorted, del; the error codes', () =>
      withStore(async (s) => {
        assert.equal(await s.getUser('alice'), undefined);
        await s.addUser({ name: 'alice', password: '{PLAIN}one', quota: { maxScripts: 3, maxStorage: 0 } });
        await s.addUser({ name: 'Bob', password: '{SHA512-CRYPT}$6$x$y', quota: {} });
        assert.deepEqual(await s.getUser('alice'), {
          name: 'alice',
          password: '{PLAIN}one',
          quota: { maxScripts: 3, maxStorage: 0 },
        });
        assert.deepEqual(await s.getUser('Bob'), {
          name: 'Bob',
          password: '{SHA512-CRYPT}$6$x$y',
          quota: {},
        });
        await rejectsWith(s.addUser({ name: 'alice', password: '{PLAIN}two', quota: {} }), 'ALREADYEXISTS');
        assert.equal((await s.getUser('alice'))?.password, '{PLAIN}one');
        await s.setPassword('alice', '{PLAIN}two');
        assert.equal((await s.getUser('alice'))?.password, '{PLAIN}two');
        await rejectsWith(s.setPassword('carol', '{PLAIN}x'), 'NONEXISTENT');
        assert.deepEqual(await s.listUsers(), ['Bob', 'alice']);
        await s.deleteUser('Bob');
        assert.deepEqual(await s.listUsers(), ['alice']);
        await rejectsWith(s.deleteUser('Bob'), 'NONEXISTENT');
      }));

    test('deleting a user removes their scripts (even the active one) and memories, nobody else’s', () =>
      withStore(async (s) => {
        await s.addUser({ name: 'alice', password: '{PLAIN}x', quota: {} });
        await s.putScript('alice', 'a', buf('keep;'), UNLIMITED);
        await s.setActive('alice', 'a');
        await s.putScript('bob', 'a', buf('keep;'), UNLIMITED);
        const later = new Date(Date.now() + 3_600_000);
        await s.memoryMark('alice', 'vacation', 'k', later);
        await s.memoryMark('bob', 'vacation', 'k', later);
        await s.deleteUser('alice');
        assert.deepEqual(await s.listScripts('alice'), []);
        assert.equal(await s.getActiveScript('alice'), undefined);
        assert.equal(await s.memoryHas('alice', 'vacation', 'k', new Date()), false);
        assert.equal((await s.listScripts('bob')).length, 1);
        assert.equal(await s.memoryHas('bob', 'vacation', 'k', new Date()), true);
      }));

    test('a quota override that is not a non-negative integer is refused', () =>
      withStore(async (s) => {
        await assert.rejects(
          s.addUser({ name: 'x', password: '{PLAIN}x', quota: { maxScripts: -1 } }),
          /quota\.maxScripts/,
        );
        await assert.rejects(
          s.addUser({ name: 'x', password: '{PLAIN}x', quota: { maxStorage: 1.5 } }),
          /quota\.maxStorage/,
        );
        assert.equal(await s.getUser('x'), undefined);
      }));
  });

  describe(`${name} store: memory`, () => {
    test('a mark holds until (not at) its expiry, per user and kind; marking again replaces the expiry', () =>
      withStore(async (s) => {
        const t = new Date('2030-01-01T00:00:00Z');
        const at = (ms: number): Date => new Date(t.getTime() + ms);
        assert.equal(await s.memoryHas('u', 'duplicate', 'id1', t), false);
        await s.memoryMark('u', 'duplicate', 'id1', at(1000));
        assert.equal(await s.memoryHas('u', 'duplicate', 'id1', t), true);
        assert.equal(await s.memoryHas('u', 'duplicate', 'id1', at(999)), true);
        assert.equal(await s.memoryHas('u', 'duplicate', 'id1', at(1000)), false);
        assert.equal(await s.memoryHas('u', 'vacation', 'id1', t), false);
        assert.equal(await s.memoryHas('v', 'duplicate', 'id1', t), false);
        await s.memoryMark('u', 'duplicate', 'id1', at(5000));
        assert.equal(await s.memoryHas('u', 'duplicate', 'id1', at(4000)), true);
        await s.memoryMark('u', 'duplicate', 'id1', at(10));
        assert.equal(await s.memoryHas('u', 'duplicate', 'id1', at(4000)), false);
      }));

    test(`expired rows are dropped on every ${PURGE_EVERY}th mark`, () =>
      withStore(async (s) => {
        const past = new Date(Date.now() - 60_000);
        const before = new Date(past.getTime() - 1);
        const future = new Date(Date.now() + 3_600_000);
        await s.memoryMark('u', 'vacation', 'old', past);
        await s.memoryMark('u', 'vacation', 'live', future);
        // Asked about a moment before its expiry, the row is still there: it has not been purged.
        for (let i = 3; i < PURGE_EVERY; i++) await s.memoryMark('u', 'duplicate', `d${i}`, future);
        assert.equal(await s.memoryHas('u', 'vacation', 'old', before), true);
        await s.memoryMark('u', 'duplicate', 'last', future);
        assert.equal(await s.memoryHas('u', 'vacation', 'old', before), false);
        assert.equal(await s.memoryHas('u', 'vacation', 'live', new Date()), true);
      }));
  });

  describe(`${name} store: schema and migrations`, () => {
    test('a new database is migrated to the latest version; reopening applies nothing twice and keeps data', async () => {
      const db = await harness.database();
      try {
        const s1 = await db.open();
        await s1.putScript('u', 'a', buf('keep;'), UNLIMITED);
        await s1.close();
        const versions = await db.query('SELECT version FROM schema_version ORDER BY version');
        assert.ok(versions.length >= 1);
        const s2 = await db.open();
        assert.deepEqual(await s2.getScript('u', 'a'), buf('keep;'));
        await s2.close();
        assert.deepEqual(await db.query('SELECT version FROM schema_version ORDER BY version'), versions);
      } finally {
        await db.drop();
      }
    });

    test('a database with a newer schema version is refused with a clear error', async () => {
      const db = await harness.database();
      try {
        await (await db.open()).close();
        await db.query('INSERT INTO schema_version (version) VALUES (999)');
        await assert.rejects(db.open(), (e: unknown) => {
          assert.ok(e instanceof SchemaVersionError);
          assert.match(e.message, /schema version 999, newer than this sievert knows/);
          return true;
        });
      } finally {
        await db.drop();
      }
    });

    test('the schema itself allows one active script per user', () =>
      withStore(async (s, db) => {
        await s.putScript('u', 'a', buf('keep;'), UNLIMITED);
        await s.putScript('u', 'b', buf('keep;'), UNLIMITED);
        await assert.rejects(db.query("UPDATE scripts SET active = true WHERE username = 'u'"));
      }));
  });

  describe(`${name} store: two store objects on one database`, () => {
    test('each sees the other’s writes at once', () =>
      withTwo(async (a, b) => {
        await a.putScript('u', 's', buf('v1'), UNLIMITED);
        assert.deepEqual(await b.getScript('u', 's'), buf('v1'));
        await b.putScript('u', 's', buf('v2'), UNLIMITED);
        assert.deepEqual(await a.getScript('u', 's'), buf('v2'));
        await b.setActive('u', 's');
        assert.equal((await a.getActiveScript('u'))?.name, 's');
        await a.renameScript('u', 's', 't');
        assert.equal((await b.getActiveScript('u'))?.name, 't');
        await b.addUser({ name: 'u', password: '{PLAIN}p', quota: {} });
        assert.equal((await a.getUser('u'))?.password, '{PLAIN}p');
        await a.memoryMark('u', 'duplicate', 'k', new Date(Date.now() + 60_000));
        assert.equal(await b.memoryHas('u', 'duplicate', 'k', new Date()), true);
        await b.setActive('u', null);
        await b.deleteScript('u', 't');
        assert.deepEqual(await a.listScripts('u'), []);
      }));

    test('concurrent PUTSCRIPTs from both never exceed maxScripts', () =>
      withTwo(async (a, b) => {
        const q = quota({ maxScripts: 3 });
        const puts = Array.from({ length: 16 }, (_, i) =>
          (i % 2 ? a : b).putScript('u', `s${i}`, buf(`# ${i}`), q),
        );
        const results = await Promise.allSettled(puts);
        const ok = results.filter((r) => r.status === 'fulfilled').length;
        for (const r of results) {
          if (r.status === 'rejected') {
            assert.ok(
              r.reason instanceof StoreError && r.reason.code === 'QUOTA/MAXSCRIPTS',
              String(r.reason),
            );
          }
        }
        assert.equal(ok, 3);
        assert.equal((await a.listScripts('u')).length, 3);
      }));

    test('concurrent PUTSCRIPTs from both never exceed maxStorage', () =>
      withTwo(async (a, b) => {
        const q = quota({ maxStorage: 100 });
        const puts = Array.from({ length: 12 }, (_, i) =>
          (i % 2 ? a : b).putScript('u', `s${i}`, Buffer.alloc(30, 'x'), q),
        );
        await Promise.allSettled(puts);
        const list = await b.listScripts('u');
        assert.equal(list.length, 3);
        assert.equal(
          list.reduce((n, x) => n + x.size, 0),
          90,
        );
      }));
  });
}
