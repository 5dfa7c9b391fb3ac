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
  return tlsProtocolProxy(t, 'submission', certs, { ...o, capabilities: 'hostname = "proxy.example.com"' });
}

async function ehloReply(c: Peer, extra: string[]): Promise<void> {
  const lines = [
    'proxy.example.com',
    'PIPELINING',
    '8BITMIME',
    'ENHANCEDSTATUSCODES',
    'SMTPUTF8',
    'SIZE',
    ...extra,
  ];
  for (let i = 0; i < lines.length; i++)
    await c.expect(`250${i === lines.length - 1 ? ' ' : '-'}${lines[i]}`);
}

/** Postfix-like backend: greeting and EHLO with XCLIENT and AUTH. */
async function backendHello(b: Peer, keywords: string[]): Promise<void> {
  b.send('220-mx.example.com ESMTP');
  b.send('220 second greeting line');
  await b.expect('EHLO proxy.example.com');
  b.send('250-mx.example.com');
  keywords.forEach((k, i) => b.send(`250${i === keywords.length - 1 ? ' ' : '-'}${k}`));
}

test('pre-auth dialogue: EHLO, NOOP, RSET, MAIL/RCPT/DATA refused, AUTH before EHLO, QUIT', async (t) => {
  const { client } = await setup(t);
  const c = await client();
  await c.expect('220 proxy.example.com sievert proxy ESMTP ready');
  c.send('AUTH PLAIN');
  await c.expect('503 5.5.1 EHLO first');
  c.send('EHLO client.example.net');
  await ehloReply(c, ['AUTH PLAIN LOGIN OAUTHBEARER XOAUTH2']);
  c.send('NOOP');
  await c.expect('250 2.0.0 OK');
  c.send('RSET');
  await c.expect('250 2.0.0 OK');
  c.send('MAIL FROM:<a@example.com>');
  await c.expect('530 5.7.0 Authentication required');
  c.send('RCPT TO:<b@example.com>');
  await c.expect('530 5.7.0 Authentication required');
  c.send('DATA');
  await c.expect('503 5.5.1 No valid recipients; authentication required');
  c.send('VRFY x');
  await c.expect('502 5.5.1 Command not recognized before authentication');
  c.send('QUIT');
  await c.expect('221 2.0.0 Bye');
  await c.closed();
});

test('AUTH PLAIN: XCLIENT with only the listed attributes, a fresh EHLO, AUTH replayed, then bridged', async (t) => {
  const { client, backend } = await setup(t);
  backend.script(async (b) => {
    await backendHello(b, ['PIPELINING', 'XCLIENT ADDR PORT HELO SESSION', 'AUTH PLAIN LOGIN']);
    await b.expect(/^XCLIENT ADDR=127\.0\.0\.1 PORT=\d+ SESSION=[\w-]{12} HELO=client\.example\.net$/);
    b.send('220 mx.example.com ESMTP');
    // The EHLO after XCLIENT carries the client's name: backends take HELO from it.
    await b.expect('EHLO client.example.net');
    b.send('250-mx.example.com');
    b.send('250 AUTH PLAIN LOGIN');
    await b.expect(`AUTH PLAIN ${b64('\0user@example.com\0pw')}`);
    b.send('235 2.7.0 Authentication successful');
    await b.expect('MAIL FROM:<user@example.com>');
    b.send('250 2.1.0 Ok');
  });
  const c = await client();
  await c.expect(/^220 /);
  c.send('EHLO client.example.net');
  await ehloReply(c, ['AUTH PLAIN LOGIN OAUTHBEARER XOAUTH2']);
  c.send(`AUTH PLAIN ${b64('\0user@example.com\0pw')}`);
  await c.expect('235 2.7.0 Authentication successful');
  c.send('MAIL FROM:<user@example.com>');
  await c.expect('250 2.1.0 Ok');
  c.close();
  await backend.done();
});

