// A Maildir++ writer for keep / fileinto that Dovecot 2.3 (`mail_location = maildir:DIR`, the
// default Maildir++ layout) serves as it would serve its own deliveries.
//
// Delivery is two-phase so that one recipient's copies are all visible or none are: stage()
// writes and fsyncs each copy in the folder's tmp/, commit() renames them into new/ or cur/ and
// fsyncs those directories, abort() removes what was staged (cr.yp.to/proto/maildir.html).
//
// What Dovecot does, checked against 2.3.19 here:
// - Folder "A.B" lives in ROOT/.A.B (levels joined with "." whatever the IMAP separator), INBOX is
//   ROOT itself and its children are ".INBOX.x"; names are modified UTF-7 unless the UTF-8
//   option is set. A child does not create its parent: IMAP LISTs the parent \Noselect.
// - It refuses names that begin with "~" or with the separator, have adjacent separators, or
//   (with separator ".") contain "/"; it strips a trailing separator (refused here: an empty
//   level). A directory name over 255 octets fails.
// - Files are stored with LF line ends (mail_save_crlf = no): `,S=` is the stored size and `,W=`
//   the size with CRLF line ends; "x\ry" keeps its CR (S=3, W=3).
// - Flags in the name after ":2," sorted (ASCII: system flags, then keyword letters a–z), keyword
//   letters from the folder's dovecot-keywords ("<index> <name>" lines, looked up ignoring case,
//   written under the dovecot-uidlist.lock dotlock with an mtime that always grows, since Dovecot
//   rereads the file only when its mtime changes).
// - `subscriptions` is "V\t2\n\n" then one on-disk name a line with the levels joined by TAB.

