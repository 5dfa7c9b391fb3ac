import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { openStore, sqlitePath, StoreError, UNLIMITED } from '../../../src/store/index.js';
import { SQLITE_MIGRATIONS } from '../../../src/store/migrations.js';
import { PURGE_BATCH, PURGE_EVERY } from '../../../src/store/shared.js';
import { storeConformance, type StoreHarness } from './conformance.js';

const root = mkdtempSync(join(tmpdir(), 'sievert-store-'));
after(() => rmSync(root, { recursive: true, force: true }));
let seq = 0;
const newPath = (): string => join(root, `db${seq++}`, 'sievert.db');

function rawQuery(path: string, sql: string): Record<string, unknown>[] {
  const db = new Database(path);
  try {
    const st = db.prepare(sql);
    if (st.reader) return st.all() as Record<string, unknown>[];
    st.run();
    return [];
  } finally {
    db.close();
  }
}

const harness: StoreHarness = {
  database() {
    const path = newPath();
    return Promise.resolve({
      open: () => openStore(`sqlite:${path}`),
      query: (sql: string) => new Promise((r) => r(rawQuery(path, sql))),
      drop: () => Promise.resolve(),
    });
  },
};

storeConformance('SQLite', harness);

describe('SQLite store: opening', () => {
  test('store.url forms: sqlite:PATH and bare paths relative to the working directory, sqlite:///abs, :memory:', () => {
    assert.equal(sqlitePath('sqlite:./data/s.db'), resolve('data/s.db'));
    assert.equal(sqlitePath('data/s.db'), resolve('data/s.db'));
    assert.equal(sqlitePath('/var/lib/s.db'), '/var/lib/s.db');
    assert.equal(sqlitePath('sqlite:///var/lib/s.db'), '/var/lib/s.db');
    assert.equal(sqlitePath('SQLITE:/var/lib/s.db'), '/var/lib/s.db');
    assert.equal(sqlitePath('sqlite::memory:'), ':memory:');
    assert.equal(sqlitePath('data/s.db', '/srv'), '/srv/data/s.db');
    // No url at all names no file: the configuration always gives one (sqlite:DATA_DIR/sievert.db).
    assert.throws(() => sqlitePath(''), /^Error: store\.url: sqlite: needs a file path/);
  });

  test('anything else is an error naming store.url', async () => {
    await assert.rejects(openStore('mysql://u@h/db'), /^Error: store\.url: unsupported scheme "mysql:"/);
    await assert.rejects(openStore('sqlite:'), /^Error: store\.url: sqlite: needs a file path/);
  });

  test('creates parent directories and a new database file with mode 0600', async () => {
    const path = join(root, 'nested', 'deeper', 'sievert.db');
    const s = await openStore(`sqlite:${path}`);
    await s.close();
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(rawQuery(path, 'PRAGMA journal_mode'), [{ journal_mode: 'wal' }]);
  });

  test('sqlite::memory: is a private database', async () => {
    const a = await openStore('sqlite::memory:');
    const b = await openStore('sqlite::memory:');
    await a.putScript('u', 'x', Buffer.from('keep;'), UNLIMITED);
    assert.equal(await b.getScript('u', 'x'), undefined);
    await a.close();
    await b.close();
    assert.equal(existsSync(':memory:'), false);
  });

  test('a write lock held by another process past the busy timeout gives TRYLATER; reads go on', async () => {
    const path = newPath();
    const s = await openStore(`sqlite:${path}`, { busyTimeoutMs: 100 });
    await s.putScript('u', 'a', Buffer.from('keep;'), UNLIMITED);
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    try {
      await assert.rejects(s.putScript('u', 'b', Buffer.from('keep;'), UNLIMITED), (e: unknown) => {
        assert.ok(e instanceof StoreError);
        assert.equal(e.code, 'TRYLATER');
        assert.ok(e.message.includes(path));
        return true;
      });
      await assert.rejects(s.setActive('u', 'a'), /stayed locked/);
      assert.deepEqual(
        (await s.listScripts('u')).map((x) => x.name),
        ['a'],
      );
    } finally {
      other.exec('COMMIT');
      other.close();
    }
    await s.putScript('u', 'b', Buffer.from('keep;'), UNLIMITED);
    await s.close();
  });

  test('a lock released within the busy timeout is waited for', async () => {
    const path = newPath();
    const s = await openStore(`sqlite:${path}`, { busyTimeoutMs: 10_000 });
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    const put = s.putScript('u', 'a', Buffer.from('keep;'), UNLIMITED);
    // The put waits in its retry loop; releasing the lock on the next turns lets it through.
    setImmediate(() => {
      other.exec('COMMIT');
      other.close();
    });
    await put;
    assert.deepEqual(await s.getScript('u', 'a'), Buffer.from('keep;'));
    await s.close();
  });
});

