/**
 * What every sievert configuration file shares: TOML read and validated against a zod schema,
 * errors that name the file and the dotted key at fault, and the value forms operators write
 * (durations like "30s", sizes like "1M", a string or a list of strings).
 */
import { readFileSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import { z } from 'zod';

/** A configuration sievert refuses to start with; `key` is the dotted TOML key at fault. */
export class ConfigError extends Error {
  constructor(
    readonly key: string,
    readonly detail: string,
    readonly file?: string,
  ) {
    super(`${file ? file + ': ' : ''}${key ? key + ': ' : ''}${detail}`);
    this.name = 'ConfigError';
  }
}

const durationRe = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/;
/** `"30s"`, `"5m"`, `"250ms"`, `"1h"`, `"7d"`, or a number of milliseconds. */
export const duration = z.union(
  [
    z.number().int().nonnegative(),
    z
      .string()
      .regex(durationRe, 'expected a duration such as "500ms", "30s", "5m" or "1h"')
      .transform((s) => {
        const m = durationRe.exec(s)!;
        const mult = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[
          (m[2] ?? 'ms') as 'ms' | 's' | 'm' | 'h' | 'd'
        ];
        return Math.round(Number(m[1]) * mult);
      }),
  ],
  { error: 'expected a duration such as "500ms", "30s", "5m" or "1h", or a number of milliseconds' },
);

/**
 * Parses a size as Dovecot does: a number with an optional K, M, G or T suffix (powers of
 * 1024, case-insensitive, an optional trailing B), octets otherwise. Undefined when malformed.
 */
export function parseSize(text: string): number | undefined {
  const m = /^([0-9]{1,15})\s*([kmgt]?)b?$/i.exec(text.trim());
  if (!m) return undefined;
  const exp = ' kmgt'.indexOf((m[2] || ' ').toLowerCase());
  const n = Number(m[1]) * 1024 ** exp;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** `"1M"`, `"20K"`, `"4096"`, or a number of octets. */
export const size = z.union(
  [
    z.number().int().nonnegative(),
    z.string().transform((s, ctx) => {
      const n = parseSize(s);
      if (n === undefined) {
        ctx.addIssue({ code: 'custom', message: 'expected a size such as "512", "20K" or "1M"' });
        return z.NEVER;
      }
      return n;
    }),
  ],
  { error: 'expected a size such as "512", "20K" or "1M", or a number of octets' },
);

/** The `[log]` table every command's configuration has: pino's level, `"info"` by default. */
export const logSection = z
  .strictObject({
    level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  })
  .prefault({});

/** A string or a list of strings, as a list. */
export const stringList = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (typeof v === 'string' ? [v] : v));

function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let v = doc;
  for (const p of path)
    v = typeof v === 'object' && v !== null ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

/** The first schema issue as a ConfigError naming its key; `docs` is where the keys are listed. */
export function configIssue(err: z.ZodError, doc: unknown, docs: string): ConfigError {
  const issue = err.issues[0]!;
  const key = issue.path
    .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
    .join('.')
    .replace(/\.\[/g, '[');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => (key ? `${key}.${k}` : k));
    return new ConfigError(keys[0]!, `unknown key (allowed keys are listed in ${docs})`);
  }
  if (valueAt(doc, issue.path) === undefined) return new ConfigError(key, 'required key missing');
  if (issue.code === 'invalid_value') {
    return new ConfigError(key, `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`);
  }
  return new ConfigError(key, issue.message);
}

/** Parses TOML text; a syntax error becomes a ConfigError with the parser's line and column. */
export function parseTomlText(text: string, file?: string): unknown {
  try {
    return parseToml(text);
  } catch (e) {
    throw new ConfigError('', `invalid TOML: ${(e as Error).message}`, file);
  }
}

/** Reads a TOML file; an unreadable file is a ConfigError naming it. */
export function readTomlFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError('', `cannot read configuration: ${(e as Error).message}`, file);
  }
  return parseTomlText(text, file);
}

/** Runs `build` and stamps any ConfigError it throws with the file's name. */
export function inFile<T>(file: string | undefined, build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (e instanceof ConfigError && file && !e.file) throw new ConfigError(e.key, e.detail, file);
    throw e;
  }
}

/**
 * Loads a command's configuration. A ConfigError is printed to standard error and becomes
 * undefined, for the command to exit with EXIT_CONFIG; other errors propagate.
 */
export function loadOrReport<T>(load: () => T): T | undefined {
  try {
    return load();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`error: ${e.message}\n`);
    return undefined;
  }
}

/** The exit status of a command whose configuration is refused (sysexits EX_CONFIG). */
export const EXIT_CONFIG = 78;
