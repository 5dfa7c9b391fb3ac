import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { buildProxyV2 } from '../../../src/net/proxy-protocol.js';
import type { RunningProxy } from '../../../src/proxy/index.js';
import {
  acceptTlsOn,
  b64,
  dial,
  dialTls,
  FakeBackend,
  makeCerts,
  portOf,
  proxyFrom,
  type Peer,
  type TestCerts,
} from './helpers.js';

let certs: TestCerts;
before(() => {
  certs = makeCerts();
});
after(() => certs.cleanup());

interface Setup {
  proxy: RunningProxy;
  backend: FakeBackend;
  client: () => Promise<Peer>;
}

/** A proxy in front of one fake backend; `extra` is appended TOML; `{PORT}` is the backend's port. */
async function setup(
  t: TestContext,
  extra = '',
  opts: { cleartext?: boolean; forwarding?: string; destination?: string } = {},
): Promise<Setup> {
  const backend = await FakeBackend.start();
  const toml = `
[listener.imap]
protocol = "imap"
bind = ["127.0.0.1:0"]
[destination.a]
host = "127.0.0.1"
forwarding = "${opts.forwarding ?? 'xclient'}"
allow_plaintext_auth = true
timeout = "1s"
${opts.destination ?? ''}
[destination.a.protocol.imap]
port = ${backend.port}
[routing]
default_destination = "a"
[capabilities.imap]
allow_plain_auth_without_tls = ${opts.cleartext ?? true}
[limits]
auth_failure_delay = 0
${extra}`.replaceAll('{PORT}', String(backend.port));
  const proxy = await proxyFrom(toml);
  t.after(async () => {
    await proxy.close(0);
    await backend.close();
  });
  return { proxy, backend, client: () => dial(portOf(proxy, 'imap')) };
}

const greeting =
  /^\* OK \[CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL\+ AUTH=PLAIN AUTH=LOGIN AUTH=OAUTHBEARER AUTH=XOAUTH2\] sievert proxy ready\.$/;
const idLine =
  /^S1 ID \("x-originating-ip" "127\.0\.0\.1" "x-originating-port" "\d+" "x-connected-ip" "127\.0\.0\.1" "x-connected-port" "\d+" "x-session-id" "[\w-]{12}" "x-proxy-ttl" "5"/;

test('pre-login dialogue is answered by the proxy: CAPABILITY, NOOP, ID, unknown commands, LOGOUT', async (t) => {
  const { client, backend } = await setup(t);
  const c = await client();
  await c.expect(greeting);
  c.send('a1 CAPABILITY');
  await c.expect(/^\* CAPABILITY IMAP4rev1 .* AUTH=PLAIN/);
  await c.expect('a1 OK Capability completed.');
  c.send('a2 NOOP');
  await c.expect('a2 OK NOOP completed.');
  c.send('a3 ID ("name" "test client" "version" NIL)');
  await c.expect('* ID ("name" "sievert")');
  await c.expect('a3 OK ID completed.');
  c.send('a4 SELECT INBOX');
  await c.expect('a4 BAD Unknown command or not allowed before login.');
  c.send('a5 ID (unbalanced');
  await c.expect('a5 BAD unbalanced parenthesis');
  // RFC 9051 §9: a tag is ASTRING-CHARs except "+": no % * " \ ( ) { or +; "]" is allowed.
  for (const bad of ['a%1', 'a*1', 'a+1']) {
    c.send(`${bad} NOOP`);
    await c.expect('* BAD Invalid tag');
  }
  c.send('a]1 NOOP');
  await c.expect('a]1 OK NOOP completed.');
  c.send('a6 LOGOUT');
  await c.expect('* BYE Logging out');
  await c.expect('a6 OK Logout completed.');
  await c.closed();
  assert.equal(backend.connections, 0);
});

test('LOGIN: address forwarded with ID (plus the client ID), LOGIN replayed, then bytes bridged', async (t) => {
  const { client, backend } = await setup(t);
  backend.script(async (b) => {
    b.send('* OK [CAPABILITY IMAP4rev1 ID LITERAL+ SASL-IR AUTH=PLAIN] backend ready');
    const id = await b.expect(idLine);
    assert.match(id, / "name" "test client" "version" NIL\)$/);
    assert.doesNotMatch(id, /spoofed/);
    b.send('* ID ("name" "Dovecot")');
    b.send('S1 OK ID completed');
    await b.expect('S2 LOGIN "user@example.com" "secret \\"pw\\""');
    b.send('S2 OK [CAPABILITY IMAP4rev1 IDLE MOVE] Logged in');
    await b.expect('a3 SELECT INBOX');
    b.send('* 3 EXISTS');
    b.send('a3 OK [READ-WRITE] Select completed');
  });
  const c = await client();
  await c.expect(greeting);
  c.send('a1 ID ("name" "test client" "x-originating-ip" "6.6.6.6 spoofed" "version" NIL)');
  await c.expect('* ID ("name" "sievert")');
  await c.expect('a1 OK ID completed.');
  c.send('a2 LOGIN user@example.com "secret \\"pw\\""');
  await c.expect('a2 OK [CAPABILITY IMAP4rev1 IDLE MOVE] Logged in');
  c.send('a3 SELECT INBOX');
  await c.expect('* 3 EXISTS');
  await c.expect('a3 OK [READ-WRITE] Select completed');
  c.close();
  await backend.done();
});

