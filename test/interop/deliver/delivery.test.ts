// Delivery end to end with real peers: swaks → Postfix → sievert's LMTP → Maildir, sievert's
// redirect / vacation / reject mail → Postfix → a capture sink, Dovecot IMAP (imaplib) reading
// sievert's Maildir, the same messages and scripts through Dovecot's LMTP with Pigeonhole, and
// a SIGKILL during a burst.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { freePort, missingProgram, runProgram } from '../programs.js';
import { python } from '../proxy/dovecot.js';
import { startSievertServe, type SievertServe } from '../managesieve/sievert-serve.js';
import { startDovecotLmtp, type DovecotLmtp } from './dovecot-lmtp.js';
import { startPostfix, type Postfix } from './postfix.js';
import { startSink, type SmtpSink } from './smtp-sink.js';

const DOMAIN = 'example.org';
const USERS = ['alice', 'bob', 'dave', 'erin', 'kim'].map((n) => `${n}@${DOMAIN}`);

const missing = missingProgram('swaks', 'python3', 'dovecot');
let skip: string | false =
  missing !== undefined
    ? `${missing} is not installed`
    : process.getuid?.() !== 0
      ? 'needs root (Postfix, Dovecot)'
      : false;

let dir: string;
let mailRoot: string;
let sink: SmtpSink | undefined;
let postfix: Postfix | undefined;
let sievert: SievertServe | undefined;
let lmtpPort: number;

/** The scripts, each installed for sievert and (in the comparison) for Pigeonhole. */
const FILING = `require ["fileinto", "imap4flags", "mailbox"];
if header :contains "subject" "report" {
  fileinto :create :flags ["\\\\Flagged", "$Report"] "Work.Reports";
} elsif header :contains "subject" "draft" {
  fileinto :create "Entwürfe";
} elsif header :contains "subject" "spam" {
  addflag "\\\\Seen";
  fileinto :create "Junk";
} else {
  keep :flags "\\\\Answered";
}
`;

function sievertConfig(): string {
  return [
    '[lmtp]',
    `mail_location = ${JSON.stringify(`maildir:${mailRoot}/%d/%n/Maildir`)}`,
    'hostname = "mx.example.org"',
    '[smtp]',
    `relay = ${JSON.stringify(`127.0.0.1:${postfix?.smtpPort ?? 1}`)}`,
    'tls = "none"',
  ].join('\n');
}

/** Makes `source` the user's active script `main` in sievert. */
const putScript = (user: string, source: string): Promise<void> => sievert!.putScript(user, 'main', source);

async function swaks(args: string[]): Promise<string> {
  const r = await runProgram('swaks', ['--hide-informational', '--suppress-data', ...args]);
  assert.equal(r.code, 0, `swaks failed:\n${r.out}`);
  return r.out;
}

function viaPostfix(to: string, subject: string, from = 'sender@remote.example'): Promise<string> {
  return swaks([
    ...['--server', '127.0.0.1', '--port', String(postfix!.smtpPort), '--from', from, '--to', to],
    ...['--header', `Subject: ${subject}`, '--header', `Message-ID: <${randomUUID()}@remote.example>`],
    ...['--body', `body of ${subject}`],
  ]);
}

/** Every file of a user's Maildir that holds `marker`: folder ("" = INBOX) and file name. */
function filesWith(root: string, user: string, marker: string): { folder: string; name: string }[] {
  const [local, domain] = user.split('@') as [string, string];
  const maildir = join(root, domain, local, 'Maildir');
  const out: { folder: string; name: string }[] = [];
  let folders: string[] = [];
  try {
    folders = [
      '',
      ...readdirSync(maildir).filter((n) => n.startsWith('.') && statSync(join(maildir, n)).isDirectory()),
    ];
  } catch {
    return out;
  }
  for (const f of folders) {
    for (const sub of ['new', 'cur']) {
      let names: string[] = [];
      try {
        names = readdirSync(join(maildir, f, sub));
      } catch {
        continue;
      }
      for (const n of names) {
        if (readFileSync(join(maildir, f, sub, n), 'latin1').includes(marker))
          out.push({ folder: f, name: n });
      }
    }
  }
  return out;
}

