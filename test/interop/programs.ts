// Running real programs in interop tests: clients (sieve-connect, python3, php) and servers.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { delimiter, join } from 'node:path';

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
    // A program that exits without reading its input makes the write fail with EPIPE; its exit
    // status says what happened.
    p.stdin.on('error', () => {});
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.once('exit', (code) => {
      clearTimeout(t);
      resolve({ code, out });
    });
    p.stdin.end(stdin);
  });
}

/**
 * The first of `programs` that is not an executable on PATH, for a test's skip reason
 * (`{ skip: \`${name} is not installed\` }`); undefined when all are there.
 */
export function missingProgram(...programs: string[]): string | undefined {
  const dirs = (process.env['PATH'] ?? '').split(delimiter).filter(Boolean);
  return programs.find(
    (p) =>
      !dirs.some((d) => {
        try {
          accessSync(join(d, p), constants.X_OK);
          return true;
        } catch {
          return false;
        }
      }),
  );
}

/** Reads a server's log file: its text so far, or '' before the server has created it. */
export function logReader(file: string): () => string {
  return () => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return '';
    }
  };
}

/** A free TCP port on 127.0.0.1 (free when asked; the caller binds it soon after). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const a = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return a && typeof a === 'object' ? a.port : 0;
}

/** Resolves once 127.0.0.1:`port` accepts a connection. */
export async function waitForPort(port: number, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    const ok = await new Promise<boolean>((done) => {
      const s = connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        done(true);
      });
      s.once('error', () => done(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listened on 127.0.0.1:${port} within ${deadlineMs} ms`);
}

/** A server a test started (Dovecot, `sievert serve`), stopped by its PID. */
export interface ServerProcess {
  readonly pid: number;
  /** What it wrote to the output streams that were piped. */
  output(): string;
  /** Sends `signal` (SIGTERM), then SIGKILL after 5 s; resolves once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Spawns a server and resolves once every port accepts connections. If it exits first, or the
 * ports stay closed past `timeoutMs`, it is killed and the start fails with its output (and
 * `log()`, for servers that write a log file).
 */
export async function startServerProcess(
  command: string,
  args: readonly string[],
  o: {
    name: string;
    ports: readonly number[];
    timeoutMs: number;
    /** `'pipe'` collects the stream for output(); a file descriptor writes it there. */
    stdout?: 'pipe' | 'ignore' | number;
    stderr?: 'pipe' | 'ignore' | number;
    log?: () => string;
  },
): Promise<ServerProcess> {
  const child: ChildProcess = spawn(command, args, {
    stdio: ['ignore', o.stdout ?? 'pipe', o.stderr ?? 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  // A failed spawn (or kill) is an 'error' event: without a listener it would end the test process.
  child.on('error', (e) => (out += `\n[${o.name}: ${e.message}]\n`));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  // A test process that ends without reaching its after() (an uncaught error) still ends its
  // servers: Dovecot and Postfix's master would run on without their parent.
  const onExit = (): void => void (running() && child.kill('SIGTERM'));
  process.on('exit', onExit);
  void exited.then(() => process.off('exit', onExit));
  try {
    await Promise.race([
      Promise.all(o.ports.map((p) => waitForPort(p, o.timeoutMs))),
      exited.then(() => {
        throw new Error(`${o.name} exited (${child.exitCode ?? child.signalCode}): ${out}${o.log?.() ?? ''}`);
      }),
    ]);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return {
    pid: child.pid!,
    output: () => out,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (!running() || child.pid === undefined) return;
      process.kill(child.pid, signal);
      // A timer left running would keep the test process alive for its whole 5 s.
      let t: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (t = setTimeout(r, 5000)))]);
      clearTimeout(t);
      if (running()) {
        process.kill(child.pid, 'SIGKILL');
        await exited;
      }
    },
  };
}
