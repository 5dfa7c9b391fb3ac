// A worker thread of PasswordWorkers: verifies one password at a time, off the event loop.
import { parentPort } from 'node:worker_threads';
import { PasswordHashError, verifyPassword } from './password.js';

export interface VerifyJob {
  id: number;
  given: Uint8Array;
  stored: string;
}

export type VerifyAnswer = { id: number; ok: boolean } | { id: number; error: string; scheme?: string };

const port = parentPort;
if (port) {
  port.on('message', (job: VerifyJob) => {
    verifyPassword(job.given, job.stored).then(
      (ok) => port.postMessage({ id: job.id, ok } satisfies VerifyAnswer),
      (e: unknown) =>
        port.postMessage({
          id: job.id,
          error: e instanceof Error ? e.message : String(e),
          scheme: e instanceof PasswordHashError ? e.scheme : undefined,
        } satisfies VerifyAnswer),
    );
  });
}
