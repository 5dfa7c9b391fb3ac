/**
 * The embedded store: one SQLite file shared by the server and the `sievert script|user`
 * commands, possibly running at the same time in different processes.
 */
import Database from 'better-sqlite3';
import { setTimeout as sleep } from 'node:timers/promises';
import { PURGE_BATCH, PURGE_EVERY, storeErrors as E } from './shared.js';
import { migrateSqlite } from './migrations.js';
import { checkQuota, checkQuotaOverride, type Holdings } from './quota.js';
import {
  StoreError,
  type MemoryKind,
  type Quota,
  type ScriptInfo,
  type ScriptStore,
  type UserRecord,
} from './types.js';

export interface SqliteStoreOptions {
  /**
   * How long an operation waits for another process's write transaction before failing
   * with TRYLATER, in milliseconds. Default 5000. The wait is spent in short slices
   * (SQLite's busy handler blocks the event loop) with asynchronous pauses between them.
   */
  busyTimeoutMs?: number;
}

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/** The longest a single blocking attempt may wait in SQLite's busy handler. */
const BUSY_SLICE_MS = 20;

type Row = Record<string, unknown>;

function isBusy(e: unknown): boolean {
  return e instanceof Database.SqliteError && /^SQLITE_(BUSY|LOCKED)/.test(e.code);
}

function quotaFromRow(r: Row): Partial<Quota> {
  const q: Partial<Quota> = {};
  if (r.max_scripts != null) q.maxScripts = Number(r.max_scripts);
  if (r.max_script_size != null) q.maxScriptSize = Number(r.max_script_size);
  if (r.max_storage != null) q.maxStorage = Number(r.max_storage);
  return q;
}

export class SqliteStore implements ScriptStore {
  readonly kind = 'sqlite' as const;
  private marks = 0;
  private readonly s;

  private constructor(
    private readonly db: Database.Database,
    private readonly path: string,
    private readonly busyTimeoutMs: number,
  ) {
    const p = (sql: string): Database.Statement => db.prepare(sql);
    this.s = {
      list: p(
        'SELECT name, active, length(content) AS size, modified FROM scripts WHERE username = ? ORDER BY name',
      ),
      get: p('SELECT content FROM scripts WHERE username = ? AND name = ?').pluck(),
      getActive: p('SELECT name, content FROM scripts WHERE username = ? AND active = 1'),
      // What the quota needs in one read: the user's count and octets, and the size of the script
      // a write would replace (NULL when there is none).
      holdings: p(
        `SELECT count(*) AS count, coalesce(sum(length(content)), 0) AS total,
          sum(CASE WHEN name = ? THEN length(content) END) AS replaced FROM scripts WHERE username = ?`,
      ),
      // The active flag is left alone on replace (RFC 5804 §2.6).
      upsert: p(`INSERT INTO scripts (username, name, content, active, modified) VALUES (?, ?, ?, 0, ?)
        ON CONFLICT (username, name) DO UPDATE SET content = excluded.content, modified = excluded.modified`),
      active: p('SELECT active FROM scripts WHERE username = ? AND name = ?').pluck(),
      deactivate: p('UPDATE scripts SET active = 0 WHERE username = ? AND active = 1'),
      activate: p('UPDATE scripts SET active = 1 WHERE username = ? AND name = ?'),
      delete: p('DELETE FROM scripts WHERE username = ? AND name = ?'),
      rename: p('UPDATE scripts SET name = ?, modified = ? WHERE username = ? AND name = ?'),
      getUser: p('SELECT * FROM users WHERE name = ?'),
      addUser: p(`INSERT INTO users (name, password, max_scripts, max_script_size, max_storage)
        VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`),
      passwd: p('UPDATE users SET password = ? WHERE name = ?'),
      delUser: p('DELETE FROM users WHERE name = ?'),
      delUserScripts: p('DELETE FROM scripts WHERE username = ?'),
      delUserMemory: p('DELETE FROM memory WHERE username = ?'),
      listUsers: p('SELECT name FROM users ORDER BY name').pluck(),
      memHas: p('SELECT 1 FROM memory WHERE username = ? AND kind = ? AND key = ? AND expires > ?').pluck(),
      memMark: p(`INSERT INTO memory (username, kind, key, expires) VALUES (?, ?, ?, ?)
        ON CONFLICT (username, kind, key) DO UPDATE SET expires = excluded.expires`),
      memPurge: p('DELETE FROM memory WHERE rowid IN (SELECT rowid FROM memory WHERE expires <= ? LIMIT ?)'),
    };
  }

