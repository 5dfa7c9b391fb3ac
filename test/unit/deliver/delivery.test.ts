// Delivery for one recipient: scripts from the store run, their result carried out into a real
// Maildir in a temporary folder, outgoing messages handed to a recording relay.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { pino } from 'pino';
import { StoreUserSource } from '../../../src/auth/index.js';
import { Delivery, type DeliveryOptions, type GlobalScript, type Relay } from '../../../src/deliver/index.js';
import type { RelayMail, RelayOutcome } from '../../../src/deliver/relay.js';
import { MAX_LOOKUP_ROUNDS } from '../../../src/deliver/lookups.js';
import { createEngine } from '../../../src/sieve/index.js';
import { openStore, type ScriptStore } from '../../../src/store/index.js';

const engine = createEngine();
const silent = pino({ level: 'silent' });

class RecordingRelay implements Relay {
  sent: RelayMail[] = [];
  answer: RelayOutcome = { ok: true };
  send(mails: readonly RelayMail[]): Promise<RelayOutcome[]> {
    if (this.answer.ok) this.sent.push(...mails);
    return Promise.resolve(mails.map(() => this.answer));
  }
}

const MESSAGE = Buffer.from(
  'From: Carol <carol@example.net>\r\nTo: alice@example.org\r\nSubject: Hello\r\n' +
    'Message-ID: <m1@example.net>\r\n\r\nHi Alice.\r\n',
);

let dir: string;
let store: ScriptStore;
let relay: RecordingRelay;

function delivery(options: Partial<DeliveryOptions> = {}, withRelay = true): Delivery {
  return new Delivery(
    {
      mailLocation: `maildir:${dir}/mail/%d/%n`,
      hostname: 'mx.example.org',
      maildir: { fsync: false },
      ...options,
    },
    { store, users: new StoreUserSource(store), engine, relay: withRelay ? relay : null, logger: silent },
  );
}

async function activate(source: string, user = 'alice@example.org'): Promise<void> {
  await store.putScript(user, 'main', Buffer.from(source), {
    maxScripts: 0,
    maxScriptSize: 0,
    maxStorage: 0,
  });
  await store.setActive(user, 'main');
}

/** The messages of a folder ("" for INBOX), new/ and cur/ together: file name and text. */
function folder(name = '', user = 'alice'): { file: string; text: string }[] {
  const root = join(dir, 'mail', 'example.org', user, name === '' ? '' : `.${name}`);
  const out: { file: string; text: string }[] = [];
  for (const sub of ['new', 'cur']) {
    let files: string[] = [];
    try {
      files = readdirSync(join(root, sub));
    } catch {
      continue;
    }
    for (const f of files) out.push({ file: f, text: readFileSync(join(root, sub, f), 'utf8') });
  }
  return out;
}

function tmpFiles(name = ''): string[] {
  try {
    return readdirSync(join(dir, 'mail', 'example.org', 'alice', name === '' ? '' : `.${name}`, 'tmp'));
  } catch {
    return [];
  }
}

async function deliverTo(
  d: Delivery,
  address = 'alice@example.org',
  from: string | null = 'carol@example.net',
) {
  const r = await d.resolve(address);
  assert.ok(r, `${address} resolves`);
  const [reply] = await d.deliver(
    { from, lhlo: 'mta.example.org', clientAddress: '127.0.0.1' },
    [r],
    MESSAGE,
  );
  return reply!;
}

