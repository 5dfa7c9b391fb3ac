// `sievert serve` put together: the ManageSieve server on a SQLite store, users and per-user
// quotas from a Dovecot passwd-file, master users, and the store's own user table.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as tls from 'node:tls';
import { pino } from 'pino';
import { hashPassword } from '../../../src/auth/index.js';
import { parseTomlText } from '../../../src/config/index.js';
import { buildServeConfig, startServer, type RunningServer } from '../../../src/serve/index.js';
import { openStore } from '../../../src/store/index.js';
import { b64, block, command, dial, literal, makeCerts, raw } from '../managesieve/helpers.js';
import { Peer, signCert } from '../proxy/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'sievert-serve-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const silent = pino({ level: 'silent' });

async function serve(toml: string): Promise<{ server: RunningServer; port: number }> {
  // Any free port for LMTP, so tests never meet on 2424.
  const config = buildServeConfig(parseTomlText(`${toml}\n[lmtp]\nlisten = ["127.0.0.1:0"]\n`), dir);
  const server = await startServer(config, silent);
  return { server, port: server.managesieve!.addresses[0]!.port };
}

const PLAIN_LISTENER = `
[managesieve]
listen = ["127.0.0.1:0"]
tls = "plain"
`;

test('passwd-file users log in, per-user quota from its extra fields, master users act as the user', async () => {
  const users = join(dir, 'users');
  writeFileSync(
    users,
    [
      `alice@example.com:${await hashPassword('secret', 'SHA512-CRYPT')}::::::userdb_sieve_quota_max_scripts=1`,
      'bob@example.com:{PLAIN}hunter2',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'masters'), 'admin:{PLAIN}master-pw\n');
  const { server, port } = await serve(`
data_dir = "d1"
[auth]
passwd_file = "users"
master_passwd_file = "masters"
plaintext_without_tls = true
failure_delay = 0
${PLAIN_LISTENER}`);
  try {
    const c = await dial(port);
    const greeting = await block(c);
    assert.ok(greeting.includes('"IMPLEMENTATION" "sievert 0.1.0"'), greeting.join('\n'));
    assert.deepEqual(await command(c, `AUTHENTICATE "PLAIN" "${b64('\0alice@example.com\0wrong')}"`), [
      'NO "Authentication failed."',
    ]);
    assert.deepEqual(await command(c, `AUTHENTICATE "PLAIN" "${b64('\0alice@example.com\0secret')}"`), [
      'OK "Logged in."',
    ]);
    assert.deepEqual(await command(c, raw('PUTSCRIPT "a" ', literal('keep;\r\n'), '\r\n')), [
      'OK "Putscript completed."',
    ]);
    const second = await command(c, raw('PUTSCRIPT "b" ', literal('keep;\r\n'), '\r\n'));
    assert.match(second[0]!, /^NO \(QUOTA\/MAXSCRIPTS\)/);
    c.close();

    // PLAIN with an authorization identity: the master user's own password, alice's scripts.
    const m = await dial(port);
    await block(m);
    assert.deepEqual(
      await command(m, `AUTHENTICATE "PLAIN" "${b64('alice@example.com\0admin\0master-pw')}"`),
      ['OK "Logged in."'],
    );
    assert.deepEqual(await command(m, 'LISTSCRIPTS'), ['"a"', 'OK "Listscripts completed."']);
    m.close();
  } finally {
    await server.close();
  }
});

test('without a passwd-file the store holds the users; scripts land in the store', async () => {
  const dataDir = join(dir, 'd2');
  const store = await openStore(`sqlite:${join(dataDir, 'sievert.db')}`);
  await store.addUser({ name: 'carol', password: await hashPassword('pw', 'ARGON2ID'), quota: {} });
  await store.close();
  const { server, port } = await serve(`
data_dir = "d2"
[auth]
plaintext_without_tls = true
${PLAIN_LISTENER}`);
  try {
    const c = await dial(port);
    await block(c);
    assert.deepEqual(await command(c, `AUTHENTICATE "PLAIN" "${b64('\0carol\0pw')}"`), ['OK "Logged in."']);
    assert.deepEqual(await command(c, raw('PUTSCRIPT "main" ', literal('discard;\r\n'), '\r\n')), [
      'OK "Putscript completed."',
    ]);
    assert.deepEqual(await command(c, 'SETACTIVE "main"'), ['OK "Setactive completed."']);
    c.close();
    const active = await server.store.getActiveScript('carol');
    assert.equal(active?.content.toString(), 'discard;\r\n');
  } finally {
    await server.close();
  }
});

test('STARTTLS with a certificate generated into the data directory on first start', async () => {
  const { server, port } = await serve(`data_dir = "d3"\n[managesieve]\nlisten = ["127.0.0.1:0"]\n`);
  try {
    const c = await dial(port);
    const greeting = await block(c);
    assert.ok(greeting.includes('"STARTTLS"'));
    // PLAIN is not offered before TLS; SCRAM never sends the password, so it is.
    const sasl = greeting.find((l) => l.startsWith('"SASL"'));
    assert.ok(sasl && !/PLAIN|LOGIN/.test(sasl) && /SCRAM-SHA-256/.test(sasl), sasl);
    c.close();
  } finally {
    await server.close();
  }
});

test('EXTERNAL: a client certificate signed by auth.client_ca logs in as its email; without one it is not offered', async (t) => {
  const certs = makeCerts(['localhost']);
  t.after(() => certs.cleanup());
  const f = (n: string): string => join(certs.dir, n);
  // A client certificate for alice@example.com, signed by the test CA.
  const client = signCert(certs, 'email:alice@example.com', { cn: 'Alice', file: 'client' });

  const { server, port } = await serve(`
data_dir = "d4"
[auth]
external = true
client_ca = "${certs.caFile}"
[managesieve]
listen = ["127.0.0.1:0"]
tls = "implicit"
cert = "${certs.certFile}"
key = "${certs.keyFile}"
`);
  const connect = (client: { cert?: Buffer; key?: Buffer }): Promise<Peer> =>
    new Promise((resolve, reject) => {
      const s = tls.connect(
        {
          host: '127.0.0.1',
          port,
          ca: certs.ca,
          servername: 'localhost',
          ...client,
        },
        () => resolve(new Peer(s)),
      );
      s.once('error', reject);
    });
  try {
    const c = await connect({ cert: client.cert, key: client.key });
    const greeting = await block(c);
    assert.ok(
      greeting.some((l) => l.startsWith('"SASL"') && l.includes('EXTERNAL')),
      greeting.join('\n'),
    );
    assert.deepEqual(await command(c, 'AUTHENTICATE "EXTERNAL" ""'), ['OK "Logged in."']);
    const caps = await command(c, 'CAPABILITY');
    assert.ok(caps.includes('"OWNER" "alice@example.com"'), caps.join('\n'));
    c.close();

    // A certificate the client CA did not sign proves nothing.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=alice@example.com',
      ].concat(['-keyout', f('self.key'), '-out', f('self.pem')]),
      { stdio: 'ignore' },
    );
    const forged = await connect({ cert: readFileSync(f('self.pem')), key: readFileSync(f('self.key')) });
    assert.ok(!(await block(forged)).some((l) => l.includes('EXTERNAL')));
    assert.match((await command(forged, 'AUTHENTICATE "EXTERNAL" ""'))[0]!, /^NO/);
    forged.close();

    const anonymous = await connect({});
    const plain = await block(anonymous);
    assert.ok(!plain.some((l) => l.includes('EXTERNAL')), plain.join('\n'));
    anonymous.close();
  } finally {
    await server.close();
  }
});
