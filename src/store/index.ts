/**
 * The script store's public surface: `openStore(url)` picks the backend from `store.url`.
 * Backends are loaded on demand, so a SQLite deployment never loads `pg` and back.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ScriptStore } from './types.js';

export * from './types.js';
export { effectiveQuota } from './quota.js';
export { SchemaVersionError } from './migrations.js';

export interface OpenStoreOptions {
  /**
   * How long an operation waits for another process's (SQLite) or node's (PostgreSQL) lock,
   * or for a PostgreSQL connection, before failing with TRYLATER, in milliseconds. Default 5000.
   */
  busyTimeoutMs?: number;
}

/**
 * Opens the store named by `store.url`, creating and migrating its schema as needed:
 * - `sqlite:PATH` or a bare `PATH` (relative to the working directory; parent directories are
 *   created, a new file gets mode 0600 since it holds password hashes); `sqlite::memory:` for
 *   a private in-memory database;
 * - `postgres://…` or `postgresql://…` (the libpq-style URL `pg` accepts).
 */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<ScriptStore> {
  const timeout = options.busyTimeoutMs;
  if (isPostgresUrl(url)) {
    checkPostgresUrl(url);
    const { PostgresStore } = await import('./postgres.js');
    return PostgresStore.open(url, timeout === undefined ? {} : { timeoutMs: timeout });
  }
  const path = sqlitePath(url);
  const { SqliteStore } = await import('./sqlite.js');
  if (path !== ':memory:') createPrivateFile(path);
  return SqliteStore.open(path, timeout === undefined ? {} : { busyTimeoutMs: timeout });
}

function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** Throws an Error naming `store.url` for a PostgreSQL URL `pg` cannot read; never repeats the URL (it holds the password). */
function checkPostgresUrl(url: string): void {
  if (!URL.canParse(url)) {
    throw new Error('store.url: not a valid URL; expected postgres://USER:PASSWORD@HOST:PORT/DATABASE');
  }
}

/**
 * The SQLite file a `store.url` names, or throws an Error naming `store.url`. A relative path is
 * taken from `baseDir` (default: the working directory).
 */
export function sqlitePath(url: string, baseDir = process.cwd()): string {
  let path = url;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
  if (scheme !== undefined) {
    if (scheme.toLowerCase() !== 'sqlite') {
      throw new Error(
        `store.url: unsupported scheme "${scheme}:"; expected sqlite:PATH, a file path, or postgres://…`,
      );
    }
    path = url.slice(scheme.length + 1);
    // sqlite:///var/lib/x.db is the URL spelling of /var/lib/x.db.
    if (path.startsWith('//')) path = path.slice(2);
  }
  if (path === '') throw new Error('store.url: sqlite: needs a file path (sqlite:./sievert-data/sievert.db)');
  return path === ':memory:' ? path : resolve(baseDir, path);
}

/**
 * A `store.url` as openStore reads it, made independent of the working directory: a PostgreSQL
 * URL unchanged, anything else `sqlite:ABSOLUTE_PATH` (relative paths taken from `baseDir`).
 * Throws an Error naming `store.url` for what openStore would refuse.
 */
export function resolveStoreUrl(url: string, baseDir: string): string {
  if (!isPostgresUrl(url)) return `sqlite:${sqlitePath(url, baseDir)}`;
  checkPostgresUrl(url);
  return url;
}

function createPrivateFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
}
