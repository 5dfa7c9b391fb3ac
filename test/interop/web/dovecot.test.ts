// The web editor in front of Dovecot's managesieved (Pigeonhole): `sievert serve` with
// `[web] managesieve` pointed at a private Dovecot over STARTTLS, its certificate checked against
// a private CA, then the web API over HTTP. Logins are Dovecot's, scripts land in Dovecot's sieve
// folder byte for byte, activation, rename and delete are Dovecot's own, its response codes come
// back as the API's, and a script sievert accepts but Dovecot refuses shows Dovecot's message.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ManageSieveClient, requireOk } from '../../../src/managesieve/client.js';
import { makeCerts, type TestCerts } from '../../unit/proxy/helpers.js';
import { startDovecotManageSieve, type DovecotManageSieve } from '../managesieve/dovecot-managesieve.js';
import { startSievertServe, type SievertServe } from '../managesieve/sievert-serve.js';
import { freePort, missingProgram, waitForPort } from '../programs.js';

const USER = 'alice@example.com';
const missing = missingProgram('dovecot');
const skip = missing ? `${missing} is not installed` : false;

// UTF-8 in the name and the text, CRLF and LF line ends: the octets must arrive as they are.
const NAME = 'Filter – one';
const SOURCE =
  '# Grüße\r\nrequire ["fileinto"];\nif header :contains "subject" "€" {\n  fileinto "Ärger";\n}\n';
// editheader is sievert's but not enabled in Pigeonhole by default.
const EDITHEADER = 'require "editheader";\naddheader "X-Seen" "yes";\n';

let certs: TestCerts;
let dovecot: DovecotManageSieve | undefined;
let sievert: SievertServe | undefined;
let dir: string | undefined;
let base: string;
let cookie: string;

/** Dovecot's sieve folder of the user (the `sieve = file:…` location of its config). */
const sieveDir = (): string => join(dovecot!.dir, 'home', USER, 'sieve');
const activeLink = (): string => join(dovecot!.dir, 'home', USER, '.dovecot.sieve');

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

