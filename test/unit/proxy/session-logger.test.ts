/**
 * With `info` off, a session's child logger is only made when something is logged: its
 * warnings must still carry the session's bindings, and nothing below the level is written.
 */
import assert from 'node:assert/strict';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import { pino } from 'pino';
import { parseConfigText, startProxy } from '../../../src/proxy/index.js';

test('at level warn a session logs its warnings with session, protocol and listener, and no info lines', async () => {
  // A port with nothing listening: the login fails as unavailable, logged at warn.
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const deadPort = (closed.address() as { port: number }).port;
  await new Promise<void>((r) => closed.close(() => r()));

  const lines: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
  const proxy = await startProxy(
    parseConfigText(
      `[listener.l]
protocol = "imap"
bind = ["127.0.0.1:0"]
[destination.a]
host = "127.0.0.1"
allow_plaintext_auth = true
connect_timeout = "1s"
[destination.a.protocol.imap]
port = ${deadPort}
[routing]
default_destination = "a"
[capabilities.imap]
allow_plain_auth_without_tls = true
`,
      tmpdir(),
    ),
    { logger },
  );
  try {
    const s = connect({ host: '127.0.0.1', port: proxy.listeners.l![0]!.port });
    let text = '';
    s.on('data', (d: Buffer) => (text += d.toString('latin1')));
    await new Promise((r) => s.once('connect', r));
    s.write('a1 LOGIN user secret\r\n');
    const until = Date.now() + 5000;
    while (!text.includes('a1 NO') && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    assert.match(text, /a1 NO \[UNAVAILABLE\]/);
    s.destroy();
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const login = records.find((r) => r.event === 'login');
    assert.ok(login, 'the failed login is logged');
    assert.equal(login.outcome, 'unavailable');
    assert.equal(login.protocol, 'imap');
    assert.equal(login.listener, 'l');
    assert.equal(typeof login.session, 'string');
    assert.ok(
      records.every((r) => (r.level as number) >= 40),
      'nothing below warn is written',
    );
  } finally {
    await proxy.close(100);
  }
});
