// Slow password hashes verified on worker threads: the same answers as verifyPassword, errors
// carried back with their type, a dead worker replaced, and nothing left running after close().
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashPassword, PasswordHashError, PasswordWorkers } from '../../../src/auth/index.js';

test('workers answer as verifyPassword does, for slow schemes and (inline) fast ones', async (t) => {
  const pool = new PasswordWorkers(2);
  t.after(() => pool.close());
  const sha = await hashPassword('secret', 'SHA512-CRYPT');
  const blf = await hashPassword('secret', 'BLF-CRYPT');
  const answers = await Promise.all(
    [sha, blf, '{PLAIN}secret', await hashPassword('secret', 'SHA256')].flatMap((h) => [
      pool.verify('secret', h),
      pool.verify(Buffer.from('Secret'), h),
    ]),
  );
  assert.deepEqual(answers, [true, false, true, false, true, false, true, false]);
  // Twenty at once over two workers: every answer comes back to its own caller.
  const many = await Promise.all(
    Array.from({ length: 20 }, (_, i) => pool.verify(i % 2 ? 'x' : 'secret', sha)),
  );
  assert.deepEqual(
    many,
    Array.from({ length: 20 }, (_, i) => i % 2 === 0),
  );
});

test('a malformed stored hash is a PasswordHashError naming the scheme, as on the main thread', async (t) => {
  const pool = new PasswordWorkers(1);
  t.after(() => pool.close());
  await assert.rejects(pool.verify('x', '{SHA512-CRYPT}$1$abc$def'), (e: unknown) => {
    assert.ok(e instanceof PasswordHashError);
    assert.equal(e.scheme, 'SHA512-CRYPT');
    return true;
  });
  await assert.rejects(pool.verify('x', '{NOPE}abc'), PasswordHashError);
});

test('a worker that dies fails its jobs and is replaced; after close() hashes run inline', async (t) => {
  const pool = new PasswordWorkers(1);
  t.after(() => pool.close());
  const sha = await hashPassword('secret', 'SHA512-CRYPT');
  const first = (pool as unknown as { slots: { worker: { terminate(): Promise<number> } }[] }).slots[0]!;
  const pending = pool.verify('secret', sha);
  await first.worker.terminate();
  await assert.rejects(pending, /password worker exited/);
  assert.equal(await pool.verify('secret', sha), true, 'the replacement answers');
  await pool.close();
  assert.equal(await pool.verify('secret', sha), true, 'inline after close');
  assert.throws(() => new PasswordWorkers(0), RangeError);
});
