import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test, type TestContext } from 'node:test';
import { b64, dribble, protocolProxy, proxyProtocols, type Peer, type ProxyProtocol } from './helpers.js';

// A scripted backend for what Dovecot will not do on demand (the list): responses split
// byte by byte or packed together, a backend that hangs, closes mid-login, sends an error
// greeting or announces a huge literal; and a client that leaves while its login is in flight.

const plain = b64('\0user@example.com\0secret');

/** The client's AUTHENTICATE PLAIN with an initial response (tag `a` in IMAP). */
function clientAuth(c: Peer, protocol: ProxyProtocol): void {
  c.send(
    {
      imap: `a AUTHENTICATE PLAIN ${plain}`,
      pop3: `AUTH PLAIN ${plain}`,
      managesieve: `AUTHENTICATE "PLAIN" "${plain}"`,
      submission: `AUTH PLAIN ${plain}`,
    }[protocol],
  );
}

/** What each protocol's backend says up to the replayed AUTH line (no XCLIENT offered). */
async function backendUpToAuth(b: Peer, protocol: ProxyProtocol): Promise<void> {
  switch (protocol) {
    case 'imap':
      b.send('* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready');
      return void (await b.expect(`S1 AUTHENTICATE PLAIN ${plain}`));
    case 'pop3':
      b.send('+OK ready');
      await b.expect('CAPA');
      b.send('+OK\r\nSASL PLAIN\r\n.');
      return void (await b.expect(`AUTH PLAIN ${plain}`));
    case 'managesieve':
      b.send('"IMPLEMENTATION" "fake"\r\n"SASL" "PLAIN"\r\nOK "ready"');
      return void (await b.expect(`AUTHENTICATE "PLAIN" "${plain}"`));
    case 'submission':
      b.send('220 ready');
      await b.expect('EHLO localhost');
      b.send('250-mx\r\n250 AUTH PLAIN');
      return void (await b.expect(`AUTH PLAIN ${plain}`));
  }
}

const loggedIn: Record<ProxyProtocol, [backend: string, client: string]> = {
  imap: ['S1 OK Logged in', 'a OK Logged in'],
  pop3: ['+OK Logged in.', '+OK Logged in.'],
  managesieve: ['OK "Logged in."', 'OK "Logged in."'],
  submission: ['235 2.7.0 Authentication successful', '235 2.7.0 Authentication successful'],
};

const unavailable: Record<ProxyProtocol, string> = {
  imap: 'a NO [UNAVAILABLE] backend unavailable',
  pop3: '-ERR [SYS/TEMP] backend unavailable',
  managesieve: 'NO (TRYLATER) "backend unavailable"',
  submission: '421 4.3.0 backend unavailable',
};

test('pop3 backend: every byte in its own packet, XCLIENT in the greeting, USER/PASS; then bridged', async (t) => {
  const s = await protocolProxy(t, 'pop3', { forwarding: 'xclient' });
  s.backend.script(async (b) => {
    await dribble(b, '+OK [XCLIENT] Dovecot ready.\r\n');
    await b.expect('CAPA');
    await dribble(b, '+OK\r\nTOP\r\nUSER\r\nSASL PLAIN\r\n.\r\n');
    await b.expect(/^XCLIENT ADDR=127\.0\.0\.1 PORT=\d+ SESSION=[\w-]{12} TTL=5$/);
    await dribble(b, '+OK\r\n');
    await b.expect('USER u');
    await dribble(b, '+OK\r\n');
    await b.expect('PASS p');
    await dribble(b, '+OK Logged in.\r\n');
    await b.expect('STAT');
    b.send('+OK 0 0');
  });
  const c = await s.greeted();
  c.send('USER u');
  await c.expect('+OK');
  c.send('PASS p');
  await c.expect('+OK Logged in.');
  c.send('STAT');
  await c.expect('+OK 0 0');
  c.close();
  await s.backend.done();
});