test('untagged lines anywhere, and every backend byte in its own packet, do not disturb the login', async (t) => {
  const { client, backend } = await setup(t, '', { forwarding: 'none' });
  backend.script(async (b) => {
    const dribble = async (text: string): Promise<void> => {
      for (const ch of Buffer.from(text)) {
        b.sendRaw(Buffer.from([ch]));
        await new Promise((r) => setImmediate(r));
      }
    };
    await dribble('* OK backend ready\r\n');
    await b.expect('S1 CAPABILITY');
    await dribble(
      '* OK Waiting for authentication process to respond..\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n* OK still here\r\nS1 OK Capability completed.\r\n',
    );
    await b.expect(`S2 AUTHENTICATE PLAIN`);
    b.sendRaw('* OK Waiting for authentication process to respond..\r\n+ \r\n');
    await b.expect(b64('\0user@example.com\0secret'));
    b.sendRaw(
      '* OK Waiting for authentication process to respond..\r\n* OK [ALERT] two lines in one packet\r\nS2 OK Logged in\r\n',
    );
    await b.expect('x NOOP');
    b.send('x OK done');
  });
  const c = await client();
  await c.expect(greeting);
  c.send(`a1 AUTHENTICATE PLAIN ${b64('\0user@example.com\0secret')}`);
  await c.expect('a1 OK Logged in');
  c.send('x NOOP');
  await c.expect('x OK done');
  c.close();
  await backend.done();
});

test('AUTHENTICATE after a continuation from the client; SASL-IR towards a backend that lists it', async (t) => {
  const { client, backend } = await setup(t, '', { forwarding: 'none' });
  backend.script(async (b) => {
    b.send('* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready');
    await b.expect(`S1 AUTHENTICATE PLAIN ${b64('\0user@example.com\0secret')}`);
    b.send('S1 OK Logged in');
  });
  const c = await client();
  await c.expect(greeting);
  c.send('a1 AUTHENTICATE PLAIN');
  await c.expect('+ ');
  c.send(b64('\0user@example.com\0secret'));
  await c.expect('a1 OK Logged in');
  c.close();
  await backend.done();
});

test('AUTHENTICATE LOGIN from the client is replayed as PLAIN; cancel with * is BAD', async (t) => {
  const { client, backend } = await setup(t, '', { forwarding: 'none' });
  backend.script(async (b) => {
    b.send('* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready');
    await b.expect(`S1 AUTHENTICATE PLAIN ${b64('\0bob\0pw')}`);
    b.send('S1 OK Logged in');
  });
  const c = await client();
  await c.expect(greeting);
  c.send('a0 AUTHENTICATE PLAIN');
  await c.expect('+ ');
  c.send('*');
  await c.expect('a0 BAD Authentication cancelled');
  c.send('a1 AUTHENTICATE LOGIN');
  await c.expect(`+ ${b64('Username:')}`);
  c.send(b64('bob'));
  await c.expect(`+ ${b64('Password:')}`);
  c.send(b64('pw'));
  await c.expect('a1 OK Logged in');
  c.close();
  await backend.done();
});

