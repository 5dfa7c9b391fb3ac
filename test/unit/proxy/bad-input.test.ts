import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  b64,
  capturingLogger,
  protocolProxy,
  proxyProtocols,
  readGreeting,
  type Peer,
  type ProxyProtocol,
} from './helpers.js';

// The issue's "Bad input" list, for each protocol where it applies: a clean protocol error or a
// close, no backend reached, other sessions unaffected.

/** The protocol's answer to a login the proxy refused itself (unsafe identifier). */
const refusedLogin: Record<ProxyProtocol, (tag: string) => string> = {
  imap: (tag) => `${tag} NO [AUTHENTICATIONFAILED] Authentication failed.`,
  pop3: () => '-ERR [AUTH] Authentication failed.',
  managesieve: () => 'NO "Authentication failed."',
  submission: () => '535 5.7.8 Authentication failed',
};

/** Sends an AUTHENTICATE PLAIN with this (binary) initial response, the protocol's way. */
function sendPlain(c: Peer, protocol: ProxyProtocol, tag: string, plain: string): void {
  const ir = b64(plain);
  switch (protocol) {
    case 'imap':
      return c.send(`${tag} AUTHENTICATE PLAIN ${ir}`);
    case 'pop3':
      return c.send(`AUTH PLAIN ${ir}`);
    case 'managesieve':
      return c.send(`AUTHENTICATE "PLAIN" "${ir}"`);
    case 'submission':
      return c.send(`AUTH PLAIN ${ir}`);
  }
}

/** A cheap command that proves the session is alive, and its exact answer. */
async function stillAlive(c: Peer, protocol: ProxyProtocol): Promise<void> {
  switch (protocol) {
    case 'imap':
      c.send('z NOOP');
      return void (await c.expect('z OK NOOP completed.'));
    case 'pop3':
      c.send('NOOP');
      return void (await c.expect('+OK'));
    case 'managesieve':
      c.send('NOOP');
      return void (await c.expect('OK "NOOP completed."'));
    case 'submission':
      c.send('NOOP');
      return void (await c.expect('250 2.0.0 OK'));
  }
}

for (const protocol of proxyProtocols) {
  test(`${protocol}: identifiers with CR, LF, NUL, quotes, spaces, backslashes are refused before any backend`, async (t) => {
    const { proxy, backend, ready } = await protocolProxy(t, protocol, {
      listener: 'max_auth_attempts = 100',
    });
    const c = await ready();
    const bad = [
      'a\r\nb',
      'x\r\nXCLIENT ADDR=6.6.6.6',
      'a"b',
      'a b',
      'a\\b',
      'a\tb',
      "a'b",
      'a\x7fb',
      'bob\u2028x',
    ];
    let n = 0;
    for (const user of bad) {
      const tag = `a${++n}`;
      // As the authentication identity, and as the authorization identity.
      sendPlain(c, protocol, tag, `\0${Buffer.from(user, 'utf8').toString('latin1')}\0pw`);
      await c.expect(refusedLogin[protocol](tag));
      sendPlain(c, protocol, `${tag}z`, `${Buffer.from(user, 'utf8').toString('latin1')}\0master\0pw`);
      await c.expect(refusedLogin[protocol](`${tag}z`));
    }
    // A NUL inside the PLAIN identity makes four fields: malformed, refused the protocol's way.
    sendPlain(c, protocol, 'n1', '\0a\0b\0pw');
    await c.expect(
      {
        imap: 'n1 BAD malformed PLAIN response',
        pop3: '-ERR malformed PLAIN response',
        managesieve: 'NO "malformed PLAIN response"',
        submission: '501 5.5.2 malformed PLAIN response',
      }[protocol],
    );
    // XOAUTH2 user= with a space and OAUTHBEARER a= with a quote.
    const xo = b64('user=a b\x01auth=Bearer tok\x01\x01');
    const ob = b64('n,a=a"b,\x01auth=Bearer tok\x01\x01');
    for (const [tag, mech, ir] of [
      ['x1', 'XOAUTH2', xo],
      ['x2', 'OAUTHBEARER', ob],
    ] as const) {
      c.send(
        {
          imap: `${tag} AUTHENTICATE ${mech} ${ir}`,
          pop3: `AUTH ${mech} ${ir}`,
          managesieve: `AUTHENTICATE "${mech}" "${ir}"`,
          submission: `AUTH ${mech} ${ir}`,
        }[protocol],
      );
      await c.expect(refusedLogin[protocol](tag));
    }
    await stillAlive(c, protocol);
    c.close();
    assert.equal(backend.connections, 0, 'no backend was contacted');
    // Refusals count against the client address (the identifier is not trusted enough to count).
    assert.equal(proxy.context.penalties.failures('ip:127.0.0.1'), bad.length * 2 + 2);
    assert.equal(
      proxy.context.metrics.get('sievert_proxy_logins_total', {
        protocol,
        destination: '-',
        outcome: 'refused',
      }),
      bad.length * 2 + 2,
    );
  });

  test(`${protocol}: a line past max_line closes the session with a protocol error; others are unaffected`, async (t) => {
    const { greeted } = await protocolProxy(t, protocol);
    const other = await greeted();
    const c = await greeted();
    c.sendRaw('A'.repeat(70_000));
    await c.expect(
      {
        imap: '* BYE line longer than 65536 bytes',
        pop3: '-ERR line longer than 65536 bytes',
        managesieve: 'BYE "line longer than 65536 bytes"',
        submission: '500 5.5.2 line longer than 65536 bytes',
      }[protocol],
    );
    await c.closed();
    await stillAlive(other, protocol);
    other.close();
  });

  test(`${protocol}: a PROXY header from a peer outside proxy_trusted is not believed, just a bad command`, async (t) => {
    const { backend, greeted } = await protocolProxy(t, protocol, {
      listener: 'proxy_protocol = "optional"\nproxy_trusted = ["10.0.0.0/8"]',
      forwarding: 'xclient',
    });
    const c = await greeted();
    c.send('PROXY TCP4 203.0.113.9 198.51.100.1 40000 143');
    await c.expect(
      {
        imap: 'PROXY BAD Unknown command or not allowed before login.',
        pop3: '-ERR Unknown command or not allowed before login.',
        managesieve: 'NO "Authenticate first."',
        submission: '502 5.5.1 Command not recognized before authentication',
      }[protocol],
    );
    await stillAlive(c, protocol);
    c.close();
    assert.equal(backend.connections, 0);
  });
}

