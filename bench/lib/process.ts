/** Runs a whole process the way a user would, with its output sent to a file, and times it. */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';

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
