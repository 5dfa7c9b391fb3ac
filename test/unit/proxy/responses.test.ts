import assert from 'node:assert/strict';
import { test } from 'node:test';
import { b64, capturingLogger, type Peer, protocolProxy, type ProxyProtocol } from './helpers.js';

/** The proxy's own answers to bad input, and what reaches the client and the log from a backend. */

test('imap: syntax errors and refused literals are answered with the command tag', async (t) => {
  const { greeted, backend } = await protocolProxy(t, 'imap');
  const c = await greeted();
  c.send('a1 LOGIN "unterminated');
  await c.expect('a1 BAD unterminated quoted string');
  c.send('a2 ID ("a" "b" "c" "d"');
  await c.expect('a2 BAD unbalanced parenthesis');
  // The second literal of the command is refused: the tag is the one of its first line.
  c.send('a3 LOGIN {1}');
  await c.expect('+ OK');
  c.send('u {18446744073709551616}');
  await c.expect('a3 BAD literal larger than 65536 bytes');
  // Without a usable tag the answer stays untagged.
  c.send('"a4 NOOP');
  await c.expect('* BAD unterminated quoted string');
  c.send('a5 NOOP');
  await c.expect('a5 OK NOOP completed.');
  c.close();
  assert.equal(backend.connections, 0);
});

/** How each protocol starts a SASL PLAIN exchange without an initial response, and its challenge. */
const saslStart: Record<ProxyProtocol, { command: string; challenge: string }> = {
  imap: { command: 'a1 AUTHENTICATE PLAIN', challenge: '+ ' },
  pop3: { command: 'AUTH PLAIN', challenge: '+ ' },
  managesieve: { command: 'AUTHENTICATE "PLAIN"', challenge: '""' },
  submission: { command: 'AUTH PLAIN', challenge: '334 ' },
};

const tooLongAnswer: Record<ProxyProtocol, string> = {
  imap: 'a1 BAD line longer than 1024 bytes',
  pop3: '-ERR line longer than 1024 bytes',
  managesieve: 'NO "line longer than 1024 bytes"',
  submission: '500 5.5.2 line longer than 1024 bytes',
};

for (const protocol of ['imap', 'pop3', 'managesieve', 'submission'] as const) {
  test(`${protocol}: an over-long SASL response is answered before the session closes`, async (t) => {
    const { ready, backend } = await protocolProxy(t, protocol, {
      limits: 'auth_failure_delay = 0\nmax_line = 1024',
    });
    const c = await ready();
    c.send(saslStart[protocol].command);
    await c.expect(saslStart[protocol].challenge);
    c.sendRaw('A'.repeat(2000) + '\r\n');
    await c.expect(tooLongAnswer[protocol]);
    await c.closed();
    assert.equal(backend.connections, 0);
  });
}

test('managesieve: a SASL response with a literal past the cap is answered before the session closes', async (t) => {
  const { greeted } = await protocolProxy(t, 'managesieve');
  const c = await greeted();
  c.send('AUTHENTICATE "PLAIN"');
  await c.expect('""');
  c.sendRaw('{70000+}\r\n');
  await c.expect('NO "literal larger than 65536 bytes"');
  await c.closed();
});

/** What Dovecot's managesieve-login sends on connect. */
function sieveGreeting(b: Peer): void {
  for (const l of ['"IMPLEMENTATION" "Dovecot"', '"SASL" "PLAIN"', '"VERSION" "1.0"', 'OK "ready"'])
    b.send(l);
}

