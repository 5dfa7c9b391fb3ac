import type { TlsOptions } from 'node:tls';
import type { Authenticator, UserEntry } from '../auth/types.js';
import type { Cidr, FailurePenalties, TlsMode } from '../net/index.js';
import type { Engine } from '../sieve/index.js';
import type { Quota, ScriptStore } from '../store/types.js';
import { DEFAULT_MAX_NAME_CHARACTERS } from './names.js';

/** A pino-like logger: an object of fields and a message. pino's Logger fits. */
export interface ManageSieveLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  /** Successful commands are logged here when present (one line per command is too much at info). */
  debug?(obj: object, msg?: string): void;
}

/** Every limit of the server; each has a default (see DEFAULT_LIMITS). */
export interface ManageSieveLimits {
  /** Longest command line in octets, literals not counted (8 KiB). A longer line ends the session with BYE. */
  maxLine: number;
  /**
   * Largest literal for an argument other than a script or SASL data: script names, NOOP tags
   * (1,024 octets, as much as a quoted string holds). Larger: `NO (QUOTA/MAXSIZE)`, octets skipped.
   */
  maxLiteral: number;
  /** Largest SASL initial or client response, base64 (16 KiB: OAuth bearer tokens run to several KiB). */
  maxSaslResponse: number;
  /** Longest script name in Unicode characters (128, the least RFC 5804 §1.6 lets a server allow). */
  maxScriptNameLength: number;
  /**
   * Time from connecting (or UNAUTHENTICATE) to a successful login (60 s). RFC 5804 §1.2 lets
   * this be shorter than the idle timeout. Then `BYE` and close.
   */
  preauthTimeoutMs: number;
  /**
   * Time a logged-in client may take to send its next command (30 min; RFC 5804 §1.2: an
   * autologout timer MUST be no less than 30 minutes after authentication). Then `BYE` and close.
   */
  idleTimeoutMs: number;
  /** Invalid, unknown or wrong-state commands a session may send before it ends with `BYE` (10). */
  maxBadCommands: number;
  /** Failed AUTHENTICATE commands a session may make before it ends with `BYE` (3). */
  maxAuthFailures: number;
  /** Concurrent connections (10,000). Further connections are closed at once. */
  maxConnections: number;
  /** Concurrent connections from one client address (100). */
  maxConnectionsPerAddress: number;
  /** Delay before answering a failed login: doubles with each failure from the address (1 s, up to 15 s). */
  authFailureDelayMs: number;
  authFailureMaxDelayMs: number;
  /** How long an address's failures are remembered (15 min). */
  authFailureWindowMs: number;
  /** TLS handshake, implicit or after STARTTLS (10 s). */
  handshakeTimeoutMs: number;
  /** How long a closing session waits for the client to read its last response (2 s). */
  lingerMs: number;
}

export const DEFAULT_LIMITS: Readonly<ManageSieveLimits> = Object.freeze({
  maxLine: 8192,
  maxLiteral: 1024,
  maxSaslResponse: 16384,
  maxScriptNameLength: DEFAULT_MAX_NAME_CHARACTERS,
  preauthTimeoutMs: 60_000,
  idleTimeoutMs: 30 * 60_000,
  maxBadCommands: 10,
  maxAuthFailures: 3,
  maxConnections: 10_000,
  maxConnectionsPerAddress: 100,
  authFailureDelayMs: 1_000,
  authFailureMaxDelayMs: 15_000,
  authFailureWindowMs: 15 * 60_000,
  handshakeTimeoutMs: 10_000,
  lingerMs: 2_000,
});

export interface ManageSieveOptions {
  /** `host:port` or `[v6]:port` addresses; port 0 picks a free port. */
  listen: readonly string[];
  /** `starttls` offers STARTTLS, `implicit` speaks TLS from the first byte, `plain` has no TLS. */
  tls: TlsMode;
  /** The certificate (src/net serverTlsOptions); required unless `tls` is `plain`. */
  tlsOptions?: TlsOptions;
  /** PROXY protocol from load balancers (off by default). */
  proxyProtocol?: { mode: 'off' | 'optional' | 'required'; trusted: readonly Cidr[]; waitMs?: number };
  store: ScriptStore;
  authenticator: Authenticator;
  /** PUTSCRIPT and CHECKSCRIPT validate with it; its capabilities are the SIEVE capability. */
  engine: Engine;
  /** A user's quota (0 = unlimited), or one quota for everyone. Looked up once at login. */
  quota: Quota | ((user: string, entry?: UserEntry) => Quota | Promise<Quota>);
  /** The IMPLEMENTATION capability (default `sievert`; `sievert serve` passes `sievert <version>`). */
  implementation?: string;
  /** The MAXREDIRECTS capability (default: the engine's `maxRedirects` limit). */
  maxRedirects?: number;
  /** The NOTIFY capability, sent when the engine has enotify (default `["mailto"]`). */
  notifyMethods?: readonly string[];
  /** The LANGUAGE capability (RFC 5646 tag); not sent when unset (clients then assume i-default). */
  language?: string;
  limits?: Partial<ManageSieveLimits>;
  /** Failure delays shared with other listeners; by default the server keeps its own. */
  penalties?: FailurePenalties;
  /** Default: silent. */
  logger?: ManageSieveLogger;
}

export interface ManageSieveServer {
  /** The bound addresses (useful with port 0). */
  readonly addresses: { host: string; port: number }[];
  /** Sessions running now. */
  readonly sessions: number;
  /**
   * Stops accepting, then ends every session with `BYE "Server shutting down."` (a session in
   * the middle of a command first finishes it). Sessions still open after `deadlineMs`
   * (default 10 s) are cut; a closed connection lingers at most `lingerMs` more.
   */
  close(deadlineMs?: number): Promise<void>;
}

export const silentLogger: ManageSieveLogger = { info() {}, warn() {}, error() {} };