function skipped(t: TestContext): boolean {
  if (skip) t.skip(skip);
  return skip !== false;
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'sievert-delivery-'));
  mailRoot = join(dir, 'mail');
  sink = await startSink();
  lmtpPort = await freePort();
  const pf = await startPostfix({ lmtpPort, sinkPort: sink.port, localDomains: [DOMAIN] });
  if ('skip' in pf) {
    skip = pf.skip;
    return;
  }
  postfix = pf;
  sievert = await startSievertServe({
    dir,
    users: USERS.map((user) => ({ user, password: '{PLAIN}secret' })),
    lmtpPort,
    extraToml: sievertConfig(),
  });
});

after(async () => {
  await sievert?.stop();
  await postfix?.stop();
  await sink?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('Postfix hands mail to sievert by LMTP; each message lands in the folder its script chose', async (t) => {
  if (skipped(t)) return;
  await putScript('alice@example.org', FILING);
  const marks = {
    report: `report ${randomUUID()}`,
    draft: `draft ${randomUUID()}`,
    plain: `hello ${randomUUID()}`,
  };
  for (const subject of Object.values(marks)) await viaPostfix('alice@example.org', subject);
  await postfix!.waitQueueEmpty(20_000);
  const report = filesWith(mailRoot, 'alice@example.org', marks.report);
  assert.equal(report.length, 1, postfix!.log());
  assert.equal(report[0]!.folder, '.Work.Reports');
  assert.match(report[0]!.name, /:2,F[a-z]$/, 'flagged, with the keyword letter');
  const draft = filesWith(mailRoot, 'alice@example.org', marks.draft);
  assert.deepEqual(
    draft.map((f) => f.folder),
    ['.Entw&APw-rfe'],
  );
  const plain = filesWith(mailRoot, 'alice@example.org', marks.plain);
  assert.equal(plain[0]?.folder, '');
  assert.match(plain[0].name, /:2,R$/);
  assert.match(postfix!.log(), /relay=127\.0\.0\.1\[127\.0\.0\.1\]:\d+.*status=sent \(250 2\.0\.0/);
});

test("sievert's redirect, vacation and reject go out through Postfix to the sink", async (t) => {
  if (skipped(t)) return;
  await putScript(
    'bob@example.org',
    'require ["copy", "vacation"];\nredirect :copy "carol@remote.example";\nvacation :days 1 :addresses ["bob@example.org"] "I am away.";\n',
  );
  await putScript('dave@example.org', 'require "reject";\nreject "Not accepting mail.";\n');
  const subject = `news ${randomUUID()}`;
  await swaks([
    ...['--server', '127.0.0.1', '--port', String(postfix!.smtpPort), '--from', 'frank@remote.example'],
    ...['--to', 'bob@example.org', '--header', `Subject: ${subject}`, '--header', 'To: bob@example.org'],
  ]);
  await viaPostfix('dave@example.org', `to dave ${subject}`, 'grace@remote.example');
  const all = await sink!.waitFor(3, 30_000);
  const redirected = all.find((m) => m.to.includes('carol@remote.example') && m.raw.includes(subject));
  assert.ok(redirected, 'the redirected copy');
  assert.equal(redirected.from, 'frank@remote.example', 'the original envelope sender');
  assert.match(redirected.raw.toString(), /X-Sieve-Redirected-From: bob@example\.org/);
  const vacation = all.find((m) => m.to.includes('frank@remote.example'));
  assert.ok(vacation, 'the vacation response');
  assert.equal(vacation.from, '', 'from the null sender (RFC 3834 §3.3)');
  assert.match(vacation.raw.toString(), /Auto-Submitted: auto-replied/);
  assert.match(vacation.raw.toString(), new RegExp(`Subject: Auto: ${subject}`));
  const rejection = all.find((m) => m.to.includes('grace@remote.example'));
  assert.ok(rejection, 'the rejection notice');
  assert.match(rejection.raw.toString(), /Not accepting mail\./);
  assert.equal(filesWith(mailRoot, 'bob@example.org', subject).length, 1, 'redirect :copy keeps a copy');
  assert.equal(filesWith(mailRoot, 'dave@example.org', subject).length, 0, 'reject stores nothing');
});

test('swaks over LMTP: unknown users at RCPT, ereject per recipient, a reply for each recipient', async (t) => {
  if (skipped(t)) return;
  await putScript('erin@example.org', 'require "ereject";\nereject "Erin takes no mail.";\n');
  const marker = randomUUID();
  const out = await runProgram('swaks', [
    ...['--protocol', 'LMTP', '--server', '127.0.0.1', '--port', String(lmtpPort), '--pipeline'],
    ...['--from', 'x@remote.example', '--to', 'kim@example.org,nobody@example.org,erin@example.org'],
    ...['--header', `Subject: ${marker}`],
  ]);
  // swaks marks refusals "<**".
  assert.match(out.out, /<\*\*\s+550 5\.1\.1 <nobody@example\.org>/);
  assert.match(out.out, /<-\s+250 2\.0\.0 kim@example\.org delivered/);
  assert.match(out.out, /<\*\*\s+550 5\.7\.1 Erin takes no mail\./);
  assert.equal(filesWith(mailRoot, 'kim@example.org', marker).length, 1);
  assert.equal(filesWith(mailRoot, 'erin@example.org', marker).length, 0);
});

/** Folders, subjects and flags of every message of a user, as IMAP shows them. */
async function imapView(port: number, user: string, password: string): Promise<string[]> {
  const out = await python(`
import imaplib, json, re
c = imaplib.IMAP4('127.0.0.1', ${port})
c.login(${JSON.stringify(user)}, ${JSON.stringify(password)})
rows = []
typ, boxes = c.list()
for b in boxes:
    line = b.decode()
    if '\\\\Noselect' in line: continue
    name = re.match(r'.*"[./]" "?([^"]*)"?$', line).group(1)
    typ, n = c.select('"' + name + '"', readonly=True)
    if typ != 'OK':
        rows.append(name + ' | cannot select: ' + n[0].decode())
        continue
    if int(n[0]) == 0: continue
    typ, data = c.fetch('1:*', '(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])')
    for part in data:
        if not isinstance(part, tuple): continue
        flags = sorted(f for f in re.search(r'FLAGS \\(([^)]*)\\)', part[0].decode()).group(1).split() if f != '\\\\Recent')
        subject = part[1].decode().strip().split(': ', 1)[1]
        rows.append(name + ' | ' + subject.split(' ')[0] + ' | ' + ' '.join(flags))
print(json.dumps(sorted(rows)))
c.logout()
`);
  return JSON.parse(out) as string[];
}

test("the same messages and script through Dovecot's LMTP with Pigeonhole give the same folders and flags", async (t) => {
  if (skipped(t)) return;
  let reference: DovecotLmtp | undefined;
  let served: DovecotLmtp | undefined;
  try {
    const r = await startDovecotLmtp({ sinkPort: sink!.port });
    if ('skip' in r) return t.skip(r.skip);
    reference = r;
    const user = 'kim@example.org';
    await putScript(user, FILING);
    await reference.setScript(user, FILING);
    const subjects = ['report one', 'draft two', 'spam three', 'hello four'];
    for (const s of subjects) {
      for (const port of [lmtpPort, reference.lmtpPort]) {
        await swaks([
          ...['--protocol', 'LMTP', '--server', '127.0.0.1', '--port', String(port)],
          ...['--from', 'x@remote.example', '--to', user, '--header', `Subject: ${s}`],
        ]);
      }
    }
    // Dovecot serves sievert's Maildir too, as the mail user it runs as.
    for (const p of walk(mailRoot)) chownSync(p, reference.uid, reference.gid);
    chmodSync(dir, 0o711); // mkdtemp's 0700 would keep the mail user out
    const s = await startDovecotLmtp({ sinkPort: sink!.port, mailRoot });
    if ('skip' in s) return t.skip(s.skip);
    served = s;
    const ours = await imapView(served.imapPort, user, served.password);
    const theirs = await imapView(reference.imapPort, user, reference.password);
    // Kim also got the ereject test's message in INBOX before: compare these four only.
    const mine = ours.filter((row) => subjects.some((sub) => row.includes(`| ${sub.split(' ')[0]} |`)));
    assert.deepEqual(mine, theirs, `sievert via IMAP: ${JSON.stringify(ours)}\n${served.log().slice(-3000)}`);
    assert.equal(theirs.length, 4);
  } finally {
    await served?.stop();
    await reference?.stop();
  }
});

/** The scripts of a sequence: a before-script that flags and tags, an after-script that reads the flag. */
const BEFORE = `require ["imap4flags", "editheader"];
addflag "$Checked";
addheader "X-Checked" "yes";
`;
// The personal script sees the before-script's field; it leaves the rest to the implicit keep
// (an explicit keep ends the sequence in sievert, see docs/deliver.md).
const PERSONAL = `require ["fileinto", "mailbox"];
if allof (header :contains "subject" "report", header :is "x-checked" "yes") {
  fileinto :create "Reports";
}
`;
const AFTER = `require "imap4flags";
if hasflag "$Checked" {
  addflag "\\\\Seen";
}
`;

test("before and after scripts: the same folders and flags as Pigeonhole's sieve_before / sieve_after", async (t) => {
  if (skipped(t)) return;
  const seqDir = mkdtempSync(join(tmpdir(), 'sievert-sequence-'));
  chmodSync(seqDir, 0o755); // Dovecot reads the global scripts as the mail user
  const before = join(seqDir, 'before.sieve');
  const afterScript = join(seqDir, 'after.sieve');
  writeFileSync(before, BEFORE);
  writeFileSync(afterScript, AFTER);
  const seqMail = join(seqDir, 'mail');
  let ours: SievertServe | undefined;
  let reference: DovecotLmtp | undefined;
  let served: DovecotLmtp | undefined;
  try {
    const port = await freePort();
    ours = await startSievertServe({
      dir: join(seqDir, 'sievert'),
      users: [{ user: 'kim@example.org', password: '{PLAIN}secret' }],
      lmtpPort: port,
      extraToml: [
        '[lmtp]',
        `mail_location = ${JSON.stringify(`maildir:${seqMail}/%d/%n/Maildir`)}`,
        '[sieve]',
        `before = ${JSON.stringify([before])}`,
        `after = ${JSON.stringify([afterScript])}`,
      ].join('\n'),
    });
    const r = await startDovecotLmtp({
      sinkPort: sink!.port,
      plugin: { sieve_extensions: '+editheader', sieve_before: before, sieve_after: afterScript },
    });
    if ('skip' in r) return t.skip(r.skip);
    reference = r;
    const user = 'kim@example.org';
    await ours.putScript(user, 'main', PERSONAL);
    await reference.setScript(user, PERSONAL);
    const subjects = ['report one', 'hello two'];
    for (const subject of subjects) {
      for (const p of [port, reference.lmtpPort]) {
        await swaks([
          ...['--protocol', 'LMTP', '--server', '127.0.0.1', '--port', String(p)],
          ...['--from', 'x@remote.example', '--to', user, '--header', `Subject: ${subject}`],
        ]);
      }
    }
    for (const p of walk(seqMail)) chownSync(p, reference.uid, reference.gid);
    const s = await startDovecotLmtp({ sinkPort: sink!.port, mailRoot: seqMail });
    if ('skip' in s) return t.skip(s.skip);
    served = s;
    const mine = await imapView(served.imapPort, user, served.password);
    const theirs = await imapView(reference.imapPort, user, reference.password);
    // The report: filed by the user script with the before-script's flag, the after-script not
    // run; the other: the implicit keep at the end, with both scripts' flags.
    assert.deepEqual(theirs, ['INBOX | hello | $Checked \\Seen', 'Reports | report | $Checked']);
    assert.deepEqual(mine, theirs, served.log().slice(-3000));
  } finally {
    await served?.stop();
    await reference?.stop();
    await ours?.stop();
    rmSync(seqDir, { recursive: true, force: true });
  }
});

function walk(root: string): string[] {
  const out = [root];
  for (const n of readdirSync(root)) {
    const p = join(root, n);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

/** A minimal LMTP client for the burst: one transaction per message, the 250s recorded. */
async function burst(
  port: number,
  count: number,
  onReply: (i: number, rcpt: string, line: string) => void,
  afterN: number,
  kill: () => void,
): Promise<void> {
  const s: Socket = connect(port, '127.0.0.1');
  s.setNoDelay(true);
  let buf = '';
  const lines: string[] = [];
  let wake: (() => void) | null = null;
  let closed = false;
  s.on('data', (d: Buffer) => {
    buf += d.toString('latin1');
    let i;
    while ((i = buf.indexOf('\r\n')) >= 0) {
      lines.push(buf.slice(0, i));
      buf = buf.slice(i + 2);
    }
    wake?.();
  });
  s.on('close', () => {
    closed = true;
    wake?.();
  });
  s.on('error', () => undefined);
  const next = async (): Promise<string | null> => {
    while (lines.length === 0 && !closed) await new Promise<void>((r) => (wake = r));
    return lines.shift() ?? null;
  };
  const reply = async (): Promise<string | null> => {
    for (;;) {
      const l = await next();
      if (l === null || l[3] !== '-') return l;
    }
  };
  await reply();
  s.write('LHLO burst.example\r\n');
  await reply();
  for (let i = 0; i < count && !closed; i++) {
    if (i === afterN) kill();
    s.write(
      `MAIL FROM:<x@remote.example>\r\nRCPT TO:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n`,
    );
    if (
      (await reply()) === null ||
      (await reply()) === null ||
      (await reply()) === null ||
      (await reply()) === null
    )
      break;
    s.write(`Subject: burst-${i}-end\r\n\r\n${'x'.repeat(2000)}\r\nburst-${i}-end\r\n.\r\n`);
    for (const rcpt of ['alice@example.org', 'bob@example.org']) {
      const l = await reply();
      if (l === null) break;
      onReply(i, rcpt, l);
    }
  }
  s.destroy();
}

test('SIGKILL during a burst: every recipient that got 250 has exactly its copy, none partial', async (t) => {
  if (skipped(t)) return;
  await putScript('alice@example.org', 'keep;\n');
  await putScript('bob@example.org', 'require ["fileinto", "mailbox"];\nfileinto :create "Burst";\n');
  const acked: { i: number; rcpt: string }[] = [];
  await burst(
    lmtpPort,
    400,
    (i, rcpt, line) => {
      if (line.startsWith('250')) acked.push({ i, rcpt });
    },
    150,
    () => void sievert!.crash(),
  );
  assert.ok(acked.length >= 100, `some deliveries before the kill (${acked.length})`);
  for (const { i, rcpt } of acked) {
    const files = filesWith(mailRoot, rcpt, `burst-${i}-end`);
    assert.equal(files.length, 1, `${rcpt} message ${i}: ${files.length} copies`);
    assert.equal(files[0]!.folder, rcpt.startsWith('bob') ? '.Burst' : '');
  }
  // Nothing visible is partial: every burst file in new/ ends with its end marker line.
  for (const user of ['alice', 'bob']) {
    for (const f of ['', '.Burst']) {
      const d = join(mailRoot, DOMAIN, user, 'Maildir', f, 'new');
      let names: string[] = [];
      try {
        names = readdirSync(d);
      } catch {
        continue;
      }
      for (const n of names) {
        const text = readFileSync(join(d, n), 'latin1');
        const m = /Subject: (burst-\d+-end)/.exec(text);
        if (m) assert.ok(text.endsWith(`${m[1]}\n`), `${n} is whole`);
      }
    }
  }
  // Restart on the same data for any test after this one.
  sievert = await startSievertServe({
    dir,
    users: USERS.map((user) => ({ user, password: '{PLAIN}secret' })),
    lmtpPort,
    port: sievert!.port,
    extraToml: sievertConfig(),
  });
});
