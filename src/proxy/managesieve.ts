import type { Logger } from 'pino';
import {
  readCommand,
  quoteOrNil,
  stringValue,
  type Token,
  type InboundConnection,
  ConnectionClosedError,
  ProtocolError,
  writeLine,
  isSaslMechanism,
  serverSasl,
  type Credentials,
  buildXclient,
} from '../net/index.js';
import {
  BackendUnavailableError,
  cannotReplay,
  saslReplay,
  masterLogin,
  type MasterLogin,
  type BackendConnection,
  type ClientInfo,
  lineSummary,
} from './backend.js';
import type { ListenerConfig } from './config.js';
import {
  bridgeLoggedIn,
  proxyLogin,
  requireSecureLeg,
  xclientAttributes,
  type ProxyContext,
  type ReplayResult,
} from './session.js';

/**
 * ManageSieve (RFC 5804). Responses are `OK`, `NO` or `BYE` with an optional response code
 * in parentheses and a quoted string; the capability block is a list of quoted names and
 * values ending with `OK`.
 */

/** Attributes Dovecot's managesieve-login accepts in XCLIENT; ManageSieve does not list them. */
const sieveXclientAttributes = ['ADDR', 'PORT', 'SESSION', 'TTL'];

type SieveResponse = { status: 'OK' | 'NO' | 'BYE'; line: string } | { status: 'continue'; line: string };

/** The backend side: capability block, STARTTLS, XCLIENT, AUTHENTICATE. */
export class SieveBackend {
  capabilities = new Map<string, string>();

  constructor(private readonly be: BackendConnection) {}

  /** A full line, with any trailing `{n}` literal read into it. */
  private async line(): Promise<string> {
    let line = await this.be.readLine();
    for (let i = 0; i < 8; i++) {
      const lit = /\{(\d{1,9})\+?\}$/.exec(line);
      if (!lit) break;
      // Bounded like a line: a backend announcing a huge literal must not make us buffer it.
      if (Number(lit[1]) > this.be.reader.maxLine)
        throw new BackendUnavailableError(`backend literal too large: ${lit[1]} bytes`);
      // Relayed to the client as RFC 5804 §4 has it: a quoted string escapes only `"` and `\`,
      // anything a quoted string cannot carry (CR, LF, NUL, 8-bit) stays a literal.
      const body = (await this.be.readBytes(Number(lit[1]))).toString('latin1');
      line = line.slice(0, lit.index) + quoteOrNil(body) + (await this.be.readLine());
    }
    return line;
  }

  async response(): Promise<SieveResponse> {
    const line = await this.line();
    const m = /^(OK|NO|BYE)\b/i.exec(line);
    if (m) return { status: m[1]!.toUpperCase() as 'OK' | 'NO' | 'BYE', line };
    if (line.startsWith('"') || line.startsWith('{')) return { status: 'continue', line };
    throw new BackendUnavailableError(`unexpected ManageSieve line (${lineSummary(line)})`);
  }

  /** Reads a capability block up to its OK (greeting, CAPABILITY, after STARTTLS). */
  async capabilityBlock(): Promise<void> {
    const caps = new Map<string, string>();
    for (let i = 0; i < 256; i++) {
      const line = await this.line();
      const m = /^"([^"]*)"(?:\s+"((?:[^"\\]|\\.)*)")?\s*$/.exec(line);
      if (m) {
        caps.set(m[1]!.toUpperCase(), m[2] ?? '');
        continue;
      }
      if (/^OK\b/i.test(line)) {
        this.capabilities = caps;
        return;
      }
      throw new BackendUnavailableError(`bad ManageSieve capability line (${lineSummary(line)})`);
    }
    throw new BackendUnavailableError('ManageSieve capability block too long');
  }

  private sasl(): string[] {
    return (this.capabilities.get('SASL') ?? '').toUpperCase().split(/\s+/).filter(Boolean);
  }

