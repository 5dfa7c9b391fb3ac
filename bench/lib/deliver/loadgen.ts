/**
 * The LMTP load generator: a separate node process driven over IPC by bench/deliver.ts, so
 * that its CPU is never charged to a server. It speaks LMTP (RFC 2033) itself over plain TCP:
 *
 * - each of `concurrency` connections is opened and greeted with LHLO before the clock starts,
 *   and carries many transactions (as an MTA's cached LMTP connection does);
 * - a transaction is MAIL, RCPT (one recipient), DATA written together when the server
 *   advertises PIPELINING (RFC 2920, as Postfix does), then the message, dot-stuffed (RFC 5321
 *   §4.5.2), and one reply per accepted recipient (RFC 2033 §4.2);
 * - a message counts as delivered only on its 250; anything else is an error, reported with
 *   the reply, and the transaction is reset (RSET) before the next one.
 *
 * The messages are read and dot-stuffed once, before any timing.
 */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { cpuUsage } from 'node:process';
import { LineReader } from '../../../src/net/index.js';
import { serveLoadRequests } from '../load-generator.js';

export type LoadRequest =
  | {
      op: 'deliver';
      port: number;
      /** Message files (CRLF line ends); message i is files[i % files.length]. */
      files: string[];
      /** Message i goes to recipients[i % recipients.length]. */
      recipients: string[];
      sender: string;
      concurrency: number;
      count: number;
    }
  | { op: 'exit' };

export interface LoadResult {
  /** Messages that got their 250 after DATA. */
  done: number;
  errors: number;
  wallMs: number;
  /** Octets of message data sent (before dot-stuffing) for the delivered messages. */
  octets: number;
  /** CPU of the load generator itself during the run. */
  cpuMs: number;
  /** Delivered messages per recipient, to compare with the files in each Maildir. */
  perRecipient: Record<string, number>;
  firstErrors: string[];
}

const TIMEOUT_MS = 60_000;
const MAX_REPLY_LINE = 4096;
const CRLF = Buffer.from('\r\n');
const END = Buffer.from('.\r\n');

/** The message as sent after DATA's 354: dot-stuffed, ending in CRLF, then `.` CRLF. */
function stuffed(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  // A line that begins with "." gets one more (RFC 5321 §4.5.2); lines are split at LF.
  if (raw[0] === 0x2e) parts.push(Buffer.from('.'));
  for (let i = raw.indexOf(0x0a); i !== -1; i = raw.indexOf(0x0a, i + 1)) {
    if (raw[i + 1] === 0x2e) {
      parts.push(raw.subarray(start, i + 1), Buffer.from('.'));
      start = i + 1;
    }
  }
  parts.push(raw.subarray(start));
  if (raw.length > 0 && raw[raw.length - 1] !== 0x0a) parts.push(CRLF);
  parts.push(END);
  return Buffer.concat(parts);
}

const cache = new Map<string, { raw: number; data: Buffer }>();

function message(file: string): { raw: number; data: Buffer } {
  let m = cache.get(file);
  if (m === undefined) {
    const raw = readFileSync(file);
    m = { raw: raw.length, data: stuffed(raw) };
    cache.set(file, m);
  }
  return m;
}

interface Reply {
  code: number;
  text: string;
  /** The reply as received, continuation lines joined. */
  line: string;
}

class LmtpConnection {
  private constructor(
    private readonly socket: Socket,
    private readonly reader: LineReader,
    readonly pipelining: boolean,
  ) {}

  static async open(port: number): Promise<LmtpConnection> {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setNoDelay(true);
    socket.setTimeout(TIMEOUT_MS, () => socket.destroy(new Error('LMTP timeout')));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.on('error', () => {});
    const reader = new LineReader(socket, MAX_REPLY_LINE);
    const c = new LmtpConnection(socket, reader, false);
    const greeting = await c.reply();
    if (greeting.code !== 220) throw new Error(`greeting: ${greeting.line}`);
    c.send('LHLO bench.example\r\n');
    const lhlo = await c.reply(true);
    if (lhlo.code !== 250) throw new Error(`LHLO: ${lhlo.line}`);
    const pipelining = lhlo.text.split('\n').some((l) => /^PIPELINING\b/i.test(l));
    return new LmtpConnection(socket, reader, pipelining);
  }

