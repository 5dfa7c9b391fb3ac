/**
 * The ManageSieve load generator: a separate node process driven over IPC by
 * bench/managesieve.ts, so that its CPU is never charged to a server. It uses sievert's own
 * ManageSieve client (src/managesieve/client.ts) over plain TCP.
 *
 * - `sessions`: each of `concurrency` workers repeats connect, greeting, AUTHENTICATE PLAIN
 *   (initial response quoted), LISTSCRIPTS, LOGOUT until `count` sessions are done in all or
 *   `maxMs` has passed.
 * - `putscript`: each worker logs in once as its own user (not timed), then repeats PUTSCRIPT
 *   of `script` (behind a first line that numbers the save) under one of ten names (so most
 *   are replacements, as an editor's saves are).
 */
import { cpuUsage } from 'node:process';
import { ManageSieveClient } from '../../../src/managesieve/client.js';
import { serveLoadRequests } from '../load-generator.js';

export interface BenchUser {
  user: string;
  password: string;
}

export type LoadRequest =
  | { op: 'sessions'; port: number; users: BenchUser[]; concurrency: number; count: number; maxMs: number }
  | {
      op: 'putscript';
      port: number;
      users: BenchUser[];
      concurrency: number;
      count: number;
      maxMs: number;
      script: string;
    }
  | { op: 'exit' };

export interface LoadResult {
  done: number;
  errors: number;
  wallMs: number;
  /** CPU of the load generator itself during the phase. */
  cpuMs: number;
  firstErrors: string[];
}

const TIMEOUT_MS = 10_000;

async function runWorkers(
  concurrency: number,
  count: number,
  maxMs: number,
  worker: (index: number, next: () => boolean, ok: () => void, fail: (e: string) => void) => Promise<void>,
  setup?: (index: number) => Promise<void>,
): Promise<LoadResult> {
  if (setup) await Promise.all(Array.from({ length: concurrency }, (_, i) => setup(i)));
  let started = 0;
  let done = 0;
  let errors = 0;
  const firstErrors: string[] = [];
  const t0 = performance.now();
  const cpu0 = cpuUsage();
  const deadline = t0 + maxMs;
  const next = (): boolean => {
    if (started >= count || performance.now() > deadline) return false;
    started++;
    return true;
  };
  const ok = (): void => void done++;
  const fail = (e: string): void => {
    errors++;
    if (firstErrors.length < 5) firstErrors.push(e);
  };
  await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(i, next, ok, fail)));
  const wallMs = performance.now() - t0;
  const cpu = cpuUsage(cpu0);
  return { done, errors, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, firstErrors };
}

async function session(port: number, u: BenchUser): Promise<string | undefined> {
  const c = await ManageSieveClient.connect({ host: '127.0.0.1', port, tls: 'plain', timeoutMs: TIMEOUT_MS });
  try {
    const auth = await c.authenticate(u.user, u.password);
    if (auth.status !== 'OK') return `AUTHENTICATE: ${auth.status} ${auth.text ?? ''}`;
    const list = await c.listScripts();
    if (list.status !== 'OK') return `LISTSCRIPTS: ${list.status} ${list.text ?? ''}`;
    const bye = await c.logout();
    if (bye.status !== 'OK') return `LOGOUT: ${bye.status}`;
    return undefined;
  } finally {
    c.close();
  }
}

async function handle(r: Exclude<LoadRequest, { op: 'exit' }>): Promise<LoadResult> {
  const userOf = (i: number): BenchUser => r.users[i % r.users.length]!;
  if (r.op === 'sessions') {
    return runWorkers(r.concurrency, r.count, r.maxMs, async (i, next, ok, fail) => {
      while (next()) {
        try {
          const e = await session(r.port, userOf(i));
          if (e) fail(e);
          else ok();
        } catch (e) {
          fail((e as Error).message);
        }
      }
    });
  }
  const clients: ManageSieveClient[] = [];
  const script = r.script;
  try {
    return await runWorkers(
      r.concurrency,
      r.count,
      r.maxMs,
      async (i, next, ok, fail) => {
        const c = clients[i]!;
        for (let n = 0; next(); n++) {
          try {
            // A distinct script each time (same size), so no server can answer from a cache of
            // compiled scripts: every save is parsed and validated, as an editor's saves are.
            const body = `# save ${String(i).padStart(3, '0')}-${String(n).padStart(9, '0')}\r\n${script}`;
            const put = await c.putScript(`bench${n % 10}`, body);
            if (put.status === 'OK') ok();
            else fail(`PUTSCRIPT: ${put.status} ${put.code ?? ''} ${put.text ?? ''}`);
          } catch (e) {
            fail((e as Error).message);
            return;
          }
        }
      },
      async (i) => {
        const c = await ManageSieveClient.connect({
          host: '127.0.0.1',
          port: r.port,
          tls: 'plain',
          timeoutMs: TIMEOUT_MS,
        });
        clients[i] = c;
        const auth = await c.authenticate(userOf(i).user, userOf(i).password);
        if (auth.status !== 'OK') throw new Error(`AUTHENTICATE: ${auth.status} ${auth.text ?? ''}`);
      },
    );
  } finally {
    await Promise.all(clients.map((c) => c.logout().catch(() => undefined)));
  }
}

serveLoadRequests<LoadRequest, LoadResult>(handle, (message) => ({
  done: 0,
  errors: 1,
  wallMs: 0,
  cpuMs: 0,
  firstErrors: [message],
}));
