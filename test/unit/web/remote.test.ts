// The web editor in front of another ManageSieve server. sievert's own ManageSieve server,
// started in-process over a memory store, stands in for Dovecot or Cyrus: a web login is a login
// there, each session keeps one connection, the other server's response codes become the API's,
// a connection it closed is opened again once, and logout, expiry and the web server's stop each
// end the connection with LOGOUT. A scripted server plays the BYE and dropped-connection cases
// byte for byte.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createAuthenticator, type Authenticator } from '../../../src/auth/index.js';
import {
  startManageSieve,
  type ManageSieveOptions,
  type ManageSieveServer,
} from '../../../src/managesieve/index.js';
import { serverTlsOptions } from '../../../src/net/index.js';
import { createEngine } from '../../../src/sieve/index.js';
import {
  remoteBackend,
  startWeb,
  type RemoteBackendOptions,
  type WebServer,
} from '../../../src/web/index.js';
import { MemoryStore } from '../managesieve/memory-store.js';
import {
  capturingLogger,
  FakeBackend,
  makeCerts,
  signCert,
  type Peer,
  type TestCerts,
} from '../proxy/helpers.js';

const TIMEOUT_MS = 30 * 60_000;
let clock = 1_000_000;

type LogEntry = Record<string, unknown>;

interface Remote {
  server: ManageSieveServer;
  port: number;
  store: MemoryStore;
  auth: RecordingAuthenticator;
  logs: LogEntry[];
  stop(): Promise<void>;
}

const passwords = new Map([
  ['alice', 'secret'],
  ['bob', 'p"a\\ss wörd {3}'],
  ['carol', 'x'.repeat(900)],
]);

type RecordingAuthenticator = Authenticator & { received: Buffer[] };

/** sievert's authenticator over `passwords` ({PLAIN}), keeping every SASL response it receives. */
function recordingAuthenticator(plaintextWithoutTls: boolean): RecordingAuthenticator {
  const real = createAuthenticator({
    users: {
      lookup: (name) => {
        const p = passwords.get(name);
        return Promise.resolve(p === undefined ? undefined : { name, password: `{PLAIN}${p}`, quota: {} });
      },
    },
    plaintextWithoutTls,
    mechanisms: ['PLAIN'],
  });
  const received: Buffer[] = [];
  return {
    received,
    mechanisms: (ctx) => real.mechanisms(ctx),
    start: (mechanism, ctx) => {
      const exchange = real.start(mechanism, ctx);
      return (
        exchange && {
          step: (r) => {
            if (r) received.push(r);
            return exchange.step(r);
          },
        }
      );
    },
  };
}

/** sievert's ManageSieve server on loopback: quota 3 scripts of 1,000 octets, logs kept. */
async function startRemote(
  o: Partial<ManageSieveOptions> & { port?: number; store?: MemoryStore; certs?: TestCerts } = {},
): Promise<Remote> {
  const store = o.store ?? new MemoryStore();
  const auth = recordingAuthenticator(o.certs === undefined);
  const logs: LogEntry[] = [];
  const record = (obj: object): void => void logs.push(obj as LogEntry);
  const { port, certs, ...rest } = o;
  const server = await startManageSieve({
    listen: [`127.0.0.1:${port ?? 0}`],
    tls: certs ? 'starttls' : 'plain',
    tlsOptions: certs ? serverTlsOptions([{ cert: certs.cert, key: certs.key }]) : undefined,
    store,
    authenticator: auth,
    engine: createEngine(),
    quota: { maxScripts: 3, maxScriptSize: 1000, maxStorage: 0 },
    logger: { info: record, warn: record, error: record, debug: record },
    ...rest,
    limits: { authFailureDelayMs: 0, lingerMs: 100, ...rest.limits },
  });
  return {
    server,
    port: server.addresses[0]!.port,
    store,
    auth,
    logs,
    stop: () => server.close(1000),
  };
}

