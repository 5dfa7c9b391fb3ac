import { ConnectionClosedError, LineTooLongError, type InboundConnection } from '../net/index.js';
import { MessageBuffer, MessageDecoder } from './data.js';
import type { LmtpEnvelope, LmtpHandler, LmtpRecipient, LmtpReply, LmtpSettings } from './options.js';
import { checkMailParams, checkRcptParams, decodeUtf8, isReply, parsePath } from './syntax.js';

/** How long a closing session waits for the client to read its last reply. */
const LINGER_MS = 2_000;

interface Transaction<R> {
  envelope: LmtpEnvelope;
  recipients: LmtpRecipient<R>[];
  smtputf8: boolean;
  /** SIZE= from MAIL, to size the message buffer. */
  sizeHint: number;
  /** Set by the first BDAT: the message so far (RFC 3030: no DATA, no RCPT after it). */
  chunks?: { buffer: MessageBuffer; decoder: MessageDecoder };
}

const ENHANCED = /^[245]\.\d{1,3}\.\d{1,3}$/;

/**
 * A handler's reply as a reply line: control characters become spaces, an enhanced code that
 * does not fit the reply code becomes `x.0.0`, and a code outside `allowed` (a bug in the
 * handler) becomes 451 4.3.0, which makes the MTA try again rather than lose mail.
 */
function handlerReply(r: LmtpReply, allowed: (code: number) => boolean): { line: string; ok: boolean } {
  if (!Number.isInteger(r.code) || !allowed(r.code)) return { line: '451 4.3.0 Internal error', ok: false };
  const cls = String(r.code)[0]!;
  const enhanced =
    typeof r.enhanced === 'string' && ENHANCED.test(r.enhanced) && r.enhanced[0] === cls
      ? r.enhanced
      : `${cls}.0.0`;
  const text =
    String(r.text)
      .replace(/[^\x20-\x7e\u0080-\uffff]+/g, ' ')
      .trim() || 'Ok';
  return { line: `${r.code} ${enhanced} ${text}`, ok: true };
}

const isRefusal = (code: number): boolean => code >= 400 && code < 600;
const isFinal = (code: number): boolean => (code >= 200 && code < 300) || isRefusal(code);

/** One client connection, from the greeting to QUIT (RFC 2033, RFC 5321 §4). */
export class LmtpSession<R> {
  private lhlo: string | undefined;
  private tx: Transaction<R> | undefined;
  private badCommands = 0;
  /** Replies not yet written: pipelined commands get theirs in one write (RFC 2920 §3.2). */
  private out = '';
  private flushScheduled = false;
  /** A command is being carried out (not waiting for the client's next one). */
  private busy = false;
  private closing = false;
  private hungUp = false;
  private endReason = 'closed';
  private timer: NodeJS.Timeout | undefined;
  /** The code of the last reply, for the command's log line. */
  private lastCode = 0;

  constructor(
    private readonly s: LmtpSettings,
    private readonly handler: LmtpHandler<R>,
    private readonly conn: InboundConnection,
  ) {}

  private fields(extra: object): object {
    return { session: this.conn.id, remote: this.conn.remoteAddress, ...extra };
  }

  private send(line: string): void {
    this.lastCode = Number(line.slice(0, 3));
    this.out += line + '\r\n';
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
  }

  private flush = (): void => {
    this.flushScheduled = false;
    if (this.out === '') return;
    const s = this.conn.socket;
    if (!this.hungUp && !s.destroyed && s.writable) s.write(this.out, 'utf8');
    this.out = '';
  };

  private reply(code: number, enhanced: string, text: string): void {
    this.send(`${code} ${enhanced} ${text}`);
  }

  /** A malformed, unknown or out-of-sequence command; too many end the session. */
  private bad(code: number, enhanced: string, text: string): void {
    this.reply(code, enhanced, text);
    if (++this.badCommands >= this.s.maxBadCommands) {
      this.reply(421, '4.7.0', `${this.s.hostname} Too many errors, closing connection`);
      this.end('too-many-errors');
    }
  }

