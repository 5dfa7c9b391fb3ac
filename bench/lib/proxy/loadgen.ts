/**
 * The load generator: a child process of the benchmark (so its CPU is not charged to the proxy
 * being measured), driven over the IPC channel. The same code drives sievert and nginx.
 *
 * Requests (one at a time) and their answers are the types below. Every failure — refused
 * connection, unexpected or missing answer, wrong byte count, timeout — counts as an error, and
 * the first few are reported with a reason.
 */
import { connect, type Socket } from 'node:net';

import { serveLoadRequests } from '../load-generator.js';
import { xstreamLength, xstreamTrailer } from './backend.js';

export type LoadRequest =
  /** Login cycles: connect, greeting, LOGIN, OK, LOGOUT, wait for the close; `concurrency` at a time. */
  | { op: 'logins'; port: number; count: number; concurrency: number; maxMs: number }
  /** `streams` parallel sessions each logging in and receiving `bytes` through XSTREAM. */
  | { op: 'stream'; port: number; streams: number; bytes: number; maxMs: number }
  /** Opens `count` logged-in sessions and keeps them idle. */
  | { op: 'open'; port: number; count: number; concurrency: number }
  /** Closes the idle sessions opened by `open`. */
  | { op: 'close-idle' }
  | { op: 'exit' };

export interface LoadResult {
  /** Logins completed, sessions opened, or streams completed. */
  done: number;
  errors: number;
  /** Payload bytes received (stream). */
  bytes: number;
  wallMs: number;
  /** CPU used by the load generator itself during the request. */
  cpuMs: number;
  firstErrors: string[];
}

const HOST = '127.0.0.1';
const PASSWORD = 'secret';
/** Longest any one step may take before it counts as an error. */
const STEP_TIMEOUT_MS = 15_000;

class Failure extends Error {}

/** One client connection, read as lines (login dialogue) or as a byte count (bridged stream). */
class Client {
  private text = '';
  private wake: (() => void) | null = null;
  private closed = false;
  private failure: Error | null = null;
  private counting: { expected: number; received: number; tail: Buffer } | null = null;
  private timer: NodeJS.Timeout;