test('client literals {n} and {n+}; password replayed as a LITERAL+ literal when not quotable', async (t) => {
  const { client, backend } = await setup(t, '', { forwarding: 'none' });
  const pw = Buffer.from('pässwörd', 'utf8').toString('latin1');
  backend.script(async (b) => {
    b.send('* OK [CAPABILITY IMAP4rev1 LITERAL+] ready');
    await b.expect(`S1 LOGIN "user@example.com" {${pw.length}+}`);
    assert.equal((await b.reader.readBytes(pw.length)).toString('latin1'), pw);
    await b.expect('');
    b.send('S1 OK Logged in');
  });
  const c = await client();
  await c.expect(greeting);
  c.send('a1 LOGIN {16}');
  await c.expect('+ OK');
  c.sendRaw('user@example.com');
  c.sendRaw(`{${pw.length}+}\r\n`);
  c.sendRaw(Buffer.from(pw, 'latin1'));
  c.send('');
  await c.expect('a1 OK Logged in');
  c.close();
  await backend.done();
});

test('without LITERAL+ the backend gets a synchronizing literal and its continuation is awaited', async (t) => {
  const { client, backend } = await setup(t, '', { forwarding: 'none' });
  backend.script(async (b) => {
    b.send('* OK [CAPABILITY IMAP4rev1] ready');
    await b.expect('S1 LOGIN "u" {3}');
    b.send('* OK untagged before the continuation');
    b.send('+ go ahead');
    assert.equal((await b.reader.readBytes(3)).toString('latin1'), 'a\rb');
    await b.expect('');
    b.send('S1 OK Logged in');
  });
  const c = await client();
  await c.expect(greeting);
  c.send('a1 LOGIN u {3}');
  await c.expect('+ OK');
  c.sendRaw('a\rb\r\n');
  await c.expect('a1 OK Logged in');
  c.close();
  await backend.done();
});

test('capabilities are refreshed after login when the client asked before and the OK carries none', async (t) => {
  const { client, backend } = await setup(t, '', { forwarding: 'none' });
  backend.script(async (b) => {
    b.send('* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready');
    await b.expect('S1 LOGIN "u" "p"');
    b.send('S1 OK Logged in');
    await b.expect('S2 CAPABILITY');
    b.send('* CAPABILITY IMAP4rev1 IDLE MOVE QUOTA');
    b.send('S2 OK done');
  });
  const c = await client();
  await c.expect(greeting);
  c.send('a1 CAPABILITY');
  await c.expect(/^\* CAPABILITY/);
  await c.expect('a1 OK Capability completed.');
  c.send('a2 LOGIN u p');
  await c.expect('* CAPABILITY IMAP4rev1 IDLE MOVE QUOTA');
  await c.expect('a2 OK Logged in');
  c.close();
  await backend.done();
});

test('a backend NO returns the client to the pre-login dialogue; the retry is routed again', async (t) => {
  const { client, backend } = await setup(t, '', { forwarding: 'none' });
  backend
    .script(async (b) => {
      b.send('* OK [CAPABILITY IMAP4rev1] ready');
      await b.expect('S1 LOGIN "u" "wrong"');
      b.send('S1 NO [AUTHENTICATIONFAILED] Authentication failed.');
      await b.expect('S2 LOGOUT');
    })
    .script(async (b) => {
      b.send('* OK [CAPABILITY IMAP4rev1] ready');
      await b.expect('S1 LOGIN "u" "right"');
      b.send('S1 OK Logged in');
    });
  const c = await client();
  await c.expect(greeting);
  c.send('a1 LOGIN u wrong');
  await c.expect('a1 NO [AUTHENTICATIONFAILED] Authentication failed.');
  c.send('a2 NOOP');
  await c.expect('a2 OK NOOP completed.');
  c.send('a3 LOGIN u right');
  await c.expect('a3 OK Logged in');
  c.close();
  await backend.done();
  assert.equal(backend.connections, 2);
});

