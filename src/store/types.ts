/**
 * The script store: Sieve scripts per user with the active script, quotas, users of its own,
 * and the engine's memories (vacation responses, duplicate ids). One interface, two backends:
 * SQLite (embedded, the default) and PostgreSQL (several sievert nodes on one database).
 *
 * Every write is one transaction: a crash mid-PUTSCRIPT leaves the old script, an activation
 * is never half done. Nothing is cached in the process, so nodes sharing a database see each
 * other's changes at once.
 */

/** The failures a caller can act on, named by the ManageSieve response code (RFC 5804 §1.3). */
export type StoreErrorCode =
  'NONEXISTENT' | 'ALREADYEXISTS' | 'ACTIVE' | 'QUOTA' | 'QUOTA/MAXSCRIPTS' | 'QUOTA/MAXSIZE' | 'TRYLATER';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/** Limits per user; 0 means unlimited. Sizes in octets. */
export interface Quota {
  maxScripts: number;
  maxScriptSize: number;
  maxStorage: number;
}

export const UNLIMITED: Quota = { maxScripts: 0, maxScriptSize: 0, maxStorage: 0 };

export interface ScriptInfo {
  name: string;
  active: boolean;
  /** Octets. */
  size: number;
  modified: Date;
}

/** A user of the store's own user table (`sievert user add`). */
export interface UserRecord {
  name: string;
  /** A Dovecot-style scheme-prefixed hash: `{SHA512-CRYPT}$6$…`, `{ARGON2ID}…`, `{PLAIN}…`. */
  password: string;
  /** Per-user overrides of the configured quota. */
  quota: Partial<Quota>;
}

/**
 * The expiring memories kept per user: the engine's (RFC 5230 vacation, RFC 7352 duplicate) and
 * delivery's record of the script-error notices it sent (one per script version).
 */
export type MemoryKind = 'vacation' | 'duplicate' | 'notice';

export interface ScriptStore {
  readonly kind: 'sqlite' | 'postgres';

  /** The user's scripts, sorted by name. */
  listScripts(user: string): Promise<ScriptInfo[]>;
  /** The exact octets stored, or undefined. */
  getScript(user: string, name: string): Promise<Buffer | undefined>;
  getActiveScript(user: string): Promise<{ name: string; content: Buffer } | undefined>;
  /**
   * Creates or replaces a script in one transaction. The quota is checked inside it: the
   * replaced script's own size does not count against `maxStorage`, and replacing never
   * counts against `maxScripts`. The active flag of a replaced script is kept.
   * Throws StoreError QUOTA/MAXSIZE, QUOTA/MAXSCRIPTS or QUOTA.
   */
  putScript(user: string, name: string, content: Buffer, quota: Quota): Promise<void>;
  /** HAVESPACE (RFC 5804 §2.5): throws the StoreError PUTSCRIPT would throw for this size. */
  checkSpace(user: string, name: string, size: number, quota: Quota): Promise<void>;
  /** Makes `name` the only active script; null deactivates all. Throws NONEXISTENT. */
  setActive(user: string, name: string | null): Promise<void>;
  /** Throws NONEXISTENT, or ACTIVE for the active script. */
  deleteScript(user: string, name: string): Promise<void>;
  /** The active script stays active under its new name. Throws NONEXISTENT or ALREADYEXISTS. */
  renameScript(user: string, from: string, to: string): Promise<void>;

  getUser(name: string): Promise<UserRecord | undefined>;
  /** Throws ALREADYEXISTS. */
  addUser(user: UserRecord): Promise<void>;
  /** Throws NONEXISTENT. */
  setPassword(name: string, password: string): Promise<void>;
  /** Removes the user and their scripts and memories. Throws NONEXISTENT. */
  deleteUser(name: string): Promise<void>;
  listUsers(): Promise<string[]>;

  /** True when `key` was remembered for the user and has not expired at `now`. */
  memoryHas(user: string, kind: MemoryKind, key: string, now: Date): Promise<boolean>;
  /** Remembers `key` until `expires` (replacing an earlier entry); drops expired entries now and then. */
  memoryMark(user: string, kind: MemoryKind, key: string, expires: Date): Promise<void>;

  close(): Promise<void>;
}