test('managesieve: literals in a relayed backend answer stay literals, or become RFC 5804 quoted strings', async (t) => {
  const { greeted, backend } = await protocolProxy(t, 'managesieve');
  const creds = b64('\0user\0secret');
  // A rejection whose text has a tab, a quote and a line break: only a literal can carry it.
  backend.script(async (b) => {
    sieveGreeting(b);
    await b.expect(`AUTHENTICATE "PLAIN" "${creds}"`);
    b.sendRaw('NO {9}\r\na\tb\r\nc"d\\\r\n');
    await b.expect('LOGOUT');
  });
  // A tab, a quote and a backslash fit in a quoted string, escaped with `\` only.
  backend.script(async (b) => {
    sieveGreeting(b);
    await b.expect(`AUTHENTICATE "PLAIN" "${creds}"`);
    b.sendRaw('NO (AUTH-TOO-WEAK) {7}\r\na\tb"c\\d\r\n');
    await b.expect('LOGOUT');
  });
  // The same on success.
  backend.script(async (b) => {
    sieveGreeting(b);
    await b.expect(`AUTHENTICATE "PLAIN" "${creds}"`);
    b.sendRaw('OK {4}\r\n\tok"\r\n');
    b.send('OK "bridged"');
  });
  const c = await greeted();
  c.send(`AUTHENTICATE "PLAIN" "${creds}"`);
  await c.expect('NO {9}');
  assert.equal((await c.reader.readBytes(9)).toString('latin1'), 'a\tb\r\nc"d\\');
  await c.expect('');
  c.send(`AUTHENTICATE "PLAIN" "${creds}"`);
  await c.expect('NO (AUTH-TOO-WEAK) "a\tb\\"c\\\\d"');
  c.send(`AUTHENTICATE "PLAIN" "${creds}"`);
  await c.expect('OK "\tok\\""');
  await c.expect('OK "bridged"');
  c.close();
  await backend.done();
});

/** Each protocol's backend dialogue up to the replayed credentials, which it echoes back. */
const echoScripts: Record<ProxyProtocol, (b: Peer) => Promise<string>> = {
  async imap(b) {
    b.send('* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready');
    return b.expect(/AUTHENTICATE PLAIN /);
  },
  async pop3(b) {
    b.send('+OK ready');
    await b.expect('CAPA');
    for (const l of ['+OK', 'SASL PLAIN', '.']) b.send(l);
    return b.expect(/^AUTH PLAIN /);
  },
  async managesieve(b) {
    sieveGreeting(b);
    return b.expect(/^AUTHENTICATE "PLAIN" /);
  },
  async submission(b) {
    b.send('220 ready');
    await b.expect(/^EHLO /);
    for (const l of ['250-backend', '250 AUTH PLAIN']) b.send(l);
    return b.expect(/^AUTH PLAIN /);
  },
};

for (const protocol of ['imap', 'pop3', 'managesieve', 'submission'] as const) {
  for (const where of ['as an unexpected line', 'in a BYE / closing line']) {
    test(`${protocol}: a backend echoing the credentials ${where} never puts them in a log line`, async (t) => {
      const { logger, lines } = capturingLogger();
      const { ready, backend } = await protocolProxy(t, protocol, { logger });
      const password = 'hunter2-secret';
      backend.script(async (b) => {
        const echoed = await echoScripts[protocol](b);
        const bye = { imap: '* BYE ', pop3: '-ERR ', managesieve: 'BYE ', submission: '421 ' }[protocol];
        b.send(where === 'as an unexpected line' ? echoed : bye + echoed);
        b.close();
      });
      const c = await ready();
      const ir = b64(`\0user\0${password}`);
      c.send(
        {
          imap: `a1 AUTHENTICATE PLAIN ${ir}`,
          pop3: `AUTH PLAIN ${ir}`,
          managesieve: `AUTHENTICATE "PLAIN" "${ir}"`,
          submission: `AUTH PLAIN ${ir}`,
        }[protocol],
      );
      await c.line();
      c.close();
      await backend.done();
      const log = lines.join('');
      assert.ok(
        lines.some((l) => /"event":"login"/.test(l)),
        'the login is logged',
      );
      assert.ok(!log.includes(ir), 'the base64 credentials are not logged');
      assert.ok(!log.includes(password), 'the password is not logged');
      assert.ok(!log.includes(b64(`\0user\0${password}`).slice(4, 20)), 'no part of them either');
    });
  }
}
