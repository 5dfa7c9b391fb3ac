import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  command,
  envelope,
  firstLineOrClose,
  HOST,
  RecordingHandler,
  replies,
  reply,
  startServer,
} from './helpers.js';

test('the greeting and the LHLO reply list the extensions', async (t) => {
  const s = await startServer(t);
  const c = await s.connect();
  await c.expect(`220 ${HOST} LMTP ready`);
  c.send('LHLO client.test');
  assert.deepEqual(await reply(c), [
    `250-${HOST}`,
    '250-PIPELINING',
    '250-ENHANCEDSTATUSCODES',
    '250-8BITMIME',
    '250-SMTPUTF8',
    '250-SIZE 52428800',
    '250 CHUNKING',
  ]);
});

test('HELO and EHLO are refused: LMTP needs LHLO (RFC 2033 §4.1)', async (t) => {
  const s = await startServer(t);
  const c = await s.client();
  assert.equal(await command(c, 'EHLO client.test'), '500 5.5.1 This is an LMTP server: send LHLO');
  assert.equal(await command(c, 'HELO client.test'), '500 5.5.1 This is an LMTP server: send LHLO');
  assert.equal(await command(c, 'LHLO'), '501 5.5.4 Syntax: LHLO domain');
  assert.equal(await command(c, 'MAIL FROM:<a@example.com>'), '503 5.5.1 Send LHLO first');
});

test('commands out of sequence are answered 503 5.5.1', async (t) => {
  const s = await startServer(t);
  const c = await s.greeted();
  assert.equal(await command(c, 'RCPT TO:<bob@example.com>'), '503 5.5.1 Need MAIL before RCPT');
  assert.equal(await command(c, 'DATA'), '503 5.5.1 Need MAIL command');
  assert.equal(await command(c, 'MAIL FROM:<a@example.com>'), '250 2.1.0 Ok');
  assert.equal(await command(c, 'MAIL FROM:<a@example.com>'), '503 5.5.1 Nested MAIL command');
  assert.equal(await command(c, 'DATA'), '503 5.5.1 No valid recipients');
  assert.equal(await command(c, 'RSET'), '250 2.0.0 Ok');
  assert.equal(await command(c, 'RCPT TO:<bob@example.com>'), '503 5.5.1 Need MAIL before RCPT');
});

test('a transaction: refused and accepted recipients, one reply per accepted recipient after DATA', async (t) => {
  const s = await startServer(t);
  const c = await s.greeted();
  assert.equal(await command(c, 'MAIL FROM:<sender@example.org> BODY=8BITMIME SIZE=40'), '250 2.1.0 Ok');
  assert.equal(await command(c, 'RCPT TO:<bob@example.com>'), '250 2.1.5 Ok');
  assert.equal(await command(c, 'RCPT TO:<unknown@example.com>'), '550 5.1.1 User unknown');
  assert.equal(await command(c, 'RCPT TO:<later@example.com>'), '451 4.3.0 Try later');
  assert.equal(
    await command(c, 'RCPT TO:<boom@example.com>'),
    '451 4.3.0 Temporary failure looking up the recipient',
  );
  assert.equal(await command(c, 'RCPT TO:<full@example.com> NOTIFY=FAILURE,DELAY'), '250 2.1.5 Ok');
  assert.equal(await command(c, 'DATA'), '354 Start mail input; end with <CRLF>.<CRLF>');
  c.sendRaw('Subject: dots\r\n\r\n..one dot\r\n...two\r\n.\r\n');
  assert.deepEqual(await replies(c, 2), [
    '250 2.0.0 <bob@example.com> Saved',
    '452 4.2.2 <full@example.com> Mailbox full',
  ]);
  assert.equal(s.handler.deliveries.length, 1);
  const d = s.handler.deliveries[0]!;
  assert.equal(d.message.toString(), 'Subject: dots\r\n\r\n.one dot\r\n..two\r\n');
  assert.equal(d.envelope.from, 'sender@example.org');
  assert.deepEqual(d.envelope.fromParams, { BODY: '8BITMIME', SIZE: '40' });
  assert.equal(d.envelope.lhlo, 'client.test');
  assert.equal(d.envelope.clientAddress, '127.0.0.1');
  assert.ok(d.envelope.clientPort > 0);
  assert.match(d.envelope.sessionId, /^[\w-]+$/);
  assert.deepEqual(
    d.recipients.map((r) => [r.address, r.value, r.params]),
    [
      ['bob@example.com', 'bob@example.com', {}],
      ['full@example.com', 'full@example.com', { NOTIFY: 'FAILURE,DELAY' }],
    ],
  );
  assert.ok(
    s.logs.some((l) => l.event === 'recipient-error'),
    'the throwing lookup is logged',
  );
  // The transaction is over: a new one starts with MAIL.
  assert.equal(await command(c, 'RCPT TO:<bob@example.com>'), '503 5.5.1 Need MAIL before RCPT');
});

