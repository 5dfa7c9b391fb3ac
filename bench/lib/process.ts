/** Runs a whole process the way a user would, with its output sent to a file, and times it. */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface TimedRun {
  readonly wallMs: number;
  /** CPU seconds (user + system) of the process and its children, when /usr/bin/time is there. */
  readonly cpuS: number | null;
  readonly maxRssKb: number | null;
  readonly exitCode: number;
}

const GNU_TIME = '/usr/bin/time';

/**
 * Spawns `command args` with stdout and stderr written to files (so the benchmark process does not
 * compete for CPU by reading a pipe) and measures wall time from spawn to exit.
 */
export async function runTimed(
  command: string,
  args: readonly string[],
  stdoutPath: string,
  stderrPath: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<TimedRun> {
  const timePath = `${stdoutPath}.time`;
  rmSync(timePath, { force: true });
  const useTime = existsSync(GNU_TIME);
  const [file, argv] = useTime
    ? [GNU_TIME, ['-f', '%U %S %M', '-o', timePath, command, ...args]]
    : [command, [...args]];
  const out = openSync(stdoutPath, 'w');
  const err = openSync(stderrPath, 'w');
  try {
    const started = performance.now();
    const exitCode = await new Promise<number>((resolve, reject) => {
      const child = spawn(file, argv, { stdio: ['ignore', out, err], env });
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    });
    const wallMs = performance.now() - started;
    let cpuS: number | null = null;
    let maxRssKb: number | null = null;
    if (useTime && existsSync(timePath)) {
      // GNU time writes "Command exited with non-zero status N" first when the command fails.
      const last = readFileSync(timePath, 'utf8').trim().split('\n').pop() ?? '';
      const [user, system, rss] = last.split(' ').map(Number);
      if (user !== undefined && system !== undefined && Number.isFinite(user + system)) cpuS = user + system;
      if (rss !== undefined && Number.isFinite(rss)) maxRssKb = rss;
    }
    return { wallMs, cpuS, maxRssKb, exitCode };
  } finally {
    closeSync(out);
    closeSync(err);
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** A figure for a results table: grouped thousands, `digits` decimals, `-` when there is none. */
export function fmt(v: number | undefined, digits: number): string {
  return v === undefined || !Number.isFinite(v)
    ? '-'
    : v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** `text` padded to `width`: left-aligned, or right-aligned (numbers) with `right`. */
export function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

/**
 * Runs a benchmark's main() and exits with its code, or 1 with the stack when it throws. The exit
 * is explicit: a peer or pool left open must not keep the benchmark running.
 */
export function runMain(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      log(e instanceof Error ? (e.stack ?? e.message) : String(e));
      process.exit(1);
    },
  );
}

/** A progress line on standard error (standard output carries the results). */
export function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** A command-line option that must be a positive integer; `fallback` when it is absent. */
export function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got "${value}"`);
  return n;
}

/**
 * A benchmark's `--only sievert|dovecot` (absent: both): which of the two servers it measures.
 */
export function onlyServer(value: string | undefined): (server: 'sievert' | 'dovecot') => boolean {
  if (value !== undefined && value !== 'sievert' && value !== 'dovecot')
    throw new Error('--only must be sievert or dovecot');
  return (server) => value === undefined || value === server;
}

/**
 * Whether the built CLI a benchmark runs (`root`/dist/bundle/cli.js) is there: false, with how to
 * build it, when it is missing; a warning when src/ has sources newer than the build (the figures
 * are then for the last build). Nothing is looked at when the run does not `need` it.
 */
export function checkBuilt(root: string, needed = true): boolean {
  if (!needed) return true;
  const cli = join(root, 'dist', 'bundle', 'cli.js');
  if (!existsSync(cli)) {
    log('dist/bundle/cli.js is missing: run `npm run build` first (bin/sievert.js runs the built CLI).');
    return false;
  }
  const built = statSync(cli).mtimeMs;
  const newer = execFileSync(
    'find',
    [join(root, 'src'), '-name', '*.ts', '-newermt', `@${Math.floor(built / 1000)}`],
    { encoding: 'utf8' },
  ).trim();
  if (newer) log('warning: src/ has changes newer than dist/: the figures are for the last `npm run build`.');
  return true;
}