test('max_auth_attempts failed logins end the session', async (t) => {
  const { client, backend } = await setup(t, '', { forwarding: 'none' });
  for (let i = 0; i < 3; i++) {
    backend.script(async (b) => {
      b.send('* OK [CAPABILITY IMAP4rev1] ready');
      await b.expect(/^S1 LOGIN/);
      b.send('S1 NO [AUTHENTICATIONFAILED] Authentication failed.');
    });
  }
  const c = await client();
  await c.expect(greeting);
  for (let i = 1; i <= 3; i++) {
    c.send(`a${i} LOGIN u wrong`);
    await c.expect(`a${i} NO [AUTHENTICATIONFAILED] Authentication failed.`);
  }
  await c.expect('* BYE Too many invalid authentication attempts');
  await c.closed();
});

test('backend unreachable, hanging, or closing mid-login: NO [UNAVAILABLE] at once, never a hang', async (t) => {
  const { client, backend } = await setup(t, '', { forwarding: 'none' });
  backend
    .script(async (b) => {
      b.send('* OK [CAPABILITY IMAP4rev1] ready');
      await b.expect(/^S1 LOGIN/);
      // hangs: no answer until the destination timeout (1 s) fires
      await b.closed(5000);
    })
    .script(async (b) => {
      b.send('* OK [CAPABILITY IMAP4rev1] ready');
      await b.expect(/^S1 LOGIN/);
      b.sendRaw('* OK Waiting');
      b.close();
    });
  const c = await client();
  await c.expect(greeting);
  c.send('a1 LOGIN u p');
  await c.expect('a1 NO [UNAVAILABLE] backend unavailable', 4000);
  c.send('a2 LOGIN u p');
  await c.expect('a2 NO [UNAVAILABLE] backend unavailable');
  await backend.close();
  c.send('a3 LOGIN u p');
  await c.expect('a3 NO [UNAVAILABLE] backend unavailable');
  await c.expect('* BYE Too many invalid authentication attempts');
  await backend.done();
});

test('without TLS and without the override: LOGINDISABLED, no AUTH=, NO [PRIVACYREQUIRED]', async (t) => {
  const { client, backend } = await setup(t, '', { cleartext: false });
  const c = await client();
  await c.expect(
    '* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ LOGINDISABLED] sievert proxy ready.',
  );
  c.send('a1 LOGIN u p');
  await c.expect('a1 NO [PRIVACYREQUIRED] Use STARTTLS first');
  c.send(`a2 AUTHENTICATE PLAIN ${b64('\0u\0p')}`);
  await c.expect('a2 NO [PRIVACYREQUIRED] Use STARTTLS first');
  c.send('a3 STARTTLS');
  await c.expect('a3 BAD STARTTLS not available');
  c.close();
  assert.equal(backend.connections, 0);
});

test('STARTTLS listener: pipelined plaintext after STARTTLS is discarded, cleartext allowed after TLS', async (t) => {
  const backend = await FakeBackend.start();
  const proxy = await proxyFrom(`
[listener.imap]
protocol = "imap"
bind = ["127.0.0.1:0"]
tls = "starttls"
cert = "${certs.certFile}"
key = "${certs.keyFile}"
[destination.a]
host = "127.0.0.1"
allow_plaintext_auth = true
[destination.a.protocol.imap]
port = ${backend.port}
[routing]
default_destination = "a"
[limits]
auth_failure_delay = 0
`);
  t.after(async () => {
    await proxy.close(0);
    await backend.close();
  });
  backend.script(async (b) => {
    b.send('* OK [CAPABILITY IMAP4rev1] ready');
    await b.expect('S1 LOGIN "u" "p"');
    b.send('S1 OK [CAPABILITY IMAP4rev1 IDLE] Logged in');
  });
  const c = await dial(portOf(proxy, 'imap'));
  await c.expect(/^\* OK \[CAPABILITY .*LITERAL\+ STARTTLS LOGINDISABLED\] /);
  c.sendRaw('a1 STARTTLS\r\na2 LOGIN injected injected\r\n');
  await c.expect('a1 OK Begin TLS negotiation now.');
  await c.startTls(certs.ca);
  c.send('a3 CAPABILITY');
  await c.expect(
    '* CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN AUTH=LOGIN AUTH=OAUTHBEARER AUTH=XOAUTH2',
  );
  await c.expect('a3 OK Capability completed.');
  c.send('a4 LOGIN u p');
  await c.expect('a4 OK [CAPABILITY IMAP4rev1 IDLE] Logged in');
  c.close();
  await backend.done();
});