  private constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      if (this.counting) {
        const c = this.counting;
        c.received += chunk.length;
        c.tail =
          chunk.length >= 64
            ? chunk.subarray(chunk.length - 64)
            : Buffer.concat([c.tail, chunk]).subarray(-64);
      } else {
        this.text += chunk.toString('latin1');
      }
      this.notify();
    });
    socket.on('error', (e) => {
      this.failure = e;
      this.notify();
    });
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
    this.timer = setTimeout(() => this.fail('timed out'), STEP_TIMEOUT_MS);
  }

  static open(port: number): Promise<Client> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: HOST, port });
      const onError = (e: Error): void => reject(new Failure(`connect: ${e.message}`));
      s.once('error', onError);
      s.once('connect', () => {
        s.off('error', onError);
        resolve(new Client(s));
      });
    });
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private fail(reason: string): void {
    this.failure = new Failure(reason);
    this.socket.destroy();
    this.notify();
  }

  /** Restarts the step deadline (each step gets its own). */
  private step(ms = STEP_TIMEOUT_MS): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.fail('timed out'), ms);
  }

  private async wait(): Promise<void> {
    if (this.failure)
      throw this.failure instanceof Failure ? this.failure : new Failure(this.failure.message);
    if (this.closed) throw new Failure('connection closed by the proxy');
    await new Promise<void>((resolve) => (this.wake = resolve));
  }

  async line(): Promise<string> {
    for (;;) {
      const lf = this.text.indexOf('\n');
      if (lf >= 0) {
        const line = this.text.slice(0, lf).replace(/\r$/, '');
        this.text = this.text.slice(lf + 1);
        return line;
      }
      await this.wait();
    }
  }

  send(line: string): void {
    this.socket.write(line + '\r\n');
  }

  /** Reads up to the tagged answer; it must be OK. */
  async ok(tag: string): Promise<void> {
    this.step();
    for (;;) {
      const line = await this.line();
      if (line.startsWith('* ')) continue;
      if (line.startsWith(`${tag} OK`)) return;
      throw new Failure(`expected ${tag} OK, got ${JSON.stringify(line.slice(0, 100))}`);
    }
  }

  async greeting(): Promise<void> {
    this.step();
    const line = await this.line();
    if (!line.startsWith('* OK')) throw new Failure(`bad greeting ${JSON.stringify(line.slice(0, 100))}`);
  }

  async login(user: string): Promise<void> {
    await this.greeting();
    this.send(`a1 LOGIN ${user} ${PASSWORD}`);
    await this.ok('a1');
  }

  /** LOGOUT, its OK, then the proxy must close the connection. */
  async logout(): Promise<void> {
    this.send('a9 LOGOUT');
    await this.ok('a9');
    while (!this.closed) {
      if (this.failure) throw new Failure(this.failure.message);
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** Asks the backend for `bytes` through the proxy and counts them, discarding the data. */
  async stream(bytes: number, maxMs: number): Promise<void> {
    if (this.text !== '') throw new Failure('unexpected data before XSTREAM');
    const tag = 'x1';
    const expected = xstreamLength(tag, bytes);
    this.counting = { expected, received: 0, tail: Buffer.alloc(0) };
    this.step(maxMs);
    this.send(`${tag} XSTREAM ${bytes}`);
    const c = this.counting;
    while (c.received < expected) await this.wait();
    this.counting = null;
    if (c.received !== expected) throw new Failure(`received ${c.received} bytes, expected ${expected}`);
    if (!c.tail.toString('latin1').endsWith(xstreamTrailer(tag)))
      throw new Failure('XSTREAM did not end with its tagged OK');
    this.step();
  }

  destroy(): void {
    clearTimeout(this.timer);
    this.socket.destroy();
  }
}

class Tally {
  done = 0;
  errors = 0;
  bytes = 0;
  firstErrors: string[] = [];
  private readonly started = performance.now();
  private readonly cpu0 = process.cpuUsage();

  error(e: unknown): void {
    this.errors++;
    if (this.firstErrors.length < 5) this.firstErrors.push((e as Error).message ?? String(e));
  }

  result(): LoadResult {
    const cpu = process.cpuUsage(this.cpu0);
    return {
      done: this.done,
      errors: this.errors,
      bytes: this.bytes,
      wallMs: performance.now() - this.started,
      cpuMs: (cpu.user + cpu.system) / 1000,
      firstErrors: this.firstErrors,
    };
  }
}

async function logins(r: Extract<LoadRequest, { op: 'logins' }>): Promise<LoadResult> {
  const t = new Tally();
  const until = performance.now() + r.maxMs;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < r.count && performance.now() < until) {
      const n = next++;
      let c: Client | undefined;
      try {
        c = await Client.open(r.port);
        await c.login(`user${n % 1000}`);
        await c.logout();
        t.done++;
      } catch (e) {
        t.error(e);
      } finally {
        c?.destroy();
      }
    }
  };
  await Promise.all(Array.from({ length: r.concurrency }, worker));
  return t.result();
}

async function stream(r: Extract<LoadRequest, { op: 'stream' }>): Promise<LoadResult> {
  const t = new Tally();
  const one = async (i: number): Promise<void> => {
    let c: Client | undefined;
    try {
      c = await Client.open(r.port);
      await c.login(`stream${i}`);
      await c.stream(r.bytes, r.maxMs);
      t.bytes += r.bytes;
      await c.logout();
      t.done++;
    } catch (e) {
      t.error(e);
    } finally {
      c?.destroy();
    }
  };
  await Promise.all(Array.from({ length: r.streams }, (_, i) => one(i)));
  return t.result();
}

const idle: Client[] = [];

async function open(r: Extract<LoadRequest, { op: 'open' }>): Promise<LoadResult> {
  const t = new Tally();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < r.count) {
      const n = next++;
      let c: Client | undefined;
      try {
        c = await Client.open(r.port);
        await c.login(`idle${n}`);
        idle.push(c);
        t.done++;
      } catch (e) {
        c?.destroy();
        t.error(e);
      }
    }
  };
  await Promise.all(Array.from({ length: r.concurrency }, worker));
  return t.result();
}

async function closeIdle(): Promise<LoadResult> {
  const t = new Tally();
  // Every idle session must still be there: the proxy may not have dropped any.
  for (const c of idle.splice(0)) {
    try {
      c.send('a8 NOOP');
      await c.ok('a8');
      t.done++;
    } catch (e) {
      t.error(e);
    }
    c.destroy();
  }
  return t.result();
}

async function handle(r: Exclude<LoadRequest, { op: 'exit' }>): Promise<LoadResult> {
  switch (r.op) {
    case 'logins':
      return logins(r);
    case 'stream':
      return stream(r);
    case 'open':
      return open(r);
    case 'close-idle':
      return closeIdle();
  }
}

serveLoadRequests<LoadRequest, LoadResult>(handle, (message) => ({
  done: 0,
  errors: 1,
  bytes: 0,
  wallMs: 0,
  cpuMs: 0,
  firstErrors: [message],
}));
