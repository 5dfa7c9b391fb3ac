import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startLmtp } from '../../../src/lmtp/index.js';
import { serverTlsOptions } from '../../../src/net/index.js';
import { makeCerts, type TestCerts } from '../proxy/helpers.js';
import {
  command,
  dialUnix,
  envelope,
  firstLineOrClose,
  HOST,
  RecordingHandler,
  replies,
  reply,
  startServer,
} from './helpers.js';

let certs: TestCerts;
before(() => {
  certs = makeCerts();
});
after(() => certs.cleanup());

test('SIZE= at the limit is accepted at MAIL, one octet over is refused 552 5.3.4', async (t) => {
  const s = await startServer(t, { maxMessageSize: 1000 });
  const c = await s.greeted();
  assert.equal(
    await command(c, 'MAIL FROM:<a@example.org> SIZE=1001'),
    '552 5.3.4 Message size exceeds fixed maximum message size (1000)',
  );
  assert.equal(await command(c, 'MAIL FROM:<a@example.org> SIZE=1000'), '250 2.1.0 Ok');
});

test('a message of exactly maxMessageSize octets is delivered; one more is refused for each recipient', async (t) => {
  const s = await startServer(t, { maxMessageSize: 1000 });
  const c = await s.greeted();
  // 998 octets of text and CRLF: 1000 octets stored. Dot-stuffing does not count.
  const exact = '.' + 'a'.repeat(997);
  await envelope(c, 'a@example.org', 'bob@example.com', 'carol@example.com');
  c.sendRaw(`DATA\r\n`);
  await c.expect(/^354 /);
  c.sendRaw(`.${exact}\r\n.\r\n`);
  assert.deepEqual(await replies(c, 2), [
    '250 2.0.0 <bob@example.com> Saved',
    '250 2.0.0 <carol@example.com> Saved',
  ]);
  assert.equal(s.handler.deliveries[0]!.message.length, 1000);

  await envelope(c, 'a@example.org', 'bob@example.com', 'carol@example.com');
  c.sendRaw(`DATA\r\n`);
  await c.expect(/^354 /);
  // A bare LF counts as the CRLF it is stored as: 996 + 2 + 1 + 2.
  c.sendRaw(`${'b'.repeat(996)}\nc\r\n.\r\n`);
  const over = '552 5.3.4 Message size exceeds fixed maximum message size (1000)';
  assert.deepEqual(await replies(c, 2), [over, over]);
  assert.equal(s.handler.deliveries.length, 1);
  assert.equal(await command(c, 'NOOP'), '250 2.0.0 Ok');
});

test('a large message over the limit is read to its end and thrown away', async (t) => {
  const s = await startServer(t, { maxMessageSize: 10_000 });
  const c = await s.greeted();
  await envelope(c, 'a@example.org', 'bob@example.com');
  c.sendRaw('DATA\r\n');
  await c.expect(/^354 /);
  const line = 'x'.repeat(78) + '\r\n';
  for (let i = 0; i < 2_000; i++) c.sendRaw(line);
  c.sendRaw('.\r\nNOOP\r\n');
  assert.deepEqual(await replies(c, 2), [
    '552 5.3.4 Message size exceeds fixed maximum message size (10000)',
    '250 2.0.0 Ok',
  ]);
  assert.equal(s.handler.deliveries.length, 0);
});

