import { hostname as osHostname } from 'node:os';
import type { TlsOptions } from 'node:tls';

/** A reply line: `code enhanced text`, e.g. `{ code: 250, enhanced: '2.0.0', text: 'Ok' }` (one line). */
export interface LmtpReply {
  readonly code: number;
  /** RFC 3463 enhanced status code; its class (first digit) matches the code's. */
  readonly enhanced: string;
  readonly text: string;
}

/** What the client said about the transaction and itself. */
export interface LmtpEnvelope {
  /** MAIL FROM address without brackets; '' for the null reverse-path <>. */
  readonly from: string;
  /** MAIL FROM parameters by upper-case name (SIZE, BODY, SMTPUTF8, RET, ENVID, AUTH...), value or ''. */
  readonly fromParams: Readonly<Record<string, string>>;
  /** The LHLO name, for Received: and logs. */
  readonly lhlo: string;
  /** The client's IP address; '' on a Unix socket. */
  readonly clientAddress: string;
  /** The client's port; 0 on a Unix socket. */
  readonly clientPort: number;
  /** The session id of the log lines. */
  readonly sessionId: string;
}

export interface LmtpRecipient<R> {
  /** RCPT TO address without brackets (`postmaster` may come without a domain). */
  readonly address: string;
  /** RCPT TO parameters by upper-case name (NOTIFY, ORCPT), value or ''. */
  readonly params: Readonly<Record<string, string>>;
  /** What `recipient()` accepted it with. */
  readonly value: R;
}

export interface LmtpHandler<R> {
  /**
   * RCPT TO: accept with a value the delivery uses later, or refuse with a 4xx/5xx reply
   * (550 5.1.1 unknown user, 452 4.3.0 temporary...). A thrown error is answered 451 4.3.0.
   */
  recipient(
    address: string,
    params: Readonly<Record<string, string>>,
    envelope: LmtpEnvelope,
  ): Promise<{ value: R } | { reply: LmtpReply }>;
  /**
   * After the whole message (DATA or the last BDAT): exactly one reply per accepted recipient,
   * in RCPT order (RFC 2033 §4.2). `message` is the message octets as received, dot-unstuffed,
   * with CRLF line ends (a bare LF arrives as CRLF), never containing NUL (such a message is
   * refused 554 5.6.0 without calling deliver). A thrown error (or a wrong number of replies) is 451 4.3.0 for every
   * recipient.
   */
  deliver(
    envelope: LmtpEnvelope,
    recipients: readonly LmtpRecipient<R>[],
    message: Buffer,
  ): Promise<LmtpReply[]>;
}

/** A pino-like logger: an object of fields and a message. pino's Logger fits. */
export interface LmtpLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  /** Each command's outcome is logged here when present (a line per command is too much at info). */
  debug?(obj: object, msg?: string): void;
}

export interface LmtpOptions {
  /**
   * `host:port`, `[v6]:port` or `unix:/path` (port 0 picks a free port). A Unix socket file is
   * made with mode 0660 (the MTA connects through its group), replaces a stale socket file left
   * by a crash, and is removed on close. Default `["127.0.0.1:2424"]`.
   */
  readonly listen?: readonly string[];
  /** Named in the greeting and the LHLO reply. Default: the machine's host name. */
  readonly hostname?: string;
  /**
   * Largest message in octets (as stored: dot-unstuffed, CRLF line ends), advertised as SIZE.
   * Default 50 MiB. `SIZE=` over it is refused at MAIL with 552 5.3.4; data over it is read and
   * thrown away (never buffered past the limit) and each recipient gets 552 5.3.4.
   */
  readonly maxMessageSize?: number;
  /**
   * Accepted recipients per transaction (100; Postfix sends at most 50 by default,
   * lmtp_destination_recipient_limit). One more is answered 452 4.5.3 (RFC 5321 §4.5.3.1.10):
   * the client sends it in a later transaction.
   */
  readonly maxRecipients?: number;
  /**
   * Longest command line in octets without CRLF (4096; RFC 5321 §4.5.3.1.4 asks for at least
   * 512). A longer line is answered 500 5.5.2 and the connection closed: the rest of the line
   * cannot be told from a command. Message lines are not limited.
   */
  readonly maxLine?: number;
  /**
   * Milliseconds the client may take to send its next command or the next piece of data (5 min,
   * RFC 5321 §4.5.3.2). Then 421 4.4.2 and close.
   */
  readonly idleTimeout?: number;
  /**
   * Concurrent sessions (100). One more is greeted 421 4.3.2 and closed; past twice the limit
   * connections are dropped without a greeting.
   */
  readonly maxConnections?: number;
  /** Unknown, malformed or out-of-sequence commands a session may send (20); the last is followed by 421 4.7.0 and close. */
  readonly maxBadCommands?: number;
  /** Certificate and key (src/net serverTlsOptions); STARTTLS is offered when given. LMTP is usually local: none by default. */
  readonly tls?: TlsOptions;
  /** Default: silent. */
  readonly logger?: LmtpLogger;
}

