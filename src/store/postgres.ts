/**
 * The shared store: several sievert nodes on one PostgreSQL database. Nothing is cached in
 * the process; every write is one transaction that first takes the user's advisory lock, so
 * two nodes' concurrent PUTSCRIPTs for one user run one after the other and cannot both pass
 * the quota check (READ COMMITTED sees the other's committed rows once the lock is held).
 */
import pg from 'pg';
import { PURGE_BATCH, PURGE_EVERY, storeErrors as E } from './shared.js';
import { migratePostgres, PG_USER_LOCK, SchemaVersionError } from './migrations.js';
import { checkQuota, checkQuotaOverride, quotaFromRow, type Holdings } from './quota.js';
import {
  StoreError,
  type MemoryKind,
  type Quota,
  type ScriptInfo,
  type ScriptStore,
  type UserRecord,
} from './types.js';

export interface PostgresStoreOptions {
  /** Connections in the pool. Default 10. */
  maxConnections?: number;
  /**
   * Milliseconds to wait for a connection, and for a lock held by another node's transaction,
   * before failing with TRYLATER. Default 5000.
   */
  timeoutMs?: number;
}

/**
 * Transient failures (RFC 5804 §1.3 TRYLATER): class 08 connection exceptions, 40001
 * serialization failure, 40P01 deadlock, 53300 too many connections, 55P03 lock timeout,
 * 57014 statement timeout, 57P01–57P03 shutdown and start-up.
 */
function isTransient(e: unknown): boolean {
  if (e instanceof pg.DatabaseError) {
    const c = e.code ?? '';
    return (
      c.startsWith('08') ||
      ['40001', '40P01', '53300', '55P03', '57014', '57P01', '57P02', '57P03'].includes(c)
    );
  }
  // The driver's own errors: sockets (ECONNREFUSED…), "Connection terminated", pool timeouts.
  if (!(e instanceof Error)) return false;
  return (
    typeof (e as NodeJS.ErrnoException).code === 'string' || /connect|terminated|timeout/i.test(e.message)
  );
}