test('imap: the client address the backend is told about is the real peer when an untrusted peer sends PROXY', async (t) => {
  const { backend, greeted } = await protocolProxy(t, 'imap', {
    listener: 'proxy_protocol = "optional"\nproxy_trusted = ["10.0.0.0/8"]',
    forwarding: 'xclient',
  });
  backend.script(async (b) => {
    b.send('* OK [CAPABILITY IMAP4rev1 ID] ready');
    await b.expect(/^S1 ID \("x-originating-ip" "127\.0\.0\.2" /);
    b.send('S1 OK ID done');
    await b.expect('S2 LOGIN "u" "p"');
    b.send('S2 OK Logged in');
  });
  const c = await greeted('127.0.0.2');
  c.send('PROXY TCP4 203.0.113.9 198.51.100.1 40000 143');
  await c.expect('PROXY BAD Unknown command or not allowed before login.');
  c.send('a LOGIN u p');
  await c.expect('a OK Logged in');
  c.close();
  await backend.done();
});

test('PROXY header required from a trusted peer: a malformed or missing header closes the connection', async (t) => {
  const { proxy, client } = await protocolProxy(t, 'pop3', {
    listener: 'proxy_protocol = "required"\nproxy_trusted = ["127.0.0.1"]',
    limits: 'auth_failure_delay = 0\ntls_handshake_timeout = "300ms"',
  });
  const rejected = (): number =>
    proxy.context.metrics.get('sievert_proxy_connections_rejected_total', { listener: 'l' });
  for (const junk of [
    'PROXY TCP4 1.2.3.4 5.6.7.8 99999 110\r\n',
    'PROXY TCP4 not-an-address 5.6.7.8 1 2\r\n',
    'PROXY ' + 'x'.repeat(200),
    'USER alice\r\n',
    Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a, 0x31, 0x11, 0, 0]),
  ]) {
    const before = rejected();
    const c = await client();
    c.sendRaw(junk);
    assert.equal(await firstLine(c), 'closed', JSON.stringify(junk.toString()));
    assert.equal(rejected(), before + 1);
  }
  // Nothing at all: closed when the wait for the header runs out.
  const silent = await client();
  assert.equal(await firstLine(silent), 'closed');
  // A good header still works.
  const ok = await client();
  ok.sendRaw('PROXY TCP4 192.0.2.1 192.0.2.2 1234 110\r\n');
  await readGreeting(ok, 'pop3');
  ok.close();
});

async function firstLine(c: Peer): Promise<string> {
  try {
    return await c.line();
  } catch (e) {
    if (/timed out/.test((e as Error).message)) throw e;
    return 'closed';
  }
}

