/**
 * The embedded store: one SQLite file shared by the server and the `sievert script|user`
 * commands, possibly running at the same time in different processes.
 */
import Database from 'better-sqlite3';
import { setTimeout as sleep } from 'node:timers/promises';
import { PURGE_BATCH, PURGE_EVERY, storeErrors as E } from './shared.js';
import { migrateSqlite } from './migrations.js';
import { checkQuota, checkQuotaOverride, quotaFromRow, type Holdings } from './quota.js';
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
  /**
   * Most writes committed together in one transaction (group commit, see `write`). Default 64:
   * enough for every session of a busy server to share one fsync, small enough that one
   * transaction holds the write lock (and the event loop) for a few milliseconds at most.
   */
  maxBatch?: number;
  /**
   * Told after each write transaction commits, with how many writes it held (metrics, tests).
   * A throwing hook is ignored: the writes are durable by then.
   */
  onCommit?: (writes: number) => void;
}

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;
export const DEFAULT_MAX_BATCH = 64;

/** The longest a single blocking attempt may wait in SQLite's busy handler. */
const BUSY_SLICE_MS = 20;

type Row = Record<string, unknown>;

/** A write waiting for the group commit that will hold it. */
interface PendingWrite {
  fn: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  /** Past this time, a lock held by another process fails the write with TRYLATER. */
  deadline: number;
}

/** What one write of a batch came to: its value, or the error that rolled back its savepoint. */
type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

function isBusy(e: unknown): boolean {
  return e instanceof Database.SqliteError && /^SQLITE_(BUSY|LOCKED)/.test(e.code);
}

export class SqliteStore implements ScriptStore {
  readonly kind = 'sqlite' as const;
  private marks = 0;
  private readonly s;
  private readonly tx;
  private readonly maxBatch: number;
  private readonly onCommit: ((writes: number) => void) | undefined;
  private readonly queue: PendingWrite[] = [];
  /** The running group-commit loop, while there are writes to commit. */
  private flushing: Promise<void> | undefined;
  private closed = false;

  private constructor(
    private readonly db: Database.Database,
    private readonly path: string,
    private readonly busyTimeoutMs: number,
    options: SqliteStoreOptions,
  ) {
    this.maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
    if (!Number.isInteger(this.maxBatch) || this.maxBatch < 1)
      throw new RangeError(
        `SQLite store maxBatch must be a positive integer, got ${String(options.maxBatch)}`,
      );
    this.onCommit = options.onCommit;
    const p = (sql: string): Database.Statement => db.prepare(sql);
    this.tx = {
      begin: p('BEGIN IMMEDIATE'),
      commit: p('COMMIT'),
      rollback: p('ROLLBACK'),
      savepoint: p('SAVEPOINT write'),
      release: p('RELEASE write'),
      rollbackTo: p('ROLLBACK TO write'),
    };
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
      return new SqliteStore(db, path, busyTimeoutMs, options);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  private run<T>(fn: () => T): Promise<T> {
    return retryBusy(this.path, this.busyTimeoutMs, fn);
  }

  /**
   * A write, committed together with the others that arrive in the same event-loop turn or
   * while another process holds the lock (group commit): up to `maxBatch` writes share one
   * BEGIN IMMEDIATE … COMMIT and so one fsync, which is what a write costs under
   * `synchronous = FULL`. Each runs in its own SAVEPOINT, so one that throws (a quota, a
   * missing script) rolls back only itself and rejects only its own promise. Writes run in the
   * order they were asked for, and each promise settles only after the COMMIT that holds it:
   * an acknowledged write is durable.
   *
   * BEGIN IMMEDIATE takes the write lock before the first read, so a quota check and the write
   * it allows cannot interleave with another process's.
   */
  private write<T>(fn: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new Error(`the store database ${this.path} is closed`));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({
        fn,
        resolve: resolve as (value: unknown) => void,
        reject,
        deadline: Date.now() + this.busyTimeoutMs,
      });
      this.flushing ??= this.flush();
    });
  }

  /** Commits the queued writes, a batch at a time, until the queue is empty. */
  private async flush(): Promise<void> {
    // The writes the sessions of this event-loop turn ask for join the first one.
    await new Promise<void>((r) => setImmediate(r));
    const batch: PendingWrite[] = [];
    let pause = 2;
    while (this.queue.length > 0 || batch.length > 0) {
      // A batch that waited for the lock takes in the writes that arrived meanwhile.
      batch.push(...this.queue.splice(0, this.maxBatch - batch.length));
      let outcomes: Outcome[];
      try {
        outcomes = this.commit(batch);
      } catch (e) {
        if (!isBusy(e)) {
          // The transaction failed as a whole (a full disk, an I/O error): nothing was written.
          for (const w of batch.splice(0)) w.reject(e);
          continue;
        }
        this.expire(batch);
        // Another process holds the lock: pause without blocking the event loop (see retryBusy).
        await sleep(pause);
        pause = Math.min(pause * 2, 50);
        continue;
      }
      pause = 2;
      const done = batch.splice(0);
      try {
        this.onCommit?.(done.length);
      } catch {
        // The hook is for observation only.
      }
      done.forEach((w, i) => {
        const o = outcomes[i]!;
        if (o.ok) w.resolve(o.value);
        else w.reject(o.error);
      });
    }
    this.flushing = undefined;
  }

  /** One transaction over the batch, one savepoint per write. Throws only when nothing was committed. */
  private commit(batch: readonly PendingWrite[]): Outcome[] {
    const t = this.tx;
    t.begin.run();
    try {
      const outcomes = batch.map((w): Outcome => {
        t.savepoint.run();
        try {
          const value = w.fn();
          t.release.run();
          return { ok: true, value };
        } catch (error) {
          t.rollbackTo.run();
          t.release.run();
          // Lost locks end the whole transaction, to be retried; anything else is this write's.
          if (isBusy(error)) throw error;
          return { ok: false, error };
        }
      });
      t.commit.run();
      return outcomes;
    } catch (e) {
      if (this.db.inTransaction) t.rollback.run();
      throw e;
    }
  }

  /** Fails with TRYLATER the writes of a batch that have waited for the lock past their deadline. */
  private expire(batch: PendingWrite[]): void {
    const now = Date.now();
    for (let i = batch.length - 1; i >= 0; i--) {
      if (now < batch[i]!.deadline) continue;
      batch[i]!.reject(lockedTooLong(this.path, this.busyTimeoutMs));
      batch.splice(i, 1);
    }
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

  /** Waits for the queued writes to commit, then closes the database. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing) await this.flushing;
    this.db.close();
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
      if (Date.now() >= deadline) throw lockedTooLong(path, timeoutMs);
    }
    await sleep(pause);
  }
}

function lockedTooLong(path: string, timeoutMs: number): StoreError {
  return new StoreError(
    'TRYLATER',
    `the store database ${path} stayed locked by another process for more than ${timeoutMs} ms`,
  );
}
