import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import type { Credentials } from '../../../src/net/sasl.js';
import { parseConfigText } from '../../../src/proxy/index.js';
import { FailurePenalties } from '../../../src/net/index.js';
import { CircuitBreaker } from '../../../src/proxy/guard.js';
import {
  CachedMapping,
  FileMapping,
  HttpMapping,
  parseMappingFile,
  SqlMapping,
  type MappingSource,
} from '../../../src/proxy/mapping.js';
import { routingIdentifier, Router } from '../../../src/proxy/router.js';

const creds = (c: Partial<Credentials>): Credentials => ({
  mechanism: 'PLAIN',
  authzid: '',
  authcid: '',
  secret: 'x',
  ...c,
});

test('routing identifier: authzid first, master-user suffix cut, OAuth a=/claims, unsafe names refused', () => {
  const seps = ['%', '*'];
  assert.deepEqual(routingIdentifier(creds({ authzid: 'bob', authcid: 'master' }), seps), {
    ok: true,
    identifier: 'bob',
  });
  assert.deepEqual(routingIdentifier(creds({ authcid: 'bob@example.com%master' }), seps), {
    ok: true,
    identifier: 'bob@example.com',
  });
  assert.deepEqual(routingIdentifier(creds({ authcid: 'bob*master' }), seps), {
    ok: true,
    identifier: 'bob',
  });
  const jwt = ['e30', Buffer.from('{"email":"eve@example.com"}').toString('base64url'), 's'].join('.');
  assert.deepEqual(routingIdentifier(creds({ mechanism: 'OAUTHBEARER', secret: jwt }), seps), {
    ok: true,
    identifier: 'eve@example.com',
  });
  const utf8 = Buffer.from('jürgen@example.com', 'utf8').toString('latin1');
  assert.deepEqual(routingIdentifier(creds({ authcid: utf8 }), seps), {
    ok: true,
    identifier: 'jürgen@example.com',
  });
  for (const bad of ['a b', 'a"b', "a'b", 'a\\b', 'a\x01b', 'a\rb', 'a\nb', 'a\tb', '', 'x'.repeat(300)]) {
    assert.equal(routingIdentifier(creds({ authcid: bad }), seps).ok, false, JSON.stringify(bad));
  }
  // The master part is replayed too: it may not smuggle line breaks either.
  assert.equal(routingIdentifier(creds({ authcid: 'bob*ma\rster' }), seps).ok, false);
});

test('mapping file: comments, tabs or spaces, malformed lines name the line', () => {
  const m = parseMappingFile('# c\n\nAlice@x  a\nbob@x\tb # why\n', (s) => s.toLowerCase());
  assert.deepEqual(
    [...m],
    [
      ['alice@x', 'a'],
      ['bob@x', 'b'],
    ],
  );
  assert.throws(() => parseMappingFile('ok a\nbroken\n', (s) => s), /line 2/);
});

test('mapping file is reloaded on change; a broken file keeps the previous table', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sievert-map-'));
  const path = join(dir, 'routes');
  writeFileSync(path, 'alice a\n');
  const errors: string[] = [];
  const m = new FileMapping(
    path,
    (s) => s,
    60_000,
    (e) => {
      for (const d of e.values()) if (!['a', 'b'].includes(d)) throw new Error(`unknown ${d}`);
    },
    (err) => err && errors.push(err.message),
  );
  try {
    assert.equal(await m.lookup('alice'), 'a');
    writeFileSync(path, 'alice b\ncarol a\n');
    m.reloadIfChanged();
    assert.equal(await m.lookup('alice'), 'b');
    assert.equal(await m.lookup('carol'), 'a');
    writeFileSync(path, 'alice nowhere\n');
    m.reloadIfChanged();
    assert.equal(await m.lookup('alice'), 'b');
    assert.deepEqual(errors, ['unknown nowhere']);
  } finally {
    await m.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cache: hits for their TTL, misses for the negative TTL, bounded size', async () => {
  let now = 0;
  const calls: string[] = [];
  const inner: MappingSource = {
    lookup: (id) => {
      calls.push(id);
      return Promise.resolve(id === 'known' ? 'a' : undefined);
    },
    close: () => Promise.resolve(),
  };
  const c = new CachedMapping(inner, 1000, 100, 2, () => now);
  assert.equal(await c.lookup('known'), 'a');
  assert.equal(await c.lookup('unknown'), undefined);
  now = 50;
  await c.lookup('known');
  await c.lookup('unknown');
  assert.deepEqual(calls, ['known', 'unknown']);
  now = 150;
  await c.lookup('unknown');
  await c.lookup('known');
  assert.deepEqual(calls, ['known', 'unknown', 'unknown']);
  c.invalidate('known');
  await c.lookup('known');
  assert.equal(calls.length, 4);
});

