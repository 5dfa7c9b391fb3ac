// The web editor's JSON API against a real server on a temporary SQLite store: login and
// sessions, the CSRF header, scripts checked by the engine before they are stored, quotas,
// static files without traversal, the body limit.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createAuthenticator, type UserEntry } from '../../../src/auth/index.js';
import { createEngine } from '../../../src/sieve/index.js';
import { openStore, type ScriptStore } from '../../../src/store/index.js';
import { startWeb, type WebServer } from '../../../src/web/index.js';

const dir = mkdtempSync(join(tmpdir(), 'sievert-web-'));
const MAX_BODY = 4096;
let store: ScriptStore;
let web: WebServer;
let base: string;
let clock = 1_000_000;

const USERS: Record<string, UserEntry> = {
  alice: { name: 'alice', password: '{PLAIN}secret', quota: {} },
};

before(async () => {
  const staticDir = join(dir, 'static');
  mkdirSync(join(staticDir, 'assets'), { recursive: true });
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log(1);');
  writeFileSync(join(dir, 'secret.txt'), 'outside the static folder');
  store = await openStore(`sqlite:${join(dir, 'sievert.db')}`);
  web = await startWeb({
    listen: ['127.0.0.1:0'],
    store,
    authenticator: createAuthenticator({
      users: { lookup: (n) => Promise.resolve(USERS[n]) },
      plaintextWithoutTls: true,
      mechanisms: ['PLAIN'],
    }),
    engine: createEngine(),
    quota: () => Promise.resolve({ maxScripts: 3, maxScriptSize: 1000, maxStorage: 0 }),
    staticDir,
    maxBody: MAX_BODY,
    sessionTimeoutMs: 30 * 60_000,
    failureDelayMs: 0,
    failureDelayMaxMs: 0,
    now: () => clock,
  });
  base = `http://127.0.0.1:${web.addresses[0]!.port}`;
});
after(async () => {
  await web.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Reply {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

async function call(
  method: string,
  path: string,
  opts: { cookie?: string; json?: unknown; body?: string | Uint8Array; csrf?: boolean; type?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.csrf ?? method !== 'GET') headers['x-sievert'] = '1';
  let body: string | Uint8Array | undefined = opts.body;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers['content-type'] = 'application/json';
  }
  if (opts.type) headers['content-type'] = opts.type;
  const res = await fetch(base + path, { method, headers, body });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { text };
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

async function login(user = 'alice', password = 'secret'): Promise<string> {
  const r = await call('POST', '/api/login', { json: { user, password } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const cookie = r.headers.get('set-cookie')!;
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  return cookie.split(';')[0]!;
}

/** A request with the path sent as written (fetch would resolve the dots). */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/`, { path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('login: the right password opens a session, a wrong one and no cookie get 401', async () => {
  const bad = await call('POST', '/api/login', { json: { user: 'alice', password: 'nope' } });
  assert.equal(bad.status, 401);
  assert.deepEqual(bad.body, { error: 'Authentication failed.', code: 'AUTH' });
  assert.equal(bad.headers.get('set-cookie'), null);
  const unknown = await call('POST', '/api/login', { json: { user: 'mallory', password: 'secret' } });
  assert.deepEqual(unknown.body, bad.body, 'an unknown user answers as a wrong password');

  assert.equal((await call('GET', '/api/scripts')).status, 401);
  assert.equal((await call('GET', '/api/scripts', { cookie: 'sievert_session=forged' })).status, 401);
  const cookie = await login();
  assert.deepEqual((await call('GET', '/api/session', { cookie })).body, { user: 'alice' });
  assert.deepEqual((await call('GET', '/api/scripts', { cookie })).body, { scripts: [] });

  assert.equal((await call('POST', '/api/logout', { cookie })).status, 200);
  assert.equal((await call('GET', '/api/scripts', { cookie })).status, 401);
});

test('every non-GET API call without the X-Sievert header is refused with 403, even the login', async () => {
  const cookie = await login();
  const noHeader = await call('PUT', '/api/scripts/a', { cookie, json: { source: 'keep;' }, csrf: false });
  assert.equal(noHeader.status, 403);
  assert.equal(noHeader.body.code, 'CSRF');
  assert.equal(await store.getScript('alice', 'a'), undefined);
  const loginNoHeader = await call('POST', '/api/login', {
    json: { user: 'alice', password: 'secret' },
    csrf: false,
  });
  assert.equal(loginNoHeader.status, 403);
});

test('a script that does not compile is refused with 422 and its diagnostics, and nothing is stored', async () => {
  const cookie = await login();
  const r = await call('PUT', '/api/scripts/broken', {
    cookie,
    json: { source: 'require "fileinto";\nif header :contains "subject" "x" {\n  fileinto "A"\n}\n' },
  });
  assert.equal(r.status, 422);
  assert.equal(r.body.code, 'COMPILE');
  const diagnostics = r.body.diagnostics as { line: number; severity: string }[];
  assert.ok(
    diagnostics.some((d) => d.severity === 'error' && d.line === 4),
    JSON.stringify(diagnostics),
  );
  assert.equal(await store.getScript('alice', 'broken'), undefined);

  const empty = await call('PUT', '/api/scripts/empty', { cookie, json: { source: '' } });
  assert.equal(empty.status, 422);
  assert.equal(empty.body.code, 'EMPTY');

  const check = await call('POST', '/api/check', { cookie, json: { source: 'stop' } });
  assert.equal(check.status, 200);
  assert.equal(check.body.ok, false);
});

test('scripts round-trip byte for byte; invalid UTF-8 and lone surrogates are refused', async () => {
  const cookie = await login();
  const source = '# Grüße — “quotes” 𝄞\r\nkeep;\n';
  assert.equal((await call('PUT', '/api/scripts/bytes', { cookie, json: { source } })).status, 200);
  assert.deepEqual(await store.getScript('alice', 'bytes'), Buffer.from(source, 'utf8'));
  assert.equal((await call('GET', '/api/scripts/bytes', { cookie })).body.source, source);
  const download = await fetch(`${base}/api/scripts/bytes?download=1`, { headers: { cookie } });
  assert.deepEqual(Buffer.from(await download.arrayBuffer()), Buffer.from(source, 'utf8'));

  const upload = await call('PUT', '/api/scripts/raw', {
    cookie,
    body: new Uint8Array([0x6b, 0x65, 0x65, 0x70, 0x3b, 0x0a, 0x23, 0xff, 0x0a]),
    type: 'application/sieve',
  });
  assert.equal(upload.status, 422);
  assert.equal(upload.body.code, 'UTF8');
  assert.match(upload.body.error as string, /line 2, column 2/);
  const surrogate = await call('PUT', '/api/scripts/raw', {
    cookie,
    body: '{"source": "keep; # \\ud800"}',
    type: 'application/json',
  });
  assert.equal(surrogate.status, 422);
  assert.equal(await store.getScript('alice', 'raw'), undefined);
  await store.deleteScript('alice', 'bytes');
});

test('rename, activate, deactivate and delete, with the store codes as errors', async () => {
  const cookie = await login();
  for (const n of ['one', 'two'])
    assert.equal(
      (await call('PUT', `/api/scripts/${n}`, { cookie, json: { source: 'keep;\n' } })).status,
      200,
    );
  assert.equal((await call('POST', '/api/active', { cookie, json: { name: 'one' } })).status, 200);
  const renamed = await call('POST', '/api/scripts/one/rename', { cookie, json: { to: 'first filter' } });
  assert.equal(renamed.status, 200);
  const clash = await call('POST', '/api/scripts/two/rename', { cookie, json: { to: 'first filter' } });
  assert.equal(clash.status, 409);
  assert.equal(clash.body.code, 'ALREADYEXISTS');
  const list = (await call('GET', '/api/scripts', { cookie })).body.scripts as {
    name: string;
    active: boolean;
  }[];
  assert.deepEqual(
    list.map((s) => [s.name, s.active]),
    [
      ['first filter', true],
      ['two', false],
    ],
  );
  const deleteActive = await call('DELETE', `/api/scripts/${encodeURIComponent('first filter')}`, { cookie });
  assert.equal(deleteActive.status, 409);
  assert.equal(deleteActive.body.code, 'ACTIVE');
  assert.equal((await call('POST', '/api/active', { cookie, json: { name: null } })).status, 200);
  assert.equal(
    (await call('DELETE', `/api/scripts/${encodeURIComponent('first filter')}`, { cookie })).status,
    200,
  );
  const gone = await call('GET', '/api/scripts/nothere', { cookie });
  assert.equal(gone.status, 404);
  assert.equal(gone.body.code, 'NONEXISTENT');
  const badName = await call('PUT', '/api/scripts/a%0Ab', { cookie, json: { source: 'keep;' } });
  assert.equal(badName.status, 400);
  assert.equal(badName.body.code, 'NAME');
  // Names in JSON bodies get the same check as names in the path, lone surrogates included.
  for (const [path, json] of [
    ['/api/scripts/two/rename', { to: 'a\nb' }],
    ['/api/scripts/two/rename', { to: 'a\ud800' }],
    ['/api/active', { name: 'a\nb' }],
    ['/api/active', { name: 'a\ud800' }],
  ] as const) {
    const refused = await call('POST', path, { cookie, json });
    assert.equal(refused.status, 400, `${path} ${JSON.stringify(json)}`);
    assert.equal(refused.body.code, 'NAME');
  }
  await call('DELETE', '/api/scripts/two', { cookie });
});

test('quotas: the store code comes back as a 403 JSON error', async () => {
  const cookie = await login();
  const big = await call('PUT', '/api/scripts/big', {
    cookie,
    json: { source: `# ${'x'.repeat(1200)}\nkeep;\n` },
  });
  assert.equal(big.status, 403);
  assert.equal(big.body.code, 'QUOTA/MAXSIZE');
  for (const n of ['q1', 'q2', 'q3'])
    assert.equal(
      (await call('PUT', `/api/scripts/${n}`, { cookie, json: { source: 'keep;\n' } })).status,
      200,
    );
  const fourth = await call('PUT', '/api/scripts/q4', { cookie, json: { source: 'keep;\n' } });
  assert.equal(fourth.status, 403);
  assert.equal(fourth.body.code, 'QUOTA/MAXSCRIPTS');
  for (const n of ['q1', 'q2', 'q3']) await call('DELETE', `/api/scripts/${n}`, { cookie });
});

test('static files: the page, the assets, and nothing outside the folder or any listing', async () => {
  const page = await fetch(`${base}/`);
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.ok(page.headers.get('content-security-policy'));
  const js = await fetch(`${base}/assets/app.js`);
  assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
  for (const path of [
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/..%5csecret.txt',
  ]) {
    const r = await rawGet(path);
    assert.equal(r.status, 404, path);
    assert.doesNotMatch(r.body, /outside/, path);
  }
  assert.equal((await rawGet('/assets/')).status, 404, 'no directory listing');
  assert.equal((await rawGet('/assets')).status, 404);
});

test('the body limit: exactly the limit is read, one octet more is 413', async () => {
  const cookie = await login();
  // A JSON body of exactly MAX_BODY octets: the padding is a key the API ignores.
  const make = (size: number): string => {
    const head = '{"source":"keep;\\n","pad":"';
    return head + 'x'.repeat(size - head.length - 2) + '"}';
  };
  const exact = await call('PUT', '/api/scripts/limit', {
    cookie,
    body: make(MAX_BODY),
    type: 'application/json',
  });
  assert.equal(exact.status, 200, JSON.stringify(exact.body));
  const over = await call('PUT', '/api/scripts/limit', {
    cookie,
    body: make(MAX_BODY + 1),
    type: 'application/json',
  });
  assert.equal(over.status, 413);
  assert.equal(over.body.code, 'TOO_LARGE');

  // Chunked, with no Content-Length to refuse early: the octets are counted as they arrive.
  const chunked = (body: string): Promise<{ status: number; code: unknown }> =>
    new Promise((resolve, reject) => {
      const req = request(
        `${base}/api/scripts/limit`,
        { method: 'PUT', headers: { cookie, 'x-sievert': '1', 'content-type': 'application/json' } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () =>
            resolve({ status: res.statusCode!, code: (JSON.parse(text) as Reply['body']).code }),
          );
        },
      );
      req.on('error', reject);
      const half = Math.floor(body.length / 2);
      req.write(body.slice(0, half));
      req.end(body.slice(half));
    });
  assert.deepEqual(await chunked(make(MAX_BODY)), { status: 200, code: undefined });
  assert.deepEqual(await chunked(make(MAX_BODY + 1)), { status: 413, code: 'TOO_LARGE' });
  await call('DELETE', '/api/scripts/limit', { cookie });
});

test('a session ends after the idle timeout, and each request restarts the clock', async () => {
  const cookie = await login();
  clock += 29 * 60_000;
  assert.equal((await call('GET', '/api/scripts', { cookie })).status, 200);
  clock += 29 * 60_000;
  assert.equal((await call('GET', '/api/scripts', { cookie })).status, 200, 'touched 29 minutes ago');
  clock += 30 * 60_000 + 1;
  const expired = await call('GET', '/api/scripts', { cookie });
  assert.equal(expired.status, 401);
  assert.equal(expired.body.code, 'LOGIN');
});