describe('SQLite store: memory purge', () => {
  test(`one purge drops at most ${PURGE_BATCH} expired rows; the next takes the rest`, async () => {
    const path = newPath();
    const s = await openStore(`sqlite:${path}`);
    try {
      // A backlog of PURGE_BATCH + 1 expired rows, written past the store.
      rawQuery(
        path,
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${PURGE_BATCH + 1})
         INSERT INTO memory SELECT 'u', 'duplicate', 'old' || i, ${Date.now() - 60_000} FROM n`,
      );
      const expired = (): unknown =>
        rawQuery(path, `SELECT count(*) AS n FROM memory WHERE expires <= ${Date.now()}`)[0]?.n;
      const future = new Date(Date.now() + 3_600_000);
      const marks = async (from: number): Promise<void> => {
        for (let i = from; i < from + PURGE_EVERY; i++) await s.memoryMark('u', 'vacation', `k${i}`, future);
      };
      await marks(0);
      assert.equal(expired(), 1);
      await marks(PURGE_EVERY);
      assert.equal(expired(), 0);
    } finally {
      await s.close();
    }
  });
});

// Child processes run the store from source through tsx, as `sievert script put` would.
const storeModule = pathToFileURL(
  fileURLToPath(new URL('../../../src/store/index.ts', import.meta.url)),
).href;

function child(code: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    env: { ...process.env, ...env, STORE_MODULE: storeModule },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
}

const exited = (p: ChildProcess): Promise<void> =>
  new Promise((r) => {
    if (p.exitCode !== null || p.signalCode !== null) r();
    else p.once('exit', () => r());
  });

/** The content the crash child writes for version `v` of `name` (the same formula is in its code). */
const contentOf = (name: string, v: number): Buffer =>
  Buffer.from(`# ${name} version ${v}\r\n${'x'.repeat((v * 37) % 5000)}\r\nkeep;\r\n`);

const CRASH_CHILD = `
const { openStore, UNLIMITED } = await import(process.env.STORE_MODULE);
const s = await openStore('sqlite:' + process.env.DB);
const contentOf = (name, v) => Buffer.from('# ' + name + ' version ' + v + '\\r\\n' + 'x'.repeat((v * 37) % 5000) + '\\r\\nkeep;\\r\\n');
for (let v = 0; ; v++) {
  const name = 's' + (v % 40);
  await s.putScript('u', name, contentOf(name, v), UNLIMITED);
  if (v % 9 === 0) await s.setActive('u', name);
  process.stdout.write(name + ' ' + v + '\\n');
}
`;

describe('SQLite store: upgrading', () => {
  test('a database an earlier sievert left at schema 1 gets migration 2: scripts, users and memories kept, notices work', async () => {
    const path = newPath();
    mkdirSync(dirname(path), { recursive: true });
    // The file as sievert 0.x (migration 1 only) left it, with a row in every table.
    const old = new Database(path);
    const first = SQLITE_MIGRATIONS.find((m) => m.version === 1)!;
    old.exec(`CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP);
      ${first.sql}
      INSERT INTO schema_version (version) VALUES (1);`);
    const later = Date.now() + 3_600_000;
    old
      .prepare('INSERT INTO scripts VALUES (?, ?, ?, 1, ?)')
      .run('u', 'main', Buffer.from('keep;'), Date.now());
    old.prepare('INSERT INTO users (name, password) VALUES (?, ?)').run('u', '{PLAIN}p');
    old.prepare('INSERT INTO memory VALUES (?, ?, ?, ?)').run('u', 'vacation', 'a@b.example', later);
    old.prepare('INSERT INTO memory VALUES (?, ?, ?, ?)').run('u', 'duplicate', 'id-1', later);
    assert.throws(() => old.prepare('INSERT INTO memory VALUES (?, ?, ?, ?)').run('u', 'notice', 'x', later));
    old.close();

    const s = await openStore(`sqlite:${path}`);
    try {
      assert.deepEqual(
        rawQuery(path, 'SELECT version FROM schema_version ORDER BY version'),
        SQLITE_MIGRATIONS.map((m) => ({ version: m.version })),
      );
      assert.deepEqual(await s.getActiveScript('u'), { name: 'main', content: Buffer.from('keep;') });
      assert.equal((await s.getUser('u'))?.password, '{PLAIN}p');
      const now = new Date();
      assert.equal(await s.memoryHas('u', 'vacation', 'a@b.example', now), true);
      assert.equal(await s.memoryHas('u', 'duplicate', 'id-1', now), true);
      await s.memoryMark('u', 'notice', 'script-v1', new Date(later));
      assert.equal(await s.memoryHas('u', 'notice', 'script-v1', now), true);
      // The rebuilt table still has its expiry index.
      assert.deepEqual(
        rawQuery(
          path,
          "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'memory' AND sql IS NOT NULL",
        ),
        [{ name: 'memory_expires' }],
      );
    } finally {
      await s.close();
    }
  });
});

describe('SQLite store: crashes and processes', () => {
  test('SIGKILL during a stream of PUTSCRIPTs: every acknowledged script is intact, the file is sound', async () => {
    const path = newPath();
    const p = child(CRASH_CHILD, { DB: path });
    const acked = new Map<string, number>();
    let lines = 0;
    const done = exited(p);
    for await (const line of createInterface({ input: p.stdout! })) {
      const [name, v] = line.split(' ');
      acked.set(name!, Number(v));
      // Killed after enough acknowledgements that names are being replaced, mid-loop.
      if (++lines === 400) p.kill('SIGKILL');
    }
    await done;
    assert.equal(p.signalCode, 'SIGKILL');
    assert.equal(acked.size, 40);

    assert.deepEqual(rawQuery(path, 'PRAGMA integrity_check'), [{ integrity_check: 'ok' }]);
    const s = await openStore(`sqlite:${path}`);
    try {
      for (const [name, v] of acked) {
        const got = await s.getScript('u', name);
        assert.ok(got, name);
        // The acknowledged version, or a later one committed just before the kill.
        const m = /^# (\S+) version (\d+)\r\n/.exec(got.toString('latin1'));
        assert.ok(m && m[1] === name, name);
        const found = Number(m[2]);
        assert.ok(found >= v, `${name}: version ${found} is older than the acknowledged ${v}`);
        assert.ok(got.equals(contentOf(name, found)), `${name}: version ${found} is not intact`);
      }
      assert.equal((await s.listScripts('u')).filter((x) => x.active).length, 1);
    } finally {
      await s.close();
    }
  });

  test('two processes racing PUTSCRIPTs with maxScripts=3 store exactly 3', async () => {
    const path = newPath();
    await (await openStore(`sqlite:${path}`)).close();
    const code = `
      const { openStore, StoreError } = await import(process.env.STORE_MODULE);
      const s = await openStore('sqlite:' + process.env.DB);
      process.stdout.write('ready\\n');
      await new Promise((r) => process.stdin.once('data', r));
      const q = { maxScripts: 3, maxScriptSize: 0, maxStorage: 0 };
      const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) =>
        s.putScript('u', process.env.TAG + i, Buffer.from('keep;'), q)));
      for (const r of results) process.stdout.write((r.status === 'fulfilled' ? 'ok' : r.reason.code) + '\\n');
      await s.close();
      process.exit(0);
    `;
    const kids = ['a', 'b'].map((tag) => child(code, { DB: path, TAG: tag }));
    // Both have opened the store before either starts writing.
    let ready = 0;
    let allReady = (): void => {};
    const bothReady = new Promise<void>((r) => (allReady = r));
    const outputs = kids.map(async (k) => {
      const lines: string[] = [];
      for await (const line of createInterface({ input: k.stdout! })) {
        lines.push(line);
        if (line === 'ready' && ++ready === 2) allReady();
      }
      return lines;
    });
    await bothReady;
    for (const k of kids) k.stdin!.end('go\n');
    const results = (await Promise.all(outputs)).flat().filter((l) => l !== 'ready');
    await Promise.all(kids.map(exited));
    assert.equal(results.length, 40);
    assert.equal(results.filter((r) => r === 'ok').length, 3);
    assert.ok(
      results.every((r) => r === 'ok' || r === 'QUOTA/MAXSCRIPTS'),
      results.join(','),
    );
    const s = await openStore(`sqlite:${path}`);
    assert.equal((await s.listScripts('u')).length, 3);
    await s.close();
  });
});
