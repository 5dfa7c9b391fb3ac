import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { startProxy, loadConfig, type RunningProxy } from '../../../src/proxy/index.js';
import { dial, FakeBackend, portOf, silent, type Peer } from './helpers.js';

const token = 'test-token-0123456789';

async function setup(
  t: TestContext,
  listenerExtra = '',
  destExtra = '',
): Promise<{
  proxy: RunningProxy;
  backend: FakeBackend;
  dir: string;
  admin: (
    method: string,
    path: string,
    body?: string,
    auth?: string,
  ) => Promise<{ status: number; body: string }>;
}> {
  const backend = await FakeBackend.start();
  const dir = mkdtempSync(join(tmpdir(), 'sievert-ops-'));
  const file = join(dir, 'proxy.toml');
  writeFileSync(
    file,
    `
[listener.imap]
protocol = "imap"
bind = ["127.0.0.1:0"]
${listenerExtra}
[destination.a]
host = "127.0.0.1"
allow_plaintext_auth = true
timeout = "2s"
${destExtra}
[destination.a.protocol.imap]
port = ${backend.port}
[destination.b]
host = "127.0.0.1"
allow_plaintext_auth = true
[destination.b.protocol.imap]
port = ${backend.port}
[routing]
default_destination = "a"
[capabilities.imap]
allow_plain_auth_without_tls = true
[limits]
auth_failure_delay = 0
[admin]
bind = "127.0.0.1:0"
bearer_token = "${token}"
`,
  );
  const proxy = await startProxy(loadConfig(file), { logger: silent, configFile: file });
  t.after(async () => {
    await proxy.close(0);
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const admin = async (method: string, path: string, body?: string, auth = token) => {
    const r = await fetch(`http://127.0.0.1:${proxy.adminPort}${path}`, {
      method,
      body,
      headers: { authorization: `Bearer ${auth}` },
    });
    return { status: r.status, body: await r.text() };
  };
  return { proxy, backend, dir, admin };
}

const loginOk = async (b: Peer): Promise<void> => {
  b.send('* OK [CAPABILITY IMAP4rev1] ready');
  await b.expect(/^S1 LOGIN/);
  b.send('S1 OK Logged in');
};

async function login(port: number, user: string): Promise<{ c: Peer; reply: string }> {
  const c = await dial(port);
  await c.expect(/^\* OK /);
  c.send(`a LOGIN ${user} pw`);
  return { c, reply: await c.line() };
}

test('admin API needs the bearer token; health, stats and Prometheus metrics', async (t) => {
  const { proxy, backend, admin } = await setup(t);
  const r = await fetch(`http://127.0.0.1:${proxy.adminPort}/health`);
  assert.equal(r.status, 401);
  // A wrong token of the same length, a shorter one and a longer one.
  for (const wrong of [token.replace(/9$/, '8'), token.slice(1), `${token}x`]) {
    assert.equal((await admin('GET', '/health', undefined, wrong)).status, 401, wrong);
  }
  assert.equal((await admin('GET', '/health')).body, '{"status":"ok"}');
  backend.script(loginOk);
  const { c, reply } = await login(portOf(proxy, 'imap'), 'alice');
  assert.equal(reply, 'a OK Logged in');
  const stats = JSON.parse((await admin('GET', '/stats')).body) as { sessions: number; byProtocol: unknown };
  assert.equal(stats.sessions, 1);
  assert.deepEqual(stats.byProtocol, { imap: { active: 1, bridged: 1 } });
  const metrics = (await admin('GET', '/metrics')).body;
  assert.match(metrics, /^sievert_proxy_logins_total\{protocol="imap",destination="a",outcome="ok"\} 1$/m);
  assert.match(metrics, /^sievert_proxy_login_seconds_count\{protocol="imap"\} 1$/m);
  assert.match(metrics, /^sievert_proxy_sessions_bridged 1$/m);
  c.close();
});

test('admin: kick a user, hold their logins while moving, override the mapping', async (t) => {
  const { proxy, backend, admin } = await setup(t);
  const port = portOf(proxy, 'imap');
  backend.script(loginOk);
  const { c } = await login(port, 'Alice');
  assert.equal((await admin('DELETE', '/sessions?user=alice')).body, '{"kicked":1}');
  await c.closed();

  assert.equal((await admin('PUT', '/users/alice/hold?seconds=60')).status, 200);
  const held = await login(port, 'alice');
  assert.equal(held.reply, 'a NO [UNAVAILABLE] account is being moved, try again later');
  held.c.close();
  await admin('DELETE', '/users/alice/hold');

  assert.equal((await admin('PUT', '/mapping/alice', '{"destination":"nowhere"}')).status, 400);
  assert.equal(
    (await admin('PUT', '/mapping/alice', '{"destination":"b"}')).body,
    '{"user":"alice","destination":"b","source":"override"}',
  );
  backend.script(loginOk);
  const moved = await login(port, 'alice');
  assert.equal(moved.reply, 'a OK Logged in');
  moved.c.close();
  const metrics = (await admin('GET', '/metrics')).body;
  assert.match(metrics, /logins_total\{protocol="imap",destination="b",outcome="ok"\} 1/);
  assert.equal(
    (await admin('DELETE', '/mapping/alice')).body,
    '{"user":"alice","destination":"a","source":"default"}',
  );
  assert.equal((await admin('POST', '/cache/invalidate')).status, 200);
});

test('admin reload: a valid file is applied, a broken one is refused with the key named', async (t) => {
  const { admin, dir, proxy } = await setup(t);
  const file = join(dir, 'proxy.toml');
  const { readFileSync } = await import('node:fs');
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.replace('default_destination = "a"', 'default_destination = "b"'));
  assert.equal((await admin('POST', '/reload')).status, 200);
  assert.equal(proxy.context.config.routing.defaultDestination, 'b');
  writeFileSync(file, text.replace('default_destination = "a"', 'default_destination = "zz"'));
  const bad = await admin('POST', '/reload');
  assert.equal(bad.status, 422);
  assert.match(bad.body, /routing\.default_destination: unknown destination/);
  writeFileSync(file, text.replace('bind = ["127.0.0.1:0"]', 'bind = ["127.0.0.1:0", "127.0.0.1:0"]'));
  assert.equal((await admin('POST', '/reload')).status, 409);
});

test('circuit breaker: after consecutive connection failures the destination is skipped at once', async (t) => {
  const { proxy, backend } = await setup(
    t,
    '',
    'circuit_breaker_failures = 2\ncircuit_breaker_cooldown = "1h"',
  );
  await backend.close();
  const port = portOf(proxy, 'imap');
  for (let i = 0; i < 3; i++) {
    const { c, reply } = await login(port, 'alice');
    assert.equal(
      reply,
      'a NO [UNAVAILABLE] ' + (i < 2 ? 'backend unavailable' : 'backend temporarily unavailable'),
    );
    c.close();
  }
});

test('PROXY header required: a peer outside proxy_trusted is dropped and counted', async (t) => {
  const { proxy } = await setup(
    t,
    'proxy_protocol = "required"\nproxy_trusted = ["10.0.0.0/8"]\nmax_connections = 2',
  );
  const port = portOf(proxy, 'imap');
  const c = await dial(port);
  c.sendRaw('PROXY TCP4 203.0.113.1 127.0.0.1 1234 143\r\n');
  await c.closed();
  assert.match(
    await fetch(`http://127.0.0.1:${proxy.adminPort}/metrics`, {
      headers: { authorization: `Bearer ${token}` },
    }).then((r) => r.text()),
    /connections_rejected_total\{listener="imap"\} 1/,
  );
});

test('max_connections: connections past the cap are closed at once, others are unaffected', async (t) => {
  const { proxy } = await setup(t, 'max_connections = 2');
  const port = portOf(proxy, 'imap');
  const a = await dial(port);
  const b = await dial(port);
  await a.expect(/^\* OK /);
  await b.expect(/^\* OK /);
  const c = await dial(port);
  await c.closed();
  a.send('x NOOP');
  await a.expect('x OK NOOP completed.');
  a.close();
  b.close();
});

test('graceful close: stops accepting, ends pre-login sessions, waits for bridged ones up to the deadline', async (t) => {
  const { proxy, backend } = await setup(t);
  const port = portOf(proxy, 'imap');
  backend.script(async (b) => {
    await loginOk(b);
    await b.expect('x NOOP');
    b.send('x OK still bridged during drain');
  });
  const bridged = await login(port, 'alice');
  const idle = await dial(port);
  await idle.expect(/^\* OK /);
  const closing = proxy.close(5000);
  await idle.closed();
  bridged.c.send('x NOOP');
  await bridged.c.expect('x OK still bridged during drain');
  bridged.c.close();
  await closing;
  await assert.rejects(dial(port));
});

test(
  'graceful close: a bridged session still open at the deadline is cut',
  { timeout: 10_000 },
  async (t) => {
    const { proxy, backend } = await setup(t);
    backend.script(async (b) => {
      await loginOk(b);
      await b.closed();
    });
    const bridged = await login(portOf(proxy, 'imap'), 'alice');
    assert.equal(bridged.reply, 'a OK Logged in');
    await proxy.close(100);
    await bridged.c.closed();
    await backend.done();
  },
);

test('a client using a mechanism the backend lacks does not open the circuit breaker', async (t) => {
  const { proxy, backend } = await setup(
    t,
    '',
    'circuit_breaker_failures = 2\ncircuit_breaker_cooldown = "1h"',
  );
  const port = portOf(proxy, 'imap');
  const xoauth = Buffer.from('user=u@example.com\x01auth=Bearer t\x01\x01').toString('base64');
  for (let i = 0; i < 3; i++) {
    backend.script(async (b) => {
      b.send('* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready');
      await b.closed();
    });
    const c = await dial(port);
    await c.expect(/^\* OK /);
    c.send(`a AUTHENTICATE XOAUTH2 ${xoauth}`);
    await c.expect('a NO [UNAVAILABLE] backend unavailable');
    c.close();
  }
  assert.equal(backend.connections, 3, 'every attempt reached the backend');
});
