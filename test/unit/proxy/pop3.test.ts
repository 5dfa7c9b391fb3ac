import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import {
  acceptTlsOn,
  b64,
  makeCerts,
  type Peer,
  type ProtocolSetup,
  type TestCerts,
  tlsProtocolProxy,
} from './helpers.js';

let certs: TestCerts;
before(() => {
  certs = makeCerts();
});
after(() => certs.cleanup());

type SetupOptions = {
  listenerTls?: 'plain' | 'starttls';
  backendTls?: 'plain' | 'starttls';
  cleartext?: boolean;
};

function setup(t: TestContext, o: SetupOptions = {}): Promise<ProtocolSetup> {
  return tlsProtocolProxy(t, 'pop3', certs, { ...o });
}

/** Dovecot's pop3-login towards a trusted proxy: XCLIENT in the greeting, CAPA with SASL. */
async function backendHello(b: Peer, capa = ['TOP', 'UIDL', 'USER', 'SASL PLAIN LOGIN']): Promise<void> {
  b.send('+OK [XCLIENT] Dovecot ready.');
  await b.expect('CAPA');
  b.send('+OK');
  for (const c of capa) b.send(c);
  b.send('.');
}

test('greeting, CAPA, AUTH listing, NOOP, unknown command, QUIT', async (t) => {
  const { client } = await setup(t);
  const c = await client();
  await c.expect('+OK sievert proxy ready.');
  c.send('CAPA');
  await c.expect('+OK Capability list follows');
  for (const l of [
    'TOP',
    'UIDL',
    'RESP-CODES',
    'PIPELINING',
    'AUTH-RESP-CODE',
    'USER',
    'SASL PLAIN LOGIN OAUTHBEARER XOAUTH2',
    '.',
  ]) {
    await c.expect(l);
  }
  c.send('AUTH');
  for (const l of ['+OK', 'PLAIN', 'LOGIN', 'OAUTHBEARER', 'XOAUTH2', '.']) await c.expect(l);
  c.send('NOOP');
  await c.expect('+OK');
  c.send('STAT');
  await c.expect('-ERR Unknown command or not allowed before login.');
  c.send('QUIT');
  await c.expect('+OK Logging out.');
  await c.closed();
});

test('USER/PASS: XCLIENT forwarded, USER/PASS replayed, then bridged', async (t) => {
  const { client, backend } = await setup(t);
  backend.script(async (b) => {
    await backendHello(b);
    await b.expect(/^XCLIENT ADDR=127\.0\.0\.1 PORT=\d+ SESSION=[\w-]{12} TTL=5$/);
    b.send('+OK');
    await b.expect('USER user@example.com');
    b.send('+OK');
    await b.expect('PASS pass word');
    b.send('+OK Logged in.');
    await b.expect('STAT');
    b.send('+OK 2 320');
  });
  const c = await client();
  await c.expect('+OK sievert proxy ready.');
  c.send('USER user@example.com');
  await c.expect('+OK');
  c.send('PASS pass word');
  await c.expect('+OK Logged in.');
  c.send('STAT');
  await c.expect('+OK 2 320');
  c.close();
  await backend.done();
});

test('AUTH PLAIN after a continuation; a backend -ERR lets the client retry', async (t) => {
  const { client, backend } = await setup(t);
  backend
    .script(async (b) => {
      await backendHello(b);
      await b.expect(/^XCLIENT /);
      b.send('+OK');
      await b.expect(`AUTH PLAIN ${b64('\0u\0bad')}`);
      b.send('-ERR [AUTH] Authentication failed.');
      await b.expect('QUIT');
    })
    .script(async (b) => {
      await backendHello(b, ['SASL PLAIN']);
      await b.expect(/^XCLIENT /);
      b.send('+OK');
      await b.expect(`AUTH PLAIN ${b64('\0u\0good')}`);
      b.send('+OK Logged in.');
    });
  const c = await client();
  await c.expect('+OK sievert proxy ready.');
  c.send('AUTH PLAIN');
  await c.expect('+ ');
  c.send(b64('\0u\0bad'));
  await c.expect('-ERR [AUTH] Authentication failed.');
  c.send('USER u');
  await c.expect('+OK');
  c.send('PASS good');
  await c.expect('+OK Logged in.');
  c.close();
  await backend.done();
});

test('cleartext refused without TLS; STLS drops pipelined bytes and then allows USER', async (t) => {
  const { client, backend } = await setup(t, { listenerTls: 'starttls', cleartext: false });
  const c = await client();
  await c.expect('+OK sievert proxy ready.');
  c.send('CAPA');
  for (const l of [
    '+OK Capability list follows',
    'TOP',
    'UIDL',
    'RESP-CODES',
    'PIPELINING',
    'AUTH-RESP-CODE',
    'STLS',
    '.',
  ]) {
    await c.expect(l);
  }
  c.send('USER u');
  await c.expect('-ERR [AUTH] Plaintext authentication disallowed on non-secure connections.');
  c.sendRaw('STLS\r\nUSER injected\r\n');
  await c.expect('+OK Begin TLS negotiation now.');
  await c.startTls(certs.ca);
  c.send('PASS x');
  await c.expect('-ERR No user name given.');
  c.send('USER u');
  await c.expect('+OK');
  c.close();
  assert.equal(backend.connections, 0);
});

test('backend STLS: plaintext after +OK dropped, CAPA re-read; unreachable backend gives [SYS/TEMP]', async (t) => {
  const { client, backend } = await setup(t, { backendTls: 'starttls' });
  backend.script(async (b) => {
    await backendHello(b, ['STLS', 'USER']);
    await b.expect('STLS');
    b.sendRaw('+OK Begin TLS\r\n+OK injected\r\n');
    await acceptTlsOn(b, certs);
    await b.expect('CAPA');
    b.send('+OK');
    b.send('SASL PLAIN');
    b.send('.');
    await b.expect(/^XCLIENT /);
    b.send('+OK');
    await b.expect(`AUTH PLAIN ${b64('\0u\0p')}`);
    b.send('+OK Logged in.');
  });
  const c = await client();
  await c.expect('+OK sievert proxy ready.');
  c.send(`AUTH PLAIN ${b64('\0u\0p')}`);
  await c.expect('+OK Logged in.');
  c.close();
  await backend.done();
  await backend.close();
  const d = await client();
  await d.expect('+OK sievert proxy ready.');
  d.send('USER u');
  await d.expect('+OK');
  d.send('PASS p');
  await d.expect('-ERR [SYS/TEMP] backend unavailable');
  d.close();
});