test('the null reverse-path, postmaster without a domain, quoted local parts and source routes', async (t) => {
  const s = await startServer(t);
  const c = await s.greeted();
  assert.deepEqual(
    await envelope(
      c,
      '',
      'postmaster',
      '"john..doe"@example.com',
      '"plain"@example.com',
      '@relay.example:ann@example.com',
    ),
    ['250 2.1.0 Ok', '250 2.1.5 Ok', '250 2.1.5 Ok', '250 2.1.5 Ok', '250 2.1.5 Ok'],
  );
  c.sendRaw('DATA\r\n');
  await c.expect(/^354 /);
  c.sendRaw('x\r\n.\r\n');
  await replies(c, 4);
  const d = s.handler.deliveries[0]!;
  assert.equal(d.envelope.from, '');
  assert.deepEqual(
    d.recipients.map((r) => r.address),
    ['postmaster', '"john..doe"@example.com', 'plain@example.com', 'ann@example.com'],
  );
});

test('bad addresses and parameters', async (t) => {
  const s = await startServer(t);
  const c = await s.greeted();
  assert.equal(
    await command(c, 'MAIL FROM:a@example.com'),
    '501 5.5.4 Syntax: the address must be in angle brackets',
  );
  assert.equal(
    await command(c, 'MAIL TO:<a@example.com>'),
    '501 5.5.4 Syntax: MAIL FROM:<address> [parameters]',
  );
  assert.equal(await command(c, 'MAIL FROM:<a@@example.com>'), '501 5.1.7 Bad address syntax');
  assert.equal(await command(c, 'MAIL FROM:<a@example.com> FOO=1'), '555 5.5.4 Unsupported parameter FOO');
  assert.equal(
    await command(c, 'MAIL FROM:<a@example.com> BODY=BINARYMIME'),
    '555 5.5.4 BODY=BINARYMIME is not supported',
  );
  assert.equal(
    await command(c, 'MAIL FROM:<a@example.com> SIZE=big'),
    '501 5.5.4 SIZE needs a number of octets',
  );
  assert.equal(
    await command(c, 'MAIL FROM:<a@example.com>SIZE=1'),
    '501 5.5.4 Syntax: a space must follow the address',
  );
  assert.equal(await command(c, 'MAIL FROM:<a@example.com>'), '250 2.1.0 Ok');
  assert.equal(await command(c, 'RCPT TO:<>'), '501 5.1.3 Bad address syntax');
  assert.equal(await command(c, 'RCPT TO:<bob>'), '501 5.1.3 Bad address syntax');
  assert.equal(
    await command(c, 'RCPT TO:<bob@example.com> ORCPT=rfc822'),
    '501 5.5.4 ORCPT must be addr-type;xtext',
  );
  assert.equal(await command(c, 'RCPT TO:<bob@example.com> XYZ'), '555 5.5.4 Unsupported parameter XYZ');
  assert.equal(await command(c, 'RCPT TO:<bob@example.com> ORCPT=rfc822;bob+40example.com'), '250 2.1.5 Ok');
  assert.deepEqual(s.handler.lookups, ['bob@example.com']);
});