test('backend STARTTLS: plaintext injected after the OK is dropped, capabilities re-read over TLS', async (t) => {
  const backend = await FakeBackend.start();
  const proxy = await proxyFrom(`
[listener.imap]
protocol = "imap"
bind = ["127.0.0.1:0"]
[destination.a]
host = "127.0.0.1"
tls_server_name = "localhost"
tls_ca = "${certs.caFile}"
forwarding = "xclient"
[destination.a.protocol.imap]
port = ${backend.port}
tls = "starttls"
[routing]
default_destination = "a"
[capabilities.imap]
allow_plain_auth_without_tls = true
[limits]
auth_failure_delay = 0
`);
  t.after(async () => {
    await proxy.close(0);
    await backend.close();
  });
  backend.script(async (b) => {
    b.send('* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready');
    await b.expect('S1 STARTTLS');
    b.sendRaw('S1 OK Begin TLS\r\nS2 OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] injected\r\n');
    await acceptTlsOn(b, certs);
    await b.expect('S2 CAPABILITY');
    b.send('* CAPABILITY IMAP4rev1 ID LITERAL+');
    b.send('S2 OK Capability completed.');
    await b.expect(new RegExp(idLine.source.replace('S1', 'S3')));
    b.send('S3 OK ID done');
    await b.expect('S4 LOGIN "u" "p"');
    b.send('S4 OK Logged in');
  });
  const c = await dial(portOf(proxy, 'imap'));
  await c.expect(/^\* OK /);
  c.send('a1 LOGIN u p');
  await c.expect('a1 OK Logged in');
  c.close();
  await backend.done();
});

