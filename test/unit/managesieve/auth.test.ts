import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createAuthenticator, type UserEntry, type UserSource } from '../../../src/auth/index.js';
import { effectiveQuota } from '../../../src/store/index.js';
import { b64, block, capabilities, command, literal, login, QUOTA, raw, startServer } from './helpers.js';

test('AUTHENTICATE PLAIN: initial response quoted, as a literal, or after an empty challenge', async (t) => {
  const { client } = await startServer(t);
  const c = await client();
  await login(c);
  assert.deepEqual(await command(c, 'UNAUTHENTICATE'), ['OK "Unauthenticate completed."']);
  // sieve-connect sends the initial response as a literal.
  assert.deepEqual(await command(c, raw('AUTHENTICATE "PLAIN" ', literal(b64('\0alice\0secret')), '\r\n')), [
    'OK "Logged in."',
  ]);
  assert.deepEqual(await command(c, 'UNAUTHENTICATE'), ['OK "Unauthenticate completed."']);
  // Without an initial response the server sends an empty challenge (RFC 5804 §2.1).
  c.send('authenticate "plain"');
  await c.expect('""');
  c.send(`"${b64('\0alice\0secret')}"`);
  await c.expect('OK "Logged in."');
});

test('AUTHENTICATE LOGIN: challenges as base64 strings, responses as quoted strings or literals', async (t) => {
  const { client } = await startServer(t);
  const c = await client();
  c.send('AUTHENTICATE "LOGIN"');
  await c.expect(`"${b64('Username:')}"`);
  c.sendRaw(raw(literal(b64('bob')), '\r\n'));
  await c.expect(`"${b64('Password:')}"`);
  c.send(`"${b64('hunter2')}"`);
  await c.expect('OK "Logged in."');
  assert.deepEqual(await command(c, 'CAPABILITY'), [
    ...capabilities({ owner: 'bob' }),
    'OK "Capability completed."',
  ]);
});

test('"*" cancels an exchange with NO; the session can authenticate afterwards', async (t) => {
  const { client, auth } = await startServer(t);
  const c = await client();
  c.send('AUTHENTICATE "LOGIN"');
  await c.expect(`"${b64('Username:')}"`);
  c.send('"*"');
  await c.expect('NO "Authentication cancelled."');
  await login(c);
  assert.equal(auth.received.length, 2);
});

test('SCRAM-style server-final data comes in OK (SASL "…")', async (t) => {
  const { client } = await startServer(t);
  const c = await client();
  c.send(`AUTHENTICATE "SCRAM-SHA-256" "${b64('n,,n=scram,r=client-nonce')}"`);
  await c.expect(`"${b64('r=server-nonce,s=c2FsdA==,i=4096')}"`);
  c.send(`"${b64('c=biws,r=server-nonce,p=proof')}"`);
  await c.expect(`OK (SASL "${b64('v=server-signature')}") "Logged in."`);
  assert.deepEqual(await command(c, 'CAPABILITY'), [
    ...capabilities({ owner: 'scram' }),
    'OK "Capability completed."',
  ]);
});

test('wrong passwords: NO, and BYE after the third failure', async (t) => {
  const { client, logs } = await startServer(t);
  const c = await client();
  const wrong = `AUTHENTICATE "PLAIN" "${b64('\0alice\0wrong')}"`;
  assert.deepEqual(await command(c, wrong), ['NO "Authentication failed."']);
  // An unknown user gets the same answer as a wrong password.
  assert.deepEqual(await command(c, `AUTHENTICATE "PLAIN" "${b64('\0nobody\0secret')}"`), [
    'NO "Authentication failed."',
  ]);
  assert.deepEqual(await command(c, wrong), ['NO "Authentication failed."']);
  await c.expect('BYE "Too many failed authentication attempts."');
  await c.closed();
  assert.deepEqual(
    logs.filter((l) => l.event === 'auth-failed').map((l) => l.reason),
    ['credentials', 'credentials', 'credentials'],
  );
});

test('failed logins are delayed more with each failure from the address', async (t) => {
  const { client, logs } = await startServer(t, {
    limits: { authFailureDelayMs: 20, authFailureMaxDelayMs: 50 },
  });
  const c = await client();
  const wrong = `AUTHENTICATE "PLAIN" "${b64('\0alice\0wrong')}"`;
  await command(c, wrong);
  await command(c, wrong);
  const d = await client();
  await command(d, wrong);
  assert.deepEqual(
    logs.filter((l) => l.event === 'auth-failed').map((l) => l.delayMs),
    [20, 40, 50],
  );
});