interface Reply {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

interface Web {
  web: WebServer;
  lines: string[];
  call(method: string, path: string, o?: { cookie?: string; json?: unknown }): Promise<Reply>;
  login(user?: string, password?: string): Promise<string>;
}

async function startWebFor(backend: Omit<RemoteBackendOptions, 'host'>): Promise<Web> {
  const { logger, lines } = capturingLogger();
  const web = await startWeb({
    listen: ['127.0.0.1:0'],
    backend: remoteBackend({ host: '127.0.0.1', tls: 'plain', timeoutMs: 5000, logger, ...backend }),
    engine: createEngine(),
    staticDir: '/nonexistent',
    sessionTimeoutMs: TIMEOUT_MS,
    failureDelayMs: 0,
    failureDelayMaxMs: 0,
    now: () => clock,
    logger,
  });
  const base = `http://127.0.0.1:${web.addresses[0]!.port}`;
  const call = async (
    method: string,
    path: string,
    o: { cookie?: string; json?: unknown } = {},
  ): Promise<Reply> => {
    const headers: Record<string, string> = {};
    if (o.cookie) headers.cookie = o.cookie;
    if (method !== 'GET') headers['x-sievert'] = '1';
    let body: string | undefined;
    if (o.json !== undefined) {
      body = JSON.stringify(o.json);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(base + path, { method, headers, body });
    const text = await res.text();
    return { status: res.status, body: JSON.parse(text) as Record<string, unknown>, headers: res.headers };
  };
  return {
    web,
    lines,
    call,
    login: async (user = 'alice', password = passwords.get(user)!) => {
      const r = await call('POST', '/api/login', { json: { user, password } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.headers.get('set-cookie')!.split(';')[0]!;
    },
  };
}

/** Waits (bounded) until the condition holds: the other server's side of a close is asynchronous. */
async function until(what: string, condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`gave up waiting for ${what}`);
}

const events = (logs: LogEntry[], event: string, reason?: string): number =>
  logs.filter((l) => l.event === event && (reason === undefined || l.reason === reason)).length;

const script = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('in front of a ManageSieve server', () => {
  let remote: Remote;
  let w: Web;
  before(async () => {
    remote = await startRemote({
      // The other server lacks vacation, which sievert's engine has: its PUTSCRIPT answer decides.
      engine: createEngine({
        enabled: createEngine()
          .capabilities()
          .filter((c) => c !== 'vacation'),
      }),
    });
    w = await startWebFor({ port: remote.port });
  });
  after(async () => {
    await w.web.close();
    await remote.stop();
  });

  test('login: the password is checked there; a wrong one gets 401 and no connection stays open', async () => {
    const bad = await w.call('POST', '/api/login', { json: { user: 'alice', password: 'nope' } });
    assert.equal(bad.status, 401);
    assert.deepEqual(bad.body, { error: 'Authentication failed.', code: 'AUTH' });
    await until('the failed login to be hung up', () => remote.server.sessions === 0);

    const cookie = await w.login();
    assert.deepEqual((await w.call('GET', '/api/session', { cookie })).body, { user: 'alice' });
    assert.equal(remote.server.sessions, 1, 'one connection for the session');
    assert.equal(events(remote.logs, 'login'), 1);
    await w.call('POST', '/api/logout', { cookie });

    // Quotes, a backslash, a brace and UTF-8 arrive as they were typed; a password whose PLAIN
    // response is too long for a quoted string goes as a literal.
    for (const user of ['bob', 'carol']) {
      const c = await w.login(user);
      assert.deepEqual(
        remote.auth.received.at(-1),
        Buffer.from(`\0${user}\0${passwords.get(user)!}`, 'utf8'),
        user,
      );
      await w.call('POST', '/api/logout', { cookie: c });
    }
    for (const p of passwords.values())
      assert.ok(!w.lines.some((l) => l.includes(p)), 'no password in the web server log');
  });

  test('list, put, get, rename, activate, deactivate and delete act on the other server', async () => {
    const cookie = await w.login();
    const source = '# Grüße\r\nrequire "fileinto";\nfileinto "Archiv";\n';
    const put = await w.call('PUT', '/api/scripts/one', { cookie, json: { source } });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual(put.body, { name: 'one', size: script(source).length, diagnostics: [] });
    assert.deepEqual(remote.store.scripts.get('alice')?.get('one')?.content, script(source));
    assert.equal(
      (await w.call('PUT', '/api/scripts/two', { cookie, json: { source: 'keep;\n' } })).status,
      200,
    );

    const got = await w.call('GET', '/api/scripts/one', { cookie });
    assert.deepEqual(got.body, { name: 'one', active: false, source });
    assert.equal((await w.call('POST', '/api/active', { cookie, json: { name: 'one' } })).status, 200);
    assert.equal(remote.store.active.get('alice'), 'one');
    const renamed = await w.call('POST', '/api/scripts/one/rename', { cookie, json: { to: 'first filter' } });
    assert.deepEqual(renamed.body, { name: 'first filter' });
    // LISTSCRIPTS gives names and the active mark only.
    assert.deepEqual((await w.call('GET', '/api/scripts', { cookie })).body, {
      scripts: [
        { name: 'first filter', active: true, size: null, modified: null },
        { name: 'two', active: false, size: null, modified: null },
      ],
    });
    // The browser's requests may overlap; ManageSieve takes one command at a time.
    const parallel = await Promise.all([
      w.call('GET', '/api/scripts', { cookie }),
      w.call('GET', `/api/scripts/${encodeURIComponent('first filter')}`, { cookie }),
      w.call('GET', '/api/scripts/two', { cookie }),
      w.call('GET', '/api/scripts', { cookie }),
    ]);
    assert.deepEqual(
      parallel.map((r) => r.status),
      [200, 200, 200, 200],
    );
    assert.equal(parallel[2].body.source, 'keep;\n');

    assert.equal((await w.call('POST', '/api/active', { cookie, json: { name: null } })).status, 200);
    assert.equal(remote.store.active.get('alice'), undefined);
    for (const n of ['first filter', 'two'])
      assert.equal((await w.call('DELETE', `/api/scripts/${encodeURIComponent(n)}`, { cookie })).status, 200);
    assert.equal(remote.store.scripts.get('alice')?.size, 0);
    assert.equal(remote.server.sessions, 1, 'all on the one connection of the session');
    await w.call('POST', '/api/logout', { cookie });
  });

  test("the other server's response codes become the API's errors", async () => {
    const cookie = await w.login();
    const expect = async (r: Promise<Reply>, status: number, code: string): Promise<Reply> => {
      const got = await r;
      assert.equal(got.status, status, JSON.stringify(got.body));
      assert.equal(got.body.code, code);
      return got;
    };
    await expect(w.call('GET', '/api/scripts/nothere', { cookie }), 404, 'NONEXISTENT');
    await expect(w.call('POST', '/api/active', { cookie, json: { name: 'nothere' } }), 404, 'NONEXISTENT');
    for (const n of ['a', 'b'])
      assert.equal(
        (await w.call('PUT', `/api/scripts/${n}`, { cookie, json: { source: 'keep;\n' } })).status,
        200,
      );
    await expect(
      w.call('POST', '/api/scripts/a/rename', { cookie, json: { to: 'b' } }),
      409,
      'ALREADYEXISTS',
    );
    await w.call('POST', '/api/active', { cookie, json: { name: 'a' } });
    await expect(w.call('DELETE', '/api/scripts/a', { cookie }), 409, 'ACTIVE');
    await expect(
      w.call('PUT', '/api/scripts/big', { cookie, json: { source: `# ${'x'.repeat(1200)}\nkeep;\n` } }),
      403,
      'QUOTA/MAXSIZE',
    );
    await w.call('PUT', '/api/scripts/c', { cookie, json: { source: 'keep;\n' } });
    await expect(
      w.call('PUT', '/api/scripts/d', { cookie, json: { source: 'keep;\n' } }),
      403,
      'QUOTA/MAXSCRIPTS',
    );

    // sievert's engine accepts vacation; the other server does not, and its NO is shown.
    const refused = await expect(
      w.call('PUT', '/api/scripts/c', {
        cookie,
        json: { source: 'require "vacation";\nvacation "away";\n' },
      }),
      422,
      'REFUSED',
    );
    assert.match(refused.body.error as string, /^The ManageSieve server refused the script: .*vacation/);
    assert.deepEqual(
      remote.store.scripts.get('alice')?.get('c')?.content,
      script('keep;\n'),
      'c is unchanged',
    );
    // A script sievert's engine refuses never goes there, and comes back with the diagnostics.
    const putscripts = remote.logs.filter((l) => l.command === 'PUTSCRIPT').length;
    const broken = await expect(
      w.call('PUT', '/api/scripts/c', { cookie, json: { source: 'keep' } }),
      422,
      'COMPILE',
    );
    assert.ok((broken.body.diagnostics as unknown[]).length > 0);
    assert.equal(remote.logs.filter((l) => l.command === 'PUTSCRIPT').length, putscripts);
    // Names longer than sievert's own limit are passed on: the other server's limit decides.
    const long = await expect(
      w.call('PUT', `/api/scripts/${'n'.repeat(200)}`, { cookie, json: { source: 'keep;\n' } }),
      422,
      'REFUSED',
    );
    assert.match(long.body.error as string, /200 characters long; at most 128/);

    remote.store.failing = true;
    try {
      await expect(w.call('GET', '/api/scripts', { cookie }), 503, 'TRYLATER');
    } finally {
      remote.store.failing = false;
    }
    await w.call('POST', '/api/active', { cookie, json: { name: null } });
    for (const n of ['a', 'b', 'c']) await w.call('DELETE', `/api/scripts/${n}`, { cookie });
    await w.call('POST', '/api/logout', { cookie });
  });

  test('logout, session expiry and the web server stopping each log out there', async () => {
    const logouts = (): number => events(remote.logs, 'disconnect', 'logout');
    const before = logouts();
    const cookie = await w.login();
    await w.call('POST', '/api/logout', { cookie });
    await until('LOGOUT after the web logout', () => logouts() === before + 1);

    const expiring = await w.login();
    clock += TIMEOUT_MS + 1;
    const expired = await w.call('GET', '/api/scripts', { cookie: expiring });
    assert.equal(expired.status, 401);
    assert.equal(expired.body.code, 'LOGIN');
    await until('LOGOUT after the expiry', () => logouts() === before + 2);

    const second = await startWebFor({ port: remote.port });
    await second.login();
    await second.login('bob');
    await second.web.close();
    await until('LOGOUT of both sessions at the stop', () => logouts() === before + 4);
    assert.equal(remote.server.sessions, 0);
  });
});

test('the other server closes an idle connection: the next request logs in again, transparently', async () => {
  const remote = await startRemote({ limits: { idleTimeoutMs: 1000 } });
  const w = await startWebFor({ port: remote.port });
  try {
    const cookie = await w.login();
    await until('the idle timeout there', () => events(remote.logs, 'disconnect', 'idle-timeout') === 1);
    const list = await w.call('GET', '/api/scripts', { cookie });
    assert.equal(list.status, 200, JSON.stringify(list.body));
    assert.equal(events(remote.logs, 'login'), 2);
    assert.ok(w.lines.some((l) => l.includes('"event":"remote-reconnect"')));
  } finally {
    await w.web.close();
    await remote.stop();
  }
});

test('the other server down: 503 TRYLATER at login and in a session, which goes on when it is back', async () => {
  const remote = await startRemote();
  const port = remote.port;
  const w = await startWebFor({ port });
  try {
    const cookie = await w.login();
    assert.equal(
      (await w.call('PUT', '/api/scripts/s', { cookie, json: { source: 'keep;\n' } })).status,
      200,
    );
    await remote.stop();
    const down = await w.call('GET', '/api/scripts', { cookie });
    assert.equal(down.status, 503);
    assert.deepEqual(down.body, {
      error: 'The ManageSieve server cannot be reached; try again later.',
      code: 'TRYLATER',
    });
    const login = await w.call('POST', '/api/login', { json: { user: 'alice', password: 'secret' } });
    assert.equal(login.status, 503);
    assert.equal(login.body.code, 'TRYLATER');

    const again = await startRemote({ port, store: remote.store });
    try {
      const list = await w.call('GET', '/api/scripts', { cookie });
      assert.equal(list.status, 200, 'the session logged in again');
      assert.deepEqual(
        (list.body.scripts as { name: string }[]).map((s) => s.name),
        ['s'],
      );
      // A password changed there ends the session at its next login: 401 LOGIN, then no session.
      passwords.set('alice', 'changed');
      await again.stop();
      const third = await startRemote({ port, store: remote.store });
      try {
        const lost = await w.call('GET', '/api/scripts', { cookie });
        assert.equal(lost.status, 401);
        assert.equal(lost.body.code, 'LOGIN');
        assert.equal((await w.call('GET', '/api/session', { cookie })).status, 401);
      } finally {
        await third.stop();
      }
    } finally {
      passwords.set('alice', 'secret');
      await again.stop();
    }
  } finally {
    await w.web.close();
  }
});

describe('a scripted server: BYE in answer to a command, and a connection dropped without one', () => {
  let fake: FakeBackend;
  let w: Web;
  const plain = Buffer.from('\0alice\0secret').toString('base64');
  /** The greeting and the login, as Dovecot says them. */
  const greetAndLogin = async (p: Peer): Promise<void> => {
    p.send('"IMPLEMENTATION" "fake"');
    p.send('"SASL" "PLAIN"');
    p.send('"VERSION" "1.0"');
    p.send('OK "ready."');
    await p.expect(`AUTHENTICATE "PLAIN" "${plain}"`);
    p.send('OK "Logged in."');
  };
  before(async () => {
    fake = await FakeBackend.start();
    w = await startWebFor({ port: fake.port });
  });
  after(async () => {
    await w.web.close();
    await fake.close();
  });

  test('BYE: logged in again once and the command sent again; a drop repeats only what is safe', async () => {
    fake
      .script(async (p) => {
        await greetAndLogin(p);
        await p.expect('LISTSCRIPTS');
        p.send('BYE "Disconnected for inactivity."');
        p.close();
      })
      .script(async (p) => {
        await greetAndLogin(p);
        await p.expect('LISTSCRIPTS');
        p.send('"a" ACTIVE');
        p.send('OK "Listscripts completed."');
        // Dropped with no answer: GETSCRIPT is safe to repeat, and is sent again on a new connection.
        await p.expect('GETSCRIPT "a"');
        p.close();
      })
      .script(async (p) => {
        await greetAndLogin(p);
        await p.expect('GETSCRIPT "a"');
        // As Dovecot sends it: the literal, then the CRLF that ends its line.
        p.sendRaw('{7}\r\nkeep;\r\n\r\nOK "Getscript completed."\r\n');
        await p.expect('LISTSCRIPTS');
        p.send('"a" ACTIVE');
        p.send('OK "Listscripts completed."');
        // DELETESCRIPT may have been done before the drop: it is not sent again.
        await p.expect('DELETESCRIPT "a"');
        p.close();
      })
      .script(async (p) => {
        await greetAndLogin(p);
        await p.expect('LISTSCRIPTS');
        p.send('OK "Listscripts completed."');
        await p.expect('LOGOUT');
        p.send('OK "Logout completed."');
        p.close();
      });
    const cookie = await w.login();
    const list = await w.call('GET', '/api/scripts', { cookie });
    assert.equal(list.status, 200, JSON.stringify(list.body));
    assert.deepEqual(list.body.scripts, [{ name: 'a', active: true, size: null, modified: null }]);
    assert.equal(fake.connections, 2);

    const got = await w.call('GET', '/api/scripts/a', { cookie });
    assert.deepEqual(got.body, { name: 'a', active: true, source: 'keep;\r\n' });
    assert.equal(fake.connections, 3);

    const del = await w.call('DELETE', '/api/scripts/a', { cookie });
    assert.equal(del.status, 503);
    assert.equal(del.body.code, 'TRYLATER');
    assert.equal(fake.connections, 3, 'not sent again');

    const empty = await w.call('GET', '/api/scripts', { cookie });
    assert.equal(empty.status, 200, JSON.stringify(empty.body));
    assert.deepEqual(empty.body.scripts, []);
    assert.equal(fake.connections, 4);
    await w.call('POST', '/api/logout', { cookie });
    await fake.done();
  });
});

describe('STARTTLS to the other server', () => {
  let certs: TestCerts;
  let remote: Remote;
  before(async () => {
    certs = makeCerts();
    remote = await startRemote({ certs });
  });
  after(async () => {
    await remote.stop();
    certs.cleanup();
  });

  test('the certificate is checked against the configured CA; an unknown one gets 503 before any password', async () => {
    const trusted = await startWebFor({ port: remote.port, tls: 'starttls', tlsOptions: { ca: certs.ca } });
    try {
      const cookie = await trusted.login();
      assert.equal((await trusted.call('GET', '/api/scripts', { cookie })).status, 200);
      assert.equal(events(remote.logs, 'starttls'), 1);
    } finally {
      await trusted.web.close();
    }
    const received = remote.auth.received.length;
    const untrusted = await startWebFor({ port: remote.port, tls: 'starttls' });
    try {
      const r = await untrusted.call('POST', '/api/login', { json: { user: 'alice', password: 'secret' } });
      assert.equal(r.status, 503);
      assert.equal(r.body.code, 'TRYLATER');
      assert.ok(
        untrusted.lines.some((l) => l.includes('"event":"login-unavailable"') && /certificate/i.test(l)),
      );
    } finally {
      await untrusted.web.close();
    }
    // Without TLS this server offers no PLAIN: nothing is sent, 503 again.
    const cleartext = await startWebFor({ port: remote.port, tls: 'plain' });
    try {
      const r = await cleartext.call('POST', '/api/login', { json: { user: 'alice', password: 'secret' } });
      assert.equal(r.status, 503);
      assert.ok(cleartext.lines.some((l) => l.includes('offers no PLAIN login')));
    } finally {
      await cleartext.web.close();
    }
    assert.equal(remote.auth.received.length, received, 'no password reached the server');
  });

  test('the certificate must name the address connected to, not just any name', async () => {
    // Signed by the trusted CA, but for "localhost" only, with no IP address: connecting to
    // 127.0.0.1, it does not name the server.
    const localhostOnly = await startRemote({ certs: { ...certs, ...signCert(certs, 'DNS:localhost') } });
    const w = await startWebFor({ port: localhostOnly.port, tls: 'starttls', tlsOptions: { ca: certs.ca } });
    try {
      const r = await w.call('POST', '/api/login', { json: { user: 'alice', password: 'secret' } });
      assert.equal(r.status, 503, JSON.stringify(r.body));
      assert.ok(w.lines.some((l) => /IP: 127\.0\.0\.1 is not in the cert's list/.test(l)));
      assert.equal(localhostOnly.auth.received.length, 0);
    } finally {
      await w.web.close();
      await localhostOnly.stop();
    }
  });
});