async function call(method: string, path: string, json?: unknown): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (cookie) headers.cookie = cookie;
  if (method !== 'GET') headers['x-sievert'] = '1';
  if (json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, {
    method,
    headers,
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const script = (name: string): string => `/api/scripts/${encodeURIComponent(name)}`;

/** A client of our own to Dovecot, to see what it holds independently of the web server. */
async function getScriptFromDovecot(name: string): Promise<Buffer | undefined> {
  const c = await ManageSieveClient.connect({
    host: '127.0.0.1',
    port: dovecot!.port,
    tls: 'starttls',
    tlsOptions: { ca: certs.ca },
  });
  try {
    requireOk('AUTHENTICATE', await c.authenticate(USER, 'secret'));
    return (await c.getScript(name)).content;
  } finally {
    await c.logout().catch(() => undefined);
  }
}

describe('the web editor in front of Dovecot', { skip }, () => {
  before(async () => {
    certs = makeCerts();
    dovecot = await startDovecotManageSieve({
      name: 'web',
      users: [{ user: USER, password: '{PLAIN}secret' }],
      certs,
      maxScripts: 2,
    });
    dir = mkdtempSync(join(tmpdir(), 'sievert-web-dovecot-'));
    const webPort = await freePort();
    sievert = await startSievertServe({
      dir,
      users: [],
      extraToml: [
        '[web]',
        'enabled = true',
        `listen = ["127.0.0.1:${webPort}"]`,
        `managesieve = "127.0.0.1:${dovecot.port}"`,
        `managesieve_ca = ${JSON.stringify(certs.caFile)}`,
        '',
      ].join('\n'),
    });
    // The ManageSieve port answered; the web listener starts right after it.
    await waitForPort(webPort, 10_000);
    base = `http://127.0.0.1:${webPort}`;
  });
  after(async () => {
    await sievert?.stop();
    await dovecot?.stop();
    certs?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("the login is Dovecot's: a wrong password gets 401, the right one a session", async () => {
    const bad = await call('POST', '/api/login', { user: USER, password: 'wrong' });
    assert.equal(bad.status, 401);
    assert.equal(bad.body.code, 'AUTH');
    const res = await fetch(`${base}/api/login`, {
      method: 'POST',
      headers: { 'x-sievert': '1', 'content-type': 'application/json' },
      body: JSON.stringify({ user: USER, password: 'secret' }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    assert.deepEqual((await call('GET', '/api/scripts')).body, { scripts: [] });
    assert.match(
      dovecot!.log(),
      /managesieve-login: Info: Login: user=<alice@example\.com>, method=PLAIN, .*TLS/,
    );
  });

  test("a script put through the API is in Dovecot's sieve folder, octet for octet", async () => {
    const put = await call('PUT', script(NAME), { source: SOURCE });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual(readFileSync(join(sieveDir(), `${NAME}.sieve`)), Buffer.from(SOURCE, 'utf8'));
    assert.deepEqual(await getScriptFromDovecot(NAME), Buffer.from(SOURCE, 'utf8'));
    assert.deepEqual((await call('GET', script(NAME))).body, { name: NAME, active: false, source: SOURCE });
  });

  test('activate, rename, delete: Dovecot does them, and says ACTIVE and NONEXISTENT', async () => {
    assert.equal((await call('POST', '/api/active', { name: NAME })).status, 200);
    assert.equal(readlinkSync(activeLink()), `sieve/${NAME}.sieve`);
    const renamed = await call('POST', `${script(NAME)}/rename`, { to: 'renamed' });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    assert.equal(readlinkSync(activeLink()), 'sieve/renamed.sieve');
    assert.ok(!existsSync(join(sieveDir(), `${NAME}.sieve`)));
    assert.deepEqual((await call('GET', '/api/scripts')).body, {
      scripts: [{ name: 'renamed', active: true, size: null, modified: null }],
    });

    const active = await call('DELETE', script('renamed'));
    assert.equal(active.status, 409);
    assert.equal(active.body.code, 'ACTIVE');
    const missingScript = await call('GET', script('nothere'));
    assert.equal(missingScript.status, 404);
    assert.equal(missingScript.body.code, 'NONEXISTENT');

    assert.equal((await call('POST', '/api/active', { name: null })).status, 200);
    assert.ok(!existsSync(activeLink()));
    assert.equal((await call('DELETE', script('renamed'))).status, 200);
    assert.ok(!existsSync(join(sieveDir(), 'renamed.sieve')));
  });

  test("a script sievert accepts and Dovecot refuses shows Dovecot's message; its quota is the API's", async () => {
    const refused = await call('PUT', script('headers'), { source: EDITHEADER });
    assert.equal(refused.status, 422, JSON.stringify(refused.body));
    assert.equal(refused.body.code, 'REFUSED');
    assert.match(
      refused.body.error as string,
      /^The ManageSieve server refused the script: .*unknown Sieve capability `editheader'/s,
    );
    assert.ok(!existsSync(join(sieveDir(), 'headers.sieve')));

    for (const n of ['a', 'b'])
      assert.equal((await call('PUT', script(n), { source: 'keep;\n' })).status, 200);
    const third = await call('PUT', script('c'), { source: 'keep;\n' });
    assert.equal(third.status, 403, JSON.stringify(third.body));
    assert.equal(third.body.code, 'QUOTA/MAXSCRIPTS');
    for (const n of ['a', 'b']) await call('DELETE', script(n));
  });

  test('logout logs out of Dovecot', async () => {
    const before = (dovecot!.log().match(/Disconnected: Logged out/g) ?? []).length;
    assert.equal((await call('POST', '/api/logout')).status, 200);
    for (let i = 0; (dovecot!.log().match(/Disconnected: Logged out/g) ?? []).length === before; i++) {
      if (i > 500) assert.fail(`no logout in Dovecot's log:\n${dovecot!.log()}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal((await call('GET', '/api/scripts')).status, 401);
    // No password in sievert's log.
    assert.doesNotMatch(sievert!.output(), /secret/);
  });
});
