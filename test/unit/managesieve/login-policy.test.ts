// The real authenticator over a Dovecot passwd-file, on the wire: AUTH-TOO-WEAK for a SCRAM
// mechanism the stored password cannot answer, and the `nologin` and `allow_nets` extra fields.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { test } from 'node:test';
import {
  createAuthenticator,
  hashPassword,
  parsePasswdFile,
  type UserSource,
} from '../../../src/auth/index.js';
import { parseCidr } from '../../../src/net/index.js';
import { b64, block, command, startServer, type TestServerOptions } from './helpers.js';

let crypt: Promise<string> | undefined;

async function passwdServer(t: TestContext, o: TestServerOptions & { plaintext?: boolean } = {}) {
  crypt ??= hashPassword('pw', 'SHA512-CRYPT');
  const users = parsePasswdFile(
    [
      'plain:{PLAIN}pw',
      `crypt:${await crypt}`,
      'off:{PLAIN}pw::::::nologin',
      'moved:{PLAIN}pw::::::nologin reason=Moved_to_imap2.example.org',
      'lan:{PLAIN}pw::::::allow_nets=10.0.0.0/8',
      'here:{PLAIN}pw::::::allow_nets=10.0.0.0/8,127.0.0.1',
    ].join('\n'),
    'users',
  );
  const source: UserSource = { lookup: (name) => Promise.resolve(users.get(name)) };
  const { plaintext, ...rest } = o;
  return startServer(t, {
    authenticator: createAuthenticator({
      users: source,
      plaintextWithoutTls: plaintext ?? true,
      scramSecret: Buffer.alloc(32, 7),
    }),
    ...rest,
  });
}

const plainLogin = (user: string, pw: string) => `AUTHENTICATE "PLAIN" "${b64(`\0${user}\0${pw}`)}"`;

test('SCRAM for a user whose stored hash cannot answer it: NO (AUTH-TOO-WEAK), delayed like a failed login', async (t) => {
  const { client, logs } = await passwdServer(t, { limits: { maxAuthFailures: 5 } });
  const c = await client();
  assert.deepEqual(await command(c, `AUTHENTICATE "SCRAM-SHA-256" "${b64('n,,n=crypt,r=nonce')}"`), [
    `NO (AUTH-TOO-WEAK) "SCRAM-SHA-256 cannot be used with this account's stored password; log in with PLAIN or LOGIN."`,
  ]);
  // The initial response may also come after the empty challenge.
  c.send('AUTHENTICATE "SCRAM-SHA-1"');
  await c.expect('""');
  assert.deepEqual(await command(c, `"${b64('n,,n=crypt,r=nonce')}"`), [
    `NO (AUTH-TOO-WEAK) "SCRAM-SHA-1 cannot be used with this account's stored password; log in with PLAIN or LOGIN."`,
  ]);
  // An unknown user is not told apart from a real one: a server-first message, then the failure.
  c.send(`AUTHENTICATE "SCRAM-SHA-256" "${b64('n,,n=nobody,r=nonce')}"`);
  const challenge = Buffer.from(JSON.parse(await c.line()) as string, 'base64').toString();
  assert.match(challenge, /^r=nonce[^,]+,s=[^,]+,i=4096$/);
  const r = /^r=([^,]+)/.exec(challenge)![1]!;
  assert.deepEqual(await command(c, `"${b64(`c=biws,r=${r},p=${b64('x'.repeat(32))}`)}"`), [
    'NO "Authentication failed."',
  ]);
  assert.deepEqual(
    logs.filter((l) => l.event === 'auth-failed').map((l) => [l.reason, typeof l.delayMs]),
    [
      ['too-weak', 'number'],
      ['too-weak', 'number'],
      ['credentials', 'number'],
    ],
  );
  // The password itself still works.
  assert.deepEqual(await command(c, plainLogin('crypt', 'pw')), ['OK "Logged in."']);
});

test('PLAIN before TLS is still ENCRYPT-NEEDED, not AUTH-TOO-WEAK', async (t) => {
  const { client } = await passwdServer(t, { plaintext: false });
  const c = await client();
  assert.deepEqual(await command(c, plainLogin('crypt', 'pw')), [
    'NO (ENCRYPT-NEEDED) "PLAIN needs TLS: use STARTTLS first."',
  ]);
});

test('nologin: the right password gets the reason (or Dovecot\'s wording), a wrong one "Authentication failed."', async (t) => {
  const { client, logs } = await passwdServer(t, { limits: { maxAuthFailures: 4 } });
  const c = await client();
  assert.deepEqual(await command(c, plainLogin('off', 'pw')), ['NO "Login disabled for this user"']);
  assert.deepEqual(await command(c, plainLogin('moved', 'pw')), ['NO "Moved_to_imap2.example.org"']);
  assert.deepEqual(await command(c, plainLogin('moved', 'wrong')), ['NO "Authentication failed."']);
  // Disabled logins count towards the session's failures: the fourth attempt ends it.
  assert.deepEqual(await command(c, plainLogin('off', 'pw')), ['NO "Login disabled for this user"']);
  await c.expect('BYE "Too many failed authentication attempts."');
  const failed = logs.filter((l) => l.event === 'auth-failed');
  assert.deepEqual(
    failed.map((l) => l.reason),
    ['disabled', 'disabled', 'credentials', 'disabled'],
  );
  // The client proved the password: no failure delay, no penalty for the address.
  assert.deepEqual(
    failed.map((l) => 'delayMs' in l),
    [false, false, true, false],
  );
});

test('allow_nets: outside the networks the right password gets "Authentication failed."; inside it logs in', async (t) => {
  const { client } = await passwdServer(t, { limits: { maxAuthFailures: 5 } });
  const c = await client();
  assert.deepEqual(await command(c, plainLogin('lan', 'pw')), ['NO "Authentication failed."']);
  assert.deepEqual(await command(c, plainLogin('lan', 'wrong')), ['NO "Authentication failed."']);
  assert.deepEqual(await command(c, plainLogin('here', 'pw')), ['OK "Logged in."']);
});

test('allow_nets is checked against the client address a trusted PROXY protocol header gives', async (t) => {
  const { connect } = await passwdServer(t, {
    proxyProtocol: { mode: 'required', trusted: [parseCidr('127.0.0.1')!] },
    limits: { maxAuthFailures: 5 },
  });
  const from = async (address: string) => {
    const c = await connect();
    c.sendRaw(Buffer.from(`PROXY TCP4 ${address} 127.0.0.1 40000 4190\r\n`));
    await block(c);
    return c;
  };
  const lan = await from('10.1.2.3');
  assert.deepEqual(await command(lan, plainLogin('lan', 'pw')), ['OK "Logged in."']);
  // The connection itself comes from 127.0.0.1, which `here` allows; the client is elsewhere.
  const outside = await from('192.0.2.9');
  assert.deepEqual(await command(outside, plainLogin('here', 'pw')), ['NO "Authentication failed."']);
});
