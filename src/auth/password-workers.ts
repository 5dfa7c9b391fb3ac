/**
 * Slow password hashes (SHA512-CRYPT, bcrypt, Argon2, PBKDF2…) verified on worker threads, so a
 * login never holds up the event loop for milliseconds and every core can hash. Fast schemes
 * (PLAIN, salted digests) are answered on the calling thread: a message to a worker and back
 * costs more than they do.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { parseStoredPassword, PasswordHashError, verifyPassword, type PasswordScheme } from './password.js';
import type { VerifyAnswer, VerifyJob } from './password-worker.js';

const SLOW: ReadonlySet<string> = new Set<PasswordScheme>([
  'CRYPT',
  'MD5-CRYPT',
  'SHA256-CRYPT',
  'SHA512-CRYPT',
  'BLF-CRYPT',
  'ARGON2I',
  'ARGON2ID',
  'PBKDF2',
]);

/**
 * A worker running the module beside this one: password-worker.js when built (and bundled);
 * under tsx (tests, development) the .ts source, with tsx's loader registered in the worker
 * first (node 20 does not carry the parent's module hooks into workers).
 */
function newWorker(): Worker {
  const js = new URL('./password-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return new Worker(js);
  const ts = JSON.stringify(new URL('./password-worker.ts', import.meta.url).href);
  return new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${ts}); });`, {
    eval: true,
  });
}

interface Slot {
  worker: Worker;
  jobs: Map<number, { resolve: (ok: boolean) => void; reject: (e: Error) => void }>;
}

export class PasswordWorkers {
  private readonly slots: Slot[] = [];
  private nextId = 0;
  private closed = false;

  /** `size` workers (at least 1), started now. */
  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError('PasswordWorkers needs at least one worker');
    for (let i = 0; i < size; i++) this.slots.push(this.start());
  }

  private start(): Slot {
    const slot: Slot = { worker: newWorker(), jobs: new Map() };
    // An idle worker does not keep the process alive (one with work does); close() ends them.
    slot.worker.unref();
    slot.worker.on('message', (a: VerifyAnswer) => {
      const job = slot.jobs.get(a.id);
      if (!job) return;
      slot.jobs.delete(a.id);
      if (slot.jobs.size === 0) slot.worker.unref();
      if ('ok' in a) job.resolve(a.ok);
      else job.reject(a.scheme !== undefined ? new PasswordHashError(a.scheme, a.error) : new Error(a.error));
    });
    const fail = (e: Error): void => {
      for (const job of slot.jobs.values()) job.reject(e);
      slot.jobs.clear();
      // A worker that died is replaced, so one bad moment does not end password logins.
      const i = this.slots.indexOf(slot);
      if (i >= 0 && !this.closed) this.slots[i] = this.start();
    };
    slot.worker.on('error', fail);
    slot.worker.on('exit', (code) => fail(new Error(`password worker exited with code ${code}`)));
    return slot;
  }

  /** verifyPassword, on a worker when the scheme is slow. */
  verify = async (given: string | Uint8Array, stored: string): Promise<boolean> => {
    if (this.closed || stored === '') return verifyPassword(given, stored);
    if (!SLOW.has(parseStoredPassword(stored).scheme)) return verifyPassword(given, stored);
    // The least busy worker.
    let slot = this.slots[0]!;
    for (const s of this.slots) if (s.jobs.size < slot.jobs.size) slot = s;
    const id = ++this.nextId;
    const bytes = typeof given === 'string' ? Buffer.from(given, 'utf8') : given;
    return new Promise<boolean>((resolve, reject) => {
      if (slot.jobs.size === 0) slot.worker.ref();
      slot.jobs.set(id, { resolve, reject });
      slot.worker.postMessage({ id, given: bytes, stored } satisfies VerifyJob);
    });
  };

  /** Ends the workers; later verifications run on the calling thread. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
