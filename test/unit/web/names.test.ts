// Script names: the web API over the store accepts exactly the names the ManageSieve server over
// the same store accepts, its length limit included (RFC 5804 §1.6), counted in characters.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { createAuthenticator } from '../../../src/auth/index.js';
import { ManageSieveClient } from '../../../src/managesieve/client.js';
import { DEFAULT_LIMITS, startManageSieve } from '../../../src/managesieve/index.js';
import { createEngine } from '../../../src/sieve/index.js';
import { startWeb, storeBackend } from '../../../src/web/index.js';
import { MemoryStore } from '../managesieve/memory-store.js';

const QUOTA = { maxScripts: 0, maxScriptSize: 0, maxStorage: 0 };

/** A ManageSieve server and the web API over one store, with the same name limit (or the defaults). */
async function both(t: TestContext, maxScriptNameLength?: number) {
  const store = new MemoryStore();
  const authenticator = createAuthenticator({
    users: { lookup: (name) => Promise.resolve({ name, password: '{PLAIN}secret', quota: {} }) },
    plaintextWithoutTls: true,
    mechanisms: ['PLAIN'],
  });
  const limits = maxScriptNameLength === undefined ? {} : { maxScriptNameLength };
  const ms = await startManageSieve({
    listen: ['127.0.0.1:0'],
    tls: 'plain',
    store,
    authenticator,
    engine: createEngine(),
    quota: QUOTA,
    limits: { ...limits, lingerMs: 100 },
  });
  t.after(() => ms.close(1000));
  const web = await startWeb({
    listen: ['127.0.0.1:0'],
    backend: storeBackend({ store, authenticator, quota: () => Promise.resolve(QUOTA), ...limits }),
    engine: createEngine(),
    staticDir: '/nonexistent',
    failureDelayMs: 0,
  });
  t.after(() => web.close());
  const base = `http://127.0.0.1:${web.addresses[0]!.port}`;
  const headers = { 'x-sievert': '1', 'content-type': 'application/json' };
  const login = await fetch(`${base}/api/login`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ user: 'alice', password: 'secret' }),
  });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const client = await ManageSieveClient.connect({
    host: '127.0.0.1',
    port: ms.addresses[0]!.port,
    tls: 'plain',
  });
  t.after(() => client.close());
  assert.equal((await client.authenticate('alice', 'secret')).status, 'OK');
  return {
    /** [web API status, ManageSieve status] for a PUT of `name`. */
    put: async (name: string): Promise<[number, string]> => {
      const web = await fetch(`${base}/api/scripts/${encodeURIComponent(name)}`, {
        method: 'PUT',
        headers: { ...headers, cookie },
        body: JSON.stringify({ source: 'keep;\n' }),
      });
      const managesieve = await client.putScript(name, 'keep;\n');
      return [web.status, managesieve.status];
    },
  };
}

test('the longest name ManageSieve accepts is the longest the web API accepts, in characters', async (t) => {
  const { put } = await both(t);
  const limit = DEFAULT_LIMITS.maxScriptNameLength;
  // Two octets a character: the limit counts characters, not octets.
  assert.deepEqual(await put('ü'.repeat(limit)), [200, 'OK']);
  assert.deepEqual(await put('ü'.repeat(limit + 1)), [400, 'NO']);
});

test('a ManageSieve limit other than the default is the web API limit too', async (t) => {
  const { put } = await both(t, 200);
  assert.deepEqual(await put('n'.repeat(200)), [200, 'OK']);
  assert.deepEqual(await put('n'.repeat(201)), [400, 'NO']);
});
