import { connect } from 'node:net';
import type { TestContext } from 'node:test';
import {
  startLmtp,
  type LmtpEnvelope,
  type LmtpHandler,
  type LmtpOptions,
  type LmtpRecipient,
  type LmtpReply,
  type LmtpServer,
} from '../../../src/lmtp/index.js';
import { dial, Peer } from '../proxy/helpers.js';

export { firstLineOrClose, Peer } from '../proxy/helpers.js';

export const HOST = 'lmtp.test';

/** One message the handler was given. */
export interface Delivery {
  envelope: LmtpEnvelope;
  recipients: LmtpRecipient<string>[];
  message: Buffer;
}

/** One log line as the server wrote it. */
export type LogEntry = { level: string; msg: string | undefined } & Record<string, unknown>;

/**
 * A handler that records what it gets. RCPT: local parts starting `unknown` are refused 550,
 * `later` 451, `boom` throws; the others are accepted with the address as the value. After the
 * message: `full…` gets 452 4.2.2, everyone else 250.
 */
export class RecordingHandler implements LmtpHandler<string> {
  readonly deliveries: Delivery[] = [];
  readonly lookups: string[] = [];
  /** Replaces the reply list (to test a handler that misbehaves). */
  override: ((rcpts: readonly LmtpRecipient<string>[]) => LmtpReply[]) | undefined;

  recipient(address: string): Promise<{ value: string } | { reply: LmtpReply }> {
    this.lookups.push(address);
    if (address.startsWith('unknown'))
      return Promise.resolve({ reply: { code: 550, enhanced: '5.1.1', text: 'User unknown' } });
    if (address.startsWith('later'))
      return Promise.resolve({ reply: { code: 451, enhanced: '4.3.0', text: 'Try later' } });
    if (address.startsWith('boom')) return Promise.reject(new Error('lookup failed'));
    return Promise.resolve({ value: address.toLowerCase() });
  }

  deliver(
    envelope: LmtpEnvelope,
    recipients: readonly LmtpRecipient<string>[],
    message: Buffer,
  ): Promise<LmtpReply[]> {
    this.deliveries.push({ envelope, recipients: [...recipients], message: Buffer.from(message) });
    try {
      if (this.override) return Promise.resolve(this.override(recipients));
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    return Promise.resolve(
      recipients.map((r) =>
        r.address.startsWith('full')
          ? { code: 452, enhanced: '4.2.2', text: `<${r.address}> Mailbox full` }
          : { code: 250, enhanced: '2.0.0', text: `<${r.address}> Saved` },
      ),
    );
  }
}

export interface TestServer {
  server: LmtpServer;
  port: number;
  handler: RecordingHandler;
  logs: LogEntry[];
  /** A connected client that has read the greeting. */
  client(): Promise<Peer>;
  /** A connected client that has read nothing yet. */
  connect(): Promise<Peer>;
  /** A client that has read the greeting and sent LHLO. */
  greeted(): Promise<Peer>;
}

/** A server on a free loopback port with a recording handler; stopped after the test. */
export async function startServer(
  t: TestContext,
  o: LmtpOptions = {},
  handler = new RecordingHandler(),
): Promise<TestServer> {
  const logs: LogEntry[] = [];
  const record =
    (level: string) =>
    (obj: object, msg?: string): void =>
      void logs.push({ level, msg, ...(obj as Record<string, unknown>) });
  const server = await startLmtp(
    {
      listen: ['127.0.0.1:0'],
      hostname: HOST,
      logger: { info: record('info'), warn: record('warn'), error: record('error'), debug: record('debug') },
      ...o,
    },
    handler,
  );
  t.after(() => server.close(1000));
  const port = Number(/:(\d+)$/.exec(server.addresses[0]!)![1]);
  const connect = async (): Promise<Peer> => {
    const c = await dial(port);
    t.after(() => c.close());
    return c;
  };
  const client = async (): Promise<Peer> => {
    const c = await connect();
    await c.expect(`220 ${HOST} LMTP ready`);
    return c;
  };
  return {
    server,
    port,
    handler,
    logs,
    connect,
    client,
    greeted: async () => {
      const c = await client();
      c.send('LHLO client.test');
      await reply(c);
      return c;
    },
  };
}

/** A client on a Unix socket. */
export function dialUnix(path: string): Promise<Peer> {
  return new Promise((resolve, reject) => {
    const s = connect(path, () => resolve(new Peer(s)));
    s.once('error', reject);
  });
}

/** Reads one whole reply (`NNN-` lines up to the `NNN ` line). */
export async function reply(c: Peer): Promise<string[]> {
  const lines: string[] = [];
  for (;;) {
    const line = await c.line();
    lines.push(line);
    if (!/^\d{3}-/.test(line)) return lines;
  }
}

/** Reads `n` single-line replies. */
export async function replies(c: Peer, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await c.line());
  return out;
}

/** Sends a command and returns its (single-line) reply. */
export async function command(c: Peer, line: string): Promise<string> {
  c.send(line);
  return c.line();
}

/** MAIL FROM and RCPT TO for each recipient, each answered 250. */
export async function envelope(c: Peer, from: string, ...to: string[]): Promise<string[]> {
  const lines = [`MAIL FROM:<${from}>`, ...to.map((r) => `RCPT TO:<${r}>`)];
  c.sendRaw(lines.map((l) => l + '\r\n').join(''));
  return replies(c, lines.length);
}
