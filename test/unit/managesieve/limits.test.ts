import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import type { Authenticator } from '../../../src/auth/types.js';
import { startManageSieve } from '../../../src/managesieve/index.js';
import { createEngine } from '../../../src/sieve/index.js';
import { FakeAuthenticator } from './fake-auth.js';
import { block, command, literal, login, PASSWORDS, QUOTA, raw, startServer } from './helpers.js';
import { MemoryStore } from './memory-store.js';

test('an oversized literal before login is skipped unread: the LOGOUT inside it is not a command', async (t) => {
  const { client } = await startServer(t);
  const c = await client();
  // Dovecot parses the body of a refused literal as commands; the body here is 1025 octets.
  const body = `${'x'.repeat(1015)}\r\nLOGOUT\r\n`;
  assert.equal(body.length, 1025);
  for (const marker of ['+', ''] as const) {
    assert.deepEqual(await command(c, raw('NOOP ', literal(body, marker), '\r\n')), [
      'NO (QUOTA/MAXSIZE) "Argument too long: a literal of 1025 octets; at most 1024 are accepted here."',
    ]);
  }
  assert.deepEqual(await command(c, raw('PUTSCRIPT "s" ', literal(body), '\r\n')), [
    'NO (QUOTA/MAXSIZE) "A literal of 1025 octets is not read before login; authenticate first."',
  ]);
  // The connection is still open and in step: the next command is answered.
  assert.deepEqual(await command(c, 'NOOP "still here"'), ['OK (TAG "still here") "Done"']);
});

test('a literal of exactly the limit is read; one octet more is refused, with the rest of its command', async (t) => {
  const { client } = await startServer(t);
  const c = await client();
  assert.deepEqual(await command(c, raw('NOOP ', literal('y'.repeat(1024)), '\r\n')), [
    `OK (TAG "${'y'.repeat(1024)}") "Done"`,
  ]);
  await login(c);
  // The arguments after the refused literal, another literal among them, are dropped too.
  assert.deepEqual(
    await command(c, raw('RENAMESCRIPT ', literal('n'.repeat(1025)), ' ', literal('LOGOUT\r\n'), '\r\n')),
    ['NO (QUOTA/MAXSIZE) "Argument too long: a literal of 1025 octets; at most 1024 are accepted here."'],
  );
  assert.deepEqual(await command(c, 'LISTSCRIPTS'), ['OK "Listscripts completed."']);
});

test('quoted strings: 1024 octets are accepted, 1025 are refused (RFC 5804 §4, erratum 2655)', async (t) => {
  const { client } = await startServer(t);
  const c = await client();
  // 512 two-octet characters: the limit counts octets, not characters.
  const tag = 'é'.repeat(512);
  assert.deepEqual(await command(c, `NOOP "${tag}"`), [`OK (TAG "${tag}") "Done"`]);
  assert.deepEqual(await command(c, `NOOP "${tag}a"`), [
    'NO "Syntax error: quoted string longer than 1024 octets; send a literal."',
  ]);
  // Escapes count as the octets they take on the wire.
  assert.deepEqual(await command(c, `NOOP "${'\\\\'.repeat(512)}"`), [
    `OK (TAG "${'\\\\'.repeat(512)}") "Done"`,
  ]);
});

