// Dovecot IMAP serves what the Maildir writer wrote: folders (modified UTF-7 names, Maildir++
// hierarchy, subscriptions), flags and keywords, and the message bytes with CRLF line ends.
import assert from 'node:assert/strict';
import { chownSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Maildir } from '../../../src/deliver/maildir.js';
import { dovecotDir, startDovecotIn, type DovecotProcess } from '../dovecot-common.js';
import { freePort, missingProgram, runProgram } from '../programs.js';

const missing = missingProgram('dovecot', 'python3');
// Dovecot drops to mail_uid 65534 for the mailbox, as in the other interop tests.
const skip =
  missing !== undefined
    ? `${missing} is not installed (apt-get install dovecot-imapd)`
    : process.getuid?.() !== 0
      ? 'needs root to run a private Dovecot'
      : false;

const UID = 65534;
let dovecot: DovecotProcess | undefined;
let port: number;

/** What is delivered, by mailbox name as a script writes it; on the IMAP side by its wire name. */
const deliveries = [
  {
    mailbox: 'INBOX',
    imap: 'INBOX',
    flags: ['\\Seen', '$Label1'],
    expectFlags: ['$Label1', '\\Seen'],
    body: 'From: a@example.com\r\nSubject: inbox\r\n\r\nGrüße\r\n\r\n.leading dot\r\n',
  },
  {
    mailbox: 'Entwürfe',
    imap: 'Entw&APw-rfe',
    flags: ['\\flagged', 'Projekt', '$label1'],
    expectFlags: ['$label1', 'Projekt', '\\Flagged'],
    body: 'Subject: draft\r\n\r\nbody\r\n',
  },
  {
    mailbox: 'Work.Reports',
    imap: 'Work.Reports',
    flags: [],
    expectFlags: [],
    body: 'Subject: report\r\n\r\nno final line end',
  },
  {
    mailbox: 'inbox.Archive',
    imap: 'INBOX.Archive',
    flags: ['\\Answered', '\\Seen', '\\Draft', '\\Deleted'],
    expectFlags: ['\\Answered', '\\Deleted', '\\Draft', '\\Seen'],
    body: 'Subject: archived\r\n\r\n' + 'x'.repeat(70) + '\r\n',
  },
];

function chownTree(path: string): void {
  chownSync(path, UID, UID);
  if (statSync(path).isDirectory()) for (const name of readdirSync(path)) chownTree(join(path, name));
}

before(async () => {
  if (skip !== false) return;
  const dir = dovecotDir('sievert-maildir-imap-');
  const mail = join(dir, 'mail');
  const md = new Maildir(join(mail, 'alice'));
  await md.create('INBOX');
  const copies = [];
  for (const d of deliveries) {
    if (!md.exists(d.mailbox)) await md.create(d.mailbox);
    copies.push(await md.stage(d.mailbox, Buffer.from(d.body), d.flags));
  }
  await md.commit(copies);
  chownTree(mail);

  port = await freePort();
  writeFileSync(join(dir, 'users'), 'alice:{PLAIN}alicepw::::::\n');
  dovecot = await startDovecotIn(dir, {
    instance: `sievert-maildir-${process.pid}`,
    ports: [port],
    config: `
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
mail_location = maildir:${mail}/%u
mail_uid = ${UID}
mail_gid = ${UID}
first_valid_uid = 1
default_login_user = dovenull
default_internal_user = dovecot
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = uid=${UID} gid=${UID} home=${mail}/%u
}
service imap-login {
  inet_listener imap {
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
`,
  });
});

after(async () => {
  await dovecot?.stop();
});

const dovecotLog = (): string => dovecot?.log() ?? '';

interface Seen {
  list: string[];
  lsub: string[];
  boxes: Record<string, { flags: string; size: number; body: string }>;
}

async function imapView(): Promise<Seen> {
  const code = `
import base64, imaplib, json, re
m = imaplib.IMAP4('127.0.0.1', ${port})
m.login('alice', 'alicepw')
out = {'list': [], 'lsub': [], 'boxes': {}}
out['list'] = [l.decode('ascii') for l in m.list('""', '*')[1]]
out['lsub'] = [l.decode('ascii') for l in m.lsub('""', '*')[1]]
for name in ${JSON.stringify(deliveries.map((d) => d.imap))}:
    typ, _ = m.select('"' + name + '"', readonly=True)
    assert typ == 'OK', name
    flags = m.fetch('1', '(FLAGS)')[1][0].decode('ascii')
    size = m.fetch('1', '(RFC822.SIZE)')[1][0].decode('ascii')
    body = m.fetch('1', '(BODY.PEEK[])')[1][0][1]
    out['boxes'][name] = {'flags': re.search(r'FLAGS \\((.*?)\\)', flags).group(1), 'size': int(re.search(r'RFC822.SIZE (\\d+)', size).group(1)), 'body': base64.b64encode(body).decode('ascii')}
m.logout()
print(json.dumps(out))
`;
  const r = await runProgram('python3', ['-c', code]);
  assert.equal(r.code, 0, r.out + dovecotLog());
  return JSON.parse(r.out) as Seen;
}

test(
  'Dovecot IMAP lists the folders, flags, keywords and bytes the Maildir writer stored',
  { skip },
  async () => {
    const seen = await imapView();
    const listed = seen.list.map((l) => /"\." (.*)$/.exec(l)?.[1]);
    for (const name of ['INBOX', 'Entw&APw-rfe', 'Work.Reports', 'INBOX.Archive'])
      assert.ok(listed.includes(name), `${name} in ${seen.list.join(' | ')}`);
    // The parent of Work.Reports was not created, as Dovecot would not create it.
    assert.ok(
      seen.list.some((l) => /\\Noselect.*"\." Work$/.test(l)),
      seen.list.join(' | '),
    );
    const subscribed = seen.lsub.map((l) => /"\." (.*)$/.exec(l)?.[1]).sort();
    assert.deepEqual(subscribed, ['Entw&APw-rfe', 'INBOX.Archive', 'Work.Reports']);

    for (const d of deliveries) {
      const box = seen.boxes[d.imap];
      assert.ok(box, d.imap);
      // Every message is \Recent to the first session that sees it, wherever it was stored.
      const flags = box.flags.split(' ').filter((f) => f !== '' && f !== '\\Recent');
      assert.deepEqual(flags.sort(), [...d.expectFlags].sort(), d.imap);
      assert.equal(Buffer.from(box.body, 'base64').toString('utf8'), d.body, d.imap);
      // RFC822.SIZE comes from the W= field in the file name (the size with CRLF line ends).
      assert.equal(box.size, Buffer.byteLength(d.body), d.imap);
    }
    // Dovecot checks S= and W= against the file and logs (and renames) when they are wrong.
    assert.doesNotMatch(dovecotLog(), /(Error|Warning|Panic|Fatal):/);
  },
);
