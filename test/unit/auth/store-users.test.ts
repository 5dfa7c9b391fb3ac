import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  chainUserSources,
  StoreUserSource,
  type UserEntry,
  type UserSource,
} from '../../../src/auth/index.js';
import type { UserRecord } from '../../../src/store/types.js';

test("StoreUserSource answers from the store's user table", async () => {
  const rec: UserRecord = { name: 'alice', password: '{PLAIN}x', quota: { maxScripts: 5 } };
  const src = new StoreUserSource({ getUser: (n) => Promise.resolve(n === 'alice' ? rec : undefined) });
  assert.deepEqual(await src.lookup('alice'), {
    name: 'alice',
    password: '{PLAIN}x',
    quota: { maxScripts: 5 },
  });
  assert.equal(await src.lookup('bob'), undefined);
});

function fixed(entries: Record<string, string>): UserSource {
  return {
    lookup: (name): Promise<UserEntry | undefined> =>
      Promise.resolve(entries[name] === undefined ? undefined : { name, password: entries[name], quota: {} }),
  };
}

test('chainUserSources: the first source that knows the user answers; a failing source fails the lookup', async () => {
  const chain = chainUserSources(fixed({ alice: 'first' }), fixed({ alice: 'second', bob: 'b' }));
  assert.equal((await chain.lookup('alice'))?.password, 'first');
  assert.equal((await chain.lookup('bob'))?.password, 'b');
  assert.equal(await chain.lookup('carol'), undefined);
  const failing = chainUserSources(
    { lookup: () => Promise.reject(new Error('down')) },
    fixed({ alice: 'x' }),
  );
  await assert.rejects(failing.lookup('alice'), /down/);
});
