import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freePort } from '../../interop/programs.js';
import { effectiveQuota, openStore, StoreError, UNLIMITED } from '../../../src/store/index.js';
import { redactUrl } from '../../../src/store/postgres.js';

test('an unreachable PostgreSQL is TRYLATER naming the database, never the password', async () => {
  const port = await freePort();
  for (const scheme of ['postgres', 'postgresql']) {
    await assert.rejects(
      openStore(`${scheme}://sievert:hunter2@127.0.0.1:${port}/sievert?password=hunter2`, {
        busyTimeoutMs: 1000,
      }),
      (e: unknown) => {
        assert.ok(e instanceof StoreError, String(e));
        assert.equal(e.code, 'TRYLATER');
        assert.ok(e.message.includes(`${scheme}://sievert@127.0.0.1:${port}/sievert `), e.message);
        assert.ok(!e.message.includes('hunter2'), e.message);
        return true;
      },
    );
  }
});

test('an unparsable PostgreSQL URL is an error naming store.url, without the URL', async () => {
  await assert.rejects(openStore('postgres://u:hunter2@[::1/db'), (e: unknown) => {
    assert.ok(!(e instanceof StoreError));
    assert.match((e as Error).message, /^store\.url: not a valid URL/);
    assert.ok(!(e as Error).message.includes('hunter2'));
    return true;
  });
});

test('redactUrl drops the password and the query', () => {
  assert.equal(redactUrl('postgres://u:p@h:5432/db?sslmode=require&password=p'), 'postgres://u@h:5432/db');
  assert.equal(redactUrl('postgres://h/db'), 'postgres://h/db');
  assert.equal(redactUrl('postgres://u:p@[::1'), 'postgres://(unparsable URL)');
});

test('effectiveQuota: the override wins field by field, 0 included', () => {
  const defaults = { maxScripts: 10, maxScriptSize: 1 << 20, maxStorage: 0 };
  assert.deepEqual(effectiveQuota(defaults, {}), defaults);
  assert.deepEqual(effectiveQuota(defaults, { maxScripts: 3, maxStorage: 20_480 }), {
    maxScripts: 3,
    maxScriptSize: 1 << 20,
    maxStorage: 20_480,
  });
  assert.deepEqual(effectiveQuota(defaults, { maxScripts: 0 }), { ...defaults, maxScripts: 0 });
  assert.deepEqual(effectiveQuota(UNLIMITED, { maxScriptSize: 5 }), { ...UNLIMITED, maxScriptSize: 5 });
});