import { constants as fsConstants, statSync } from 'node:fs';
import { mkdir, open, readFile, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { dirname, join } from 'node:path';
import { encodeMutf7 } from './mutf7.js';

export interface MaildirOptions {
  /** Hierarchy separator in the mailbox names scripts use ("Work.Reports" or "Work/Reports"); default "." (Dovecot's Maildir++ default). On disk Maildir++ always joins levels with ".". */
  readonly separator?: '.' | '/';
  /** Names on disk: "mutf7" (IMAP modified UTF-7, RFC 3501 §5.1.3: Dovecot's default) or "utf8" (Dovecot's UTF8 option). Default "mutf7". */
  readonly encoding?: 'mutf7' | 'utf8';
  /** fsync the file and the directories (default true; false only for tests/benchmarks that say so). */
  readonly fsync?: boolean;
  /** Host name in unique file names (default os.hostname(), with "/" and ":" escaped as Maildir asks). */
  readonly hostname?: string;
  /**
   * How long to wait for a lock another process holds on a folder's keyword file or on the
   * subscriptions file before giving up with a temporary error (code EAGAIN). Default 10,000 ms.
   * Locks are only taken when a new keyword or subscription is added.
   */
  readonly lockTimeoutMs?: number;
}

/**
 * A mailbox name that is invalid or would leave the Maildir. The message says which rule the
 * name broke; delivery reports it as a script error and keeps the message in INBOX.
 */
export class MailboxNameError extends Error {
  override name = 'MailboxNameError';
}

/** A copy written and fsynced in tmp/, not yet visible. */
export interface StagedCopy {
  readonly mailbox: string;
  readonly tmpPath: string;
  readonly finalPath: string;
}

/** Dovecot's limit: one directory entry (ENAMETOOLONG beyond), and all of ".A.B" is one. */
const MAX_DIR_NAME_OCTETS = 255;
/** Dovecot: a dovecot-uidlist.lock unchanged this long is stale (MAILDIR_UIDLIST_LOCK_STALE_TIMEOUT). */
const UIDLIST_LOCK_STALE_MS = 120_000;
/** Dovecot's subscriptions dotlock goes stale after 30 s without change. */
const SUBSCRIPTIONS_LOCK_STALE_MS = 30_000;
/** Dovecot does not check a dotlock's PID while the lock is younger than this (STALE_PID_CHECK_SECS). */
const PID_CHECK_AFTER_MS = 2_000;
/** Keyword letters a–z: Dovecot's MAILDIR_MAX_KEYWORDS. */
const MAX_KEYWORDS = 26;
const SUBSCRIPTIONS_V2 = 'V\t2\n\n';

/** Maildir info letters for IMAP system flags (cr.yp.to/proto/maildir.html, "info"). */
const SYSTEM_FLAGS: ReadonlyMap<string, string> = new Map([
  ['\\draft', 'D'],
  ['\\flagged', 'F'],
  ['\\answered', 'R'],
  ['\\seen', 'S'],
  ['\\deleted', 'T'],
]);

/** RFC 3501 §9 flag-keyword = atom: printable ASCII except the atom-specials ( ) { SP % * " \ ]. */
function isKeyword(flag: string): boolean {
  return /^[!-~]+$/.test(flag) && !/[(){%*"\\\]]/.test(flag);
}

/** Per-process counter for the Q part of unique names: two copies in one microsecond differ. */
let deliveries = 0;

/** In-process queues per lock path: our own concurrent stages wait here, not on the dotlock. */
const queues = new Map<string, Promise<unknown>>();

function serialize<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const prev = queues.get(key) ?? Promise.resolve();
  const run = prev.then(fn, fn);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(key, tail);
  void tail.then(() => {
    if (queues.get(key) === tail) queues.delete(key);
  });
  return run;
}

function codeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function fsError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * Errno codes after which the same delivery may well succeed later, so LMTP answers 4xx and the
 * MTA retries: a full disk or quota, I/O errors, too many open files, a busy or stale (NFS)
 * file, a lock we could not get (EAGAIN), a read-only file system or a permission problem (an
 * administrator's mistake that is fixed by hand: bouncing the mail would lose it for good, and
 * Dovecot's LMTP answers permission errors with 4xx too), and a folder that vanished under us.
 */
const TEMPORARY_CODES = new Set([
  'ENOSPC',
  'EDQUOT',
  'EIO',
  'EMFILE',
  'ENFILE',
  'EAGAIN',
  'EWOULDBLOCK',
  'EBUSY',
  'EINTR',
  'ENOMEM',
  'ETIMEDOUT',
  'ESTALE',
  'ETXTBSY',
  'EROFS',
  'EACCES',
  'EPERM',
  'ENOENT',
]);

/**
 * True for errors that mean "try again later" (delivery answers 4xx): see TEMPORARY_CODES.
 * Anything else (a MailboxNameError, ENAMETOOLONG, EFBIG, ENOTDIR, an error without a code) is
 * false: retrying the same message would fail the same way.
 */
export function isTemporaryFsError(err: unknown): boolean {
  const code = codeOf(err);
  return code !== undefined && TEMPORARY_CODES.has(code);
}

/** A folder resolved from a mailbox name. */
interface Folder {
  /** The Maildir directory: the root for INBOX, ROOT/.A.B otherwise. */
  readonly dir: string;
  /** On-disk levels (encoded); empty for INBOX. */
  readonly levels: readonly string[];
}

export class Maildir {
  readonly #root: string;
  readonly #separator: '.' | '/';
  readonly #encoding: 'mutf7' | 'utf8';
  readonly #fsync: boolean;
  readonly #host: string;
  readonly #lockTimeoutMs: number;
  #modes: { dir: number; file: number } | undefined;

  constructor(root: string, options: MaildirOptions = {}) {
    this.#root = root;
    this.#separator = options.separator ?? '.';
    this.#encoding = options.encoding ?? 'mutf7';
    this.#fsync = options.fsync ?? true;
    this.#host = escapeHostname(options.hostname ?? osHostname());
    this.#lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
  }

  /** INBOX (any case) is the root; others are Maildir++ folders ".A.B". Throws MailboxNameError. Sync: the engine's host.mailboxExists is synchronous. */
  exists(mailbox: string): boolean {
    const folder = this.#folder(mailbox);
    // RFC 3501 §5.1: INBOX is always the user's primary mailbox; like Dovecot, it is created on first delivery.
    if (folder.levels.length === 0) return true;
    return isDirectorySync(join(folder.dir, 'cur'));
  }

  /** Creates the folder (and the root, as Dovecot does; a missing parent stays missing: IMAP LIST shows it \Noselect, as with Dovecot), cur/new/tmp, the `maildirfolder` file, and adds it to the `subscriptions` file (Dovecot's format) so IMAP clients see it. Idempotent. Throws MailboxNameError. */
  async create(mailbox: string): Promise<void> {
    const folder = this.#folder(mailbox);
    await this.#ensureRoot();
    if (folder.levels.length === 0) return;
    const modes = await this.#permissions();
    const made = await mkdirIfMissing(folder.dir, modes.dir);
    for (const sub of ['cur', 'new', 'tmp']) await mkdirIfMissing(join(folder.dir, sub), modes.dir);
    // Maildir++: the empty file marks a subfolder, so a delivery agent never treats it as a root.
    const marker = await open(join(folder.dir, 'maildirfolder'), 'a', modes.file);
    try {
      if (this.#fsync) await marker.sync();
    } finally {
      await marker.close();
    }
    if (this.#fsync) {
      await fsyncDir(folder.dir);
      if (made) await fsyncDir(this.#root);
    }
    await this.#subscribe(folder.levels);
  }

  /** Writes `message` (CRLF line ends as received) into the folder's tmp/ with a unique name, fsyncs the file. Flags: IMAP system flags (\Seen \Answered \Flagged \Deleted \Draft, any case) become Maildir info flags (":2,FS…" sorted) and other flags become keywords through Dovecot's `dovecot-keywords` file (letters a–z assigned in that file, as Dovecot does; keep existing assignments). The folder must exist (the caller creates it first when allowed). */
  async stage(mailbox: string, message: Uint8Array, flags: readonly string[]): Promise<StagedCopy> {
    const folder = this.#folder(mailbox);
    if (!isDirectorySync(join(folder.dir, 'tmp'))) {
      throw fsError(
        'ENOENT',
        `mailbox ${JSON.stringify(mailbox)} does not exist (no ${join(folder.dir, 'tmp')})`,
      );
    }
    const info = await this.#info(folder.dir, flags);
    const { data, lineFeeds } = crlfToLf(message);
    const modes = await this.#permissions();
    for (let attempt = 0; ; attempt++) {
      // Maildir: "<secs>.M<usecs>P<pid>Q<deliveries>.<host>"; Dovecot reads S= and W= back.
      const base = `${uniquePrefix()}.${this.#host},S=${data.length},W=${data.length + lineFeeds}`;
      const tmpPath = join(folder.dir, 'tmp', base);
      let handle: FileHandle | undefined;
      try {
        handle = await open(tmpPath, 'wx', modes.file);
      } catch (err) {
        if (codeOf(err) === 'EEXIST' && attempt < 10) continue;
        throw err;
      }
      try {
        await handle.writeFile(data);
        if (this.#fsync) await handle.sync();
        const h = handle;
        handle = undefined;
        await h.close();
      } catch (err) {
        // Nothing half-written stays behind: a full disk leaves the folder as it was.
        if (handle !== undefined) await handle.close().catch(() => undefined);
        await unlink(tmpPath).catch(() => undefined);
        throw err;
      }
      const finalPath =
        info === '' ? join(folder.dir, 'new', base) : join(folder.dir, 'cur', `${base}:2,${info}`);
      return { mailbox, tmpPath, finalPath };
    }
  }

  /**
   * Moves each staged copy to new/ (no flags) or cur/ (with flags), then fsyncs each directory
   * touched. If that fails, copies already moved are moved back to tmp/ (best effort) before the
   * error is thrown, so the caller's abort() can remove them all.
   */
  async commit(copies: readonly StagedCopy[]): Promise<void> {
    const moved: StagedCopy[] = [];
    try {
      for (const copy of copies) {
        await rename(copy.tmpPath, copy.finalPath);
        moved.push(copy);
      }
      if (this.#fsync) {
        const dirs = new Set(copies.map((c) => dirname(c.finalPath)));
        await Promise.all([...dirs].map(fsyncDir));
      }
    } catch (err) {
      for (const copy of moved.reverse()) await rename(copy.finalPath, copy.tmpPath).catch(() => undefined);
      throw err;
    }
  }

  /** Removes staged copies from tmp/ (after a failure elsewhere); never throws. */
  async abort(copies: readonly StagedCopy[]): Promise<void> {
    await Promise.all(copies.map((c) => unlink(c.tmpPath).catch(() => undefined)));
  }

  #folder(mailbox: string): Folder {
    const fail = (why: string): never => {
      throw new MailboxNameError(`mailbox name ${JSON.stringify(mailbox)}: ${why}`);
    };
    if (mailbox === '') fail('is empty');
    // Control characters have no place in a folder name (Dovecot refuses them as invalid mUTF-7);
    // NUL would also cut the path short. A lone surrogate has no UTF-8 or UTF-16 encoding.
    if (hasControlCharacter(mailbox)) fail('contains a control character');
    if (/\p{Cs}/u.test(mailbox)) fail('contains a lone UTF-16 surrogate');
    if (mailbox.startsWith('~')) fail('begins with "~"');
    const sep = this.#separator;
    const levels = mailbox.split(sep);
    for (const level of levels) {
      if (level === '') fail(`has an empty level (leading, trailing or adjacent "${sep}")`);
      // Maildir++ joins levels with "." in one directory name, which can never hold a "/".
      if (sep === '.' && level.includes('/')) fail('contains "/", which a Maildir++ folder name cannot hold');
      if (sep === '/' && level.includes('.')) {
        fail('has a level containing ".", which Maildir++ uses to join levels on disk');
      }
    }
    if (levels[0]!.toUpperCase() === 'INBOX') levels[0] = 'INBOX';
    if (levels.length === 1 && levels[0] === 'INBOX') return { dir: this.#root, levels: [] };
    const encoded = levels.map((l) => (this.#encoding === 'mutf7' ? encodeMutf7(l) : l));
    const dirName = '.' + encoded.join('.');
    const octets = Buffer.byteLength(dirName);
    if (octets > MAX_DIR_NAME_OCTETS) {
      fail(`is ${octets} octets on disk as "${dirName.slice(0, 20)}…"; at most ${MAX_DIR_NAME_OCTETS} fit`);
    }
    return { dir: join(this.#root, dirName), levels: encoded };
  }

  async #ensureRoot(): Promise<void> {
    const parentMade = await mkdirIfMissing(this.#root, 0o700, true);
    const modes = await this.#permissions();
    let made = false;
    for (const sub of ['cur', 'new', 'tmp'])
      made = (await mkdirIfMissing(join(this.#root, sub), modes.dir)) || made;
    if (this.#fsync && (made || parentMade)) {
      await fsyncDir(this.#root);
      if (parentMade) await fsyncDir(dirname(this.#root));
    }
  }

  /** Dovecot creates folders and files with the root's permissions (mode, less the execute bits for files). */
  async #permissions(): Promise<{ dir: number; file: number }> {
    if (this.#modes === undefined) {
      try {
        const st = await stat(this.#root);
        const dir = st.mode & 0o777;
        this.#modes = { dir, file: dir & 0o666 };
      } catch {
        return { dir: 0o700, file: 0o600 };
      }
    }
    return this.#modes;
  }

  /** The ":2," info letters for `flags`: system flags and keyword letters, sorted. */
  async #info(dir: string, flags: readonly string[]): Promise<string> {
    const letters = new Set<string>();
    const keywords: string[] = [];
    const seen = new Set<string>();
    for (const flag of flags) {
      const lower = flag.toLowerCase();
      if (seen.has(lower)) continue;
      seen.add(lower);
      const system = SYSTEM_FLAGS.get(lower);
      if (system !== undefined) letters.add(system);
      // \Recent and unknown \-flags cannot be stored; RFC 5232 §2 lets invalid flags be ignored.
      else if (isKeyword(flag)) keywords.push(flag);
    }
    if (keywords.length > 0) for (const l of await this.#keywordLetters(dir, keywords)) letters.add(l);
    return [...letters].sort().join('');
  }

  /**
   * Letters for `keywords` from the folder's dovecot-keywords, adding the missing ones in free
   * slots. Keywords beyond the 26 letters are dropped, as Dovecot drops them.
   */
  async #keywordLetters(dir: string, keywords: readonly string[]): Promise<string[]> {
    const path = join(dir, 'dovecot-keywords');
    let slots = await readKeywords(path);
    if (keywords.every((k) => slotOf(slots, k) >= 0)) return lettersFor(slots, keywords);
    return serialize(path, async () => {
      // Dovecot changes dovecot-keywords only while it holds dovecot-uidlist.lock.
      const release = await acquireDotlock(join(dir, 'dovecot-uidlist.lock'), {
        pid: true,
        mode: 0o600,
        staleMs: UIDLIST_LOCK_STALE_MS,
        timeoutMs: this.#lockTimeoutMs,
      });
      try {
        const before = await stat(path).catch(() => undefined);
        slots = await readKeywords(path);
        let changed = false;
        for (const k of keywords) {
          if (slotOf(slots, k) >= 0) continue;
          const free = slots.findIndex((s) => s === undefined);
          const at = free >= 0 ? free : slots.length < MAX_KEYWORDS ? slots.length : -1;
          if (at < 0) continue;
          slots[at] = k;
          changed = true;
        }
        if (changed) {
          const text = slots.map((name, i) => (name === undefined ? '' : `${i} ${name}\n`)).join('');
          // Dovecot rereads the file only when its mtime (in seconds) changes: make it grow.
          const nowSec = Math.floor(Date.now() / 1000);
          const oldSec = before === undefined ? -1 : Math.floor(before.mtimeMs / 1000);
          const mtime = Math.max(nowSec, oldSec + 1);
          // Dovecot's writer removes a leftover dovecot-keywords.lock itself: the uidlist lock guards it.
          await unlink(`${path}.lock`).catch(() => undefined);
          await this.#replaceFile(path, text, mtime);
        }
      } finally {
        await release();
      }
      return lettersFor(slots, keywords);
    });
  }

  /** Adds the folder to `subscriptions` unless it is listed (Dovecot's V2 format, or its V1 lines). */
  async #subscribe(levels: readonly string[]): Promise<void> {
    const path = join(this.#root, 'subscriptions');
    const listed = (text: string): boolean => {
      const v2 = text.startsWith(SUBSCRIPTIONS_V2);
      const name = levels.join(v2 || text === '' ? '\t' : '.');
      return (v2 ? text.slice(SUBSCRIPTIONS_V2.length) : text).split('\n').includes(name);
    };
    if (listed(await readText(path))) return;
    await serialize(path, async () => {
      const lock = `${path}.lock`;
      const modes = await this.#permissions();
      const release = await acquireDotlock(lock, {
        pid: false,
        mode: modes.file,
        staleMs: SUBSCRIPTIONS_LOCK_STALE_MS,
        timeoutMs: this.#lockTimeoutMs,
      });
      // Once handed to #writeAndRename the lock file is renamed into place or removed there.
      let handedOver = false;
      try {
        const text = await readText(path);
        if (listed(text)) return;
        const v1 = text !== '' && !text.startsWith(SUBSCRIPTIONS_V2);
        const body = text === '' ? SUBSCRIPTIONS_V2 : text.endsWith('\n') ? text : text + '\n';
        const line = levels.join(v1 ? '.' : '\t') + '\n';
        handedOver = true;
        // The dotlock file itself becomes the new file, as Dovecot's file_dotlock_replace does.
        await this.#writeAndRename(lock, path, body + line, undefined, 'w', modes.file);
      } finally {
        if (!handedOver) await release();
      }
    });
  }

  /** Writes `text` to `path`.lock (created exclusively) and renames it over `path`. */
  async #replaceFile(path: string, text: string, mtimeSec: number | undefined): Promise<void> {
    const modes = await this.#permissions();
    await this.#writeAndRename(`${path}.lock`, path, text, mtimeSec, 'wx', modes.file);
  }

  /** Writes `from` (opened with `flags`), renames it over `to`; removes `from` on failure. */
  async #writeAndRename(
    from: string,
    to: string,
    text: string,
    mtimeSec: number | undefined,
    flags: 'w' | 'wx',
    mode: number,
  ): Promise<void> {
    try {
      const handle = await open(from, flags, mode);
      try {
        await handle.writeFile(text);
        if (mtimeSec !== undefined) await handle.utimes(mtimeSec, mtimeSec);
        if (this.#fsync) await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(from, to);
    } catch (err) {
      await unlink(from).catch(() => undefined);
      throw err;
    }
    if (this.#fsync) await fsyncDir(dirname(to));
  }
}

/** Maildir: "/" becomes \057 and ":" \072; "," (\054) too, since Dovecot reads ",S=" and ",W=" fields after the host. */
function escapeHostname(host: string): string {
  return host.replace(/[/:,]/g, (c) => `\\0${c.charCodeAt(0).toString(8)}`);
}

/** C0 controls (NUL included), DEL and C1 controls. */
function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

function uniquePrefix(): string {
  const ms = performance.timeOrigin + performance.now();
  const secs = Math.floor(ms / 1000);
  const usecs = Math.min(999_999, Math.floor((ms - secs * 1000) * 1000));
  deliveries++;
  return `${secs}.M${usecs}P${process.pid}Q${deliveries}`;
}

/**
 * CRLF → LF (Dovecot's LMTP default, mail_save_crlf = no); a CR not before LF is kept. Returns
 * the stored bytes and the number of LFs, so W (the size with CRLF) is data.length + lineFeeds.
 */
export function crlfToLf(message: Uint8Array): { data: Buffer; lineFeeds: number } {
  const src = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  const out = Buffer.allocUnsafe(src.length);
  let written = 0;
  let start = 0;
  let lineFeeds = 0;
  for (let lf = src.indexOf(10); lf >= 0; lf = src.indexOf(10, lf + 1)) {
    lineFeeds++;
    if (lf > 0 && src[lf - 1] === 13) {
      written += src.copy(out, written, start, lf - 1);
      start = lf;
    }
  }
  written += src.copy(out, written, start, src.length);
  return { data: out.subarray(0, written), lineFeeds };
}

function isDirectorySync(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** mkdir that tolerates an existing directory; resolves true when it made one. */
async function mkdirIfMissing(path: string, mode: number, recursive = false): Promise<boolean> {
  try {
    const made = await mkdir(path, { mode, recursive });
    return recursive ? made !== undefined : true;
  } catch (err) {
    if (codeOf(err) === 'EEXIST') return false;
    throw err;
  }
}

async function fsyncDir(path: string): Promise<void> {
  const handle = await open(path, fsConstants.O_RDONLY | fsConstants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (codeOf(err) === 'ENOENT') return '';
    throw err;
  }
}

/** dovecot-keywords: "<index> <name>" lines; other lines are ignored, as Dovecot ignores them. */
async function readKeywords(path: string): Promise<(string | undefined)[]> {
  const slots: (string | undefined)[] = [];
  for (const line of (await readText(path)).split('\n')) {
    const m = /^(\d+) (.+)$/.exec(line);
    if (m === null) continue;
    const i = Number(m[1]);
    if (i < MAX_KEYWORDS) slots[i] = m[2];
  }
  return Array.from(slots);
}

function slotOf(slots: readonly (string | undefined)[], keyword: string): number {
  const lower = keyword.toLowerCase();
  return slots.findIndex((s) => s !== undefined && s.toLowerCase() === lower);
}

function lettersFor(slots: readonly (string | undefined)[], keywords: readonly string[]): string[] {
  const out: string[] = [];
  for (const k of keywords) {
    const i = slotOf(slots, k);
    if (i >= 0) out.push(String.fromCharCode(0x61 + i));
  }
  return out;
}

/**
 * Takes a Dovecot-style dotlock: `path` created exclusively. With `pid`, it holds "pid:host" so
 * Dovecot (and we) can see when its holder died; otherwise it only goes stale by age. Waits up to
 * `timeoutMs`, then fails with EAGAIN (temporary). Resolves with the function that releases it.
 */
async function acquireDotlock(
  path: string,
  o: { pid: boolean; mode: number; staleMs: number; timeoutMs: number },
): Promise<() => Promise<void>> {
  const until = Date.now() + o.timeoutMs;
  let wait = 5;
  for (;;) {
    try {
      const handle = await open(path, 'wx', o.mode);
      try {
        if (o.pid) await handle.writeFile(`${process.pid}:${osHostname()}`);
      } finally {
        await handle.close();
      }
      return () => unlink(path).catch(() => undefined);
    } catch (err) {
      if (codeOf(err) !== 'EEXIST') throw err;
    }
    if (await isStale(path, o.staleMs)) {
      await unlink(path).catch(() => undefined);
      continue;
    }
    if (Date.now() >= until)
      throw fsError('EAGAIN', `timed out after ${o.timeoutMs} ms waiting for the lock ${path}`);
    await new Promise((r) => setTimeout(r, Math.min(wait, Math.max(1, until - Date.now()))));
    wait = Math.min(wait * 2, 200);
  }
}

/** Stale like Dovecot's file-dotlock: old by mtime, or (after 2 s) naming a dead process on this host. */
async function isStale(path: string, staleMs: number): Promise<boolean> {
  const st = await stat(path).catch(() => undefined);
  if (st === undefined) return false;
  const age = Date.now() - st.mtimeMs;
  if (age > staleMs) return true;
  if (age < PID_CHECK_AFTER_MS) return false;
  const m = /^(\d+):(.*)$/.exec((await readText(path)).trim());
  if (m === null || m[2] !== osHostname()) return false;
  try {
    process.kill(Number(m[1]), 0);
    return false;
  } catch (err) {
    return codeOf(err) === 'ESRCH';
  }
}