/** The options with every default filled in. */
export interface LmtpSettings {
  readonly listen: readonly string[];
  readonly hostname: string;
  readonly maxMessageSize: number;
  readonly maxRecipients: number;
  readonly maxLine: number;
  readonly idleTimeout: number;
  readonly maxConnections: number;
  readonly maxBadCommands: number;
  readonly tls: TlsOptions | undefined;
  readonly logger: LmtpLogger;
}

export const LMTP_DEFAULTS = Object.freeze({
  listen: Object.freeze(['127.0.0.1:2424']),
  maxMessageSize: 50 * 1024 * 1024,
  maxRecipients: 100,
  maxLine: 4096,
  idleTimeout: 5 * 60_000,
  maxConnections: 100,
  maxBadCommands: 20,
});

/** RFC 5321 §4.5.3.1.4: a server must take command lines of 512 octets with CRLF. */
const MIN_LINE = 510;

export const silentLogger: LmtpLogger = { info() {}, warn() {}, error() {} };

/** Fills in defaults and checks every limit, naming the option that is wrong. */
export function lmtpSettings(o: LmtpOptions): LmtpSettings {
  const s: LmtpSettings = {
    listen: o.listen ?? LMTP_DEFAULTS.listen,
    hostname: o.hostname ?? osHostname(),
    maxMessageSize: o.maxMessageSize ?? LMTP_DEFAULTS.maxMessageSize,
    maxRecipients: o.maxRecipients ?? LMTP_DEFAULTS.maxRecipients,
    maxLine: o.maxLine ?? LMTP_DEFAULTS.maxLine,
    idleTimeout: o.idleTimeout ?? LMTP_DEFAULTS.idleTimeout,
    maxConnections: o.maxConnections ?? LMTP_DEFAULTS.maxConnections,
    maxBadCommands: o.maxBadCommands ?? LMTP_DEFAULTS.maxBadCommands,
    tls: o.tls,
    logger: o.logger ?? silentLogger,
  };
  const positive = [
    'maxMessageSize',
    'maxRecipients',
    'idleTimeout',
    'maxConnections',
    'maxBadCommands',
  ] as const;
  for (const k of positive) {
    const v = s[k];
    if (!Number.isSafeInteger(v) || v < 1)
      throw new RangeError(`lmtp ${k} must be a positive integer, got ${String(v)}`);
  }
  if (!Number.isSafeInteger(s.maxLine) || s.maxLine < MIN_LINE)
    throw new RangeError(`lmtp maxLine must be an integer of at least ${MIN_LINE}, got ${String(s.maxLine)}`);
  if (s.listen.length === 0) throw new RangeError('lmtp listen needs at least one address');
  if (!/^[\x21-\x7e]+$/.test(s.hostname))
    throw new RangeError(
      `lmtp hostname must be printable ASCII without spaces, got ${JSON.stringify(s.hostname)}`,
    );
  return s;
}

/** A running LMTP server. */
export interface LmtpServer {
  /** Bound addresses as `host:port`, `[v6]:port` or `unix:/path` (useful with port 0). */
  readonly addresses: string[];
  /** Sessions running now. */
  readonly sessions: number;
  /**
   * Stops accepting, then ends each session with 421 4.3.2 once it waits for a command (a
   * transaction being received or delivered finishes first). Sessions still open after
   * `deadlineMs` (default 10 s) are cut; nothing is delivered for a cut transaction.
   */
  close(deadlineMs?: number): Promise<void>;
}
