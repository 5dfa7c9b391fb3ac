// Runs sievert the way an administrator does: `sievert test SCRIPT MESSAGE --json` (and
// `sievert check --json` for the lines of compile errors), from the built CLI.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ScoreTestConfig } from '../../../src/sieve/index.js';
import { parseDuration, scoreTest } from '../../../src/testsuite/settings.js';
import { type CaseContext, NO_CONTEXT } from './corpus.js';
import { type EngineResult, isRecord, parseSievertJson } from './schema.js';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BIN = join(REPO_ROOT, 'bin', 'sievert.js');
const BUILT_CLI = join(REPO_ROOT, 'dist', 'bundle', 'cli.js');

export function findSievert(): { ok: true } | { ok: false; reason: string } {
  if (existsSync(BUILT_CLI)) return { ok: true };
  return { ok: false, reason: `${BUILT_CLI} does not exist: run \`npm run build\` first.` };
}

function node(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { timeout: 30_000, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(new Error(`sievert ${args.join(' ')} failed to run: ${error.message}\n${stderr}`));
          return;
        }
        resolve({ stdout, stderr, code: typeof error?.code === 'number' ? error.code : 0 });
      },
    );
  });
}

const toml = (s: string): string => JSON.stringify(s);

/** One `[sieve.spamtest]`-style table of a `sievert serve` configuration. */
function scoreTestToml(section: string, t: ScoreTestConfig): string[] {
  const out = [`[sieve.${section}]`, `header = ${toml(t.header)}`];
  if (t.pattern !== undefined) out.push(`pattern = ${toml(t.pattern)}`);
  const f = t.format;
  out.push(`format = ${toml(f.kind)}`);
  if (f.kind === 'score' || f.kind === 'length') {
    if (typeof f.max === 'number') out.push(`max = ${f.max}`);
    else {
      out.push(`max = ${toml(f.max.header)}`);
      if (f.max.pattern !== undefined) out.push(`max_pattern = ${toml(f.max.pattern)}`);
    }
  } else if (f.kind === 'text') {
    out.push(
      `map = [${f.map.map((m) => `{ pattern = ${toml(m.pattern)}, value = ${m.value} }`).join(', ')}]`,
    );
  }
  return out;
}

/** The spamtest/virustest settings the test-suite runner's mapping reads (scoreTest). */
const SCORE_TEST_SETTING =
  /^sieve_(spamtest|virustest)_(status_header|status_type|max_header|max_value|text_value([0-9]|10))$/;

/**
 * A case's Pigeonhole settings as a `sievert test --config` file: the spamtest/virustest
 * settings through the test-suite runner's mapping, the vacation periods as durations. A
 * setting without a counterpart fails the case rather than being ignored.
 */
export function sievertConfig(settings: Readonly<Record<string, string>>): string {
  const map = new Map(Object.entries(settings));
  const sieve: string[] = ['[sieve]'];
  const tables: string[] = [];
  for (const [name, value] of map) {
    const period = /^sieve_vacation_(min|default|max)_period$/.exec(name);
    if (period) {
      const seconds = parseDuration(value);
      if (seconds === null) throw new Error(`setting ${name}: not a duration: ${value}`);
      sieve.push(`vacation_${period[1]}_period = "${seconds}s"`);
    } else if (!SCORE_TEST_SETTING.test(name)) {
      throw new Error(`setting ${name} has no counterpart in sievert's configuration`);
    }
  }
  for (const test of ['spamtest', 'virustest'] as const) {
    const config = scoreTest(map, test);
    if (config) tables.push(...scoreTestToml(test, config));
  }
  return [...sieve, ...tables, ''].join('\n');
}

export async function runSievert(
  scriptPath: string,
  messagePath: string,
  envelope: { from: string; to: string },
  wantErrorLines: boolean,
  context: CaseContext = NO_CONTEXT,
): Promise<EngineResult> {
  // include reads the case's own folders, and nothing else: an empty one stands for a missing one.
  const temp = mkdtempSync(join(tmpdir(), 'sievert-case-'));
  const empty = join(temp, 'empty');
  mkdirSync(empty);
  const args = [
    'test',
    scriptPath,
    messagePath,
    '--from',
    envelope.from,
    '--to',
    envelope.to,
    '--personal-dir',
    context.personalDir ?? empty,
    '--global-dir',
    context.globalDir ?? empty,
    '--json',
  ];
  let r: Awaited<ReturnType<typeof node>>;
  try {
    if (Object.keys(context.settings).length > 0) {
      const config = join(temp, 'sievert.toml');
      writeFileSync(config, sievertConfig(context.settings));
      args.push('--config', config);
    }
    r = await node(args);
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  const line = r.stdout.trim().split('\n').pop() ?? '';
  let parsed: ReturnType<typeof parseSievertJson>;
  try {
    parsed = parseSievertJson(line);
  } catch (e) {
    throw new Error(`sievert test exited with ${r.code}: ${(e as Error).message}\nstderr: ${r.stderr}`);
  }
  let errorLines: number[] = [];
  if (parsed.error?.kind === 'compile' && wantErrorLines) {
    // `test --json` carries the diagnostics along with a compile error; older builds did not.
    errorLines = parsed.errorLines.length > 0 ? parsed.errorLines : await sievertErrorLines(scriptPath);
  }
  return { actions: parsed.actions, error: parsed.error, errorLines };
}

/** The lines of the errors `sievert check --json` reports (warnings are not errors). */
async function sievertErrorLines(scriptPath: string): Promise<number[]> {
  const r = await node(['check', scriptPath, '--json']);
  const lines = new Set<number>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (isRecord(v)) {
      if (v.severity === 'error' && typeof v.line === 'number') lines.add(v.line);
      Object.values(v).forEach(visit);
    }
  };
  try {
    visit(JSON.parse(r.stdout) as unknown);
  } catch {
    throw new Error(`sievert check --json printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  return [...lines].sort((a, b) => a - b);
}
