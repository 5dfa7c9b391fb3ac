// The header cache of `sievert filter`: the header blocks of a Maildir's messages in one file, so
// a second run over the same Maildir reads one file instead of one per message (Dovecot's index
// cache does the same for Pigeonhole's sieve-filter).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, realpathSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const MAGIC = 'sievert-header-cache 1\n';
/** Header blocks longer than this are read from the message file every time. */
export const MAX_CACHED_HEADER = 256 * 1024;

/** Where caches go by default: `$XDG_CACHE_HOME/sievert/filter`, else `~/.cache/sievert/filter`. */
export function defaultCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.cache'), 'sievert', 'filter');
}

/**
 * The cache key of a Maildir file name: its unique part, before the `:2,` info that changes when
 * flags change. A message file's bytes never change under one unique name (the Maildir rule), so a
 * hit needs no stat of the file.
 */
export function cacheKey(name: string): string {
  const slash = name.lastIndexOf('/');
  const colon = name.indexOf(':', slash + 1);
  return name.slice(slash + 1, colon < 0 ? undefined : colon);
}

interface Entry {
  readonly start: number;
  readonly end: number;
  readonly size: number;
}

/**
 * One Maildir's cache. `get` answers from the file read at `open`; `put` records a message read
 * from disk; `save` rewrites the file (temporary file, then rename) with exactly the messages
 * looked up in this run, when anything changed. A missing, foreign or damaged file is an empty
 * cache; failing to write one only costs the next run its speed.
 */
export class HeaderCache {
  private readonly entries = new Map<string, Entry>();
  private readonly added = new Map<string, { bytes: Uint8Array; size: number }>();
  private readonly used = new Set<string>();
  private data: Buffer = Buffer.alloc(0);

  private constructor(
    private readonly file: string,
    /** The Maildir's real path, written into the file so a cache never serves another folder. */
    private readonly maildir: string,
  ) {}

  static open(maildir: string, dir: string): HeaderCache {
    let real = maildir;
    try {
      real = realpathSync(maildir);
    } catch {
      // The Maildir itself is checked by the caller.
    }
    const id = createHash('sha256').update(real).digest('hex').slice(0, 32);
    const cache = new HeaderCache(join(dir, `${id}.cache`), real);
    cache.load();
    return cache;
  }

  private load(): void {
    let data: Buffer;
    try {
      data = readFileSync(this.file);
    } catch {
      return;
    }
    try {
      const head = `${MAGIC}${this.maildir}\n`;
      if (data.toString('utf8', 0, Buffer.byteLength(head)) !== head) return;
      let pos = Buffer.byteLength(head);
      const count = data.readUInt32LE(pos);
      pos += 4;
      for (let i = 0; i < count; i++) {
        const keyLength = data.readUInt16LE(pos);
        const key = data.toString('utf8', pos + 2, pos + 2 + keyLength);
        pos += 2 + keyLength;
        const size = data.readUInt32LE(pos) + data.readUInt32LE(pos + 4) * 2 ** 32;
        const length = data.readUInt32LE(pos + 8);
        pos += 12;
        if (pos + length > data.length) throw new RangeError('truncated');
        this.entries.set(key, { start: pos, end: pos + length, size });
        pos += length;
      }
      this.data = data;
    } catch {
      this.entries.clear(); // damaged: start again
    }
  }

  get(key: string): { bytes: Uint8Array; size: number } | undefined {
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    this.used.add(key);
    return { bytes: this.data.subarray(e.start, e.end), size: e.size };
  }

  /** Records a header block read from disk (copied: the reader reuses its buffer). */
  put(key: string, bytes: Uint8Array, size: number): void {
    if (bytes.length > MAX_CACHED_HEADER || Buffer.byteLength(key) > 0xffff) return;
    this.added.set(key, { bytes: Uint8Array.prototype.slice.call(bytes), size });
  }

  /** Writes the cache when this run added messages or no longer saw some; returns whether it wrote. */
  save(): boolean {
    if (this.added.size === 0 && this.used.size === this.entries.size) return false;
    const parts: Uint8Array[] = [Buffer.from(`${MAGIC}${this.maildir}\n`)];
    const count = Buffer.alloc(4);
    parts.push(count);
    let n = 0;
    const add = (key: string, bytes: Uint8Array, size: number): void => {
      const k = Buffer.from(key);
      const fixed = Buffer.alloc(14);
      fixed.writeUInt16LE(k.length, 0);
      fixed.writeUInt32LE(size % 2 ** 32, 2);
      fixed.writeUInt32LE(Math.floor(size / 2 ** 32), 6);
      fixed.writeUInt32LE(bytes.length, 10);
      parts.push(fixed.subarray(0, 2), k, fixed.subarray(2), bytes);
      n++;
    };
    for (const key of this.used) {
      const e = this.entries.get(key)!;
      add(key, this.data.subarray(e.start, e.end), e.size);
    }
    for (const [key, { bytes, size }] of this.added) add(key, bytes, size);
    count.writeUInt32LE(n, 0);
    const dir = join(this.file, '..');
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileSync(tmp, Buffer.concat(parts), { mode: 0o600 });
      renameSync(tmp, this.file);
      return true;
    } catch {
      try {
        unlinkSync(tmp);
      } catch {
        // nothing was written
      }
      return false;
    }
  }
}