/** The URL without its password or query (which may carry one), to name the database in errors. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    u.search = '';
    return u.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

interface ScriptRow {
  name: string;
  active: boolean;
  size: number;
  modified: Date;
}

export class PostgresStore implements ScriptStore {
  readonly kind = 'postgres' as const;
  private marks = 0;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly where: string,
  ) {}

  /**
   * Connects, migrates, and fails with TRYLATER when the database cannot be reached. `url` is one
   * openStore has checked.
   */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const where = redactUrl(url);
    const timeout = options.timeoutMs ?? 5000;
    const pool = new pg.Pool({
      connectionString: url,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: timeout,
      lock_timeout: timeout,
    });
    // An idle connection that dies is dropped by the pool; the next query opens a new one.
    pool.on('error', () => {});
    const store = new PostgresStore(pool, where);
    try {
      await store.guard(async () => {
        const client = await pool.connect();
        try {
          await migratePostgres(client, where);
        } finally {
          client.release();
        }
      });
      return store;
    } catch (e) {
      await pool.end().catch(() => {});
      if (e instanceof StoreError || !(e instanceof Error) || e instanceof SchemaVersionError) throw e;
      throw new Error(`cannot open the store database ${where}: ${e.message}`);
    }
  }

  /** Maps transient failures to TRYLATER, naming the database (never its password). */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof StoreError || !isTransient(e)) throw e;
      throw new StoreError(
        'TRYLATER',
        `the store database ${this.where} is unavailable: ${(e as Error).message}`,
      );
    }
  }

  private query<R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
    return this.guard(() => this.pool.query<R>(text, values));
  }

  /** One transaction; with `user`, under that user's advisory lock. */
  private tx<T>(user: string | undefined, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.guard(async () => {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        if (user !== undefined) {
          await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [PG_USER_LOCK, user]);
        }
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (e) {
        await client.query('ROLLBACK').catch((err: Error) => {
          broken = err;
        });
        throw e;
      } finally {
        client.release(broken);
      }
    });
  }

  private async holdings(c: pg.PoolClient, user: string, name: string): Promise<Holdings> {
    const r = await c.query<{ count: string; total: string; replaced: string | null }>(
      `SELECT count(*) AS count, coalesce(sum(octet_length(content)), 0) AS total,
              max(octet_length(content)) FILTER (WHERE name = $2) AS replaced
         FROM scripts WHERE username = $1`,
      [user, name],
    );
    const row = r.rows[0];
    return {
      count: Number(row?.count ?? 0),
      total: Number(row?.total ?? 0),
      replaced: row?.replaced == null ? undefined : Number(row.replaced),
    };
  }

  async listScripts(user: string): Promise<ScriptInfo[]> {
    // COLLATE "C": sorted by octets, as SQLite does, whatever the database's locale.
    const r = await this.query<ScriptRow>(
      `SELECT name, active, octet_length(content) AS size, modified FROM scripts
        WHERE username = $1 ORDER BY name COLLATE "C"`,
      [user],
    );
    return r.rows.map((x) => ({
      name: x.name,
      active: x.active,
      size: Number(x.size),
      modified: x.modified,
    }));
  }

  async getScript(user: string, name: string): Promise<Buffer | undefined> {
    const r = await this.query<{ content: Buffer }>(
      'SELECT content FROM scripts WHERE username = $1 AND name = $2',
      [user, name],
    );
    return r.rows[0]?.content;
  }

  async getActiveScript(user: string): Promise<{ name: string; content: Buffer } | undefined> {
    const r = await this.query<{ name: string; content: Buffer }>(
      'SELECT name, content FROM scripts WHERE username = $1 AND active',
      [user],
    );
    return r.rows[0];
  }

  putScript(user: string, name: string, content: Buffer, quota: Quota): Promise<void> {
    return this.tx(user, async (c) => {
      checkQuota(await this.holdings(c, user, name), content.length, quota);
      // The active flag is left alone on replace (RFC 5804 §2.6).
      await c.query(
        `INSERT INTO scripts (username, name, content, active, modified) VALUES ($1, $2, $3, false, now())
         ON CONFLICT (username, name) DO UPDATE SET content = EXCLUDED.content, modified = EXCLUDED.modified`,
        [user, name, content],
      );
    });
  }

  checkSpace(user: string, name: string, size: number, quota: Quota): Promise<void> {
    return this.tx(undefined, async (c) => checkQuota(await this.holdings(c, user, name), size, quota));
  }

  setActive(user: string, name: string | null): Promise<void> {
    return this.tx(user, async (c) => {
      if (name !== null && (await activeFlag(c, user, name)) === undefined) throw E.noScript(name);
      // Deactivate first: the partial unique index is checked row by row.
      await c.query('UPDATE scripts SET active = false WHERE username = $1 AND active', [user]);
      if (name !== null) {
        await c.query('UPDATE scripts SET active = true WHERE username = $1 AND name = $2', [user, name]);
      }
    });
  }

  deleteScript(user: string, name: string): Promise<void> {
    return this.tx(user, async (c) => {
      const active = await activeFlag(c, user, name);
      if (active === undefined) throw E.noScript(name);
      if (active) throw E.scriptActive(name);
      await c.query('DELETE FROM scripts WHERE username = $1 AND name = $2', [user, name]);
    });
  }

  renameScript(user: string, from: string, to: string): Promise<void> {
    return this.tx(user, async (c) => {
      if ((await activeFlag(c, user, from)) === undefined) throw E.noScript(from);
      if ((await activeFlag(c, user, to)) !== undefined) throw E.scriptExists(to);
      await c.query('UPDATE scripts SET name = $3, modified = now() WHERE username = $1 AND name = $2', [
        user,
        from,
        to,
      ]);
    });
  }

  async getUser(name: string): Promise<UserRecord | undefined> {
    const r = await this.query<{
      name: string;
      password: string;
      max_scripts: string | null;
      max_script_size: string | null;
      max_storage: string | null;
    }>('SELECT * FROM users WHERE name = $1', [name]);
    const row = r.rows[0];
    return row && { name: row.name, password: row.password, quota: quotaFromRow(row) };
  }

  async addUser(user: UserRecord): Promise<void> {
    checkQuotaOverride(user.quota);
    const q = user.quota;
    const r = await this.query(
      `INSERT INTO users (name, password, max_scripts, max_script_size, max_storage)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING`,
      [user.name, user.password, q.maxScripts ?? null, q.maxScriptSize ?? null, q.maxStorage ?? null],
    );
    if (r.rowCount === 0) throw E.userExists(user.name);
  }

  async setPassword(name: string, password: string): Promise<void> {
    const r = await this.query('UPDATE users SET password = $2 WHERE name = $1', [name, password]);
    if (r.rowCount === 0) throw E.noUser(name);
  }

  deleteUser(name: string): Promise<void> {
    return this.tx(name, async (c) => {
      const r = await c.query('DELETE FROM users WHERE name = $1', [name]);
      if (r.rowCount === 0) throw E.noUser(name);
      await c.query('DELETE FROM scripts WHERE username = $1', [name]);
      await c.query('DELETE FROM memory WHERE username = $1', [name]);
    });
  }

  async listUsers(): Promise<string[]> {
    const r = await this.query<{ name: string }>('SELECT name FROM users ORDER BY name COLLATE "C"', []);
    return r.rows.map((x) => x.name);
  }

  async memoryHas(user: string, kind: MemoryKind, key: string, now: Date): Promise<boolean> {
    const r = await this.query(
      'SELECT 1 FROM memory WHERE username = $1 AND kind = $2 AND key = $3 AND expires > $4',
      [user, kind, key, now],
    );
    return r.rows.length > 0;
  }

  async memoryMark(user: string, kind: MemoryKind, key: string, expires: Date): Promise<void> {
    await this.query(
      `INSERT INTO memory (username, kind, key, expires) VALUES ($1, $2, $3, $4)
       ON CONFLICT (username, kind, key) DO UPDATE SET expires = EXCLUDED.expires`,
      [user, kind, key, expires],
    );
    if (++this.marks % PURGE_EVERY === 0) {
      await this.query(
        `DELETE FROM memory WHERE ctid = ANY (ARRAY(
           SELECT ctid FROM memory WHERE expires <= $1 LIMIT ${PURGE_BATCH}))`,
        [new Date()],
      );
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

async function activeFlag(c: pg.PoolClient, user: string, name: string): Promise<boolean | undefined> {
  const r = await c.query<{ active: boolean }>(
    'SELECT active FROM scripts WHERE username = $1 AND name = $2',
    [user, name],
  );
  return r.rows[0]?.active;
}