  send(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** One reply, its continuation lines joined by LF when `all`. */
  async reply(all = false): Promise<Reply> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.reader.readLine();
      const m = /^(\d{3})([ -])(.*)$/.exec(line);
      if (!m) throw new Error(`not an LMTP reply: ${JSON.stringify(line.slice(0, 80))}`);
      lines.push(m[3]!);
      if (m[2] === ' ') {
        const text = all ? lines.join('\n') : lines.join(' ');
        return { code: Number(m[1]), text, line: `${m[1]} ${lines.join(' ')}` };
      }
    }
  }

  /** One transaction: undefined when the recipient got its 250, the failing reply otherwise. */
  async deliver(sender: string, recipient: string, data: Buffer): Promise<string | undefined> {
    const mail = `MAIL FROM:<${sender}>\r\n`;
    const rcpt = `RCPT TO:<${recipient}>\r\n`;
    let failed: string | undefined;
    if (this.pipelining) {
      this.send(mail + rcpt + 'DATA\r\n');
      const m = await this.reply();
      const r = await this.reply();
      const d = await this.reply();
      if (m.code !== 250) failed = `MAIL: ${m.line}`;
      else if (r.code !== 250) failed = `RCPT: ${r.line}`;
      if (d.code === 354) {
        // Refused recipients and all: DATA was accepted, so the data must follow (RFC 2920 §3.1).
        this.send(data);
        const final = await this.reply();
        if (failed === undefined && final.code !== 250) failed = `after DATA: ${final.line}`;
      } else if (failed === undefined) failed = `DATA: ${d.line}`;
    } else {
      this.send(mail);
      const m = await this.reply();
      if (m.code !== 250) failed = `MAIL: ${m.line}`;
      else {
        this.send(rcpt);
        const r = await this.reply();
        if (r.code !== 250) failed = `RCPT: ${r.line}`;
        else {
          this.send('DATA\r\n');
          const d = await this.reply();
          if (d.code !== 354) failed = `DATA: ${d.line}`;
          else {
            this.send(data);
            const final = await this.reply();
            if (final.code !== 250) failed = `after DATA: ${final.line}`;
          }
        }
      }
    }
    if (failed !== undefined) {
      this.send('RSET\r\n');
      await this.reply();
    }
    return failed;
  }

  async quit(): Promise<void> {
    try {
      this.send('QUIT\r\n');
      await this.reply();
    } catch {
      // Closing anyway.
    }
    this.socket.destroy();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

async function run(r: Extract<LoadRequest, { op: 'deliver' }>): Promise<LoadResult> {
  const files = r.files.map(message);
  const connections = await Promise.all(
    Array.from({ length: r.concurrency }, () => LmtpConnection.open(r.port)),
  );
  let next = 0;
  let done = 0;
  let errors = 0;
  let octets = 0;
  const firstErrors: string[] = [];
  const perRecipient: Record<string, number> = {};
  const fail = (e: string): void => {
    errors++;
    if (firstErrors.length < 5) firstErrors.push(e);
  };
  const t0 = performance.now();
  const cpu0 = cpuUsage();
  await Promise.all(
    connections.map(async (c) => {
      while (next < r.count) {
        const i = next++;
        const m = files[i % files.length]!;
        const rcpt = r.recipients[i % r.recipients.length]!;
        try {
          const e = await c.deliver(r.sender, rcpt, m.data);
          if (e === undefined) {
            done++;
            octets += m.raw;
            perRecipient[rcpt] = (perRecipient[rcpt] ?? 0) + 1;
          } else fail(`message ${i} to ${rcpt}: ${e}`);
        } catch (e) {
          // The connection is gone: what is left goes over the other connections.
          fail(`message ${i} to ${rcpt}: ${(e as Error).message}`);
          c.destroy();
          return;
        }
      }
    }),
  );
  const wallMs = performance.now() - t0;
  const cpu = cpuUsage(cpu0);
  await Promise.all(connections.map((c) => c.quit()));
  return { done, errors, wallMs, octets, cpuMs: (cpu.user + cpu.system) / 1000, perRecipient, firstErrors };
}

serveLoadRequests<LoadRequest, LoadResult>(run, (message) => ({
  done: 0,
  errors: 1,
  wallMs: 0,
  octets: 0,
  cpuMs: 0,
  perRecipient: {},
  firstErrors: [message],
}));
