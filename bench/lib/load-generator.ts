/**
 * A benchmark's load generator: a separate node process (so it does not share the CPU
 * accounting of the server under test) that takes one request at a time over IPC and answers
 * with one result. `{ op: 'exit' }` asks it to end.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export class LoadGenerator<Request extends { op: string }, Result> {
  private constructor(private readonly child: ChildProcess) {}

  /** Starts `script` with tsx from `cwd`; with `fds`, under a raised open-file limit. */
  static start<Request extends { op: string }, Result>(
    script: string,
    cwd: string,
    fds?: number,
  ): LoadGenerator<Request, Result> {
    const node = [process.execPath, '--import', 'tsx', script];
    const raise = `ulimit -n ${fds} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"`;
    const [file, args] = fds === undefined ? [node[0]!, node.slice(1)] : ['sh', ['-c', raise, ...node]];
    const child = spawn(file, args, { cwd, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.on('error', () => {});
    return new LoadGenerator<Request, Result>(child);
  }

  run(request: Request): Promise<Result> {
    return new Promise((resolve, reject) => {
      const onMessage = (m: Result): void => {
        this.child.off('exit', onExit);
        resolve(m);
      };
      const onExit = (): void => {
        this.child.off('message', onMessage);
        reject(new Error('the load generator exited'));
      };
      this.child.once('message', onMessage);
      this.child.once('exit', onExit);
      this.child.send(request);
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    if (this.child.connected) this.child.send({ op: 'exit' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * The load generator's own side of the channel, for its script: each request is answered with
 * what `handle` resolves to, or with `failed(message)` when it throws; `{ op: 'exit' }` closes
 * the channel, which lets the process end.
 */
export function serveLoadRequests<Request extends { op: string }, Result>(
  handle: (request: Exclude<Request, { op: 'exit' }>) => Promise<Result>,
  failed: (message: string) => Result,
): void {
  process.on('message', (m: Request) => {
    if (m.op === 'exit') {
      process.disconnect?.();
      return;
    }
    handle(m as Exclude<Request, { op: 'exit' }>).then(
      (result) => process.send?.(result),
      (e: unknown) => process.send?.(failed(e instanceof Error ? e.message : String(e))),
    );
  });
}