test('BDAT over the limit: 552 for the chunk that crosses it, or per recipient after LAST', async (t) => {
  const s = await startServer(t, { maxMessageSize: 10 });
  const c = await s.greeted();
  await envelope(c, 'a@example.org', 'bob@example.com', 'carol@example.com');
  c.sendRaw('BDAT 10\r\n0123456789');
  assert.equal(await c.line(), '250 2.0.0 10 octets received');
  c.sendRaw('BDAT 1\r\nxBDAT 1 LAST\r\ny');
  // The failed chunk ends the transaction; one still in the pipeline is read and refused.
  assert.deepEqual(await replies(c, 2), [
    '552 5.3.4 Message size exceeds fixed maximum message size (10)',
    '503 5.5.1 Need MAIL command',
  ]);

  await envelope(c, 'a@example.org', 'bob@example.com', 'carol@example.com');
  c.sendRaw('BDAT 11 LAST\r\n0123456789x');
  const over = '552 5.3.4 Message size exceeds fixed maximum message size (10)';
  assert.deepEqual(await replies(c, 2), [over, over]);
  await envelope(c, 'a@example.org', 'bob@example.com');
  c.sendRaw('BDAT 10 LAST\r\n0123456789');
  assert.equal(await c.line(), '250 2.0.0 <bob@example.com> Saved');
  assert.deepEqual(
    s.handler.deliveries.map((d) => d.message.toString()),
    ['0123456789'],
  );
});

test('maxRecipients are accepted; one more is answered 452 4.5.3', async (t) => {
  const s = await startServer(t, { maxRecipients: 2 });
  const c = await s.greeted();
  assert.deepEqual(
    await envelope(
      c,
      'a@example.org',
      'unknown@example.com',
      'one@example.com',
      'two@example.com',
      'three@example.com',
    ),
    [
      '250 2.1.0 Ok',
      '550 5.1.1 User unknown',
      '250 2.1.5 Ok',
      '250 2.1.5 Ok',
      '452 4.5.3 Too many recipients',
    ],
  );
  assert.deepEqual(s.handler.lookups, ['unknown@example.com', 'one@example.com', 'two@example.com']);
});

test('a command line of maxLine octets is read; one octet more is 500 5.5.2 and close', async (t) => {
  const s = await startServer(t, { maxLine: 600 });
  const c = await s.greeted();
  assert.equal(await command(c, 'NOOP ' + 'x'.repeat(595)), '250 2.0.0 Ok');
  c.send('NOOP ' + 'x'.repeat(596));
  assert.equal(await c.line(), '500 5.5.2 Line too long (more than 600 octets)');
  await c.closed();
});

test('message lines are not limited by maxLine', async (t) => {
  const s = await startServer(t, { maxLine: 600 });
  const c = await s.greeted();
  await envelope(c, 'a@example.org', 'bob@example.com');
  c.sendRaw('DATA\r\n');
  await c.expect(/^354 /);
  c.sendRaw('x'.repeat(100_000) + '\r\n.\r\n');
  await c.expect(/^250 /);
  assert.equal(s.handler.deliveries[0]!.message.length, 100_002);
});

test('an idle client gets 421 4.4.2 and is closed, also in the middle of DATA (nothing delivered)', async (t) => {
  const s = await startServer(t, { idleTimeout: 150 });
  const c = await s.greeted();
  assert.equal(await c.line(), `421 4.4.2 ${HOST} Timeout, closing connection`);
  await c.closed();
  const d = await s.greeted();
  await envelope(d, 'a@example.org', 'bob@example.com');
  d.sendRaw('DATA\r\n');
  await d.expect(/^354 /);
  d.sendRaw('Subject: slow\r\n');
  assert.equal(await d.line(), `421 4.4.2 ${HOST} Timeout, closing connection`);
  await d.closed();
  assert.equal(s.handler.deliveries.length, 0);
});

test('past maxConnections a client is greeted 421 4.3.2 and closed', async (t) => {
  const s = await startServer(t, { maxConnections: 2 });
  const a = await s.client();
  await s.client();
  const c = await s.connect();
  assert.equal(await c.line(), `421 4.3.2 ${HOST} Too many connections, try again later`);
  await c.closed();
  a.send('QUIT');
  await a.expect(/^221 /);
  await a.closed();
  // The slot is free again (the session count drops when the session ends).
  let greeting = '';
  for (let i = 0; i < 50 && !greeting.startsWith('220'); i++) {
    const d = await s.connect();
    greeting = await firstLineOrClose(d);
    d.close();
  }
  assert.equal(greeting, `220 ${HOST} LMTP ready`);
});