test('managesieve backend: capability block byte by byte, a literal in the block and in the OK', async (t) => {
  const s = await protocolProxy(t, 'managesieve', { forwarding: 'xclient' });
  s.backend.script(async (b) => {
    await dribble(
      b,
      '"IMPLEMENTATION" "Dovecot Pigeonhole"\r\n"SIEVE" {17}\r\nfileinto vacation\r\n"SASL" "PLAIN LOGIN"\r\n"XCLIENT"\r\n"VERSION" "1.0"\r\nOK "ready"\r\n',
    );
    await b.expect(/^XCLIENT ADDR=127\.0\.0\.1 PORT=\d+ SESSION=[\w-]{12} TTL=5$/);
    await dribble(b, 'OK "Updated"\r\n');
    await b.expect(`AUTHENTICATE "PLAIN" "${plain}"`);
    await dribble(b, 'OK {10}\r\nLogged in.\r\n');
    await b.expect('LISTSCRIPTS');
    b.send('OK "Listscripts completed."');
  });
  const c = await s.greeted();
  clientAuth(c, 'managesieve');
  await c.expect('OK "Logged in."');
  c.send('LISTSCRIPTS');
  await c.expect('OK "Listscripts completed."');
  c.close();
  await s.backend.done();
});

test('submission backend: multi-line greeting and EHLO byte by byte, XCLIENT, 235; then bridged', async (t) => {
  const s = await protocolProxy(t, 'submission', { forwarding: 'xclient' });
  s.backend.script(async (b) => {
    await dribble(b, '220-mx.example.com ESMTP\r\n220-second line\r\n220 third line\r\n');
    await b.expect('EHLO localhost');
    await dribble(
      b,
      '250-mx.example.com\r\n250-PIPELINING\r\n250-XCLIENT ADDR PORT HELO\r\n250 AUTH PLAIN\r\n',
    );
    await b.expect(/^XCLIENT ADDR=127\.0\.0\.1 PORT=\d+ HELO=client\.example\.net$/);
    await dribble(b, '220 mx.example.com ESMTP\r\n');
    await b.expect('EHLO client.example.net');
    await dribble(b, '250-mx.example.com\r\n250 AUTH PLAIN\r\n');
    await b.expect(`AUTH PLAIN ${plain}`);
    await dribble(b, '235 2.7.0 Authentication successful\r\n');
    await b.expect('MAIL FROM:<user@example.com>');
    b.send('250 2.1.0 Ok');
  });
  const c = await s.ready();
  clientAuth(c, 'submission');
  await c.expect('235 2.7.0 Authentication successful');
  c.send('MAIL FROM:<user@example.com>');
  await c.expect('250 2.1.0 Ok');
  c.close();
  await s.backend.done();
});

