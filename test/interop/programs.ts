// Running a real client program (sieve-connect, python3, php) in an interop test.
import { spawn } from 'node:child_process';

/** Runs a program; resolves with its exit code and output (never rejects on exit status). */
export function runProgram(
  cmd: string,
  args: string[],
  stdin = '',
  timeoutMs = 20_000,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    p.once('error', reject);
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.once('exit', (code) => {
      clearTimeout(t);
      resolve({ code, out });
    });
    p.stdin.end(stdin);
  });
}