test('maxBadCommands: the last bad command is answered, then 421 4.7.0 and close', async (t) => {
  const s = await startServer(t, { maxBadCommands: 3 });
  const c = await s.greeted();
  assert.equal(await command(c, 'FOO'), '500 5.5.1 Unknown command');
  assert.equal(await command(c, 'RCPT TO:<a@example.com>'), '503 5.5.1 Need MAIL before RCPT');
  // Refusals that are not the client's mistakes do not count.
  assert.equal(await command(c, 'MAIL FROM:<a@example.org>'), '250 2.1.0 Ok');
  assert.equal(await command(c, 'RCPT TO:<unknown@example.com>'), '550 5.1.1 User unknown');
  assert.equal(await command(c, 'NOOP'), '250 2.0.0 Ok');
  assert.equal(await command(c, 'MAIL FROM:<a@example.org> X=1'), '503 5.5.1 Nested MAIL command');
  assert.equal(await c.line(), `421 4.7.0 ${HOST} Too many errors, closing connection`);
  await c.closed();
});

test('limits are checked when the server starts', async () => {
  const h = new RecordingHandler();
  await assert.rejects(
    startLmtp({ listen: ['127.0.0.1:0'], maxRecipients: 0 }, h),
    /lmtp maxRecipients must be a positive integer/,
  );
  await assert.rejects(
    startLmtp({ listen: ['127.0.0.1:0'], maxLine: 100 }, h),
    /lmtp maxLine must be an integer of at least 510/,
  );
  await assert.rejects(startLmtp({ listen: ['127.0.0.1:0'], hostname: 'a b' }, h), /lmtp hostname/);
});

test('close() ends idle sessions with 421 4.3.2', async (t) => {
  const s = await startServer(t);
  const c = await s.greeted();
  const closing = s.server.close(2000);
  assert.equal(await c.line(), `421 4.3.2 ${HOST} Service shutting down`);
  await closing;
  await c.closed();
});

test('close() lets a transaction in DATA finish, then ends the session with 421 4.3.2', async (t) => {
  const s = await startServer(t);
  const c = await s.greeted();
  await envelope(c, 'a@example.org', 'bob@example.com');
  c.sendRaw('DATA\r\n');
  await c.expect(/^354 /);
  c.sendRaw('Subject: half\r\n\r\n');
  const closing = s.server.close(5000);
  c.sendRaw('the rest\r\n.\r\n');
  assert.deepEqual(await replies(c, 2), [
    '250 2.0.0 <bob@example.com> Saved',
    `421 4.3.2 ${HOST} Service shutting down`,
  ]);
  await closing;
  await c.closed();
  assert.equal(s.handler.deliveries[0]!.message.toString(), 'Subject: half\r\n\r\nthe rest\r\n');
});

test('close() cuts a transaction still in DATA at its deadline: nothing is delivered', async (t) => {
  const s = await startServer(t);
  const c = await s.greeted();
  await envelope(c, 'a@example.org', 'bob@example.com');
  c.sendRaw('DATA\r\n');
  await c.expect(/^354 /);
  c.sendRaw('Subject: never ends\r\n');
  await s.server.close(100);
  assert.equal(await firstLineOrClose(c), 'closed');
  assert.equal(s.handler.deliveries.length, 0);
});