test('malformed SASL data, unknown mechanisms and a failing user database', async (t) => {
  const { client, auth } = await startServer(t);
  const c = await client();
  assert.deepEqual(await command(c, 'AUTHENTICATE "PLAIN" "not base64!"'), [
    'NO "Invalid base64 in the initial response."',
  ]);
  assert.deepEqual(await command(c, `AUTHENTICATE "PLAIN" "${b64('no separators')}"`), [
    'NO "Malformed PLAIN response."',
  ]);
  assert.deepEqual(await command(c, 'AUTHENTICATE "CRAM-MD5"'), [
    'NO "Unsupported authentication mechanism CRAM-MD5."',
  ]);
  assert.deepEqual(await command(c, 'AUTHENTICATE PLAIN'), [
    'NO "AUTHENTICATE takes a mechanism name and an optional initial response, as strings."',
  ]);
  auth.unavailable = true;
  // TRYLATER does not count as a failed attempt: the session is still there below.
  for (let i = 0; i < 3; i++)
    assert.deepEqual(await command(c, `AUTHENTICATE "PLAIN" "${b64('\0alice\0secret')}"`), [
      'NO (TRYLATER) "User database unavailable."',
    ]);
  auth.unavailable = false;
  await login(c);
});

test('cleartext mechanisms before TLS: hidden from SASL and refused with ENCRYPT-NEEDED', async (t) => {
  const { client } = await startServer(t, { plaintextWithoutTls: false });
  const c = await client();
  assert.deepEqual(await command(c, 'CAPABILITY'), [
    ...capabilities({ sasl: 'SCRAM-SHA-256' }),
    'OK "Capability completed."',
  ]);
  assert.deepEqual(await command(c, `AUTHENTICATE "PLAIN" "${b64('\0alice\0secret')}"`), [
    'NO (ENCRYPT-NEEDED) "PLAIN needs TLS: use STARTTLS first."',
  ]);
});

test('a quota lookup that fails answers NO (TRYLATER) and leaves the client logged out', async (t) => {
  const { client } = await startServer(t, {
    quota: (user) =>
      user === 'bob'
        ? Promise.reject(new Error('ldap down'))
        : Promise.resolve({ maxScripts: 1, maxScriptSize: 0, maxStorage: 0 }),
  });
  const c = await client();
  assert.deepEqual(await command(c, `AUTHENTICATE "PLAIN" "${b64('\0bob\0hunter2')}"`), [
    'NO (TRYLATER) "Your settings could not be read; try again later."',
  ]);
  assert.deepEqual(await command(c, 'LISTSCRIPTS'), ['NO "Authenticate first."']);
  await login(c);
  assert.deepEqual(await command(c, 'PUTSCRIPT "one" "keep;"'), ['OK "Putscript completed."']);
  assert.deepEqual(await command(c, 'PUTSCRIPT "two" "keep;"'), [
    'NO (QUOTA/MAXSCRIPTS) "at most 1 scripts are allowed"',
  ]);
  // Pipelined: AUTHENTICATE PLAIN with an initial response may come with other commands (RFC 5804 §2).
  const d = await client();
  d.sendRaw(`AUTHENTICATE "PLAIN" "${b64('\0alice\0secret')}"\r\nLISTSCRIPTS\r\n`);
  assert.deepEqual(await block(d), ['OK "Logged in."']);
  assert.deepEqual(await block(d), ['"one"', 'OK "Listscripts completed."']);
});

test('the quota is given the entry the login read: one user lookup per login (master logins too)', async (t) => {
  const looked: string[] = [];
  const source = (entries: UserEntry[]): UserSource => ({
    lookup: (name) => {
      looked.push(name);
      return Promise.resolve(entries.find((e) => e.name === name));
    },
  });
  const carol: UserEntry = { name: 'carol', password: '{PLAIN}pw', quota: { maxScripts: 1 } };
  const given: (string | undefined)[] = [];
  const { client } = await startServer(t, {
    authenticator: createAuthenticator({
      users: source([carol]),
      masters: source([{ name: 'admin', password: '{PLAIN}master', quota: {} }]),
      plaintextWithoutTls: true,
    }),
    quota: (user, entry) => {
      given.push(entry?.name);
      return effectiveQuota(QUOTA, entry?.quota ?? {});
    },
  });
  const c = await client();
  assert.deepEqual(await command(c, `AUTHENTICATE "PLAIN" "${b64('\0carol\0pw')}"`), ['OK "Logged in."']);
  assert.deepEqual(looked, ['carol']);
  assert.deepEqual(given, ['carol']);
  assert.deepEqual(await command(c, 'PUTSCRIPT "one" "keep;"'), ['OK "Putscript completed."']);
  assert.match((await command(c, 'PUTSCRIPT "two" "keep;"'))[0]!, /^NO \(QUOTA\/MAXSCRIPTS\)/);
  const m = await client();
  looked.length = 0;
  assert.deepEqual(await command(m, `AUTHENTICATE "PLAIN" "${b64('carol\0admin\0master')}"`), [
    'OK "Logged in."',
  ]);
  assert.deepEqual(looked, ['admin', 'carol']);
  assert.deepEqual(given, ['carol', 'carol']);
});
