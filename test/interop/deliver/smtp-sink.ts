/**
 * An SMTP capture sink for the delivery tests: the "rest of the Internet" that Postfix relays
 * sievert's outgoing mail to (redirect, vacation, reject, notify), and the submission host
 * Dovecot's Pigeonhole sends its redirects and vacation replies to.
 *
 * Starts: a node:net server in this process on 127.0.0.1 and a free port (no files).
 * Stopped: close() destroys open sessions and closes the server.
 *
 * It speaks just enough RFC 5321 for an MTA: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT,
 * and advertises PIPELINING, 8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531) and ENHANCEDSTATUSCODES
 * so that Postfix never has to downgrade a message. MAIL and RCPT parameters are accepted and
 * ignored. Every accepted message is kept with its envelope and exact bytes.
 */
import { createServer, type Socket } from 'node:net';
import { LineReader } from '../../../src/net/index.js';

export interface SinkMessage {
  /** The reverse-path without angle brackets; `''` for the null sender `<>`. */
  from: string;
  /** The forward-paths the sink accepted, without angle brackets, in RCPT order. */
  to: string[];
  /** The message as received: CRLF line ends, dot-stuffing undone, without the final `.`. */
  raw: Buffer;
}

export interface SmtpSink {
  port: number;
  /** Accepted messages, in the order their DATA completed. */
  readonly messages: SinkMessage[];
  /**
   * From now on, answer RCPT for `recipient` (every recipient when omitted) with `code` and
   * `text` (a default text for the code's class when null or omitted): 4xx to make the sender
   * retry, 5xx to refuse. 421 closes the session after the reply (RFC 5321 §3.8). A `code` of
   * null lifts the refusal for `recipient` (or every refusal, when omitted).
   */
  refuse(code: number | null, text?: string | null, recipient?: string): void;
  /** Resolves with the messages once at least `count` have arrived; rejects after `ms`. */
  waitFor(count: number, ms: number): Promise<SinkMessage[]>;
  close(): Promise<void>;
}

/** Longest command or text line accepted; RFC 5321 §4.5.3.1.6 asks for at least 1000 octets. */
const MAX_LINE = 1 << 20;

/** `<a@b> SIZE=1` → `a@b`; `<>` → `''`. */
function path(arg: string): string {
  const m = /^\s*<([^>]*)>/.exec(arg);
  return m ? m[1]! : (arg.trim().split(/\s+/)[0] ?? '');
}

export async function startSink(): Promise<SmtpSink> {
  const messages: SinkMessage[] = [];
  const refusals = new Map<string, string>();
  const waiters = new Set<() => void>();
  const sockets = new Set<Socket>();
  const refusalFor = (rcpt: string): string | undefined =>
    refusals.get(rcpt.toLowerCase()) ?? refusals.get('*');

  const serve = async (s: Socket): Promise<void> => {
    sockets.add(s);
    // Replies go out as written: Nagle's algorithm against the peer's delayed ACK would add
    // tens of milliseconds to every message.
    s.setNoDelay(true);
    s.on('error', () => {});
    s.once('close', () => sockets.delete(s));
    const r = new LineReader(s, MAX_LINE);
    const send = (line: string): void => void s.write(line + '\r\n');
    let from: string | undefined;
    let to: string[] = [];
    send('220 sink.test ESMTP capture sink');
    try {
      for (;;) {
        const line = await r.readLine();
        const verb = (line.split(' ')[0] ?? '').toUpperCase();
        const arg = line.slice(verb.length).trim();
        if (verb === 'EHLO') {
          send(
            ['sink.test', 'PIPELINING', '8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES', 'SIZE 104857600']
              .map((ext, i, all) => `250${i === all.length - 1 ? ' ' : '-'}${ext}`)
              .join('\r\n'),
          );
        } else if (verb === 'HELO') {
          send('250 sink.test');
        } else if (verb === 'MAIL' && /^FROM:/i.test(arg)) {
          if (from !== undefined) send('503 5.5.1 Nested MAIL command');
          else {
            from = path(arg.slice(5));
            to = [];
            send('250 2.1.0 Ok');
          }
        } else if (verb === 'RCPT' && /^TO:/i.test(arg)) {
          const rcpt = path(arg.slice(3));
          const refusal = refusalFor(rcpt);
          if (from === undefined) send('503 5.5.1 MAIL first');
          else if (refusal !== undefined) {
            send(refusal);
            if (refusal.startsWith('421')) {
              s.end();
              return;
            }
          } else {
            to.push(rcpt);
            send('250 2.1.5 Ok');
          }
        } else if (verb === 'DATA') {
          if (from === undefined || to.length === 0) {
            send('554 5.5.1 No valid recipients');
            continue;
          }
          send('354 End data with <CR><LF>.<CR><LF>');
          const parts: Buffer[] = [];
          for (;;) {
            const l = await r.readLine();
            if (l === '.') break;
            // RFC 5321 §4.5.2: the sender doubled every leading dot.
            parts.push(Buffer.from((l.startsWith('.') ? l.slice(1) : l) + '\r\n', 'latin1'));
          }
          messages.push({ from, to, raw: Buffer.concat(parts) });
          from = undefined;
          to = [];
          send(`250 2.0.0 Ok: queued as SINK${messages.length}`);
          for (const w of [...waiters]) w();
        } else if (verb === 'RSET') {
          from = undefined;
          to = [];
          send('250 2.0.0 Ok');
        } else if (verb === 'NOOP') {
          send('250 2.0.0 Ok');
        } else if (verb === 'QUIT') {
          send('221 2.0.0 Bye');
          s.end();
          return;
        } else {
          send('502 5.5.2 Command not implemented');
        }
      }
    } catch {
      s.destroy();
    }
  };

  const server = createServer((s) => void serve(s));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const a = server.address();
  const port = a && typeof a === 'object' ? a.port : 0;

  return {
    port,
    messages,
    refuse(code, text, recipient) {
      const key = recipient?.toLowerCase() ?? '*';
      if (code === null) {
        if (recipient === undefined) refusals.clear();
        else refusals.delete(key);
        return;
      }
      if (code < 400 || code > 599) throw new RangeError(`refusal code ${code} is not 4xx or 5xx`);
      const fallback = code < 500 ? '4.3.0 Try again later' : '5.7.1 Recipient refused';
      refusals.set(key, `${code} ${text ?? fallback}`);
    },
    waitFor(count, ms) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (messages.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve([...messages]);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`the sink got ${messages.length} of ${count} messages within ${ms} ms`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
