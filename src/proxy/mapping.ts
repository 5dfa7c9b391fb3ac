import { readFileSync, statSync } from 'node:fs';
import type { MappingConfig } from './config.js';

/** Where the routing identifier → destination id table lives. */
export interface MappingSource {
  /** The destination id, or undefined when the identifier is not listed. Throws when the source is down. */
  lookup(identifier: string): Promise<string | undefined>;
  close(): Promise<void>;
}

export class MappingSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MappingSourceError';
  }
}

/**
 * Parses a mapping file: one `identifier destination` per line (tab or spaces), `#` starts a
 * comment, blank lines ignored. Errors name the line.
 */
export function parseMappingFile(text: string, normalize: (s: string) => string): Map<string, string> {
  const out = new Map<string, string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') return;
    const fields = line.split(/\s+/);
    if (fields.length !== 2) throw new MappingSourceError(`line ${i + 1}: expected "identifier destination"`);
    out.set(normalize(fields[0]!), fields[1]!);
  });
  return out;
}

/** A mapping file, re-read when its modification time or size changes. */
export class FileMapping implements MappingSource {
  private entries: Map<string, string>;
  private stamp: string;
  private timer: NodeJS.Timeout;

  constructor(
    readonly path: string,
    private readonly normalize: (s: string) => string,
    reloadIntervalMs: number,
    /** Checks a freshly read table (unknown destinations); throwing keeps the previous table. */
    private readonly check: (entries: Map<string, string>) => void,
    private readonly onReload: (err: Error | null, count: number) => void = () => {},
  ) {
    this.stamp = this.currentStamp();
    this.entries = this.read();
    check(this.entries);
    this.timer = setInterval(() => this.reloadIfChanged(), Math.max(reloadIntervalMs, 100));
    this.timer.unref();
  }

  private currentStamp(): string {
    const st = statSync(this.path);
    return `${st.mtimeMs}:${st.size}:${st.ino}`;
  }

  private read(): Map<string, string> {
    return parseMappingFile(readFileSync(this.path, 'utf8'), this.normalize);
  }

  /** Reloads when the file changed; a broken file keeps the previous table. */
  reloadIfChanged(): void {
    try {
      const stamp = this.currentStamp();
      if (stamp === this.stamp) return;
      const entries = this.read();
      this.check(entries);
      this.entries = entries;
      this.stamp = stamp;
      this.onReload(null, entries.size);
    } catch (e) {
      this.onReload(e as Error, this.entries.size);
    }
  }

  lookup(identifier: string): Promise<string | undefined> {
    return Promise.resolve(this.entries.get(identifier));
  }

  close(): Promise<void> {
    clearInterval(this.timer);
    return Promise.resolve();
  }
}

/**
 * An HTTP lookup: GET the URL with `{identifier}` replaced (URL-encoded). 200 with JSON
 * `{"destination": "id"}` or a plain-text id is a hit, 404 a miss, anything else an outage.
 */
export class HttpMapping implements MappingSource {
  constructor(
    private readonly url: string,
    private readonly bearerToken: string | undefined,
    private readonly timeoutMs: number,
  ) {}

  async lookup(identifier: string): Promise<string | undefined> {
    const url = this.url.replace('{identifier}', encodeURIComponent(identifier));
    let res: Response;
    try {
      res = await fetch(url, {
        headers: this.bearerToken ? { authorization: `Bearer ${this.bearerToken}` } : {},
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw new MappingSourceError(`mapping HTTP lookup failed: ${(e as Error).message}`);
    }
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw new MappingSourceError(`mapping HTTP lookup answered ${res.status}`);
    const body = (await res.text()).trim();
    if (body.startsWith('{')) {
      const v = (JSON.parse(body) as { destination?: unknown }).destination;
      if (v === null || v === undefined) return undefined;
      if (typeof v !== 'string')
        throw new MappingSourceError('mapping HTTP lookup: "destination" is not a string');
      return v;
    }
    return body === '' ? undefined : body;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** A destination id from a result cell: text or number; NULL or no row is a miss. */
function cell(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (v === undefined || v === null) return undefined;
  throw new MappingSourceError('mapping SQL lookup: the first column is not text');
}

/** SQL lookups: the query takes the identifier as `$1` and returns the destination in its first column. */
export class SqlMapping implements MappingSource {
  private constructor(
    private readonly run: (identifier: string) => Promise<string | undefined>,
    private readonly end: () => Promise<void>,
  ) {}

  static async open(cfg: NonNullable<MappingConfig['sql']>, timeoutMs: number): Promise<SqlMapping> {
    if (cfg.driver === 'sqlite') {
      const { default: Database } = await import('better-sqlite3');
      const db = new Database(cfg.url, { readonly: true, fileMustExist: true, timeout: timeoutMs });
      const stmt = db.prepare(cfg.query.replace(/\$1/g, '?')).raw(true);
      return new SqlMapping(
        (id) => {
          const row = stmt.get(id) as unknown[] | undefined;
          return Promise.resolve(cell(row?.[0]));
        },
        () => {
          db.close();
          return Promise.resolve();
        },
      );
    }
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({
      connectionString: cfg.url,
      max: 4,
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
    });
    pool.on('error', () => {});
    return new SqlMapping(
      async (id) => {
        const r = await pool.query({ text: cfg.query, values: [id], rowMode: 'array' });
        return cell((r.rows[0] as unknown[] | undefined)?.[0]);
      },
      () => pool.end(),
    );
  }

  async lookup(identifier: string): Promise<string | undefined> {
    try {
      return await this.run(identifier);
    } catch (e) {
      throw new MappingSourceError(`mapping SQL lookup failed: ${(e as Error).message}`);
    }
  }

  close(): Promise<void> {
    return this.end();
  }
}

/** Positive and negative answers cached for their TTLs, bounded in size (oldest first out). */
export class CachedMapping implements MappingSource {
  private cache = new Map<string, { destination: string | undefined; expires: number }>();

  constructor(
    private readonly inner: MappingSource,
    private readonly ttlMs: number,
    private readonly negativeTtlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  async lookup(identifier: string): Promise<string | undefined> {
    const hit = this.cache.get(identifier);
    if (hit && hit.expires > this.now()) return hit.destination;
    this.cache.delete(identifier);
    const destination = await this.inner.lookup(identifier);
    const ttl = destination === undefined ? this.negativeTtlMs : this.ttlMs;
    if (ttl > 0) {
      if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(identifier, { destination, expires: this.now() + ttl });
    }
    return destination;
  }

  invalidate(identifier?: string): void {
    if (identifier === undefined) this.cache.clear();
    else this.cache.delete(identifier);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
