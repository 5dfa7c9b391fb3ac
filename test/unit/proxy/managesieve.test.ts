import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import {
  acceptTlsOn,
  b64,
  dial,
  makeCerts,
  type Peer,
  protocolProxy,
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
  return tlsProtocolProxy(t, 'managesieve', certs, {
    ...o,
    capabilities: 'implementation = "sievert"\nsieve_extensions = ["fileinto", "vacation"]',
  });
}

async function expectCapabilities(c: Peer, o: { sasl?: string; starttls?: boolean } = {}): Promise<void> {
  await c.expect('"IMPLEMENTATION" "sievert"');
  await c.expect(`"SASL" "${o.sasl ?? 'PLAIN LOGIN OAUTHBEARER XOAUTH2'}"`);
  await c.expect('"SIEVE" "fileinto vacation"');
  if (o.starttls) await c.expect('"STARTTLS"');
  await c.expect('"VERSION" "1.0"');
}

/** What Dovecot's managesieve-login sends on connect. */
function backendGreeting(b: Peer, extra: string[] = []): void {
  for (const l of [
    '"IMPLEMENTATION" "Dovecot Pigeonhole"',
    '"SASL" "PLAIN LOGIN"',
    '"SIEVE" "fileinto"',
    ...extra,
  ]) {
    b.send(l);
  }
  b.send('"VERSION" "1.0"');
  b.send('OK "Dovecot ready."');
}

test('greeting, CAPABILITY, NOOP with a tag, unknown commands, LOGOUT', async (t) => {
  const { client } = await setup(t);
  const c = await client();
  await expectCapabilities(c);
  await c.expect('OK "sievert ready."');
  c.send('CAPABILITY');
  await expectCapabilities(c);
  await c.expect('OK "Capability completed."');
  c.send('NOOP "STARTTLS-RESYNC-CAPA"');
  await c.expect('OK (TAG "STARTTLS-RESYNC-CAPA") "Done"');
  c.send('LISTSCRIPTS');
  await c.expect('NO "Authenticate first."');
  c.send('LOGOUT');
  await c.expect('OK "Logout completed."');
  await c.closed();
});

test('AUTHENTICATE with a literal initial response; XCLIENT then PLAIN replayed; bytes bridged', async (t) => {
  const { client, backend } = await setup(t);
  backend.script(async (b) => {
    backendGreeting(b, ['"XCLIENT"']);
    await b.expect(/^XCLIENT ADDR=127\.0\.0\.1 PORT=\d+ SESSION=[\w-]{12} TTL=5$/);
    b.send('OK "Updated"');
    await b.expect(`AUTHENTICATE "PLAIN" "${b64('\0user@example.com\0secret')}"`);
    b.send('OK "Logged in."');
    await b.expect('LISTSCRIPTS');
    b.send('"main" ACTIVE');
    b.send('OK "Listscripts completed."');
  });
  const c = await client();
  await expectCapabilities(c);
  await c.expect('OK "sievert ready."');
  const ir = b64('\0user@example.com\0secret');
  c.send(`AUTHENTICATE "PLAIN" {${ir.length}+}`);
  c.send(ir);
  await c.expect('OK "Logged in."');
  c.send('LISTSCRIPTS');
  await c.expect('"main" ACTIVE');
  await c.expect('OK "Listscripts completed."');
  c.close();
  await backend.done();
});