test('routing: mapping file, PLAIN authorization identity, master-user separator, default destination', async (t) => {
  const other = await FakeBackend.start();
  const dir = mkdtempSync(join(tmpdir(), 'sievert-map-'));
  writeFileSync(
    join(dir, 'routes.tsv'),
    '# moved users\nalice@example.com\tb\nBOB@example.com   b # trailing comment\n',
  );
  const { client, backend } = await setup(
    t,
    `
[destination.b]
host = "127.0.0.1"
allow_plaintext_auth = true
[destination.b.protocol.imap]
port = ${other.port}
[mapping]
source = "file"
[mapping.file]
path = "${join(dir, 'routes.tsv')}"
`,
    { forwarding: 'none' },
  );
  t.after(async () => {
    await other.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const loginOk = (expect: string) => async (b: Peer) => {
    b.send('* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] ready');
    await b.expect(expect);
    b.send('S1 OK Logged in');
  };
  other.script(loginOk('S1 LOGIN "Alice@Example.com" "p"'));
  other.script(loginOk(`S1 AUTHENTICATE PLAIN ${b64('bob@example.com\0master\0mp')}`));
  other.script(loginOk('S1 LOGIN "alice@example.com%master" "mp"'));
  backend.script(loginOk('S1 LOGIN "carol@example.com" "p"'));
  const login = async (cmd: string): Promise<void> => {
    const c = await client();
    await c.expect(greeting);
    c.send(cmd);
    await c.expect('a OK Logged in');
    c.close();
  };
  await login('a LOGIN Alice@Example.com p');
  await login(`a AUTHENTICATE PLAIN ${b64('bob@example.com\0master\0mp')}`);
  await login('a LOGIN alice@example.com%master mp');
  await login('a LOGIN carol@example.com p');
  await other.done();
  await backend.done();
});

test('identifiers with quotes, spaces or control characters are refused before any backend', async (t) => {
  const { client, backend } = await setup(t);
  const c = await client();
  await c.expect(greeting);
  c.send('a1 LOGIN "a\\"b" p');
  await c.expect('a1 NO [AUTHENTICATIONFAILED] Authentication failed.');
  c.send('a2 LOGIN "a b" p');
  await c.expect('a2 NO [AUTHENTICATIONFAILED] Authentication failed.');
  c.send(`a3 AUTHENTICATE PLAIN ${b64('\0a\x01b\0p')}`);
  await c.expect('a3 NO [AUTHENTICATIONFAILED] Authentication failed.');
  await c.expect('* BYE Too many invalid authentication attempts');
  assert.equal(backend.connections, 0);
});

test('OAUTHBEARER routes on a= and XOAUTH2 on user=; both replayed unchanged', async (t) => {
  const { client, backend } = await setup(t, '', { forwarding: 'none' });
  const bearer = 'n,a=user@example.com,\x01host=x\x01port=143\x01auth=Bearer tok\x01\x01';
  const xoauth = 'user=user@example.com\x01auth=Bearer tok\x01\x01';
  backend
    .script(async (b) => {
      b.send('* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=OAUTHBEARER] ready');
      await b.expect(`S1 AUTHENTICATE OAUTHBEARER ${b64(bearer)}`);
      b.send(`+ ${b64('{"status":"invalid_token"}')}`);
      await b.expect('AQ==');
      b.send('S1 NO [AUTHENTICATIONFAILED] bad token');
    })
    .script(async (b) => {
      b.send('* OK [CAPABILITY IMAP4rev1 AUTH=XOAUTH2] ready');
      await b.expect('S1 AUTHENTICATE XOAUTH2');
      b.send('+ ');
      await b.expect(b64(xoauth));
      b.send('S1 OK Logged in');
    });
  const c = await client();
  await c.expect(greeting);
  c.send(`a1 AUTHENTICATE OAUTHBEARER ${b64(bearer)}`);
  await c.expect('a1 NO [AUTHENTICATIONFAILED] bad token');
  c.send(`a2 AUTHENTICATE XOAUTH2 ${b64(xoauth)}`);
  await c.expect('a2 OK Logged in');
  c.close();
  await backend.done();
});

test('bad input: oversized line, huge literals, NUL; a silent client times out', async (t) => {
  const { client } = await setup(t);
  const c = await client();
  await c.expect(greeting);
  c.send('a1 LOGIN {18446744073709551616}');
  await c.expect('a1 BAD literal larger than 65536 bytes');
  c.send('a2 LOGIN u\0x p');
  await c.expect('a2 BAD NUL in command');
  c.send('a3 LOGIN {70000+}');
  await c.expect('* BYE literal larger than 65536 bytes');
  await c.closed();
  const d = await client();
  await d.expect(greeting);
  d.sendRaw('a'.repeat(70_000));
  await d.expect('* BYE line longer than 65536 bytes');
  await d.closed();
});

test('pre-auth timeout', async (t) => {
  const backend = await FakeBackend.start();
  const proxy = await proxyFrom(`
[listener.imap]
protocol = "imap"
bind = ["127.0.0.1:0"]
preauth_timeout = "150ms"
[destination.a]
host = "127.0.0.1"
allow_plaintext_auth = true
[destination.a.protocol.imap]
port = ${backend.port}
[routing]
default_destination = "a"
`);
  t.after(async () => {
    await proxy.close(0);
    await backend.close();
  });
  const c = await dial(portOf(proxy, 'imap'));
  await c.expect(/^\* OK /);
  await c.expect('* BYE Autologout; idle for too long');
  await c.closed();
});

test('inbound PROXY v2 from a trusted network sets the forwarded address; PROXY v2 towards the backend', async (t) => {
  const backend = await FakeBackend.start();
  const proxy = await proxyFrom(`
[listener.imap]
protocol = "imap"
bind = ["127.0.0.1:0"]
proxy_protocol = "required"
proxy_trusted = ["127.0.0.0/8"]
[destination.a]
host = "127.0.0.1"
allow_plaintext_auth = true
forwarding = "proxy"
[destination.a.protocol.imap]
port = ${backend.port}
[routing]
default_destination = "a"
[capabilities.imap]
allow_plain_auth_without_tls = true
`);
  t.after(async () => {
    await proxy.close(0);
    await backend.close();
  });
  backend.script(async (b) => {
    const header = await b.reader.readBytes(28);
    assert.deepEqual(
      header,
      buildProxyV2({
        sourceAddress: '203.0.113.7',
        sourcePort: 40000,
        destinationAddress: '198.51.100.1',
        destinationPort: 143,
      }),
    );
    b.send('* OK [CAPABILITY IMAP4rev1] ready');
    await b.expect('S1 LOGIN "u" "p"');
    b.send('S1 OK Logged in');
  });
  const c = await dial(portOf(proxy, 'imap'));
  c.sendRaw(
    buildProxyV2({
      sourceAddress: '203.0.113.7',
      sourcePort: 40000,
      destinationAddress: '198.51.100.1',
      destinationPort: 143,
    }),
  );
  await c.expect(/^\* OK /);
  c.send('a LOGIN u p');
  await c.expect('a OK Logged in');
  c.close();
  await backend.done();
});

test('implicit TLS listener picks the certificate by SNI', async (t) => {
  const other = makeCerts(['mail.example.org']);
  const backend = await FakeBackend.start();
  const proxy = await proxyFrom(`
[listener.imaps]
protocol = "imap"
bind = ["127.0.0.1:0"]
tls = "implicit"
cert = "${certs.certFile}"
key = "${certs.keyFile}"
[[listener.imaps.sni]]
names = ["mail.example.org"]
cert = "${other.certFile}"
key = "${other.keyFile}"
[destination.a]
host = "127.0.0.1"
allow_plaintext_auth = true
[destination.a.protocol.imap]
port = ${backend.port}
[routing]
default_destination = "a"
`);
  t.after(async () => {
    await proxy.close(0);
    await backend.close();
    other.cleanup();
  });
  const a = await dialTls(portOf(proxy, 'imaps'), certs.ca, 'localhost');
  await a.expect(/AUTH=PLAIN/);
  a.close();
  const b = await dialTls(portOf(proxy, 'imaps'), other.ca, 'mail.example.org');
  await b.expect(/^\* OK \[CAPABILITY .*AUTH=PLAIN/);
  b.close();
});

test('a destination with master credentials gets PLAIN with authzid = the routed user', async (t) => {
  const { client, backend } = await setup(t, '', {
    forwarding: 'none',
    destination: 'master_user = "proxy-master"\nmaster_password = "m-secret"',
  });
  backend.script(async (b) => {
    b.send('* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready');
    await b.expect(`S1 AUTHENTICATE PLAIN ${b64('alice@example.com\0proxy-master\0m-secret')}`);
    b.send('S1 OK Logged in');
  });
  const c = await client();
  await c.expect(greeting);
  c.send('a LOGIN alice@example.com%admin whatever');
  await c.expect('a OK Logged in');
  c.close();
  await backend.done();
});

test('with forwarding = "none" the client ID is still passed on, without address fields', async (t) => {
  const { client, backend } = await setup(t, '', { forwarding: 'none' });
  backend.script(async (b) => {
    b.send('* OK [CAPABILITY IMAP4rev1 ID] ready');
    await b.expect('S1 ID ("name" "Thunderbird" "version" "115")');
    b.send('* ID NIL');
    b.send('S1 OK ID completed');
    await b.expect('S2 LOGIN "u" "p"');
    b.send('S2 OK Logged in');
  });
  const c = await client();
  await c.expect(greeting);
  c.send('a1 ID ("name" "Thunderbird" "x-session-id" "forged" "version" "115")');
  await c.expect('* ID ("name" "sievert")');
  await c.expect('a1 OK ID completed.');
  c.send('a2 LOGIN u p');
  await c.expect('a2 OK Logged in');
  c.close();
  await backend.done();
});