  async startTls(): Promise<void> {
    if (!this.capabilities.has('STARTTLS'))
      throw new BackendUnavailableError('backend does not offer STARTTLS');
    this.be.writeLine('STARTTLS');
    const r = await this.response();
    if (r.status !== 'OK')
      throw new BackendUnavailableError(`backend refused STARTTLS (${lineSummary(r.line)})`);
    await this.be.startTls();
    // RFC 5804 §2.2: the server sends the capability block again after the handshake.
    await this.capabilityBlock();
  }

  async xclient(client: ClientInfo, ttl: number): Promise<void> {
    if (!this.capabilities.has('XCLIENT')) return;
    const line = buildXclient(xclientAttributes(client, ttl), sieveXclientAttributes);
    if (!line) return;
    this.be.writeLine(line);
    const r = await this.response();
    if (r.status !== 'OK')
      throw new BackendUnavailableError(`backend refused XCLIENT (${lineSummary(r.line)})`);
  }

  /** Replays the credentials; SASL initial responses are always allowed in ManageSieve. */
  async authenticate(creds: Credentials, master: MasterLogin | undefined): Promise<SieveResponse> {
    const { mechanism: mech, payload } = saslReplay(creds, master);
    if (!this.sasl().includes(mech)) throw cannotReplay(`backend lacks SASL ${mech}`);
    this.be.writeLine(`AUTHENTICATE "${mech}" "${payload.toString('base64')}"`);
    for (let i = 0; i < 4; i++) {
      const r = await this.response();
      if (r.status !== 'continue') return r;
      // RFC 7628 §3.2.3: answer an OAUTHBEARER error challenge with %x01; cancel anything else.
      this.be.writeLine(mech === 'OAUTHBEARER' ? '"AQ=="' : '"*"');
    }
    throw new BackendUnavailableError('backend kept sending continuations');
  }

  logout(): void {
    this.be.writeLine('LOGOUT');
  }
}