test('bad syntax: malformed literals, bad escapes, NULs and invalid UTF-8 get NO; the session goes on', async (t) => {
  const { client } = await startServer(t, { limits: { maxBadCommands: 100 } });
  const c = await client();
  const cases: [string | Buffer, string][] = [
    [
      'NOOP {abc+}',
      'NO "Syntax error: malformed literal at column 6: expected {number+} at the end of the line."',
    ],
    [
      'NOOP {-5+}',
      'NO "Syntax error: malformed literal at column 6: expected {number+} at the end of the line."',
    ],
    [
      'NOOP "a\\nb"',
      'NO "Syntax error: bad escape in quoted string: a backslash may only escape a double quote or a backslash."',
    ],
    ['NOOP "abc', 'NO "Syntax error: unterminated quoted string."'],
    ['NOOP "a"b', 'NO "Syntax error: expected a space after a quoted string."'],
    ['NOOP (a)', 'NO "Syntax error: unexpected character 0x28 at column 6."'],
    [raw('NOOP "a', Buffer.from([0]), 'b"\r\n'), 'NO "Syntax error: NUL in quoted string."'],
    [raw('NOOP a', Buffer.from([0]), '\r\n'), 'NO "Syntax error: unexpected character 0x00 at column 7."'],
    [
      raw('NOOP "', Buffer.from([0xc3, 0x28]), '"\r\n'),
      'NO "Syntax error: quoted string is not valid UTF-8."',
    ],
    ['"NOOP"', 'NO "Syntax error: expected a command name."'],
    ['FROBNICATE', 'NO "Unknown command FROBNICATE."'],
    ['NOOP "a" "b"', 'NO "NOOP takes an optional tag string."'],
    ['NOOP a', 'NO "NOOP takes an optional tag string."'],
  ];
  for (const [line, want] of cases) assert.deepEqual(await command(c, line), [want], String(line));
  // A literal size beyond 32 bits cannot be followed: BYE.
  assert.deepEqual(await command(c, 'NOOP {4294967296+}'), [
    'BYE "Literal size 4294967296 is not a 32-bit number."',
  ]);
  await c.closed();
});

test('blank lines between commands are passed over; command names are case-insensitive', async (t) => {
  const { client } = await startServer(t);
  const c = await client();
  c.sendRaw('\r\n\r\n');
  assert.deepEqual(await command(c, 'nOoP'), ['OK "NOOP completed."']);
});

test('pipelined commands are answered in order', async (t) => {
  const { client } = await startServer(t);
  const c = await client();
  await login(c);
  c.sendRaw(
    raw(
      'PUTSCRIPT "a" ',
      literal('keep;'),
      '\r\nPUTSCRIPT "b" "discard;"\r\nSETACTIVE "b"\r\nLISTSCRIPTS\r\nGETSCRIPT "a"\r\nFOO\r\nNOOP "end"\r\n',
    ),
  );
  assert.deepEqual(await block(c), ['OK "Putscript completed."']);
  assert.deepEqual(await block(c), ['OK "Putscript completed."']);
  assert.deepEqual(await block(c), ['OK "Setactive completed."']);
  assert.deepEqual(await block(c), ['"a"', '"b" ACTIVE', 'OK "Listscripts completed."']);
  assert.deepEqual(await block(c), ['{5}\r\nkeep;', 'OK "Getscript completed."']);
  assert.deepEqual(await block(c), ['NO "Unknown command FOO."']);
  assert.deepEqual(await block(c), ['OK (TAG "end") "Done"']);
});

test('a line longer than maxLine ends the session with BYE; one of exactly maxLine is read', async (t) => {
  const { client } = await startServer(t, { limits: { maxLine: 100 } });
  const c = await client();
  const fits = `NOOP ${'a'.repeat(95)}`;
  assert.equal(fits.length, 100);
  assert.deepEqual(await command(c, fits), ['NO "NOOP takes an optional tag string."']);
  assert.deepEqual(await command(c, `${fits}a`), ['BYE "Line longer than 100 bytes."']);
  await c.closed();
});

test('too many bad commands end the session with BYE', async (t) => {
  const { client } = await startServer(t, { limits: { maxBadCommands: 3 } });
  const c = await client();
  assert.deepEqual(await command(c, 'BAD1'), ['NO "Unknown command BAD1."']);
  assert.deepEqual(await command(c, 'NOOP'), ['OK "NOOP completed."']);
  assert.deepEqual(await command(c, 'LISTSCRIPTS'), ['NO "Authenticate first."']);
  assert.deepEqual(await command(c, 'BAD3'), ['NO "Unknown command BAD3."']);
  await c.expect('BYE "Too many invalid commands."');
  await c.closed();
});