test('UTF-8 addresses need SMTPUTF8 (RFC 6531)', async (t) => {
  const s = await startServer(t);
  const c = await s.greeted();
  assert.equal(
    await command(c, 'MAIL FROM:<jörg@exämple.de>'),
    '553 5.6.7 A non-ASCII address needs SMTPUTF8',
  );
  c.sendRaw(
    Buffer.concat([
      Buffer.from('MAIL FROM:<j'),
      Buffer.from([0xff]),
      Buffer.from('@example.de> SMTPUTF8\r\n'),
    ]),
  );
  assert.equal(await c.line(), '501 5.6.7 The command is not valid UTF-8');
  assert.equal(await command(c, 'MAIL FROM:<jörg@exämple.de> SMTPUTF8'), '250 2.1.0 Ok');
  assert.equal(await command(c, 'RCPT TO:<δοκιμή@παράδειγμα.δοκιμή>'), '250 2.1.5 Ok');
  c.sendRaw('DATA\r\n');
  await c.expect(/^354 /);
  c.sendRaw('Subject: =?utf-8?q?x?=\r\n\r\nÄ\r\n.\r\n');
  await c.expect(/^250 2\.0\.0 /);
  const d = s.handler.deliveries[0]!;
  assert.equal(d.envelope.from, 'jörg@exämple.de');
  assert.deepEqual(d.envelope.fromParams, { SMTPUTF8: '' });
  assert.equal(d.recipients[0]!.address, 'δοκιμή@παράδειγμα.δοκιμή');
  assert.equal(d.message.toString(), 'Subject: =?utf-8?q?x?=\r\n\r\nÄ\r\n');
});

test('pipelined transactions get their replies in order; bytes after the final dot are commands', async (t) => {
  const s = await startServer(t);
  const c = await s.client();
  c.sendRaw(
    [
      'LHLO client.test',
      'MAIL FROM:<a@example.org>',
      'RCPT TO:<one@example.com>',
      'RCPT TO:<unknown@example.com>',
      'RCPT TO:<full@example.com>',
      'DATA',
    ].join('\r\n') + '\r\n',
  );
  assert.equal((await reply(c)).at(-1), '250 CHUNKING');
  assert.deepEqual(await replies(c, 5), [
    '250 2.1.0 Ok',
    '250 2.1.5 Ok',
    '550 5.1.1 User unknown',
    '250 2.1.5 Ok',
    '354 Start mail input; end with <CRLF>.<CRLF>',
  ]);
  // The message, then a second transaction in the same packet.
  c.sendRaw(
    'first\r\n.\r\nMAIL FROM:<b@example.org>\r\nRCPT TO:<two@example.com>\r\nBDAT 8 LAST\r\nsecond\r\nNOOP\r\nQUIT\r\n',
  );
  assert.deepEqual(await replies(c, 7), [
    '250 2.0.0 <one@example.com> Saved',
    '452 4.2.2 <full@example.com> Mailbox full',
    '250 2.1.0 Ok',
    '250 2.1.5 Ok',
    '250 2.0.0 <two@example.com> Saved',
    '250 2.0.0 Ok',
    `221 2.0.0 ${HOST} Bye`,
  ]);
  assert.equal(await firstLineOrClose(c), 'closed');
  assert.deepEqual(
    s.handler.deliveries.map((d) => d.message.toString()),
    ['first\r\n', 'second\r\n'],
  );
});

test('only CRLF.CRLF ends DATA: LF.LF and CR.CR are message content (SMTP smuggling)', async (t) => {
  const s = await startServer(t);
  const c = await s.greeted();
  await envelope(c, 'a@example.org', 'bob@example.com');
  c.sendRaw('DATA\r\n');
  await c.expect(/^354 /);
  c.sendRaw(
    'Subject: smuggle\r\n\r\nbody\n.\nMAIL FROM:<evil@example.net>\r\n' +
      'x\r.\rRCPT TO:<victim@example.com>\r\n' +
      'y\r\n.\nDATA\r\n' +
      'z\n.\r\nQUIT\r\n' +
      '.\r\n',
  );
  await c.expect('250 2.0.0 <bob@example.com> Saved');
  assert.equal(await command(c, 'NOOP'), '250 2.0.0 Ok');
  assert.equal(s.handler.deliveries.length, 1);
  assert.equal(
    s.handler.deliveries[0]!.message.toString(),
    'Subject: smuggle\r\n\r\nbody\r\n\r\nMAIL FROM:<evil@example.net>\r\n' +
      'x\r.\rRCPT TO:<victim@example.com>\r\n' +
      'y\r\n\r\nDATA\r\n' +
      'z\r\n\r\nQUIT\r\n',
  );
  assert.deepEqual(s.handler.lookups, ['bob@example.com']);
});