/** Runs one client session on a ManageSieve listener until bridged or closed. */
export async function runManageSieveSession(
  ctx: ProxyContext,
  listener: ListenerConfig,
  conn: InboundConnection,
  log: Logger,
): Promise<void> {
  const caps = ctx.config.capabilities.managesieve;
  const limits = { maxLiteral: ctx.config.limits.maxLiteral, maxLiterals: 4 };
  let attempts = 0;
  const send = (line: string): void => writeLine(conn.socket, line);
  const cleartextOk = (): boolean => conn.secure || caps.allow_plain_auth_without_tls;
  // RFC 5804 §1.3: client-to-server literals need no continuation.
  const noContinuation = { continueLiteral: () => {} };

  const capabilityBlock = (): void => {
    send(`"IMPLEMENTATION" ${quoteOrNil(caps.implementation)}`);
    send(`"SASL" "${cleartextOk() ? caps.auth_mechanisms.join(' ') : ''}"`);
    send(`"SIEVE" ${quoteOrNil(caps.sieve_extensions.join(' '))}`);
    // RFC 5804 §1.7: a server with enotify lists its notification methods (sieve-connect checks).
    if (caps.sieve_extensions.includes('enotify') && caps.notify_methods.length > 0)
      send(`"NOTIFY" ${quoteOrNil(caps.notify_methods.join(' '))}`);
    if (conn.canStartTls && listener.tls === 'starttls') send('"STARTTLS"');
    send('"VERSION" "1.0"');
  };

  const timer = setTimeout(() => {
    send('BYE "Disconnected for inactivity."');
    conn.close();
  }, listener.preauthTimeoutMs);
  timer.unref();

  const tryLogin = async (creds: Credentials): Promise<boolean> => {
    const outcome = await proxyLogin(ctx, conn, 'managesieve', creds, log, async (be, client) => {
      const b = new SieveBackend(be);
      await b.capabilityBlock();
      if (be.destination.protocols.managesieve!.tls === 'starttls') await b.startTls();
      requireSecureLeg(be);
      if (be.destination.forwarding === 'xclient') await b.xclient(client, ctx.config.limits.proxyTtl);
      const r = await b.authenticate(creds, masterLogin(be.destination, client));
      if (r.status === 'OK') return { ok: true, value: r.line } satisfies ReplayResult<string>;
      b.logout();
      return { ok: false, response: r.status === 'NO' ? r.line : 'NO "Authentication failed."' };
    });
    switch (outcome.kind) {
      case 'ok':
        clearTimeout(timer);
        await bridgeLoggedIn(ctx, conn, outcome.backend, 'managesieve', [outcome.value], log);
        return true;
      case 'rejected':
        send(outcome.response);
        break;
      case 'refused':
        send('NO "Authentication failed."');
        break;
      case 'unavailable':
        send(`NO (TRYLATER) ${quoteOrNil(outcome.message)}`);
        break;
    }
    if (++attempts >= listener.maxAuthAttempts) {
      send('BYE "Too many invalid authentication attempts."');
      conn.close();
      return true;
    }
    return false;
  };

  const authenticate = async (args: Token[]): Promise<boolean> => {
    const mech = stringValue(args[0])?.toUpperCase() ?? '';
    if (!isSaslMechanism(mech) || !caps.auth_mechanisms.includes(mech)) {
      send('NO "Unsupported authentication mechanism."');
      return false;
    }
    if (!cleartextOk()) {
      send('NO (ENCRYPT-NEEDED) "Use STARTTLS first."');
      return false;
    }
    const r = await serverSasl(mech, stringValue(args[1]), {
      challenge: (data) => send(`"${data}"`),
      response: async () => stringValue((await readCommand(conn.reader, noContinuation, limits))[0]) ?? '',
    });
    if (!r.ok) {
      send(`NO ${quoteOrNil(r.message)}`);
      // A refused literal's bytes may still be coming (RFC 5804 §1.3: no continuation is
      // awaited), and they must never be read as commands.
      if (r.reason !== 'unreadable') return false;
      conn.close();
      return true;
    }
    return tryLogin(r.credentials);
  };

  capabilityBlock();
  send(`OK ${quoteOrNil(caps.banner ?? `${caps.implementation} ready.`)}`);
  try {
    for (;;) {
      let tokens: Token[];
      try {
        tokens = await readCommand(conn.reader, noContinuation, limits);
      } catch (e) {
        if (!(e instanceof ProtocolError)) throw e;
        // RFC 5804 §1.3: clients never wait for a continuation, so the bytes of a refused
        // literal ({n} or {n+}) are already on their way: never parse them as commands.
        if (e.fatal || e.refusedLiteral) {
          send(`BYE ${quoteOrNil(e.message)}`);
          conn.close();
          return;
        }
        send(`NO ${quoteOrNil(e.message)}`);
        continue;
      }
      const verb = tokens[0]?.kind === 'atom' ? tokens[0].value.toUpperCase() : '';
      const args = tokens.slice(1);
      switch (verb) {
        case 'CAPABILITY':
          capabilityBlock();
          send('OK "Capability completed."');
          break;
        case 'NOOP': {
          const tag = stringValue(args[0]);
          send(tag === undefined ? 'OK "NOOP completed."' : `OK (TAG ${quoteOrNil(tag)}) "Done"`);
          break;
        }
        case 'LOGOUT':
          send('OK "Logout completed."');
          conn.close();
          return;
        case 'STARTTLS':
          if (!conn.canStartTls || listener.tls !== 'starttls') {
            send('NO "STARTTLS not available."');
            break;
          }
          send('OK "Begin TLS negotiation now."');
          await conn.startTls();
          // RFC 5804 §2.2: capabilities again, unsolicited, after the handshake.
          capabilityBlock();
          send('OK "TLS negotiation successful."');
          break;
        case 'AUTHENTICATE':
          if (await authenticate(args)) return;
          break;
        case '':
          send('NO "Empty command."');
          break;
        default:
          send('NO "Authenticate first."');
      }
    }
  } catch (e) {
    if (!(e instanceof ConnectionClosedError))
      log.warn({ event: 'session-error', err: (e as Error).message });
    conn.close();
  } finally {
    clearTimeout(timer);
  }
}
