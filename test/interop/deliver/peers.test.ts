import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { chownSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { missingProgram, runProgram } from '../programs.js';
import { python } from '../proxy/dovecot.js';
import { startDovecotLmtp, type DovecotLmtp } from './dovecot-lmtp.js';
import { startPostfix, type Postfix } from './postfix.js';
import { startSink, type SinkMessage, type SmtpSink } from './smtp-sink.js';

// The peers the delivery tests stand on, each shown to work on its own terms:
// swaks → Postfix → LMTP (Dovecot here, sievert in the delivery tests) → Maildir, Postfix → the
// capture sink for other domains, Pigeonhole's fileinto and redirect, IMAP over the result.

let sink: SmtpSink;
let dovecot: DovecotLmtp | { skip: string };
let postfix: Postfix | { skip: string } | undefined;
const swaksMissing = missingProgram('swaks');

before(async () => {
  sink = await startSink();
  dovecot = await startDovecotLmtp({ sinkPort: sink.port });
  if (!('skip' in dovecot)) {
    postfix = await startPostfix({
      lmtpPort: dovecot.lmtpPort,
      sinkPort: sink.port,
      localDomains: ['example.org'],
    });
  }
});

after(async () => {
  if (postfix && !('skip' in postfix)) await postfix.stop();
  if (!('skip' in dovecot)) await dovecot.stop();
  await sink.close();
});

/** The running peers, or undefined after marking the test skipped with the reason. */
function peers(t: TestContext, need: { postfix?: boolean }): { d: DovecotLmtp; p?: Postfix } | undefined {
  let reason: string | undefined;
  if (swaksMissing !== undefined) reason = `${swaksMissing} is not installed`;
  else if ('skip' in dovecot) reason = dovecot.skip;
  else if (need.postfix && postfix !== undefined && 'skip' in postfix) reason = postfix.skip;
  if (reason !== undefined || 'skip' in dovecot) {
    t.skip(reason);
    return undefined;
  }
  return { d: dovecot, p: postfix && !('skip' in postfix) ? postfix : undefined };
}

/**
 * Sends a message with `marker` in its subject and body from a@sender.example to `to` with
 * swaks, over SMTP or LMTP to 127.0.0.1:`port`; fails the test unless every reply was positive.
 */
async function swaks(protocol: 'SMTP' | 'LMTP', port: number, to: string, marker: string): Promise<void> {
  const r = await runProgram('swaks', [
    ...['--hide-informational', '--suppress-data', '--protocol', protocol],
    ...['--server', '127.0.0.1', '--port', String(port), '--from', 'a@sender.example', '--to', to],
    ...['--header', `Subject: ${marker}`, '--body', `body ${marker}`],
  ]);
  assert.equal(r.code, 0, `swaks failed:\n${r.out}`);
}

/** The messages in one Maildir folder's new/ that contain `marker`. */
function inFolder(maildir: string, folder: string, marker: string): string[] {
  const dir = join(maildir, folder === 'INBOX' ? '' : `.${folder}`, 'new');
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.map((n) => readFileSync(join(dir, n), 'latin1')).filter((m) => m.includes(marker));
}

/** The first message at the sink that contains `marker`; rejects after 20 s. */
async function atSink(marker: string): Promise<SinkMessage> {
  for (let n = 1; ; n++) {
    const all = await sink.waitFor(n, 20_000);
    const found = all.find((m) => m.raw.includes(marker));
    if (found) return found;
    n = all.length;
  }
}

test('Postfix hands mail for a local domain to the LMTP server, which puts it into the Maildir', async (t) => {
  const x = peers(t, { postfix: true });
  if (!x?.p) return;
  const marker = randomUUID();
  await swaks('SMTP', x.p.smtpPort, 'bob@example.org', marker);
  await x.p.waitQueueEmpty(20_000);
  const got = inFolder(x.d.maildir('bob@example.org'), 'INBOX', marker);
  assert.equal(got.length, 1, `not in bob's INBOX; Postfix log:\n${x.p.log()}`);
  assert.match(got[0]!, /^Return-Path: <a@sender\.example>\r?\n/);
  assert.match(
    x.p.log(),
    new RegExp(`to=<bob@example\\.org>, relay=127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:${x.d.lmtpPort}`),
  );
});

test('Postfix relays mail for other domains to the sink, envelope and body intact', async (t) => {
  const x = peers(t, { postfix: true });
  if (!x?.p) return;
  const marker = randomUUID();
  await swaks('SMTP', x.p.smtpPort, 'carol@remote.example', marker);
  const m = await atSink(marker);
  assert.equal(m.from, 'a@sender.example');
  assert.deepEqual(m.to, ['carol@remote.example']);
  assert.match(m.raw.toString('latin1'), new RegExp(`\r\n\r\nbody ${marker}\r\n`));
});

test('a sink that answers 451 makes Postfix defer and retry, and the mail arrives once it accepts', async (t) => {
  const x = peers(t, { postfix: true });
  if (!x?.p) return;
  const marker = randomUUID();
  sink.refuse(451, '4.3.2 sink says later', 'dave@remote.example');
  try {
    await swaks('SMTP', x.p.smtpPort, 'dave@remote.example', marker);
    // Deferred, not bounced: the message stays queued with the sink's reply as the reason.
    for (let i = 0; ; i++) {
      const q = await x.p.queue();
      const reason = q
        .flatMap((m) => m.recipients)
        .find((r) => r.address === 'dave@remote.example')?.delay_reason;
      if (reason?.includes('4.3.2 sink says later')) break;
      assert.ok(i < 200, `never deferred by the sink:\n${JSON.stringify(q)}\n${x.p.log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(
      sink.messages.some((m) => m.raw.includes(marker)),
      false,
    );
  } finally {
    sink.refuse(null, null, 'dave@remote.example');
  }
  await x.p.flush();
  const m = await atSink(marker);
  assert.deepEqual(m.to, ['dave@remote.example']);
  await x.p.waitQueueEmpty(20_000);
});

test('Pigeonhole: fileinto :create puts the message into .Work, and IMAP lists the folder', async (t) => {
  const x = peers(t, {});
  if (!x) return;
  const user = 'erin@example.org';
  await x.d.setScript(user, 'require ["fileinto", "mailbox"];\nfileinto :create "Work";\n');
  const marker = randomUUID();
  await swaks('LMTP', x.d.lmtpPort, user, marker);
  assert.equal(inFolder(x.d.maildir(user), 'Work', marker).length, 1, x.d.log());
  assert.deepEqual(inFolder(x.d.maildir(user), 'INBOX', marker), []);

  const out = await python(`
import imaplib, json
c = imaplib.IMAP4('127.0.0.1', ${x.d.imapPort})
c.login(${JSON.stringify(user)}, ${JSON.stringify(x.d.password)})
typ, boxes = c.list()
typ, n = c.select('Work', readonly=True)
typ, hits = c.search(None, 'SUBJECT', ${JSON.stringify(marker)})
print(json.dumps({'boxes': [b.decode() for b in boxes], 'hits': len(hits[0].split())}))
c.logout()
`);
  const r = JSON.parse(out) as { boxes: string[]; hits: number };
  assert.ok(
    r.boxes.some((b) => b.endsWith(' Work') || b.endsWith(' "Work"')),
    `LIST: ${r.boxes.join(', ')}`,
  );
  assert.equal(r.hits, 1);
});

test('Pigeonhole: redirect goes to the sink with the original envelope sender', async (t) => {
  const x = peers(t, {});
  if (!x) return;
  const user = 'frank@example.org';
  await x.d.setScript(user, 'redirect "x@remote.example";\n');
  const marker = randomUUID();
  await swaks('LMTP', x.d.lmtpPort, user, marker);
  const m = await atSink(marker);
  assert.equal(m.from, 'a@sender.example');
  assert.deepEqual(m.to, ['x@remote.example']);
  // Redirect cancels the implicit keep (RFC 5228 §4.2).
  assert.deepEqual(inFolder(x.d.maildir(user), 'INBOX', marker), []);
});

test('Dovecot delivers into and serves a mail tree it was given, and leaves it when stopped', async (t) => {
  const x = peers(t, {});
  if (!x) return;
  const tree = mkdtempSync(join(tmpdir(), 'sievert-peers-tree-'));
  try {
    chownSync(tree, x.d.uid, x.d.gid);
    const other = await startDovecotLmtp({ sinkPort: sink.port, mailRoot: tree });
    assert.ok(!('skip' in other));
    const marker = randomUUID();
    try {
      await swaks('LMTP', other.lmtpPort, 'gina@example.org', marker);
      assert.equal(other.maildir('gina@example.org'), join(tree, 'example.org', 'gina', 'Maildir'));
    } finally {
      await other.stop();
    }
    assert.equal(inFolder(join(tree, 'example.org', 'gina', 'Maildir'), 'INBOX', marker).length, 1);
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
});

test('the sink refuses a recipient with the code and text it was given, and lifts it again', async () => {
  const s = await startSink();
  try {
    s.refuse(550, '5.1.1 no such user', 'Gone@Remote.Example');
    const { connect } = await import('node:net');
    const sock = connect({ host: '127.0.0.1', port: s.port });
    sock.on('error', () => {});
    const lines: string[] = [];
    let buf = '';
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      const parts = buf.split('\r\n');
      buf = parts.pop() ?? '';
      lines.push(...parts);
    });
    const expect = async (n: number): Promise<string> => {
      for (let i = 0; lines.length < n; i++) {
        assert.ok(i < 200, `no reply ${n}: ${lines.join(' | ')}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return lines[n - 1]!;
    };
    await expect(1);
    sock.write('HELO me\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<gone@remote.example>\r\n');
    assert.equal(await expect(4), '550 5.1.1 no such user');
    sock.write('RCPT TO:<kept@remote.example>\r\n');
    assert.equal(await expect(5), '250 2.1.5 Ok');
    s.refuse(null);
    sock.write('RCPT TO:<gone@remote.example>\r\nDATA\r\n');
    assert.equal(await expect(6), '250 2.1.5 Ok');
    assert.match(await expect(7), /^354 /);
    sock.write('Subject: s\r\n\r\n..dot\r\n.\r\nQUIT\r\n');
    assert.match(await expect(8), /^250 /);
    sock.destroy();
    const [m] = await s.waitFor(1, 5000);
    assert.deepEqual(m?.to, ['kept@remote.example', 'gone@remote.example']);
    assert.equal(m?.raw.toString('latin1'), 'Subject: s\r\n\r\n.dot\r\n');
  } finally {
    await s.close();
  }
});