test('HTTP and SQLite mapping sources; an outage is an error, not a miss', async () => {
  const server = createServer((req, res) => {
    const id = decodeURIComponent(req.url!.split('=')[1] ?? '');
    if (req.headers.authorization !== 'Bearer t') res.writeHead(401).end();
    else if (id === 'alice@example.com')
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"destination":"b"}');
    else if (id === 'plain') res.writeHead(200).end('a\n');
    else if (id === 'broken') res.writeHead(500).end();
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    const h = new HttpMapping(`http://127.0.0.1:${port}/route?user={identifier}`, 't', 2000);
    assert.equal(await h.lookup('alice@example.com'), 'b');
    assert.equal(await h.lookup('plain'), 'a');
    assert.equal(await h.lookup('nobody'), undefined);
    await assert.rejects(h.lookup('broken'), /answered 500/);
    await assert.rejects(
      new HttpMapping(`http://127.0.0.1:${port}/?user={identifier}`, 'wrong', 2000).lookup('x'),
      /401/,
    );
  } finally {
    server.close();
  }
  const dir = mkdtempSync(join(tmpdir(), 'sievert-sql-'));
  try {
    const db = new Database(join(dir, 'routes.db'));
    db.exec(
      "CREATE TABLE proxy_routes (identifier TEXT PRIMARY KEY, destination TEXT); INSERT INTO proxy_routes VALUES ('alice', 'b');",
    );
    db.close();
    const s = await SqlMapping.open(
      {
        driver: 'sqlite',
        url: join(dir, 'routes.db'),
        query: 'SELECT destination FROM proxy_routes WHERE identifier = $1',
      },
      1000,
    );
    assert.equal(await s.lookup('alice'), 'b');
    assert.equal(await s.lookup('bob'), undefined);
    await s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('router: a mapping outage is a temporary failure unless on_mapping_failure = "default"', async () => {
  const toml = (policy: string): string => `
[destination.a]
host = "127.0.0.1"
allow_plaintext_auth = true
[destination.a.protocol.imap]
port = 1
[routing]
default_destination = "a"
on_mapping_failure = "${policy}"
`;
  const down: MappingSource = {
    lookup: () => Promise.reject(new Error('db down')),
    close: () => Promise.resolve(),
  };
  const strict = new Router(parseConfigText(toml('tempfail'), '.'), down);
  assert.deepEqual(await strict.route('u', 'imap'), {
    ok: false,
    reason: 'mapping-down',
    message: 'db down',
  });
  const lenient = new Router(parseConfigText(toml('default'), '.'), down);
  const r = await lenient.route('u', 'imap');
  assert.ok(r.ok && r.destination.id === 'a' && r.source === 'default');
  assert.deepEqual(await lenient.route('u', 'pop3'), {
    ok: false,
    reason: 'no-protocol',
    message: 'destination a has no pop3',
  });
  lenient.overrides.set('u', 'a');
  assert.deepEqual(await lenient.resolve('U'), { ok: true, id: 'a', source: 'override' });
});

test('failure penalties grow per key and reset on success; the breaker opens after consecutive failures', () => {
  let now = 0;
  const p = new FailurePenalties(100, 1000, 60_000, 10, () => now);
  assert.equal(p.fail(['ip:1', 'id:bob']), 100);
  assert.equal(p.fail(['ip:1', 'id:bob']), 200);
  assert.equal(p.fail(['ip:2', 'id:bob']), 400, 'the identifier counter follows the user across addresses');
  p.succeed('id:bob');
  assert.equal(p.fail(['ip:3', 'id:bob']), 100);
  for (let i = 0; i < 10; i++) p.fail(['ip:1']);
  assert.equal(p.fail(['ip:1']), 1000, 'capped');
  now = 61_000;
  assert.equal(p.failures('ip:1'), 0, 'counters expire after the window');

  const b = new CircuitBreaker(2, 500, () => now);
  b.failure();
  assert.equal(b.isOpen, false);
  b.failure();
  assert.equal(b.isOpen, true);
  now += 501;
  assert.equal(b.isOpen, false, 'half-open after the cool-down');
  b.failure();
  assert.equal(b.isOpen, true, 'a failed trial opens it again at once');
  now += 501;
  b.success();
  b.failure();
  assert.equal(b.isOpen, false, 'a successful trial closes it');
  b.success();
  b.failure();
  assert.equal(b.isOpen, false, 'a success in between resets the count');
});