test('AUTH LOGIN through 334 continuations; a 535 from the backend allows a retry; cancel is 501', async (t) => {
  const { client, backend } = await setup(t);
  backend
    .script(async (b) => {
      await backendHello(b, ['AUTH PLAIN']);
      await b.expect(`AUTH PLAIN ${b64('\0u\0bad')}`);
      b.send('535 5.7.8 Error: authentication failed');
      await b.expect('QUIT');
    })
    .script(async (b) => {
      await backendHello(b, ['AUTH PLAIN']);
      await b.expect(`AUTH PLAIN ${b64('\0u\0good')}`);
      b.send('235 2.7.0 Authentication successful');
    });
  const c = await client();
  await c.expect(/^220 /);
  c.send('EHLO c');
  await ehloReply(c, ['AUTH PLAIN LOGIN OAUTHBEARER XOAUTH2']);
  c.send('AUTH LOGIN');
  await c.expect(`334 ${b64('Username:')}`);
  c.send('*');
  await c.expect('501 5.7.0 Authentication cancelled');
  c.send('AUTH LOGIN');
  await c.expect(`334 ${b64('Username:')}`);
  c.send(b64('u'));
  await c.expect(`334 ${b64('Password:')}`);
  c.send(b64('bad'));
  await c.expect('535 5.7.8 Error: authentication failed');
  c.send(`AUTH PLAIN ${b64('\0u\0good')}`);
  await c.expect('235 2.7.0 Authentication successful');
  c.close();
  await backend.done();
});

test('STARTTLS: AUTH hidden and refused before it, pipelined bytes dropped, EHLO required again', async (t) => {
  const { client, backend } = await setup(t, { listenerTls: 'starttls', cleartext: false });
  const c = await client();
  await c.expect(/^220 /);
  c.send('EHLO c');
  await ehloReply(c, ['STARTTLS']);
  c.send(`AUTH PLAIN ${b64('\0u\0p')}`);
  await c.expect('538 5.7.11 Encryption required for requested authentication mechanism');
  c.sendRaw('STARTTLS\r\nMAIL FROM:<injected@example.com>\r\n');
  await c.expect('220 2.0.0 Ready to start TLS');
  await c.startTls(certs.ca);
  c.send(`AUTH PLAIN ${b64('\0u\0p')}`);
  await c.expect('503 5.5.1 EHLO first');
  c.send('EHLO c');
  await ehloReply(c, ['AUTH PLAIN LOGIN OAUTHBEARER XOAUTH2']);
  c.close();
  assert.equal(backend.connections, 0);
});

test('backend STARTTLS then AUTH; an unreachable backend gets 421 4.3.0 and the connection closes', async (t) => {
  const { client, backend } = await setup(t, { backendTls: 'starttls' });
  backend.script(async (b) => {
    await backendHello(b, ['STARTTLS']);
    await b.expect('STARTTLS');
    b.sendRaw('220 2.0.0 Ready\r\n250 AUTH PLAIN injected\r\n');
    await acceptTlsOn(b, certs);
    await b.expect('EHLO proxy.example.com');
    b.send('250-mx.example.com');
    b.send('250 AUTH PLAIN');
    await b.expect(`AUTH PLAIN ${b64('\0u\0p')}`);
    b.send('235 2.7.0 Authentication successful');
  });
  const c = await client();
  await c.expect(/^220 /);
  c.send('EHLO c');
  await ehloReply(c, ['AUTH PLAIN LOGIN OAUTHBEARER XOAUTH2']);
  c.send(`AUTH PLAIN ${b64('\0u\0p')}`);
  await c.expect('235 2.7.0 Authentication successful');
  c.close();
  await backend.done();
  await backend.close();
  const d = await client();
  await d.expect(/^220 /);
  d.send('HELO c');
  await d.expect('250 proxy.example.com');
  d.send(`AUTH PLAIN ${b64('\0u\0p')}`);
  await d.expect('421 4.3.0 backend unavailable');
  await d.closed();
});