test('bare LF line ends are stored as CRLF; 8-bit header octets are kept', async (t) => {
  const s = await startServer(t);
  const c = await s.greeted();
  await envelope(c, 'a@example.org', 'bob@example.com');
  c.sendRaw('DATA\r\n');
  await c.expect(/^354 /);
  c.sendRaw(
    Buffer.concat([
      Buffer.from('Subject: '),
      Buffer.from([0xe9, 0xff]),
      Buffer.from('\nTo: b\n\nline\n\n..x\r\n.\r\n'),
    ]),
  );
  await c.expect(/^250 /);
  assert.deepEqual(
    s.handler.deliveries[0]!.message,
    Buffer.concat([
      Buffer.from('Subject: '),
      Buffer.from([0xe9, 0xff]),
      Buffer.from('\r\nTo: b\r\n\r\nline\r\n\r\n.x\r\n'),
    ]),
  );
});

test('a message with a NUL octet is refused 554 5.6.0 for each recipient, not delivered', async (t) => {
  const s = await startServer(t);
  const c = await s.greeted();
  await envelope(c, 'a@example.org', 'bob@example.com', 'carol@example.com');
  c.sendRaw('DATA\r\n');
  await c.expect(/^354 /);
  c.sendRaw('Subject: nul\r\n\r\na\0b\r\n.\r\n');
  assert.deepEqual(await replies(c, 2), [
    '554 5.6.0 Message contains NUL octets',
    '554 5.6.0 Message contains NUL octets',
  ]);
  assert.equal(s.handler.deliveries.length, 0);
  assert.equal(await command(c, 'NOOP'), '250 2.0.0 Ok');
});

test('BDAT: a 250 per chunk, per-recipient replies after LAST, octets taken as they are', async (t) => {
  const s = await startServer(t);
  const c = await s.greeted();
  await envelope(c, 'a@example.org', 'bob@example.com', 'full@example.com');
  c.sendRaw('BDAT 9\r\nSubject: ');
  assert.equal(await c.line(), '250 2.0.0 9 octets received');
  // A chunk that ends between CR and LF, a dot at a line start, a bare LF.
  c.sendRaw('BDAT 6\r\nx\r\n.y\r');
  assert.equal(await c.line(), '250 2.0.0 6 octets received');
  assert.equal(await command(c, 'RCPT TO:<dave@example.com>'), '503 5.5.1 RCPT after BDAT');
  assert.equal(await command(c, 'DATA'), '503 5.5.1 DATA after BDAT');
  c.sendRaw('BDAT 4 LAST\r\n\nz\n.');
  assert.deepEqual(await replies(c, 2), [
    '250 2.0.0 <bob@example.com> Saved',
    '452 4.2.2 <full@example.com> Mailbox full',
  ]);
  assert.equal(s.handler.deliveries[0]!.message.toString(), 'Subject: x\r\n.y\r\nz\r\n.');
  // An empty last chunk.
  await envelope(c, 'a@example.org', 'bob@example.com');
  c.sendRaw('BDAT 4\r\nabc\nBDAT 0 LAST\r\n');
  assert.deepEqual(await replies(c, 2), ['250 2.0.0 4 octets received', '250 2.0.0 <bob@example.com> Saved']);
  assert.equal(s.handler.deliveries[1]!.message.toString(), 'abc\r\n');
});

test('a refused BDAT chunk is read and thrown away, never taken for commands', async (t) => {
  const s = await startServer(t);
  const c = await s.greeted();
  c.sendRaw('BDAT 6\r\nQUIT\r\n');
  assert.equal(await c.line(), '503 5.5.1 Need MAIL command');
  assert.deepEqual(await envelope(c, 'a@example.org', 'unknown@example.com'), [
    '250 2.1.0 Ok',
    '550 5.1.1 User unknown',
  ]);
  c.sendRaw('BDAT 6 LAST\r\nQUIT\r\n');
  assert.equal(await c.line(), '503 5.5.1 No valid recipients');
  assert.equal(await command(c, 'NOOP'), '250 2.0.0 Ok');
  assert.equal(s.handler.deliveries.length, 0);
});

test('a BDAT without a size cannot be followed: 501, then 421 and close', async (t) => {
  const s = await startServer(t);
  const c = await s.greeted();
  await envelope(c, 'a@example.org', 'bob@example.com');
  c.sendRaw('BDAT many\r\nQUIT\r\n');
  assert.equal(await c.line(), '501 5.5.4 Syntax: BDAT size [LAST]');
  assert.equal(await c.line(), `421 4.5.0 ${HOST} Cannot resynchronize after a bad BDAT, closing connection`);
  await c.closed();
});