  private badReply(r: LmtpReply): void {
    if (r.code === 501 || r.code === 555) this.bad(r.code, r.enhanced, r.text);
    else this.reply(r.code, r.enhanced, r.text);
  }

  /** Ends the connection once the replies written so far are out (at most LINGER_MS later). */
  private end(reason: string): void {
    if (this.hungUp) return;
    this.endReason = reason;
    this.flush();
    this.hungUp = true;
    this.clearTimer();
    this.conn.closeAfterWrites(LINGER_MS);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Waits for the client (a command or data) under the idle timeout, replies written first. */
  private async wait<T>(read: () => Promise<T>): Promise<T> {
    if (this.conn.reader.pending === 0) this.flush();
    this.timer = setTimeout(() => {
      this.s.logger.info(this.fields({ event: 'idle-timeout' }), 'LMTP client timed out');
      this.reply(421, '4.4.2', `${this.s.hostname} Timeout, closing connection`);
      this.end('idle-timeout');
    }, this.s.idleTimeout);
    this.timer.unref();
    try {
      return await read();
    } finally {
      this.clearTimer();
    }
  }

  /** Refuses the connection (over the connection limit) with 421 and closes it. */
  refuse(text: string): void {
    this.reply(421, '4.3.2', `${this.s.hostname} ${text}`);
    this.end('refused');
  }

  /** Asks the session to end: at once when it waits for a command, else after the current one. */
  shutdown(): void {
    this.closing = true;
    if (!this.busy) {
      this.reply(421, '4.3.2', `${this.s.hostname} Service shutting down`);
      this.end('shutdown');
    }
  }

  /** Cuts the connection (the shutdown deadline has passed). */
  destroy(): void {
    this.hungUp = true;
    this.clearTimer();
    this.conn.socket.destroy();
  }

  async run(): Promise<void> {
    const log = this.s.logger;
    log.info(this.fields({ event: 'connect', tls: this.conn.secure }), 'LMTP session');
    // RFC 2033 §4.1 has the greeting of SMTP; no enhanced code in it (RFC 2034 §3).
    this.send(`220 ${this.s.hostname} LMTP ready`);
    try {
      while (!this.hungUp) {
        if (this.closing) {
          this.shutdown();
          break;
        }
        const line = await this.wait(() => this.conn.reader.readLine());
        this.busy = true;
        const verb = await this.command(line);
        this.busy = false;
        log.debug?.(this.fields({ event: 'command', command: verb, code: this.lastCode }), 'command');
      }
    } catch (e) {
      if (this.hungUp) {
        // The session was ended (timeout, shutdown) while it waited: nothing more to say.
      } else if (e instanceof LineTooLongError) {
        this.reply(500, '5.5.2', `Line too long (more than ${this.s.maxLine} octets)`);
        this.end('line-too-long');
      } else if (e instanceof ConnectionClosedError) {
        // Dropped, possibly in the middle of a message: nothing was delivered.
        this.endReason = this.busy ? 'closed-during-command' : 'closed';
      } else {
        log.error(
          this.fields({ event: 'session-error', error: (e as Error).message }),
          'LMTP session failed',
        );
        this.reply(421, '4.3.0', `${this.s.hostname} Internal error, closing connection`);
        this.end('error');
      }
    } finally {
      this.clearTimer();
      if (!this.hungUp) this.end(this.endReason);
      log.info(this.fields({ event: 'disconnect', reason: this.endReason }), 'LMTP session ended');
    }
  }

  /** Carries out one command line; returns its verb for the log. */
  private async command(line: string): Promise<string> {
    const sp = line.indexOf(' ');
    const verb = (sp < 0 ? line : line.slice(0, sp)).toUpperCase();
    const arg = sp < 0 ? '' : line.slice(sp + 1);
    switch (verb) {
      case 'LHLO':
        this.lhloCommand(arg.trim());
        break;
      case 'HELO':
      case 'EHLO':
        // RFC 2033 §4.1: an LMTP server must not accept them, so that SMTP is never spoken to it by mistake.
        this.bad(500, '5.5.1', 'This is an LMTP server: send LHLO');
        break;
      case 'MAIL':
        this.mail(arg);
        break;
      case 'RCPT':
        await this.rcpt(arg);
        break;
      case 'DATA':
        await this.data(arg);
        break;
      case 'BDAT':
        await this.bdat(arg);
        break;
      case 'RSET':
        this.tx = undefined;
        this.reply(250, '2.0.0', 'Ok');
        break;
      case 'NOOP':
        this.reply(250, '2.0.0', 'Ok');
        break;
      case 'VRFY':
        if (arg.trim() === '') this.bad(501, '5.5.4', 'Syntax: VRFY address');
        // RFC 5321 §3.5.3: 252 when the address is not verified but mail for it is accepted.
        else this.reply(252, '2.1.5', 'Cannot VRFY user, but will accept message and attempt delivery');
        break;
      case 'HELP':
        this.reply(214, '2.0.0', 'Commands: LHLO MAIL RCPT DATA BDAT RSET NOOP VRFY HELP QUIT STARTTLS');
        break;
      case 'QUIT':
        this.reply(221, '2.0.0', `${this.s.hostname} Bye`);
        this.end('quit');
        break;
      case 'STARTTLS':
        await this.startTls(arg);
        break;
      default:
        this.bad(500, '5.5.1', 'Unknown command');
        return verb.length > 16 || /[^A-Z]/.test(verb) ? '?' : verb;
    }
    return verb;
  }

  private lhloCommand(name: string): void {
    // RFC 5321 §4.1.1.1: a domain or address literal; kept as given (logs, Received:).
    if (name === '' || /[^\x21-\x7e\x80-\xff]/.test(name)) {
      this.bad(501, '5.5.4', 'Syntax: LHLO domain');
      return;
    }
    this.lhlo = decodeUtf8(name) ?? name;
    this.tx = undefined;
    const keywords = [
      'PIPELINING',
      'ENHANCEDSTATUSCODES',
      '8BITMIME',
      'SMTPUTF8',
      `SIZE ${this.s.maxMessageSize}`,
      'CHUNKING',
    ];
    if (this.conn.canStartTls) keywords.push('STARTTLS');
    this.send(`250-${this.s.hostname}`);
    keywords.forEach((k, i) => this.send(`250${i === keywords.length - 1 ? ' ' : '-'}${k}`));
  }

  private mail(arg: string): void {
    if (this.lhlo === undefined) return this.bad(503, '5.5.1', 'Send LHLO first');
    if (this.tx) return this.bad(503, '5.5.1', 'Nested MAIL command');
    const text = decodeUtf8(arg);
    if (text === undefined) return this.bad(501, '5.6.7', 'The command is not valid UTF-8');
    const m = /^FROM: ?/i.exec(text);
    if (!m) return this.bad(501, '5.5.4', 'Syntax: MAIL FROM:<address> [parameters]');
    const p = parsePath(text.slice(m[0].length), { nullPath: true, postmaster: false, badAddress: '5.1.7' });
    if (isReply(p)) return this.badReply(p);
    const refused = checkMailParams(p.params, this.s.maxMessageSize);
    if (refused) return this.badReply(refused);
    const smtputf8 = Object.hasOwn(p.params, 'SMTPUTF8');
    // RFC 6531 §3.2: without SMTPUTF8 the transaction is ASCII.
    if (p.utf8 && !smtputf8) return this.reply(553, '5.6.7', 'A non-ASCII address needs SMTPUTF8');
    this.tx = {
      envelope: {
        from: p.address,
        fromParams: p.params,
        lhlo: this.lhlo,
        clientAddress: this.conn.remoteAddress,
        clientPort: this.conn.remotePort,
        sessionId: this.conn.id,
      },
      recipients: [],
      smtputf8,
      sizeHint: Math.min(Number(p.params.SIZE ?? 0), this.s.maxMessageSize),
    };
    this.reply(250, '2.1.0', 'Ok');
  }

  private async rcpt(arg: string): Promise<void> {
    const tx = this.tx;
    if (!tx) return this.bad(503, '5.5.1', 'Need MAIL before RCPT');
    if (tx.chunks) return this.bad(503, '5.5.1', 'RCPT after BDAT');
    const text = decodeUtf8(arg);
    if (text === undefined) return this.bad(501, '5.6.7', 'The command is not valid UTF-8');
    const m = /^TO: ?/i.exec(text);
    if (!m) return this.bad(501, '5.5.4', 'Syntax: RCPT TO:<address> [parameters]');
    const p = parsePath(text.slice(m[0].length), { nullPath: false, postmaster: true, badAddress: '5.1.3' });
    if (isReply(p)) return this.badReply(p);
    const refused = checkRcptParams(p.params);
    if (refused) return this.badReply(refused);
    if (p.utf8 && !tx.smtputf8) return this.reply(553, '5.6.7', 'A non-ASCII address needs SMTPUTF8');
    if (tx.recipients.length >= this.s.maxRecipients) return this.reply(452, '4.5.3', 'Too many recipients');
    let r: { value: R } | { reply: LmtpReply };
    try {
      r = await this.handler.recipient(p.address, p.params, tx.envelope);
    } catch (e) {
      this.s.logger.error(
        this.fields({ event: 'recipient-error', recipient: p.address, error: (e as Error).message }),
        'recipient lookup failed',
      );
      return this.reply(451, '4.3.0', 'Temporary failure looking up the recipient');
    }
    if ('reply' in r) {
      const out = handlerReply(r.reply, isRefusal);
      if (!out.ok)
        this.s.logger.error(
          this.fields({ event: 'handler-error', code: r.reply.code }),
          'recipient() refused with a non-error code',
        );
      return this.send(out.line);
    }
    tx.recipients.push({ address: p.address, params: p.params, value: r.value });
    this.reply(250, '2.1.5', 'Ok');
  }

  private async data(arg: string): Promise<void> {
    const tx = this.tx;
    if (!tx) return this.bad(503, '5.5.1', 'Need MAIL command');
    if (tx.chunks) return this.bad(503, '5.5.1', 'DATA after BDAT');
    if (arg.trim() !== '') return this.bad(501, '5.5.4', 'DATA takes no argument');
    // RFC 2033 §4.2: with no successful RCPT (all refused in a pipeline), DATA MUST fail with 503.
    if (tx.recipients.length === 0) return this.reply(503, '5.5.1', 'No valid recipients');
    this.send('354 Start mail input; end with <CRLF>.<CRLF>');
    const buffer = new MessageBuffer(this.s.maxMessageSize, tx.sizeHint);
    const decoder = new MessageDecoder(buffer, true);
    const reader = this.conn.reader;
    for (;;) {
      const view = await this.wait(() => reader.peekBytes());
      const used = decoder.push(view);
      await reader.skipBytes(used < 0 ? view.length : used);
      if (used >= 0) break;
    }
    await this.finish(tx, buffer);
  }

  private async bdat(arg: string): Promise<void> {
    const m = /^(\d{1,15})( +LAST)? *$/i.exec(arg);
    if (!m) {
      // Without a size the chunk cannot be found in the stream, nor what follows it.
      this.bad(501, '5.5.4', 'Syntax: BDAT size [LAST]');
      this.reply(
        421,
        '4.5.0',
        `${this.s.hostname} Cannot resynchronize after a bad BDAT, closing connection`,
      );
      return this.end('bad-bdat');
    }
    const size = Number(m[1]);
    const last = m[2] !== undefined;
    const tx = this.tx;
    // RFC 3030 §2: a refused chunk's octets are read and thrown away, never taken for commands
    // (also chunks a pipelining client sent after one was refused).
    if (!tx || tx.recipients.length === 0) {
      await this.readChunk(size, undefined);
      return tx
        ? this.reply(503, '5.5.1', 'No valid recipients')
        : this.reply(503, '5.5.1', 'Need MAIL command');
    }
    if (!tx.chunks) {
      const buffer = new MessageBuffer(this.s.maxMessageSize, tx.sizeHint);
      tx.chunks = { buffer, decoder: new MessageDecoder(buffer, false) };
    }
    await this.readChunk(size, tx.chunks.decoder);
    if (!last) {
      if (tx.chunks.buffer.overflow) {
        // RFC 3030 §2: the transaction has failed; the client sends no more chunks of it.
        this.tx = undefined;
        return this.reply(
          552,
          '5.3.4',
          `Message size exceeds fixed maximum message size (${this.s.maxMessageSize})`,
        );
      }
      return this.reply(250, '2.0.0', `${size} octets received`);
    }
    await this.finish(tx, tx.chunks.buffer);
  }

  /** Reads exactly `size` octets into `decoder` (or nowhere), holding no more than one read's worth. */
  private async readChunk(size: number, decoder: MessageDecoder | undefined): Promise<void> {
    const reader = this.conn.reader;
    for (let left = size; left > 0;) {
      const view = await this.wait(() => reader.peekBytes());
      const take = Math.min(left, view.length);
      decoder?.push(take === view.length ? view : view.subarray(0, take));
      await reader.skipBytes(take);
      left -= take;
    }
  }

  /** The end of the message: one reply per accepted recipient, in RCPT order (RFC 2033 §4.2). */
  private async finish(tx: Transaction<R>, buffer: MessageBuffer): Promise<void> {
    this.tx = undefined;
    const n = tx.recipients.length;
    const all = (code: number, enhanced: string, text: string): string[] =>
      Array.from({ length: n }, () => `${code} ${enhanced} ${text}`);
    let lines: string[];
    if (buffer.overflow) {
      lines = all(552, '5.3.4', `Message size exceeds fixed maximum message size (${this.s.maxMessageSize})`);
    } else if (buffer.nul) {
      // NUL is not text (RFC 5322 §2.3, RFC 6152 §2): IMAP clients and MIME parsers disagree on
      // it, so it is refused rather than stored (Dovecot 2.3.19's LMTP stores it as it is).
      lines = all(554, '5.6.0', 'Message contains NUL octets');
    } else {
      try {
        const replies = await this.handler.deliver(tx.envelope, tx.recipients, buffer.message());
        if (replies.length !== n)
          throw new Error(`deliver() gave ${replies.length} replies for ${n} recipients`);
        lines = replies.map((r) => {
          const out = handlerReply(r, isFinal);
          if (!out.ok) throw new Error(`deliver() replied with code ${String(r.code)}`);
          return out.line;
        });
      } catch (e) {
        this.s.logger.error(
          this.fields({ event: 'deliver-error', error: (e as Error).message }),
          'delivery failed',
        );
        lines = all(451, '4.3.0', 'Temporary delivery failure, try again later');
      }
    }
    for (const l of lines) this.send(l);
    this.s.logger.info(
      this.fields({
        event: 'message',
        from: tx.envelope.from,
        recipients: n,
        size: buffer.size,
        replies: lines.map((l) => Number(l.slice(0, 3))),
      }),
      'LMTP transaction',
    );
  }

  private async startTls(arg: string): Promise<void> {
    if (this.conn.secure) return this.bad(503, '5.5.1', 'TLS is already active');
    if (!this.conn.canStartTls) return this.bad(502, '5.5.1', 'STARTTLS not available');
    if (arg.trim() !== '') return this.bad(501, '5.5.4', 'STARTTLS takes no argument');
    this.reply(220, '2.0.0', 'Ready to start TLS');
    this.flush();
    // RFC 3207 §4.2: everything learnt before TLS is forgotten, LHLO comes again.
    this.lhlo = undefined;
    this.tx = undefined;
    try {
      await this.conn.startTls();
    } catch (e) {
      this.s.logger.info(
        this.fields({ event: 'tls-failed', error: (e as Error).message }),
        'STARTTLS failed',
      );
      this.endReason = 'tls-failed';
      this.hungUp = true;
      this.conn.close();
    }
  }
}