test('imap backend: untagged lines (with literals holding CRLF) around every response, all in one packet', async (t) => {
  const s = await protocolProxy(t, 'imap', { forwarding: 'xclient' });
  s.backend.script(async (b) => {
    b.sendRaw('* OK [CAPABILITY IMAP4rev1 ID SASL-IR AUTH=PLAIN] ready\r\n* OK [ALERT] right after it\r\n');
    await b.expect(/^S1 ID \("x-originating-ip" "127\.0\.0\.1" /);
    b.sendRaw(
      '* ID ("name" {7}\r\nDo\r\nvec "x" "S1 OK fake")\r\n* 1 FETCH (BODY[] {15}\r\nS1 OK not yet\r\n)\r\n* CAPABILITY IMAP4rev1 X\r\nS1 OK ID completed\r\n',
    );
    await b.expect(`S2 AUTHENTICATE PLAIN ${plain}`);
    b.sendRaw(
      '* OK Waiting for authentication process to respond..\r\n* CAPABILITY IMAP4rev1 IDLE MOVE\r\nS2 OK Logged in\r\nx OK early\r\n',
    );
  });
  const c = await s.greeted();
  c.send('c CAPABILITY');
  await c.expect(/^\* CAPABILITY /);
  await c.expect('c OK Capability completed.');
  c.sendRaw(`a AUTHENTICATE PLAIN ${plain}\r\n`);
  // The untagged CAPABILITY seen during login is the backend's real list.
  await c.expect('* CAPABILITY IMAP4rev1 IDLE MOVE');
  await c.expect('a OK Logged in');
  // Bytes the backend sent after its OK reach the client once bridged.
  await c.expect('x OK early');
  c.close();
  await s.backend.done();
});

test('imap: commands the client pipelines after LOGIN reach the backend after the login, in order', async (t) => {
  const s = await protocolProxy(t, 'imap');
  s.backend.script(async (b) => {
    b.send('* OK [CAPABILITY IMAP4rev1] ready');
    await b.expect('S1 LOGIN "u" "p"');
    b.send('S1 OK Logged in');
    await b.expect('b SELECT INBOX');
    await b.expect('c LOGOUT');
    b.send('* BYE bye\r\nc OK bye');
  });
  const c = await s.greeted();
  c.sendRaw('a LOGIN u p\r\nb SELECT INBOX\r\nc LOGOUT\r\n');
  await c.expect('a OK Logged in');
  await c.expect('* BYE bye');
  await c.expect('c OK bye');
  c.close();
  await s.backend.done();
});

test('imap: client ID fields that would need a literal (CR, LF, 8-bit) are left out of the ID sent on', async (t) => {
  const s = await protocolProxy(t, 'imap');
  s.backend.script(async (b) => {
    b.send('* OK [CAPABILITY IMAP4rev1 ID] ready');
    // Never a synchronizing literal sent without waiting for the continuation.
    await b.expect('S1 ID ("name" "Client" "version" NIL)');
    b.send('S1 OK ID completed');
    await b.expect('S2 LOGIN "u" "p"');
    b.send('S2 OK Logged in');
  });
  const c = await s.greeted();
  const grusse = Buffer.from('Grüße', 'utf8').toString('latin1');
  const os = 'x\r\nS9 LOGIN evil pw\r\n';
  c.sendRaw(`a1 ID ("name" "Client" "os" {${os.length}+}\r\n${os} "vendor" {${grusse.length}+}\r\n`);
  c.sendRaw(Buffer.from(`${grusse} "version" NIL)\r\n`, 'latin1'));
  await c.expect('* ID ("name" "sievert")');
  await c.expect('a1 OK ID completed.');
  c.send('a2 LOGIN u p');
  await c.expect('a2 OK Logged in');
  c.close();
  await s.backend.done();
});

/** One test per protocol; the four run side by side (each mostly waits for its own timers). */
function eachProtocol(name: string, fn: (t: TestContext, protocol: ProxyProtocol) => Promise<void>): void {
  test(name, { concurrency: true }, async (t) => {
    await Promise.all(proxyProtocols.map((protocol) => t.test(protocol, (st) => fn(st, protocol))));
  });
}

eachProtocol(
  'a backend that hangs, closes mid-login, or greets with an error gets the temporary failure',
  async (t, protocol) => {
    const s = await protocolProxy(t, protocol, { timeout: '150ms', listener: 'max_auth_attempts = 10' });
    const badGreeting = {
      imap: '* BYE Too many connections',
      pop3: '-ERR [SYS/TEMP] busy',
      managesieve: 'BYE "busy"',
      submission: '554 5.3.2 no service',
    }[protocol];
    s.backend
      // Hangs before its greeting: the destination timeout ends the wait.
      .script((b) => b.closed(5000))
      // Hangs after the replayed credentials.
      .script(async (b) => {
        await backendUpToAuth(b, protocol);
        await b.closed(5000);
      })
      // Closes mid-login, after half a line.
      .script(async (b) => {
        await backendUpToAuth(b, protocol);
        b.sendRaw(protocol === 'imap' ? '* OK Waiting for auth' : '+O');
        b.close();
      })
      // Closes before its greeting.
      .script((b) => Promise.resolve(b.close()))
      // Refuses service in its greeting.
      .script((b) => Promise.resolve(b.send(badGreeting)));
    for (let i = 0; i < 5; i++) {
      const c = await s.ready();
      const started = Date.now();
      clientAuth(c, protocol);
      await c.expect(unavailable[protocol], 3000);
      assert.ok(Date.now() - started < 2500, 'answered well before the client would give up');
      if (protocol === 'submission') await c.closed();
      c.close();
    }
    await s.backend.done();
    assert.equal(s.backend.connections, 5);
  },
);

eachProtocol(
  'a backend line past max_line or a huge literal is a temporary failure at once, not a wait',
  async (t, protocol) => {
    // A long destination timeout: the failure must come from the bound, not the deadline.
    const s = await protocolProxy(t, protocol, { timeout: '20s', listener: 'max_auth_attempts = 10' });
    s.backend.script(async (b) => {
      b.sendRaw('+'.repeat(70_000));
      await b.closed(5000);
    });
    if (protocol === 'imap' || protocol === 'managesieve') {
      s.backend.script(async (b) => {
        b.sendRaw(
          protocol === 'imap'
            ? '* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready\r\n* 1 FETCH (BODY[] {999999999}\r\nabc'
            : '"IMPLEMENTATION" {999999999}\r\nabc',
        );
        await b.closed(5000);
      });
    }
    const rounds = protocol === 'imap' || protocol === 'managesieve' ? 2 : 1;
    for (let i = 0; i < rounds; i++) {
      const c = await s.ready();
      clientAuth(c, protocol);
      await c.expect(unavailable[protocol], 2000);
      c.close();
    }
    await s.backend.done();
  },
);

eachProtocol(
  'a client gone at the pre-auth timeout while its login is in flight is never bridged',
  async (t, protocol) => {
    const s = await protocolProxy(t, protocol, { listener: 'preauth_timeout = "150ms"', timeout: '5s' });
    let clientClosed!: () => void;
    const closed = new Promise<void>((r) => (clientClosed = r));
    s.backend.script(async (b) => {
      await backendUpToAuth(b, protocol);
      await closed;
      // The login succeeds after the client was cut off: the proxy must hang up, not bridge.
      b.send(loggedIn[protocol][0]);
      await b.closed(2000);
    });
    const c = await s.ready();
    clientAuth(c, protocol);
    await c.expect(
      {
        imap: '* BYE Autologout; idle for too long',
        pop3: '-ERR Disconnected for inactivity.',
        managesieve: 'BYE "Disconnected for inactivity."',
        submission: '421 4.4.2 Timeout, closing connection',
      }[protocol],
    );
    await c.closed();
    clientClosed();
    await s.backend.done();
    for (let i = 0; i < 100 && s.proxy.context.sessions.size > 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    assert.equal(s.proxy.context.sessions.size, 0, 'the session is gone');
    assert.equal(s.proxy.context.metrics.bridgedSessions, 0);
  },
);

test('pop3: a backend offering no way to replay the credentials: temporary failure, not held against it', async (t) => {
  const s = await protocolProxy(t, 'pop3', { destination: 'circuit_breaker_failures = 1' });
  s.backend.script(async (b) => {
    b.send('+OK ready');
    await b.expect('CAPA');
    b.send('+OK\r\nSASL CRAM-MD5\r\n.');
  });
  const c = await s.ready();
  clientAuth(c, 'pop3');
  await c.expect(unavailable.pop3);
  c.close();
  await s.backend.done();
  // A mechanism the backend lacks is this client's problem, not the destination's health.
  assert.equal(s.proxy.context.breaker(s.proxy.context.config.destinations.get('a')!).isOpen, false);
});

test('submission backend: a multi-line 235, byte by byte: the last line is relayed', async (t) => {
  const s = await protocolProxy(t, 'submission');
  s.backend.script(async (b) => {
    await backendUpToAuth(b, 'submission');
    // A multi-line 235 (allowed by RFC 5321 §4.2.1): the last line is relayed.
    await dribble(b, '235-2.7.0 first\r\n235 2.7.0 Authentication successful\r\n');
  });
  const c = await s.ready();
  clientAuth(c, 'submission');
  await c.expect(loggedIn.submission[1]);
  c.close();
  await s.backend.done();
});

test('mapping source down: a temporary failure by default, the default destination when configured so', async (t) => {
  // An HTTP mapping on a port where nothing listens.
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  const mapping = `[mapping]\nsource = "http"\ntimeout = "1s"\n[mapping.http]\nurl = "http://127.0.0.1:${port}/route?user={identifier}"`;
  const strict = await protocolProxy(t, 'imap', { extra: mapping });
  const c = await strict.greeted();
  c.send('a LOGIN u p');
  await c.expect('a NO [UNAVAILABLE] routing lookup failed');
  c.close();
  assert.equal(strict.backend.connections, 0);

  const lenient = await protocolProxy(t, 'imap', {
    extra: mapping,
    routing: 'on_mapping_failure = "default"',
  });
  lenient.backend.script(async (b) => {
    b.send('* OK [CAPABILITY IMAP4rev1] ready');
    await b.expect('S1 LOGIN "u" "p"');
    b.send('S1 OK Logged in');
  });
  const d = await lenient.greeted();
  d.send('a LOGIN u p');
  await d.expect('a OK Logged in');
  d.close();
  await lenient.backend.done();
});
