/**
 * Schema versions, applied forward by themselves when a store opens. Each backend has its own
 * ordered list (the SQL dialects differ); a migration is never edited once released, only
 * followed by a new one. `schema_version` holds one row per applied migration.
 */
import type { Database } from 'better-sqlite3';
import type { PoolClient } from 'pg';

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'scripts, users, memory',
    // `modified` and `expires` are milliseconds since the epoch.
    sql: `
      CREATE TABLE scripts (
        username TEXT NOT NULL,
        name     TEXT NOT NULL,
        content  BLOB NOT NULL,
        active   INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
        modified INTEGER NOT NULL,
        PRIMARY KEY (username, name)
      );
      -- RFC 5804 §2.8: at most one active script per user, whatever a writer does.
      CREATE UNIQUE INDEX scripts_one_active ON scripts (username) WHERE active = 1;
      CREATE TABLE users (
        name            TEXT PRIMARY KEY,
        password        TEXT NOT NULL,
        max_scripts     INTEGER,
        max_script_size INTEGER,
        max_storage     INTEGER
      );
      CREATE TABLE memory (
        username TEXT NOT NULL,
        kind     TEXT NOT NULL CHECK (kind IN ('vacation', 'duplicate')),
        key      TEXT NOT NULL,
        expires  INTEGER NOT NULL,
        PRIMARY KEY (username, kind, key)
      );
      CREATE INDEX memory_expires ON memory (expires);
    `,
  },
  {
    version: 2,
    description: "memory kind 'notice' (script error notices sent, RFC 5228 §2.10.6)",
    // SQLite cannot change a CHECK constraint in place: the table is rebuilt.
    sql: `
      CREATE TABLE memory_v2 (
        username TEXT NOT NULL,
        kind     TEXT NOT NULL CHECK (kind IN ('vacation', 'duplicate', 'notice')),
        key      TEXT NOT NULL,
        expires  INTEGER NOT NULL,
        PRIMARY KEY (username, kind, key)
      );
      INSERT INTO memory_v2 SELECT username, kind, key, expires FROM memory;
      DROP TABLE memory;
      ALTER TABLE memory_v2 RENAME TO memory;
      CREATE INDEX memory_expires ON memory (expires);
    `,
  },
];

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'scripts, users, memory',
    sql: `
      CREATE TABLE scripts (
        username text NOT NULL,
        name     text NOT NULL,
        content  bytea NOT NULL,
        active   boolean NOT NULL DEFAULT false,
        modified timestamptz NOT NULL,
        PRIMARY KEY (username, name)
      );
      -- RFC 5804 §2.8: at most one active script per user, whatever a writer does.
      CREATE UNIQUE INDEX scripts_one_active ON scripts (username) WHERE active;
      CREATE TABLE users (
        name            text PRIMARY KEY,
        password        text NOT NULL,
        max_scripts     bigint,
        max_script_size bigint,
        max_storage     bigint
      );
      CREATE TABLE memory (
        username text NOT NULL,
        kind     text NOT NULL CHECK (kind IN ('vacation', 'duplicate')),
        key      text NOT NULL,
        expires  timestamptz NOT NULL,
        PRIMARY KEY (username, kind, key)
      );
      CREATE INDEX memory_expires ON memory (expires);
    `,
  },
  {
    version: 2,
    description: "memory kind 'notice' (script error notices sent, RFC 5228 §2.10.6)",
    sql: `
      ALTER TABLE memory DROP CONSTRAINT memory_kind_check;
      ALTER TABLE memory ADD CONSTRAINT memory_kind_check CHECK (kind IN ('vacation', 'duplicate', 'notice'));
    `,
  },
];

/** Raised when the database was migrated by a newer sievert than this one. */
export class SchemaVersionError extends Error {
  constructor(where: string, found: number, known: number) {
    super(
      `the store database ${where} has schema version ${found}, newer than this sievert knows (${known}); ` +
        'upgrade sievert, or point store.url at another database',
    );
    this.name = 'SchemaVersionError';
  }
}

/** The migrations after `current`, in order; refuses a database newer than the list. */
export function pending(migrations: readonly Migration[], current: number, where: string): Migration[] {
  const known = migrations.at(-1)?.version ?? 0;
  if (current > known) throw new SchemaVersionError(where, current, known);
  return migrations.filter((m) => m.version > current);
}

/**
 * Brings a SQLite database up to date. BEGIN IMMEDIATE takes the write lock first, so two
 * processes opening a new file at once apply each migration exactly once.
 */
export function migrateSqlite(db: Database, where: string): void {
  db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_version (
      version INTEGER PRIMARY KEY,
      applied TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
    )`);
    const row = db.prepare('SELECT coalesce(max(version), 0) AS v FROM schema_version').get() as {
      v: number;
    };
    for (const m of pending(SQLITE_MIGRATIONS, row.v, where)) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(m.version);
    }
  }).immediate();
}

/**
 * Advisory lock classes (the first key of the two-integer form): migrations take
 * (PG_MIGRATION_LOCK, 0); a user's writes take (PG_USER_LOCK, hashtext(user)).
 */
export const PG_MIGRATION_LOCK = 0x73696576; // 'siev'
export const PG_USER_LOCK = 0x73696577;

/**
 * Brings a PostgreSQL database up to date in one transaction (PostgreSQL's DDL is
 * transactional) under an advisory lock, so nodes starting together do not race.
 */
export async function migratePostgres(client: PoolClient, where: string): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, 0)', [PG_MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_version (
      version integer PRIMARY KEY,
      applied timestamptz NOT NULL DEFAULT now()
    )`);
    const r = await client.query<{ v: number }>('SELECT coalesce(max(version), 0) AS v FROM schema_version');
    for (const m of pending(POSTGRES_MIGRATIONS, Number(r.rows[0]?.v ?? 0), where)) {
      await client.query(m.sql);
      await client.query('INSERT INTO schema_version (version) VALUES ($1)', [m.version]);
    }
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  }
}