describe('delivery', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sievert-deliver-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(async () => {
    rmSync(join(dir, 'mail'), { recursive: true, force: true });
    store = await openStore(`sqlite:${join(dir, `db-${Math.random()}`)}`);
    await store.addUser({ name: 'alice@example.org', password: '{PLAIN}x', quota: {} });
    await store.addUser({ name: 'bob', password: '{PLAIN}x', quota: {} });
    relay = new RecordingRelay();
  });

  test('without a script the message is kept in INBOX with trace fields on top', async () => {
    const reply = await deliverTo(delivery());
    assert.equal(reply.code, 250);
    const [m] = folder();
    assert.ok(m);
    assert.match(
      m.text,
      /^Return-Path: <carol@example\.net>\nDelivered-To: alice@example\.org\nReceived: from mta\.example\.org/,
    );
    assert.ok(m.text.endsWith('Subject: Hello\nMessage-ID: <m1@example.net>\n\nHi Alice.\n'));
  });

  test('a recipient resolves by address, by local part, and without its detail', async () => {
    const d = delivery();
    assert.equal((await d.resolve('alice+lists@example.org'))?.user, 'alice@example.org');
    assert.equal((await d.resolve('alice+lists@example.org'))?.detail, 'lists');
    assert.equal((await d.resolve('bob@anywhere.example'))?.user, 'bob');
    assert.equal(await d.resolve('nobody@example.org'), null);
    assert.equal(await delivery({ userLookup: ['%u'] }).resolve('bob@anywhere.example'), null);
    assert.equal(await delivery({ recipientDelimiter: '' }).resolve('alice+lists@example.org'), null);
  });

  test('fileinto :create files with flags; a missing folder without :create keeps in INBOX', async () => {
    await activate(
      'require ["fileinto", "imap4flags", "mailbox"];\n' +
        'fileinto :create :flags ["\\\\Seen", "$Work"] "Work";\nfileinto "Missing";\n',
    );
    assert.equal((await deliverTo(delivery())).code, 250);
    const [work] = folder('Work');
    assert.ok(work, 'stored in .Work');
    assert.match(work.file, /:2,S[a-z]+$/);
    assert.equal(folder('Missing').length, 0);
    assert.equal(folder().length, 1, 'the copy for the missing folder is in INBOX');

    rmSync(join(dir, 'mail'), { recursive: true, force: true });
    assert.equal((await deliverTo(delivery({ missingMailbox: 'create' }))).code, 250);
    assert.equal(folder('Missing').length, 1, 'missing_mailbox = "create"');
  });

  test('two stores into one folder are one copy', async () => {
    await activate('require ["fileinto"];\nfileinto "INBOX";\nkeep;\n');
    await deliverTo(delivery());
    assert.equal(folder().length, 1);
  });

  test('a copy that falls back to INBOX and a keep are one copy, whatever their order', async () => {
    await activate('require ["fileinto"];\nfileinto "Missing";\nkeep;\n');
    await deliverTo(delivery());
    assert.equal(folder().length, 1, 'fileinto then keep');
    rmSync(join(dir, 'mail'), { recursive: true, force: true });
    await activate('require ["fileinto"];\nkeep;\nfileinto "Missing";\n');
    await deliverTo(delivery());
    assert.equal(folder().length, 1, 'keep then fileinto');
  });

  test('a folder name leaving the Maildir is refused and the message kept', async () => {
    await activate('require ["fileinto", "mailbox"];\nfileinto :create "../../escape";\n');
    assert.equal((await deliverTo(delivery())).code, 250);
    assert.equal(folder().length, 1);
    assert.deepEqual(
      readdirSync(join(dir, 'mail')).filter((n) => n !== 'example.org'),
      [],
      'nothing written outside',
    );
  });

  test('redirect goes to the relay with the loop-control field; a relay down is 451 and nothing stored', async () => {
    await activate('redirect "dave@example.com";\n');
    assert.equal((await deliverTo(delivery())).code, 250);
    assert.equal(relay.sent.length, 1);
    assert.equal(relay.sent[0]!.to, 'dave@example.com');
    assert.equal(relay.sent[0]!.from, 'carol@example.net');
    assert.match(
      relay.sent[0]!.raw.toString(),
      /^X-Sieve-Redirected-From: alice@example\.org\r\nFrom: Carol/,
    );
    assert.equal(folder().length, 0, 'redirect cancels the implicit keep');

    await activate('require "copy";\nredirect :copy "dave@example.com";\n');
    relay.answer = { ok: false, temporary: true, text: 'relay: connection refused' };
    const reply = await deliverTo(delivery());
    assert.equal(reply.code, 451);
    assert.equal(folder().length, 0, 'the kept copy is not made visible');
    assert.deepEqual(tmpFiles(), [], 'nor left in tmp/');
  });

  test('a redirect the relay refuses for good is kept instead (RFC 5228 §2.10.6)', async () => {
    await activate('redirect "nobody@example.com";\n');
    relay.answer = { ok: false, temporary: false, text: 'relay: 550 no such user' };
    assert.equal((await deliverTo(delivery())).code, 250);
    assert.equal(folder().length, 1);
  });

  test('a redirect :copy the relay refuses for good leaves one copy in INBOX, not two', async () => {
    await activate('require "copy";\nredirect :copy "nobody@example.com";\n');
    relay.answer = { ok: false, temporary: false, text: 'relay: 550 no such user' };
    assert.equal((await deliverTo(delivery())).code, 250);
    assert.equal(folder().length, 1);
  });

  test('a message redirected by this user before is kept, not sent again', async () => {
    await activate('redirect "dave@example.com";\n');
    const d = delivery();
    const r = (await d.resolve('alice@example.org'))!;
    const looped = Buffer.concat([Buffer.from('X-Sieve-Redirected-From: alice@example.org\r\n'), MESSAGE]);
    const [reply] = await d.deliver({ from: 'carol@example.net' }, [r], looped);
    assert.equal(reply!.code, 250);
    assert.equal(relay.sent.length, 0);
    assert.equal(folder().length, 1);
  });

  test('without a relay a redirect is kept', async () => {
    await activate('redirect "dave@example.com";\n');
    assert.equal((await deliverTo(delivery({}, false))).code, 250);
    assert.equal(folder().length, 1);
  });

  test('vacation answers once per period, remembered in the store', async () => {
    await activate('require "vacation";\nvacation :days 3 :addresses ["alice@example.org"] "Away.";\n');
    const d = delivery();
    await deliverTo(d);
    await deliverTo(d);
    assert.equal(relay.sent.length, 1, 'one response');
    const reply = relay.sent[0]!;
    assert.equal(reply.to, 'carol@example.net');
    assert.equal(reply.from, null);
    assert.match(reply.raw.toString(), /Subject: Auto: Hello/);
    assert.match(reply.raw.toString(), /Auto-Submitted: auto-replied/);
    assert.match(reply.raw.toString(), /In-Reply-To: <m1@example\.net>/);
    assert.equal(folder().length, 2, 'both messages kept');
  });

  test('no vacation response to the null sender', async () => {
    await activate('require "vacation";\nvacation "Away.";\n');
    await deliverTo(delivery(), 'alice@example.org', null);
    assert.equal(relay.sent.length, 0);
  });

  test('ereject refuses the recipient with 550 5.7.1 and stores nothing', async () => {
    await activate('require "ereject";\nereject "No thanks.";\n');
    const reply = await deliverTo(delivery());
    assert.deepEqual(reply, { code: 550, enhanced: '5.7.1', text: 'No thanks.' });
    assert.equal(folder().length, 0);
  });

  test('reject sends a notice to the sender and answers 250', async () => {
    await activate('require "reject";\nreject "Go away.";\n');
    const reply = await deliverTo(delivery());
    assert.equal(reply.code, 250);
    assert.equal(relay.sent.length, 1);
    assert.equal(relay.sent[0]!.to, 'carol@example.net');
    assert.equal(relay.sent[0]!.from, null);
    assert.equal(folder().length, 0);
  });

  test('a script that does not compile keeps the message and tells the user once per version', async () => {
    await activate('if true { fileinto "x"; }\n');
    const d = delivery();
    await deliverTo(d);
    await deliverTo(d);
    const inbox = folder();
    const notices = inbox.filter((m) => /Subject: Sieve script error: main/.test(m.text));
    assert.equal(notices.length, 1, 'one notice');
    assert.match(notices[0]!.text, /main:1:/);
    assert.equal(inbox.length, 3, 'two messages and one notice');
    await activate('if true { fileinto "y"; }\n');
    await deliverTo(d);
    assert.equal(
      folder().filter((m) => /Sieve script error/.test(m.text)).length,
      2,
      'a new version notifies again',
    );
  });

  test('editheader changes are in the stored copy', async () => {
    await activate('require "editheader";\naddheader "X-Filed" "yes";\ndeleteheader "Subject";\n');
    await deliverTo(delivery());
    const [m] = folder();
    assert.match(m!.text, /X-Filed: yes\n/);
    assert.doesNotMatch(m!.text, /Subject:/);
  });

  test('duplicate is remembered across deliveries', async () => {
    await activate(
      'require ["duplicate", "fileinto", "mailbox"];\nif duplicate { fileinto :create "Dups"; }\n',
    );
    const d = delivery();
    await deliverTo(d);
    await deliverTo(d);
    assert.equal(folder().length, 1);
    assert.equal(folder('Dups').length, 1);
  });

  test("include loads the user's other scripts from the store", async () => {
    await store.putScript('alice@example.org', 'lib', Buffer.from('require "fileinto";\nfileinto "Lib";\n'), {
      maxScripts: 0,
      maxScriptSize: 0,
      maxStorage: 0,
    });
    await activate('require ["include"];\ninclude "lib";\n');
    await deliverTo(delivery({ missingMailbox: 'create' }));
    assert.equal(folder('Lib').length, 1);
  });

  test('a chain of includes deeper than the lookup rounds still runs', async () => {
    const quota = { maxScripts: 0, maxScriptSize: 0, maxStorage: 0 };
    for (let i = 1; i <= 6; i++) {
      const body =
        i < 6 ? `require "include";\ninclude "lib${i + 1}";\n` : 'require "fileinto";\nfileinto "Deep";\n';
      await store.putScript('alice@example.org', `lib${i}`, Buffer.from(body), quota);
    }
    await activate('require "include";\ninclude "lib1";\n');
    await deliverTo(delivery({ missingMailbox: 'create' }));
    assert.equal(folder('Deep').length, 1);
    assert.equal(folder().length, 0);
  });

  test('questions that depend on earlier answers: fetched for MAX_LOOKUP_ROUNDS runs, then unknown reads as absent', async () => {
    // One delivery marks k1…k4 (four independent questions: one fetch).
    await activate(
      'require "duplicate";\n' + [1, 2, 3, 4].map((i) => `if duplicate :uniqueid "k${i}" { }\n`).join(''),
    );
    await deliverTo(delivery());
    assert.equal(folder().length, 1);
    // Each nested test is asked only once the one around it is known to be true: depth n needs
    // n + 1 runs to be answered in full.
    const nested = (depth: number): string => {
      let body = 'fileinto :create "Deep";';
      for (let i = depth; i >= 1; i--) body = `if duplicate :uniqueid "k${i}" { ${body} }`;
      return `require ["duplicate", "fileinto", "mailbox"];\n${body}\n`;
    };
    await activate(nested(MAX_LOOKUP_ROUNDS - 1));
    await deliverTo(delivery());
    assert.equal(folder('Deep').length, 1, 'answered within the rounds');
    await activate(nested(MAX_LOOKUP_ROUNDS));
    await deliverTo(delivery());
    assert.equal(folder('Deep').length, 1, 'the last question was left unanswered');
    assert.equal(folder().length, 2, 'so the implicit keep');
  });

  test('global scripts: the user script runs only while the implicit keep is in force', async () => {
    const spam = compiled(
      'require "fileinto";\nif header :contains "subject" "Hello" { fileinto "Junk"; }\n',
    );
    const tag = compiled('require ["imap4flags"];\naddflag "$Seen-By-After";\n');
    await activate('require "fileinto";\nfileinto "Personal";\n');
    await deliverTo(delivery({ before: [spam], after: [tag], missingMailbox: 'create' }));
    assert.equal(folder('Junk').length, 1, 'the before-script filed it');
    assert.equal(folder('Personal').length, 0, 'so the user script did not run');
    assert.equal(folder().length, 0);

    rmSync(join(dir, 'mail'), { recursive: true, force: true });
    const keepIt = compiled('if false { discard; }\n');
    await deliverTo(delivery({ before: [keepIt], after: [keepIt], missingMailbox: 'create' }));
    assert.equal(folder('Personal').length, 1, 'the user script ran after a before-script that kept');
    assert.equal(folder().length, 0, 'and its fileinto cancelled the keep');
  });

  test('global scripts: a `keep` command lets the sequence go on, `fileinto "INBOX"` ends it (as Pigeonhole)', async () => {
    await activate('require "fileinto";\nfileinto "Personal";\n');
    await deliverTo(delivery({ before: [compiled('keep;\n')], missingMailbox: 'create' }));
    assert.equal(folder().length, 1, 'the keep command stored the message in INBOX');
    assert.equal(folder('Personal').length, 1, 'and the user script ran after it');

    rmSync(join(dir, 'mail'), { recursive: true, force: true });
    await deliverTo(
      delivery({ before: [compiled('require "fileinto";\nfileinto "INBOX";\n')], missingMailbox: 'create' }),
    );
    assert.equal(folder().length, 1, 'fileinto "INBOX" stored it');
    assert.equal(folder('Personal').length, 0, 'and ended the sequence');

    rmSync(join(dir, 'mail'), { recursive: true, force: true });
    await activate('keep;\n');
    await deliverTo(delivery({ before: [compiled('keep;\n')], after: [compiled('keep;\n')] }));
    assert.equal(folder().length, 1, 'three keeps of one sequence store one copy');
  });

  test("editheader: the site's protected fields are left alone, other edits are made", async () => {
    await activate(
      'require "editheader";\naddheader "X-Verified" "yes";\naddheader "X-Other" "1";\ndeleteheader "To";\n',
    );
    await deliverTo(delivery({ editheaderPolicy: { forbidAdd: ['X-Verified'], forbidDelete: ['to'] } }));
    const [kept] = folder();
    assert.match(kept!.text, /\nX-Other: 1\n/);
    assert.doesNotMatch(kept!.text, /X-Verified/);
    assert.match(kept!.text, /\nTo: alice@example\.org\n/, 'the protected To was not deleted');
  });

  test("a later script sees an earlier script's header edits", async () => {
    const mark = compiled('require "editheader";\naddheader "X-Spam" "yes";\n');
    await activate('require "fileinto";\nif header :is "x-spam" "yes" { fileinto "Junk"; }\n');
    await deliverTo(delivery({ before: [mark], missingMailbox: 'create' }));
    const [junk] = folder('Junk');
    assert.ok(junk, 'the user script saw the field the before-script added');
    assert.match(junk.text, /\nX-Spam: yes\n/);
    assert.equal(folder().length, 0);
  });

  test('each copy carries the message as edited when its action ran (RFC 5293 §6)', async () => {
    await activate(
      'require ["editheader", "fileinto", "mailbox"];\n' +
        'addheader "X-Early" "early";\nredirect "bob@example.net";\n' +
        'deleteheader "X-Early";\naddheader "X-Late" "late";\nfileinto :create "Later";\n',
    );
    assert.equal((await deliverTo(delivery())).code, 250);
    const sent = relay.sent[0]!.raw.toString();
    assert.match(sent, /\r\nX-Early: early\r\nFrom: Carol/);
    assert.doesNotMatch(sent, /X-Late/);
    const [later] = folder('Later');
    assert.match(later!.text, /\nX-Late: late\nFrom: Carol/);
    assert.doesNotMatch(later!.text, /X-Early/);
  });

  test("a before-script's flags go with the later scripts' stores and with the final keep", async () => {
    const seen = compiled('require "imap4flags";\naddflag "\\\\Seen";\n');
    await activate('require "fileinto";\nif header :contains "subject" "Hello" { fileinto "Sorted"; }\n');
    await deliverTo(delivery({ before: [seen], missingMailbox: 'create' }));
    const [sorted] = folder('Sorted');
    assert.match(sorted!.file, /:2,S$/, 'the user script did not ask for flags, the before-script did');

    rmSync(join(dir, 'mail'), { recursive: true, force: true });
    await activate('if false { discard; }\n');
    const flag = compiled('require "imap4flags";\nif hasflag "\\\\Seen" { addflag "\\\\Flagged"; }\n');
    await deliverTo(delivery({ before: [seen], after: [flag] }));
    const [kept] = folder();
    assert.match(kept!.file, /:2,FS$/, 'the after-script saw the flag and added its own');
  });

  test('a user name unfit for a path is refused', async () => {
    await store.addUser({ name: '../evil', password: '{PLAIN}x', quota: {} });
    const d = delivery({ userLookup: ['%n'] });
    const r = await d.resolve('../evil@example.org');
    assert.ok(r);
    const [reply] = await d.deliver({ from: '' }, [r], MESSAGE);
    assert.equal(reply!.code, 550);
  });

  test('a Maildir that cannot be written is a 4xx and nothing is half-written', async () => {
    // A file where the user's Maildir should be: every write fails.
    const root = join(dir, 'mail', 'example.org');
    rmSync(join(dir, 'mail'), { recursive: true, force: true });
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'alice'), 'not a folder');
    const reply = await deliverTo(delivery());
    assert.equal(Math.floor(reply.code / 100), 4);
    assert.deepEqual(readdirSync(root), ['alice'], 'nothing else written');
    assert.equal(readFileSync(join(root, 'alice'), 'utf8'), 'not a folder');
  });

  test('vacation :fcc files exactly the response sent, with its flags, and no trace fields (RFC 8580)', async () => {
    await activate(
      'require ["vacation", "fcc", "imap4flags", "mailbox"];\n' +
        'vacation :fcc "Sent" :create :flags ["\\\\Seen", "$Auto"] :addresses ["alice@example.org"] "Away.";\n',
    );
    assert.equal((await deliverTo(delivery())).code, 250);
    assert.equal(relay.sent.length, 1);
    const sent = folder('Sent');
    assert.equal(sent.length, 1, 'one copy in Sent');
    assert.equal(sent[0]!.text, relay.sent[0]!.raw.toString().replace(/\r\n/g, '\n'), 'the message sent');
    assert.match(sent[0]!.file, /:2,S[a-z]+$/, '\\Seen and a keyword');
    assert.equal(folder().length, 1, 'the message itself in INBOX');
  });

  test('notify :fcc files one copy of a notification to several recipients', async () => {
    await activate(
      'require ["enotify", "fcc", "mailbox"];\n' +
        'notify :fcc "Sent" :create "mailto:dave@example.com,erin@example.com";\n',
    );
    assert.equal((await deliverTo(delivery())).code, 250);
    assert.equal(relay.sent.length, 2);
    const sent = folder('Sent');
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.text, relay.sent[0]!.raw.toString().replace(/\r\n/g, '\n'));
  });

  test('a response the relay refuses for good is not filed by :fcc', async () => {
    await activate(
      'require ["vacation", "fcc", "mailbox"];\n' +
        'vacation :fcc "Sent" :create :addresses ["alice@example.org"] "Away.";\n',
    );
    relay.answer = { ok: false, temporary: false, text: 'relay: 550 no such user' };
    assert.equal((await deliverTo(delivery())).code, 250);
    assert.equal(folder('Sent').length, 0, 'no copy of a message not sent');
    assert.equal(folder().length, 1);
  });

  test('an fcc copy that cannot be filed does not stop the response or the delivery', async () => {
    await activate(
      'require ["vacation", "fcc"];\nvacation :fcc "Sent" :addresses ["alice@example.org"] "Away.";\n',
    );
    // .Sent exists (cur/) but cannot take a message (no tmp/).
    const sentDir = join(dir, 'mail', 'example.org', 'alice', '.Sent');
    mkdirSync(join(sentDir, 'cur'), { recursive: true });
    mkdirSync(join(sentDir, 'new'), { recursive: true });
    const d = delivery();
    assert.equal((await deliverTo(d)).code, 250);
    assert.equal(relay.sent.length, 1, 'the response is sent');
    assert.equal(folder().length, 1, 'the message is kept');
    assert.equal(folder('Sent').length, 0);
    await deliverTo(d);
    assert.equal(relay.sent.length, 1, 'the response period is remembered');
  });

  test('an fcc mailbox that does not exist: the copy goes to INBOX (missing_mailbox)', async () => {
    await activate(
      'require ["vacation", "fcc"];\nvacation :fcc "Sent" :addresses ["alice@example.org"] "Away.";\n',
    );
    assert.equal((await deliverTo(delivery())).code, 250);
    assert.equal(relay.sent.length, 1);
    const inbox = folder();
    assert.equal(inbox.length, 2, 'the message and the copy of the response');
    assert.equal(inbox.filter((m) => /^Auto-Submitted: auto-replied$/m.test(m.text)).length, 1);
  });

  test('special-use: fileinto :specialuse and specialuse_exists follow the configured folders (RFC 8579)', async () => {
    await activate(
      'require ["fileinto", "special-use", "mailbox", "imap4flags"];\n' +
        'if specialuse_exists "\\\\junk" { addflag "$JunkExists"; }\n' +
        'fileinto :specialuse "\\\\Junk" :create "Spam";\n',
    );
    const d = delivery({ specialUse: { '\\Junk': 'Junk', '\\Sent': 'Sent' } });
    // No Junk folder yet: the attribute is nobody's, the named mailbox is used (RFC 8579 §5).
    assert.equal((await deliverTo(d)).code, 250);
    assert.equal(folder('Spam').length, 1);
    assert.doesNotMatch(folder('Spam')[0]!.file, /:2,/, 'specialuse_exists was false');
    // With the Junk folder: the message goes there, and specialuse_exists is true.
    rmSync(join(dir, 'mail'), { recursive: true, force: true });
    for (const sub of ['cur', 'new', 'tmp'])
      mkdirSync(join(dir, 'mail', 'example.org', 'alice', '.Junk', sub), { recursive: true });
    assert.equal((await deliverTo(d)).code, 250);
    assert.equal(folder('Spam').length, 0);
    const [junk] = folder('Junk');
    assert.ok(junk, 'filed into the \\Junk folder');
    assert.match(junk.file, /:2,[a-z]+$/, 'specialuse_exists was true');
    // Without the configuration no folder has an attribute.
    rmSync(join(dir, 'mail'), { recursive: true, force: true });
    for (const sub of ['cur', 'new', 'tmp'])
      mkdirSync(join(dir, 'mail', 'example.org', 'alice', '.Junk', sub), { recursive: true });
    await deliverTo(delivery());
    assert.equal(folder('Spam').length, 1);
  });

  test('vacation :fcc :specialuse files into the configured \\Sent folder', async () => {
    await activate(
      'require ["vacation", "fcc", "special-use", "mailbox"];\n' +
        'vacation :fcc "Outbox" :specialuse "\\\\Sent" :create :addresses ["alice@example.org"] "Away.";\n',
    );
    for (const sub of ['cur', 'new', 'tmp'])
      mkdirSync(join(dir, 'mail', 'example.org', 'alice', '.Sent', sub), { recursive: true });
    assert.equal((await deliverTo(delivery({ specialUse: { '\\Sent': 'Sent' } }))).code, 250);
    assert.equal(folder('Sent').length, 1);
    assert.equal(folder('Outbox').length, 0);
  });
});

function compiled(source: string): GlobalScript {
  const { program, diagnostics } = engine.compile(source);
  assert.ok(program, JSON.stringify(diagnostics));
  return { id: 'global:test', program };
}
