/**
 * A full disk, for real (issue 6, "Bad input and failures"): `sievert serve` runs in a mount
 * namespace of its own (`unshare -m`) where the mail root is a 256 KiB tmpfs, so writes fail with
 * ENOSPC exactly as on a full disk, and the rest of the machine never sees it. The test speaks
 * LMTP to it and looks at the files through the namespace (`nsenter -m`).
 *
 * What must hold: a recipient whose copies do not all fit gets 451 4.3.1 (the MTA retries), none
 * of its copies is left in any folder or in tmp/ (their space is freed at once: a later message
 * that needs it fits), other recipients are not affected, every stored file is whole (its size is
 * the S= of its name), and the same message is accepted once there is room again.
 *
 * Needs root (or CAP_SYS_ADMIN) for the namespace and the mount; skipped with the reason otherwise.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { LineReader } from '../../../src/net/index.js';
import { startSievertServe, type SievertServe } from '../managesieve/sievert-serve.js';
import { freePort, missingProgram, runProgram } from '../programs.js';

const TMPFS_SIZE = '256k';
let dir = '';
let mailRoot = '';
let lmtpPort = 0;
let sievert: SievertServe | undefined;
let skip: string | undefined;

/** Why the namespace cannot be made here, or undefined when it can. */
async function cannotMount(): Promise<string | undefined> {
  const missing = missingProgram('unshare', 'nsenter', 'mount');
  if (missing !== undefined) return `${missing} is not installed (Debian util-linux / mount)`;
  const probe = mkdtempSync(join(tmpdir(), 'sievert-mount-probe-'));
  try {
    const r = await runProgram('unshare', [
      ...['-m', '--propagation', 'private', 'mount', '-t', 'tmpfs', '-o', 'size=64k', 'probe', probe],
    ]);
    return r.code === 0 ? undefined : `cannot mount a tmpfs in a mount namespace here: ${r.out.trim()}`;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

before(async () => {
  skip = await cannotMount();
  if (skip !== undefined) return;
  dir = mkdtempSync(join(tmpdir(), 'sievert-full-disk-'));
  mailRoot = join(dir, 'mail');
  mkdirSync(mailRoot);
  lmtpPort = await freePort();
  sievert = await startSievertServe({
    dir,
    users: ['alice@example.org', 'bob@example.org'].map((user) => ({ user, password: '{PLAIN}secret' })),
    lmtpPort,
    extraToml: [
      '[lmtp]',
      `mail_location = ${JSON.stringify(`maildir:${mailRoot}/%d/%n/Maildir`)}`,
      '[smtp]',
      'relay = ""',
    ].join('\n'),
    // The tmpfs is mounted over the mail root in the server's own mount namespace.
    wrapper: [
      ...['unshare', '-m', '--propagation', 'private', 'sh', '-c'],
      `mount -t tmpfs -o size=${TMPFS_SIZE},mode=0755 sievert-full-disk "$0" && exec "$@"`,
      mailRoot,
    ],
  });
  // Alice files every message into two folders: both copies or neither. (script put only opens
  // the store, which is outside the tmpfs: it runs outside the server's namespace.)
  await sievert.putScript(
    'alice@example.org',
    'main',
    'require ["fileinto", "mailbox"];\nfileinto :create "A";\nfileinto :create "B";\n',
  );
});

after(async () => {
  // The tmpfs goes with the server's namespace.
  await sievert?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** One LMTP transaction; resolves with the reply to each recipient after DATA. */
async function lmtp(recipients: string[], message: string): Promise<string[]> {
  const s = connect({ host: '127.0.0.1', port: lmtpPort });
  s.on('error', () => {});
  const r = new LineReader(s, 1 << 16);
  const reply = async (): Promise<string> => {
    for (;;) {
      const line = await r.readLine();
      if (line.charAt(3) !== '-') return line;
    }
  };
  const send = (line: string): void => void s.write(line + '\r\n');
  try {
    assert.match(await reply(), /^220 /);
    send('LHLO test.example');
    assert.match(await reply(), /^250 /);
    send('MAIL FROM:<sender@remote.example>');
    assert.match(await reply(), /^250 /);
    for (const to of recipients) {
      send(`RCPT TO:<${to}>`);
      assert.match(await reply(), /^250 /);
    }
    send('DATA');
    assert.match(await reply(), /^354 /);
    s.write(message.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..') + '.\r\n');
    const replies: string[] = [];
    for (const _ of recipients) replies.push(await reply());
    send('QUIT');
    return replies;
  } finally {
    s.destroy();
  }
}

/** A message whose body is about `kib` KiB of text, with `marker` in its subject. */
function message(marker: string, kib: number): string {
  const line = 'x'.repeat(76) + '\n';
  return `From: sender@remote.example\nTo: someone@example.org\nSubject: ${marker}\n\n${line.repeat(Math.ceil((kib * 1024) / 77))}`;
}

/** Runs `command` in the server's mount namespace, where the tmpfs is. */
function inServerNamespace(...command: string[]): Promise<{ code: number | null; out: string }> {
  return runProgram('nsenter', ['-t', String(sievert!.pid), '-m', '--', ...command]);
}

interface StoredFile {
  /** Path below the mail root, e.g. `example.org/alice/Maildir/.A/new/…`. */
  path: string;
  size: number;
}

/** Every file under the mail root as the server sees it (inside its namespace). */
async function storedFiles(): Promise<StoredFile[]> {
  const r = await inServerNamespace('find', mailRoot, '-type', 'f', '-printf', '%s %P\\n');
  assert.equal(r.code, 0, r.out);
  return r.out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const at = l.indexOf(' ');
      return { size: Number(l.slice(0, at)), path: l.slice(at + 1) };
    });
}

/** The messages (files in new/ or cur/) of one folder whose subject line is `marker`. */
async function messagesIn(
  files: StoredFile[],
  user: string,
  folder: string,
  marker: string,
): Promise<number> {
  const [local, domain] = user.split('@') as [string, string];
  const prefix = `${domain}/${local}/Maildir/${folder === 'INBOX' ? '' : `.${folder}/`}`;
  const found = files.filter((f) =>
    new RegExp(`^${prefix.replace(/\./g, '\\.')}(new|cur)/[^/]+$`).test(f.path),
  );
  let n = 0;
  for (const f of found) {
    const r = await inServerNamespace('grep', '-c', `^Subject: ${marker}$`, join(mailRoot, f.path));
    if (r.out.trim() === '1') n++;
  }
  return n;
}

test('a full disk: 451 4.3.1 for the recipient whose copies do not fit, nothing half written, accepted once there is room', async (t) => {
  if (skip !== undefined) {
    t.skip(skip);
    return;
  }
  // Room for these: a few KiB, then 100 KiB for Bob.
  assert.deepEqual(await lmtp(['alice@example.org', 'bob@example.org'], message('small-1', 1)), [
    '250 2.0.0 alice@example.org delivered',
    '250 2.0.0 bob@example.org delivered',
  ]);
  assert.deepEqual(await lmtp(['bob@example.org'], message('big-0', 100)), [
    '250 2.0.0 bob@example.org delivered',
  ]);
  // 2 × 90 KiB for Alice do not fit in the 130-odd KiB left; the first copy would.
  const [refused] = await lmtp(['alice@example.org'], message('big-2', 90));
  assert.match(refused!, /^451 4\.3\.1 /);

  let files = await storedFiles();
  assert.equal(await messagesIn(files, 'alice@example.org', 'A', 'big-2'), 0);
  assert.equal(await messagesIn(files, 'alice@example.org', 'B', 'big-2'), 0);
  assert.deepEqual(
    files.filter((f) => /\/tmp\/[^/]+$/.test(f.path)),
    [],
    'a staged copy was left in tmp/',
  );

  // The staged copy's space is free again: 120 KiB for Bob fit only if it is.
  assert.deepEqual(await lmtp(['bob@example.org'], message('big-3', 120)), [
    '250 2.0.0 bob@example.org delivered',
  ]);
  // And Alice is still refused for as long as there is no room.
  const [again] = await lmtp(['alice@example.org'], message('big-2', 90));
  assert.match(again!, /^451 4\.3\.1 /);

  files = await storedFiles();
  assert.equal(await messagesIn(files, 'alice@example.org', 'A', 'small-1'), 1);
  assert.equal(await messagesIn(files, 'alice@example.org', 'B', 'small-1'), 1);
  for (const marker of ['small-1', 'big-0', 'big-3']) {
    assert.equal(await messagesIn(files, 'bob@example.org', 'INBOX', marker), 1, marker);
  }
  // Every stored message is whole: its size is the S= its name gives.
  const stored = files.filter((f) => /\/(new|cur)\/[^/]+$/.test(f.path));
  assert.equal(stored.length, 5, JSON.stringify(files));
  for (const f of stored) {
    const s = /,S=(\d+)/.exec(f.path);
    assert.ok(s, f.path);
    assert.equal(f.size, Number(s[1]), `${f.path} is ${f.size} octets`);
  }

  // Bob removes his big messages (the user made room): the MTA's retry for Alice now succeeds.
  for (const big of stored.filter((f) => f.path.startsWith('example.org/bob/') && f.size > 50 * 1024)) {
    const rm = await inServerNamespace('rm', join(mailRoot, big.path));
    assert.equal(rm.code, 0, rm.out);
  }
  assert.deepEqual(await lmtp(['alice@example.org'], message('big-2', 90)), [
    '250 2.0.0 alice@example.org delivered',
  ]);
  files = await storedFiles();
  assert.equal(await messagesIn(files, 'alice@example.org', 'A', 'big-2'), 1);
  assert.equal(await messagesIn(files, 'alice@example.org', 'B', 'big-2'), 1);
});