test('a Unix socket: mode 0660, a stale socket file replaced, the file removed on close', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sievert-lmtp-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'lmtp.sock');
  // A process killed while listening leaves its socket file behind.
  const r = spawnSync(process.execPath, [
    '-e',
    `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`,
  ]);
  assert.equal(r.signal, 'SIGKILL');
  assert.ok(statSync(path).isSocket());
  const h = new RecordingHandler();
  const server = await startLmtp({ listen: [`unix:${path}`], hostname: HOST }, h);
  assert.deepEqual(server.addresses, [`unix:${path}`]);
  assert.equal(statSync(path).mode & 0o777, 0o660);
  const c = await dialUnix(path);
  await c.expect(`220 ${HOST} LMTP ready`);
  c.send('LHLO mta.test');
  await reply(c);
  await envelope(c, 'a@example.org', 'bob@example.com');
  c.sendRaw('DATA\r\nvia unix\r\n.\r\n');
  assert.deepEqual(await replies(c, 2), [
    '354 Start mail input; end with <CRLF>.<CRLF>',
    '250 2.0.0 <bob@example.com> Saved',
  ]);
  assert.equal(h.deliveries[0]!.envelope.clientAddress, '');
  // A second server on the same live socket is refused, and the file is left alone.
  await assert.rejects(
    startLmtp({ listen: [`unix:${path}`], hostname: HOST }, h),
    /another process accepts connections/,
  );
  c.close();
  await server.close(1000);
  assert.equal(existsSync(path), false);
  // A file that is not a socket is never deleted.
  writeFileSync(path, 'keep me');
  await assert.rejects(
    startLmtp({ listen: [`unix:${path}`], hostname: HOST }, h),
    /exists and is not a socket/,
  );
  assert.equal(existsSync(path), true);
});

test('STARTTLS: offered when configured, then LHLO again and STARTTLS no longer offered', async (t) => {
  const s = await startServer(t, { tls: serverTlsOptions([{ cert: certs.cert, key: certs.key }]) });
  const c = await s.client();
  c.send('LHLO client.test');
  assert.equal((await reply(c)).at(-1), '250 STARTTLS');
  assert.equal(await command(c, 'MAIL FROM:<a@example.org>'), '250 2.1.0 Ok');
  assert.equal(await command(c, 'STARTTLS'), '220 2.0.0 Ready to start TLS');
  await c.startTls(certs.ca);
  assert.equal(await command(c, 'RCPT TO:<bob@example.com>'), '503 5.5.1 Need MAIL before RCPT');
  assert.equal(await command(c, 'MAIL FROM:<a@example.org>'), '503 5.5.1 Send LHLO first');
  c.send('LHLO client.test');
  assert.equal((await reply(c)).at(-1), '250 CHUNKING');
  assert.equal(await command(c, 'STARTTLS'), '503 5.5.1 TLS is already active');
  await envelope(c, 'a@example.org', 'bob@example.com');
  c.sendRaw('DATA\r\nsecret\r\n.\r\n');
  assert.deepEqual(await replies(c, 2), [
    '354 Start mail input; end with <CRLF>.<CRLF>',
    '250 2.0.0 <bob@example.com> Saved',
  ]);
});

test('random bytes never crash the server', async (t) => {
  const s = await startServer(t, { maxLine: 512, maxBadCommands: 1000 });
  // A small deterministic generator: the same bytes each run.
  let seed = 0x2033;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed >>> 16;
  };
  const words = [
    'LHLO x',
    'MAIL FROM:<a@b>',
    'RCPT TO:<c@d>',
    'DATA',
    'BDAT 3',
    'BDAT 2 LAST',
    '.',
    'RSET',
    '\r\n',
    '\n',
    '\r',
    '\0',
    '<',
    '>',
    '"',
    ' SIZE=',
    'STARTTLS',
  ];
  for (let round = 0; round < 40; round++) {
    const c = await s.connect();
    const parts: Buffer[] = [];
    for (let i = 0; i < 60; i++) {
      if (next() % 3 === 0)
        parts.push(Buffer.from(words[next() % words.length]! + (next() % 2 ? '\r\n' : '')));
      else parts.push(Buffer.from(Array.from({ length: next() % 40 }, () => next() % 256)));
    }
    c.sendRaw(Buffer.concat(parts));
    c.close();
  }
  // Still serving, and still right.
  const c = await s.greeted();
  await envelope(c, 'a@example.org', 'bob@example.com');
  c.sendRaw('DATA\r\nafter the noise\r\n.\r\n');
  assert.deepEqual(await replies(c, 2), [
    '354 Start mail input; end with <CRLF>.<CRLF>',
    '250 2.0.0 <bob@example.com> Saved',
  ]);
  assert.ok(!s.logs.some((l) => l.event === 'session-error'), 'no session failed with an internal error');
});
