/**
 * A Dovecot passwd-file as a user source, so an existing Dovecot users file works unchanged:
 * `user:password:uid:gid:gecos:home:shell:extra_fields` (Dovecot's db-passwd-file.c). Only the
 * user name, the password and the extra fields matter to sievert; the fields in between may be
 * empty or missing.
 *
 * User names are matched exactly, as Dovecot does with its default `username_format = %u`
 * (case-sensitive; an operator who wants case folding lower-cases the names in the file and
 * sets it in Dovecot with %Lu, which sievert does not emulate).
 */
import { readFile, stat } from 'node:fs/promises';
import { parseSize } from '../config/index.js';
import { parseCidr, type Cidr } from '../net/index.js';
import type { Quota } from '../store/types.js';
import type { LoginRestrictions, UserEntry, UserSource } from './types.js';

/** A user as the file names them: the entry plus every extra field (`nologin`, `userdb_mail=…`). */
export interface PasswdEntry extends UserEntry {
  fields: ReadonlyMap<string, string>;
}

/** A line the file cannot be used with: names the file and the 1-based line. */
export class PasswdFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    message: string,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${message}`);
    this.name = 'PasswdFileError';
  }
}

/**
 * Extra fields that set the quota (Pigeonhole's userdb fields), with or without the `userdb_`
 * prefix: in a file used as both passdb and userdb Dovecot accepts both spellings.
 */
const QUOTA_FIELDS: Record<string, keyof Quota> = {
  sieve_quota_max_scripts: 'maxScripts',
  sieve_quota_max_storage: 'maxStorage',
  sieve_max_script_size: 'maxScriptSize',
};

/** What Dovecot answers a `nologin` user who gives no `reason=` (login-common, client-common-auth.c). */
export const LOGIN_DISABLED_TEXT = 'Login disabled for this user';

/**
 * The passdb extra fields that restrict logins: `nologin` with its `reason=`, and
 * `allow_nets=10.0.0.0/8,::1` (comma-separated addresses and ranges; Dovecot's `local`, a
 * UNIX-socket client, never matches a TCP client). Undefined when the entry has neither.
 */
function loginRestrictions(
  fields: ReadonlyMap<string, string>,
  fail: (msg: string) => PasswdFileError,
): LoginRestrictions | undefined {
  const login: LoginRestrictions = {};
  if (fields.has('nologin')) {
    const reason = fields.get('reason');
    login.disabled = reason !== undefined && reason !== '' ? reason : LOGIN_DISABLED_TEXT;
  }
  const nets = fields.get('allow_nets');
  if (nets !== undefined) {
    const allowed: Cidr[] = [];
    for (const item of nets.split(',')) {
      if (item === '' || item === 'local') continue;
      const cidr = parseCidr(item);
      if (!cidr)
        throw fail(
          `allow_nets=${nets}: ${JSON.stringify(item)} is not an address or a network (10.0.0.0/8, 192.0.2.7, 2001:db8::/32)`,
        );
      allowed.push(cidr);
    }
    login.allowNets = allowed;
  }
  return login.disabled !== undefined || login.allowNets !== undefined ? login : undefined;
}

/** Parses the whole file; throws PasswdFileError at the first line it cannot use. */
export function parsePasswdFile(text: string, file: string): Map<string, PasswdEntry> {
  const users = new Map<string, PasswdEntry>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '' || line.startsWith('#')) continue;
    const fail = (msg: string) => new PasswdFileError(file, lineNo, msg);
    const parts = line.split(':');
    const name = parts[0]!;
    if (name === '')
      throw fail('empty user name (a line is user:password:uid:gid:gecos:home:shell:extra_fields)');
    if (/[\s\p{Cc}]/u.test(name))
      throw fail(`user name ${JSON.stringify(name)} contains a space or control character`);
    if (users.has(name)) throw fail(`user ${name} is listed more than once`);
    const password = parts[1] ?? '';
    // Fields 3–7 (uid, gid, gecos, home, shell) are Dovecot's business; the rest, joined back
    // with ':' as Dovecot does, are space-separated extra fields.
    const fields = new Map<string, string>();
    let extra = parts.slice(7).join(':');
    if (parts[7] === '' && parts.length > 8) {
      // Dovecot's old format: an empty eighth field, then the mail location.
      fields.set('userdb_mail', parts.slice(8).join(':'));
      extra = '';
    }
    const quota: Partial<Quota> = {};
    for (const f of extra.split(/[ \t]+/)) {
      if (f === '') continue;
      const eq = f.indexOf('=');
      const key = eq < 0 ? f : f.slice(0, eq);
      const value = eq < 0 ? '' : f.slice(eq + 1);
      fields.set(key, value);
      const quotaKey = QUOTA_FIELDS[key.replace(/^userdb_/, '')];
      if (quotaKey !== undefined) {
        const n = key.endsWith('max_scripts')
          ? /^[0-9]{1,9}$/.test(value)
            ? Number(value)
            : undefined
          : parseSize(value);
        if (n === undefined)
          throw fail(
            `${key}=${value} is not ${key.endsWith('max_scripts') ? 'a number' : 'a size (a number with an optional K, M, G or T suffix)'}`,
          );
        quota[quotaKey] = n;
      }
    }
    const login = loginRestrictions(fields, fail);
    users.set(name, login ? { name, password, quota, fields, login } : { name, password, quota, fields });
  }
  return users;
}

export interface PasswdFileOptions {
  /** The file lists master users (SASL PLAIN authzid); only named in messages. Default false. */
  master?: boolean;
  /** How often, at most, lookups check whether the file changed. Default 1000 ms. */
  checkIntervalMs?: number;
  /** Told when a changed file cannot be read or parsed; the previous contents stay in use. */
  onReloadError?: (error: PasswdFileError) => void;
  /** Clock for the check interval (tests). Default Date.now. */
  now?: () => number;
}

interface Snapshot {
  users: Map<string, PasswdEntry>;
  mtimeMs: number;
  size: number;
  ino: number;
}

/** A passwd-file user source that rereads the file when its mtime, size or inode change. */
export class PasswdFile implements UserSource {
  private lastCheck: number;
  private checking: Promise<void> | undefined;

  private constructor(
    readonly path: string,
    private snapshot: Snapshot,
    private readonly options: PasswdFileOptions,
  ) {
    this.lastCheck = this.now();
  }

  /** Reads the file; rejects with PasswdFileError when it is missing or has a bad line. */
  static async open(path: string, options: PasswdFileOptions = {}): Promise<PasswdFile> {
    return new PasswdFile(path, await load(path, options.master === true), options);
  }

  /** Number of users in the contents in use. */
  get size(): number {
    return this.snapshot.users.size;
  }

  async lookup(name: string): Promise<PasswdEntry | undefined> {
    await this.refresh();
    return this.snapshot.users.get(name);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private async refresh(): Promise<void> {
    if (this.checking) return this.checking;
    if (this.now() - this.lastCheck < (this.options.checkIntervalMs ?? 1000)) return;
    this.lastCheck = this.now();
    this.checking = this.check().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private async check(): Promise<void> {
    try {
      const st = await stat(this.path);
      const s = this.snapshot;
      if (st.mtimeMs === s.mtimeMs && st.size === s.size && st.ino === s.ino) return;
      this.snapshot = await load(this.path, this.options.master === true);
    } catch (e) {
      const err = e instanceof PasswdFileError ? e : new PasswdFileError(this.path, undefined, describe(e));
      this.options.onReloadError?.(err);
    }
  }
}

async function load(path: string, master: boolean): Promise<Snapshot> {
  let text: string;
  let st;
  try {
    st = await stat(path);
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new PasswdFileError(
      path,
      undefined,
      `cannot read the ${master ? 'master ' : ''}passwd-file: ${describe(e)}`,
    );
  }
  return { users: parsePasswdFile(text, path), mtimeMs: st.mtimeMs, size: st.size, ino: st.ino };
}

function describe(e: unknown): string {
  if (e && typeof e === 'object' && 'code' in e && typeof e.code === 'string') {
    const msg = 'message' in e && typeof e.message === 'string' ? e.message : e.code;
    return msg.replace(/^[A-Z]+: /, '');
  }
  return e instanceof Error ? e.message : String(e);
}