test('a client that vanishes mid-literal: nothing is stored, the server serves others', async (t) => {
  const { client, store, server } = await startServer(t);
  const c = await client();
  await login(c);
  c.sendRaw('PUTSCRIPT "half" {100+}\r\nkeep;');
  await new Promise((r) => setTimeout(r, 20));
  c.close();
  const d = await client();
  await login(d);
  assert.deepEqual(await command(d, 'LISTSCRIPTS'), ['OK "Listscripts completed."']);
  assert.equal(store.scripts.get('alice')?.size ?? 0, 0);
  d.close();
  for (let i = 0; i < 100 && server.sessions > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(server.sessions, 0);
});

test('the pre-login timeout and the idle timeout end sessions with BYE', async (t) => {
  const { client } = await startServer(t, { limits: { preauthTimeoutMs: 100, idleTimeoutMs: 150 } });
  const a = await client();
  await a.expect('BYE "Login timed out."');
  await a.closed();
  const b = await client();
  await login(b);
  // Commands keep a logged-in session alive; silence ends it.
  assert.deepEqual(await command(b, 'NOOP'), ['OK "NOOP completed."']);
  await b.expect('BYE "Disconnected for inactivity."');
  await b.closed();
});

test('close(): sessions end with BYE "Server shutting down." and new connections are refused', async (t) => {
  const { client, server, port } = await startServer(t);
  const c = await client();
  await login(c);
  const closed = server.close(1000);
  await c.expect('BYE "Server shutting down."');
  await c.closed();
  await closed;
  await assert.rejects(
    new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', resolve);
      s.once('error', reject);
    }),
  );
});

test('maxConnectionsPerAddress: a connection beyond the cap is closed without a greeting', async (t) => {
  const { client, connect } = await startServer(t, { limits: { maxConnectionsPerAddress: 2 } });
  const a = await client();
  await client();
  const c = await connect();
  await c.closed();
  assert.deepEqual(await command(a, 'NOOP'), ['OK "NOOP completed."']);
});

test('maxSaslResponse bounds the initial response and each response of the exchange', async (t) => {
  const { client } = await startServer(t, { limits: { maxSaslResponse: 100 } });
  const c = await client();
  assert.deepEqual(await command(c, raw('AUTHENTICATE "PLAIN" ', literal('A'.repeat(101)), '\r\n')), [
    'NO (QUOTA/MAXSIZE) "Argument too long: a literal of 101 octets; at most 100 are accepted here."',
  ]);
  c.send('AUTHENTICATE "LOGIN"');
  await c.expect('"VXNlcm5hbWU6"');
  c.sendRaw(raw(literal('A'.repeat(101)), '\r\n'));
  await c.expect('NO (QUOTA/MAXSIZE) "SASL response too long: at most 100 octets are accepted."');
  c.send('AUTHENTICATE "LOGIN"');
  await c.expect('"VXNlcm5hbWU6"');
  c.sendRaw(raw(literal('YWxpY2U='), '\r\n'));
  await c.expect('"UGFzc3dvcmQ6"');
  c.send('"c2VjcmV0"');
  await c.expect('OK "Logged in."');
});

test('a SASL exchange that goes on past ten rounds fails as a login failure', async (t) => {
  // A mechanism that never finishes: every response gets another challenge.
  const endless: Authenticator = {
    mechanisms: () => ['PLAIN'],
    start: () => ({ step: () => Promise.resolve({ kind: 'challenge', data: Buffer.from('more') }) }),
  };
  const { client, logs } = await startServer(t, { authenticator: endless });
  const c = await client();
  c.send('AUTHENTICATE "PLAIN"');
  for (let round = 1; round <= 10; round++) {
    await c.expect(`"${Buffer.from('more').toString('base64')}"`);
    c.send('""');
  }
  await c.expect('NO "Too many SASL rounds."');
  assert.ok(logs.some((l) => l.event === 'auth-failed' && l.reason === 'malformed'));
  // The session goes on.
  assert.deepEqual(await command(c, 'NOOP'), ['OK "NOOP completed."']);
});

test('startManageSieve refuses a limit that is not a non-negative integer, naming it', async () => {
  for (const bad of [-1, 1.5, Number.NaN]) {
    const started = startManageSieve({
      listen: ['127.0.0.1:0'],
      tls: 'plain',
      store: new MemoryStore(),
      authenticator: new FakeAuthenticator(PASSWORDS),
      engine: createEngine(),
      quota: QUOTA,
      limits: { maxLine: bad },
    });
    // Stopped if it starts after all, so a regression fails the test instead of hanging it.
    started.then((s) => s.close(0)).catch(() => {});
    await assert.rejects(
      started,
      /^RangeError: managesieve limit maxLine must be a non-negative integer/,
      String(bad),
    );
  }
});