  /**
   * Opens (creating when absent) the database at `path` and migrates it. `path` may be
   * `:memory:` for a private in-memory database (tests).
   */
  static async open(path: string, options: SqliteStoreOptions = {}): Promise<SqliteStore> {
    const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    const db = new Database(path, { timeout: Math.min(BUSY_SLICE_MS, busyTimeoutMs) });
    try {
      await retryBusy(path, busyTimeoutMs, () => {
        // WAL: readers never wait for the writer, and the server and the CLI can share the file.
        db.pragma('journal_mode = WAL');
        // FULL, not WAL's usual NORMAL: each commit is fsynced before it returns, so an
        // acknowledged PUTSCRIPT or SETACTIVE survives a power loss, not only a process crash.
        db.pragma('synchronous = FULL');
        migrateSqlite(db, path);
      });
      return new SqliteStore(db, path, busyTimeoutMs);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  private run<T>(fn: () => T): Promise<T> {
    return retryBusy(this.path, this.busyTimeoutMs, fn);
  }

  /** A write transaction: BEGIN IMMEDIATE takes the write lock before the first read, so a
   * quota check and the write it allows cannot interleave with another process's. */
  private write<T>(fn: () => T): Promise<T> {
    return this.run(() => this.db.transaction(fn).immediate());
  }

  private holdings(user: string, name: string): Holdings {
    const t = this.s.holdings.get(name, user) as { count: number; total: number; replaced: number | null };
    return { count: t.count, total: t.total, replaced: t.replaced ?? undefined };
  }

  listScripts(user: string): Promise<ScriptInfo[]> {
    return this.run(() =>
      (this.s.list.all(user) as Row[]).map((r) => ({
        name: r.name as string,
        active: r.active === 1,
        size: r.size as number,
        modified: new Date(r.modified as number),
      })),
    );
  }

  getScript(user: string, name: string): Promise<Buffer | undefined> {
    return this.run(() => this.s.get.get(user, name) as Buffer | undefined);
  }

  getActiveScript(user: string): Promise<{ name: string; content: Buffer } | undefined> {
    return this.run(() => this.s.getActive.get(user) as { name: string; content: Buffer } | undefined);
  }

  putScript(user: string, name: string, content: Buffer, quota: Quota): Promise<void> {
    return this.write(() => {
      checkQuota(this.holdings(user, name), content.length, quota);
      this.s.upsert.run(user, name, content, Date.now());
    });
  }

  checkSpace(user: string, name: string, size: number, quota: Quota): Promise<void> {
    return this.run(() => this.db.transaction(() => checkQuota(this.holdings(user, name), size, quota))());
  }

  setActive(user: string, name: string | null): Promise<void> {
    return this.write(() => {
      if (name !== null && this.s.active.get(user, name) === undefined) throw E.noScript(name);
      this.s.deactivate.run(user);
      if (name !== null) this.s.activate.run(user, name);
    });
  }

  deleteScript(user: string, name: string): Promise<void> {
    return this.write(() => {
      const active = this.s.active.get(user, name) as number | undefined;
      if (active === undefined) throw E.noScript(name);
      if (active === 1) throw E.scriptActive(name);
      this.s.delete.run(user, name);
    });
  }

  renameScript(user: string, from: string, to: string): Promise<void> {
    return this.write(() => {
      if (this.s.active.get(user, from) === undefined) throw E.noScript(from);
      if (this.s.active.get(user, to) !== undefined) throw E.scriptExists(to);
      this.s.rename.run(to, Date.now(), user, from);
    });
  }

  getUser(name: string): Promise<UserRecord | undefined> {
    return this.run(() => {
      const r = this.s.getUser.get(name) as Row | undefined;
      return r && { name: r.name as string, password: r.password as string, quota: quotaFromRow(r) };
    });
  }

  async addUser(user: UserRecord): Promise<void> {
    checkQuotaOverride(user.quota);
    const q = user.quota;
    await this.write(() => {
      const r = this.s.addUser.run(
        user.name,
        user.password,
        q.maxScripts ?? null,
        q.maxScriptSize ?? null,
        q.maxStorage ?? null,
      );
      if (r.changes === 0) throw E.userExists(user.name);
    });
  }

  setPassword(name: string, password: string): Promise<void> {
    return this.write(() => {
      if (this.s.passwd.run(password, name).changes === 0) throw E.noUser(name);
    });
  }

  deleteUser(name: string): Promise<void> {
    return this.write(() => {
      if (this.s.delUser.run(name).changes === 0) throw E.noUser(name);
      this.s.delUserScripts.run(name);
      this.s.delUserMemory.run(name);
    });
  }

  listUsers(): Promise<string[]> {
    return this.run(() => this.s.listUsers.all() as string[]);
  }

  memoryHas(user: string, kind: MemoryKind, key: string, now: Date): Promise<boolean> {
    return this.run(() => this.s.memHas.get(user, kind, key, now.getTime()) !== undefined);
  }

  memoryMark(user: string, kind: MemoryKind, key: string, expires: Date): Promise<void> {
    const purge = ++this.marks % PURGE_EVERY === 0;
    return this.write(() => {
      this.s.memMark.run(user, kind, key, expires.getTime());
      if (purge) this.s.memPurge.run(Date.now(), PURGE_BATCH);
    });
  }

  close(): Promise<void> {
    this.db.close();
    return Promise.resolve();
  }
}

/**
 * Runs `fn`, retrying while another process holds the write lock. Each attempt blocks for at
 * most BUSY_SLICE_MS in SQLite's busy handler; the pauses between attempts let the event loop
 * serve other sessions. Past the deadline the caller gets TRYLATER (RFC 5804 §1.3).
 */
async function retryBusy<T>(path: string, timeoutMs: number, fn: () => T): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let pause = 2; ; pause = Math.min(pause * 2, 50)) {
    try {
      return fn();
    } catch (e) {
      if (!isBusy(e)) throw e;
      if (Date.now() >= deadline) {
        throw new StoreError(
          'TRYLATER',
          `the store database ${path} stayed locked by another process for more than ${timeoutMs} ms`,
        );
      }
    }
    await sleep(pause);
  }
}