test('imap: literal lengths of 2^64, non-synchronizing literals past the cap, too many literals', async (t) => {
  const { greeted, backend } = await protocolProxy(t, 'imap');
  const c = await greeted();
  // Synchronizing: refused before the client sends it; the session carries on.
  c.send('a1 LOGIN {18446744073709551616}');
  await c.expect('a1 BAD literal larger than 65536 bytes');
  c.send('a2 LOGIN {99999999999999999999}');
  await c.expect('a2 BAD literal larger than 65536 bytes');
  c.send('a3 NOOP');
  await c.expect('a3 OK NOOP completed.');
  // Nine literals (the cap is 8): the ninth {n+} is fatal, its bytes are already on the way.
  c.sendRaw('a4 ID (' + '"k" {1+}\r\nv '.repeat(8) + '"k" {1+}\r\nv)\r\n');
  await c.expect('* BYE too many literals');
  await c.closed();
  const d = await greeted();
  d.send('b1 LOGIN {18446744073709551616+}');
  await d.expect('* BYE literal larger than 65536 bytes');
  await d.closed();
  assert.equal(backend.connections, 0);
});

test('managesieve: a literal past the cap is fatal in both forms, its bytes are never parsed as commands', async (t) => {
  const { greeted, backend } = await protocolProxy(t, 'managesieve');
  // ManageSieve clients never wait for a continuation (RFC 5804 §1.3): {n} is as good as {n+}.
  for (const marker of ['{70000}', '{70000+}', '{18446744073709551616}', '{18446744073709551616+}']) {
    const c = await greeted();
    c.sendRaw(`AUTHENTICATE "PLAIN" ${marker}\r\nLOGOUT\r\n`);
    await c.expect('BYE "literal larger than 65536 bytes"');
    await c.closed();
  }
  // Five literals (the cap is 4).
  const c = await greeted();
  c.sendRaw('AUTHENTICATE ' + '{1+}\r\na '.repeat(4) + '{1+}\r\na\r\nLOGOUT\r\n');
  await c.expect('BYE "too many literals"');
  await c.closed();
  assert.equal(backend.connections, 0);
});

test('NUL bytes: IMAP and ManageSieve answer a protocol error; POP3 and submission refuse the login', async (t) => {
  const imap = await protocolProxy(t, 'imap');
  const i = await imap.greeted();
  i.send('a LOGIN u\0x p');
  await i.expect('a BAD NUL in command');
  i.send('b NOOP');
  await i.expect('b OK NOOP completed.');
  i.close();

  const sieve = await protocolProxy(t, 'managesieve');
  const s = await sieve.greeted();
  s.send(`AUTHENTICATE "PLAIN\0" "${b64('\0u\0p')}"`);
  await s.expect('NO "NUL in command"');
  s.send('NOOP');
  await s.expect('OK "NOOP completed."');
  s.close();

  const pop3 = await protocolProxy(t, 'pop3');
  const p = await pop3.greeted();
  p.send('USER a\0b');
  await p.expect('+OK');
  p.send('PASS pw');
  await p.expect('-ERR [AUTH] Authentication failed.');
  p.send('CAPA\0');
  await p.expect('-ERR Unknown command or not allowed before login.');
  p.close();

  const smtp = await protocolProxy(t, 'submission');
  const m = await smtp.greeted();
  m.send('EHLO a\0b');
  for (;;) if ((await m.line()).startsWith('250 ')) break;
  m.send('AUTH LOGIN');
  await m.expect(`334 ${b64('Username:')}`);
  m.send(b64('a\0b'));
  await m.expect(`334 ${b64('Password:')}`);
  m.send(b64('pw'));
  await m.expect('535 5.7.8 Authentication failed');
  m.close();
  for (const x of [imap, sieve, pop3, smtp]) assert.equal(x.backend.connections, 0);
});

test('pop3 and submission: lines past their protocol caps (8 KiB, 12 KiB) are refused and close', async (t) => {
  const pop3 = await protocolProxy(t, 'pop3');
  const p = await pop3.greeted();
  p.send('USER ' + 'u'.repeat(9000));
  await p.expect('-ERR line too long');
  await p.closed();
  const smtp = await protocolProxy(t, 'submission');
  const m = await smtp.greeted();
  m.send('EHLO ' + 'h'.repeat(13_000));
  await m.expect('500 5.5.2 line too long');
  await m.closed();
});

