import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startLmtp, type LmtpServer } from '../../../src/lmtp/index.js';
import { RecordingHandler } from '../../unit/lmtp/helpers.js';
import { freePort, missingProgram, runProgram } from '../programs.js';

// swaks (a real SMTP/LMTP client) drives the LMTP server over TCP, with and without
// PIPELINING, and over a Unix socket. The handler refuses `unknown…` at RCPT and answers
// `full…` 452 after the message, so swaks must show one reply per accepted recipient.

const MESSAGE = [
  'From: sender@example.org',
  'To: bob@example.com',
  'Subject: swaks over LMTP',
  '',
  'first line',
  '.a line that starts with a dot',
  '..two dots',
  '.',
  'last line',
].join('\n');

/** What the handler must get: the lines given to swaks (which dot-stuffs them and ends the last), with CRLF. */
const EXPECTED = MESSAGE.replaceAll('\n', '\r\n') + '\r\n';

const missing = missingProgram('swaks');
const skip = missing === undefined ? false : `${missing} is not installed`;

let handler: RecordingHandler;
let server: LmtpServer;
let port: number;
let dir: string;
let socketPath: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sievert-lmtp-swaks-'));
  socketPath = join(dir, 'lmtp.sock');
  handler = new RecordingHandler();
  port = await freePort();
  server = await startLmtp(
    { listen: [`127.0.0.1:${port}`, `unix:${socketPath}`], hostname: 'lmtp.test' },
    handler,
  );
});

after(async () => {
  await server.close(2000);
  rmSync(dir, { recursive: true, force: true });
});

async function swaks(transport: string[], extra: string[] = []): Promise<string> {
  const r = await runProgram(
    'swaks',
    [
      ...transport,
      '--protocol',
      'LMTP',
      '--helo',
      'mta.test',
      '--from',
      'sender@example.org',
      '--to',
      'bob@example.com,unknown@example.com,full@example.com',
      '--data',
      '-',
      '--hide-informational',
      ...extra,
    ],
    MESSAGE,
  );
  return r.out;
}

function checkSession(out: string): void {
  assert.match(out, /LHLO mta\.test/);
  // swaks marks replies `<-` (`<~` with TLS) and errors `<**`.
  assert.match(out, /^<[-~]\s+250 2\.1\.5 Ok$/m);
  assert.match(out, /^<\*\*\s+550 5\.1\.1 User unknown$/m);
  assert.match(out, /^<[-~]\s+250 2\.0\.0 <bob@example\.com> Saved$/m);
  assert.match(out, /^<\*\*\s+452 4\.2\.2 <full@example\.com> Mailbox full$/m);
  // The dot-stuffed lines went over the wire stuffed.
  assert.match(out, /^ -> \.\.a line that starts with a dot$/m);
}

for (const [name, transport, extra] of [
  ['TCP', () => ['--server', '127.0.0.1', '--port', String(port)], []],
  ['TCP with PIPELINING', () => ['--server', '127.0.0.1', '--port', String(port)], ['--pipeline']],
  ['a Unix socket', () => ['--socket', socketPath], []],
] as const) {
  test(
    `swaks over ${name}: a refused recipient, per-recipient replies, dot-stuffed lines un-stuffed`,
    { timeout: 30_000, skip },
    async () => {
      const before = handler.deliveries.length;
      const out = await swaks(transport(), [...extra]);
      checkSession(out);
      assert.equal(handler.deliveries.length, before + 1, out);
      const d = handler.deliveries.at(-1)!;
      assert.equal(d.message.toString(), EXPECTED);
      assert.equal(d.envelope.from, 'sender@example.org');
      assert.equal(d.envelope.lhlo, 'mta.test');
      assert.deepEqual(
        d.recipients.map((r) => r.address),
        ['bob@example.com', 'full@example.com'],
      );
      // With PIPELINING swaks sends the envelope in one go, before reading any reply to it.
      if (extra.length > 0)
        assert.match(
          out,
          /^ -> MAIL FROM:.*\n -> RCPT TO:<bob@.*\n -> RCPT TO:<unknown@.*\n -> RCPT TO:<full@/m,
        );
    },
  );
}