test('AUTHENTICATE LOGIN through quoted-string continuations; a backend NO allows a retry', async (t) => {
  const { client, backend } = await setup(t);
  backend
    .script(async (b) => {
      backendGreeting(b);
      await b.expect(`AUTHENTICATE "PLAIN" "${b64('\0bob\0wrong')}"`);
      b.send('NO "Authentication failed."');
      await b.expect('LOGOUT');
    })
    .script(async (b) => {
      backendGreeting(b);
      await b.expect(`AUTHENTICATE "PLAIN" "${b64('\0bob\0right')}"`);
      b.send('OK "Logged in."');
    });
  const c = await client();
  await expectCapabilities(c);
  await c.expect('OK "sievert ready."');
  c.send(`AUTHENTICATE "PLAIN" "${b64('\0bob\0wrong')}"`);
  await c.expect('NO "Authentication failed."');
  c.send('AUTHENTICATE "LOGIN"');
  await c.expect(`"${b64('Username:')}"`);
  c.send(`"${b64('bob')}"`);
  await c.expect(`"${b64('Password:')}"`);
  c.send(`{${b64('right').length}+}`);
  c.send(b64('right'));
  await c.expect('OK "Logged in."');
  c.close();
  await backend.done();
});

test('STARTTLS: pipelined bytes dropped, the capability block is sent again over TLS', async (t) => {
  const { client, backend } = await setup(t, { listenerTls: 'starttls', cleartext: false });
  const c = await client();
  await expectCapabilities(c, { sasl: '', starttls: true });
  await c.expect('OK "sievert ready."');
  c.send(`AUTHENTICATE "PLAIN" "${b64('\0u\0p')}"`);
  await c.expect('NO (ENCRYPT-NEEDED) "Use STARTTLS first."');
  c.sendRaw('STARTTLS\r\nAUTHENTICATE "PLAIN" "injected"\r\n');
  await c.expect('OK "Begin TLS negotiation now."');
  await c.startTls(certs.ca);
  await expectCapabilities(c);
  await c.expect('OK "TLS negotiation successful."');
  c.send('NOOP');
  await c.expect('OK "NOOP completed."');
  c.close();
  assert.equal(backend.connections, 0);
});

test('backend STARTTLS: injected plaintext dropped, the capability block re-read over TLS', async (t) => {
  const { client, backend } = await setup(t, { backendTls: 'starttls' });
  backend.script(async (b) => {
    backendGreeting(b, ['"STARTTLS"']);
    await b.expect('STARTTLS');
    b.sendRaw('OK "Begin TLS negotiation now."\r\nOK "Logged in."\r\n');
    await acceptTlsOn(b, certs);
    backendGreeting(b);
    await b.expect(`AUTHENTICATE "PLAIN" "${b64('\0u\0p')}"`);
    b.send('OK "Logged in."');
  });
  const c = await client();
  await expectCapabilities(c);
  await c.expect('OK "sievert ready."');
  c.send(`AUTHENTICATE "PLAIN" "${b64('\0u\0p')}"`);
  await c.expect('OK "Logged in."');
  c.close();
  await backend.done();
});

test('backend unreachable or hanging: NO (TRYLATER)', async (t) => {
  const { client, backend } = await setup(t);
  backend.script(async (b) => {
    backendGreeting(b);
    await b.expect(/^AUTHENTICATE/);
    await b.closed(5000);
  });
  const c = await client();
  await expectCapabilities(c);
  await c.expect('OK "sievert ready."');
  c.send(`AUTHENTICATE "PLAIN" "${b64('\0u\0p')}"`);
  await c.expect('NO (TRYLATER) "backend unavailable"', 4000);
  await backend.close();
  c.send(`AUTHENTICATE "PLAIN" "${b64('\0u\0p')}"`);
  await c.expect('NO (TRYLATER) "backend unavailable"');
  await backend.done();
});

test('with enotify among the extensions (the default list), NOTIFY names the methods (RFC 5804 §1.7)', async (t) => {
  const { port } = await protocolProxy(t, 'managesieve');
  const c = await dial(port);
  const block: string[] = [];
  for (let line = await c.line(); !line.startsWith('OK '); line = await c.line()) block.push(line);
  assert.match(
    block.find((l) => l.startsWith('"SIEVE" '))!,
    /\benotify\b/,
  );
  assert.deepEqual(
    block.filter((l) => l.startsWith('"NOTIFY"')),
    ['"NOTIFY" "mailto"'],
  );
  c.close();
});
