// Runs sievert the way an administrator does: `sievert test SCRIPT MESSAGE --json` (and
// `sievert check --json` for the lines of compile errors), from the built CLI.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

export async function runSievert(
  scriptPath: string,
  messagePath: string,
  envelope: { from: string; to: string },
  wantErrorLines: boolean,
): Promise<EngineResult> {
  const r = await node([
    'test',
    scriptPath,
    messagePath,
    '--from',
    envelope.from,
    '--to',
    envelope.to,
    '--json',
  ]);
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
