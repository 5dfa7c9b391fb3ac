import { createHash, timingSafeEqual } from 'node:crypto';

/** Compares digests, so neither the length nor the content of a plaintext leaks through timing. */
export function digestEqual(a: Uint8Array, b: Uint8Array): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
