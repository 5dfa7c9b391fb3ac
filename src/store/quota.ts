import { StoreError, type Quota } from './types.js';

/** The configured quota with a user's overrides applied (fields the override leaves out keep the default). */
export function effectiveQuota(defaults: Quota, override: Partial<Quota>): Quota {
  return {
    maxScripts: override.maxScripts ?? defaults.maxScripts,
    maxScriptSize: override.maxScriptSize ?? defaults.maxScriptSize,
    maxStorage: override.maxStorage ?? defaults.maxStorage,
  };
}

/** What a user holds now, read inside the write transaction. */
export interface Holdings {
  /** Number of scripts. */
  count: number;
  /** Octets over all scripts. */
  total: number;
  /** Octets of the script being replaced; undefined when the name is new. */
  replaced: number | undefined;
}

/**
 * RFC 5804 §2.1.1 and §2.5: the response code PUTSCRIPT (or HAVESPACE) gets for a script of
 * `size` octets. Replacing a script is not a new script, and the replaced octets are freed.
 */
export function checkQuota(h: Holdings, size: number, quota: Quota): void {
  if (quota.maxScriptSize > 0 && size > quota.maxScriptSize) {
    throw new StoreError(
      'QUOTA/MAXSIZE',
      `the script is ${size} octets; at most ${quota.maxScriptSize} are allowed`,
    );
  }
  if (h.replaced === undefined && quota.maxScripts > 0 && h.count + 1 > quota.maxScripts) {
    throw new StoreError('QUOTA/MAXSCRIPTS', `at most ${quota.maxScripts} scripts are allowed`);
  }
  const after = h.total - (h.replaced ?? 0) + size;
  if (quota.maxStorage > 0 && after > quota.maxStorage) {
    throw new StoreError(
      'QUOTA',
      `the scripts would take ${after} octets; at most ${quota.maxStorage} are allowed`,
    );
  }
}

/** Per-user overrides are stored in columns: a finite non-negative integer or nothing. */
export function checkQuotaOverride(q: Partial<Quota>): void {
  for (const [k, v] of Object.entries(q)) {
    if (v !== undefined && !(Number.isSafeInteger(v) && v >= 0)) {
      throw new RangeError(`quota.${k} must be a non-negative integer (0 = unlimited), not ${String(v)}`);
    }
  }
}

/** A `users` row's quota columns as the user's overrides: NULL leaves the configured value. */
export function quotaFromRow(r: {
  max_scripts?: unknown;
  max_script_size?: unknown;
  max_storage?: unknown;
}): Partial<Quota> {
  const q: Partial<Quota> = {};
  if (r.max_scripts != null) q.maxScripts = Number(r.max_scripts);
  if (r.max_script_size != null) q.maxScriptSize = Number(r.max_script_size);
  if (r.max_storage != null) q.maxStorage = Number(r.max_storage);
  return q;
}