test('RSET, NOOP, VRFY, HELP, unknown commands and QUIT', async (t) => {
  const s = await startServer(t);
  const c = await s.greeted();
  assert.equal(await command(c, 'noop'), '250 2.0.0 Ok');
  assert.equal(await command(c, 'NOOP anything'), '250 2.0.0 Ok');
  assert.equal(
    await command(c, 'VRFY bob'),
    '252 2.1.5 Cannot VRFY user, but will accept message and attempt delivery',
  );
  assert.equal(await command(c, 'VRFY'), '501 5.5.4 Syntax: VRFY address');
  assert.match(await command(c, 'HELP'), /^214 2\.0\.0 Commands: LHLO MAIL RCPT DATA BDAT /);
  assert.equal(await command(c, 'EXPN list'), '500 5.5.1 Unknown command');
  assert.equal(await command(c, ''), '500 5.5.1 Unknown command');
  assert.equal(await command(c, 'STARTTLS'), '502 5.5.1 STARTTLS not available');
  assert.equal(await command(c, 'MAIL FROM:<a@example.org>'), '250 2.1.0 Ok');
  assert.equal(await command(c, 'RSET'), '250 2.0.0 Ok');
  assert.equal(await command(c, 'MAIL FROM:<a@example.org>'), '250 2.1.0 Ok');
  assert.equal(await command(c, 'QUIT'), `221 2.0.0 ${HOST} Bye`);
  await c.closed();
});

test('a handler that misbehaves after DATA makes every recipient 451 4.3.0', async (t) => {
  const s = await startServer(t);
  const c = await s.greeted();
  const send = async (): Promise<string[]> => {
    await envelope(c, 'a@example.org', 'bob@example.com', 'carol@example.com');
    c.sendRaw('DATA\r\n');
    await c.expect(/^354 /);
    c.sendRaw('x\r\n.\r\n');
    return replies(c, 2);
  };
  const tempfail = [
    '451 4.3.0 Temporary delivery failure, try again later',
    '451 4.3.0 Temporary delivery failure, try again later',
  ];
  s.handler.override = () => [{ code: 250, enhanced: '2.0.0', text: 'only one' }];
  assert.deepEqual(await send(), tempfail);
  s.handler.override = () => {
    throw new Error('disk on fire');
  };
  assert.deepEqual(await send(), tempfail);
  s.handler.override = (r) => r.map(() => ({ code: 354, enhanced: '2.0.0', text: 'what' }));
  assert.deepEqual(await send(), tempfail);
  // Line breaks in a reply's text would forge reply lines; a wrong enhanced class is fixed.
  s.handler.override = (r) => r.map(() => ({ code: 550, enhanced: '2.1.1', text: 'no\r\n250 2.0.0 forged' }));
  assert.deepEqual(await send(), ['550 5.0.0 no 250 2.0.0 forged', '550 5.0.0 no 250 2.0.0 forged']);
  assert.equal(s.logs.filter((l) => l.event === 'deliver-error').length, 3);
});

test('a recipient() refusal with a success code is 451 4.3.0, and the recipient is not accepted', async (t) => {
  const handler = new RecordingHandler();
  handler.recipient = () =>
    Promise.resolve({ reply: { code: 250, enhanced: '2.1.5', text: 'refused, but says Ok' } });
  const s = await startServer(t, {}, handler);
  const c = await s.greeted();
  assert.deepEqual(await envelope(c, 'a@example.org', 'bob@example.com'), [
    '250 2.1.0 Ok',
    '451 4.3.0 Internal error',
  ]);
  assert.equal(await command(c, 'DATA'), '503 5.5.1 No valid recipients');
  assert.equal(s.logs.filter((l) => l.event === 'handler-error').length, 1);
});

test('a connection dropped in the middle of DATA delivers nothing', async (t) => {
  const s = await startServer(t);
  const c = await s.greeted();
  await envelope(c, 'a@example.org', 'bob@example.com');
  c.sendRaw('DATA\r\n');
  await c.expect(/^354 /);
  c.sendRaw('Subject: half\r\n\r\nsome of it\r\n');
  c.socket.end();
  await c.closed();
  await waitFor(() => s.logs.some((l) => l.event === 'disconnect'));
  assert.equal(s.handler.deliveries.length, 0);
  assert.equal(s.logs.find((l) => l.event === 'disconnect')!.reason, 'closed-during-command');
});

/** Polls (a hang guard, not a timing assertion) until `cond` holds. */
async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), 'condition never held');
}