test('no password or token in any log line, whatever the outcome, in all four protocols', async (t) => {
  const { logger, lines } = capturingLogger();
  const secrets = {
    imap: 'Imap-S3cret!',
    pop3: 'Pop3-S3cret!',
    managesieve: 'Sieve-S3cret!',
    submission: 'Smtp-S3cret!',
    token: ['{"alg":"none"}', '{"sub":"token-user"}']
      .map((j) => Buffer.from(j).toString('base64url'))
      .concat('T0K3N-S3cret')
      .join('.'),
  };
  const login = async (protocol: ProxyProtocol, c: Peer, plain: string): Promise<string> => {
    sendPlain(c, protocol, 'a', plain);
    return c.line();
  };
  for (const protocol of proxyProtocols) {
    const { backend, ready } = await protocolProxy(t, protocol, { logger, forwarding: 'xclient' });
    const pw = secrets[protocol];
    // Rejected by the backend, refused by us (bad name), unavailable (backend closes mid-login).
    const hello = async (b: Peer): Promise<void> => {
      b.send(
        {
          imap: '* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready',
          pop3: '+OK ready',
          managesieve: '"SASL" "PLAIN"\r\nOK "ready"',
          submission: '220 ready',
        }[protocol],
      );
      if (protocol === 'pop3') {
        await b.expect('CAPA');
        b.send('+OK\r\nSASL PLAIN\r\n.');
      }
      if (protocol === 'submission') {
        await b.expect(/^EHLO /);
        b.send('250-mx\r\n250 AUTH PLAIN');
      }
      await b.expect(new RegExp(b64(`\0user@example.com\0${pw}`).slice(0, 20)));
    };
    backend.script(async (b) => {
      await hello(b);
      b.send(
        {
          imap: 'S1 NO [AUTHENTICATIONFAILED] no',
          pop3: '-ERR [AUTH] no',
          managesieve: 'NO "no"',
          submission: '535 5.7.8 no',
        }[protocol],
      );
    });
    backend.script(async (b) => {
      await hello(b);
      b.close();
    });
    const c = await ready();
    assert.match(await login(protocol, c, `\0user@example.com\0${pw}`), /^(a NO|-ERR|NO|535) /);
    assert.equal(await login(protocol, c, `\0bad name\0${pw}`), refusedLogin[protocol]('a'));
    assert.match(
      await login(protocol, c, `\0user@example.com\0${pw}`),
      /UNAVAILABLE|SYS\/TEMP|TRYLATER|421 /,
    );
    c.close();
    await backend.done();
  }
  // An OAuth bearer token through IMAP, refused by the backend.
  const { backend, greeted } = await protocolProxy(t, 'imap', { logger });
  backend.script(async (b) => {
    b.send('* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=OAUTHBEARER] ready');
    await b.expect(/^S1 AUTHENTICATE OAUTHBEARER /);
    b.send('S1 NO [AUTHENTICATIONFAILED] bad token');
  });
  const c = await greeted();
  c.send(`a AUTHENTICATE OAUTHBEARER ${b64(`n,,\x01auth=Bearer ${secrets.token}\x01\x01`)}`);
  await c.expect('a NO [AUTHENTICATIONFAILED] bad token');
  c.close();
  await backend.done();

  const all = lines.join('\n');
  assert.ok(lines.length > 20, 'the proxy logged the attempts');
  assert.match(all, /"outcome":"rejected"/);
  assert.match(all, /"outcome":"unavailable"/);
  assert.match(all, /"outcome":"refused"/);
  for (const secret of Object.values(secrets)) {
    for (const form of [secret, b64(secret), b64(`\0user@example.com\0${secret}`), secret.slice(0, 8)])
      assert.ok(!all.includes(form), `${form} appears in the log`);
  }
});

// The four protocols side by side: each waits for its own timer.
test(
  'a silent client is closed at the pre-auth timeout, and so is one that only sends NOOPs',
  { concurrency: true },
  async (t) => {
    await Promise.all(
      proxyProtocols.map((protocol) =>
        t.test(protocol, async (t) => {
          const { greeted } = await protocolProxy(t, protocol, { listener: 'preauth_timeout = "100ms"' });
          const bye = {
            imap: '* BYE Autologout; idle for too long',
            pop3: '-ERR Disconnected for inactivity.',
            managesieve: 'BYE "Disconnected for inactivity."',
            submission: '421 4.4.2 Timeout, closing connection',
          }[protocol];
          const silent = await greeted();
          await silent.expect(bye);
          await silent.closed();
          // The timeout runs from connect to login, not from the last command (no slow-drip keepalive).
          const busy = await greeted();
          const noop = protocol === 'imap' ? 'n NOOP' : 'NOOP';
          const timer = setInterval(() => busy.send(noop), 20);
          t.after(() => clearInterval(timer));
          for (let i = 0; i < 100; i++) {
            const line = await busy.line();
            if (line === bye) break;
            assert.match(line, /^(n OK NOOP completed\.|\+OK|OK "NOOP completed\."|250 2\.0\.0 OK)$/);
          }
          clearInterval(timer);
          await busy.closed();
        }),
      ),
    );
  },
);
