import type { Logger } from 'pino';
import {
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

/** POP3 (RFC 1939, CAPA RFC 2449, STLS RFC 2595, AUTH RFC 5034). */

/** Attributes Dovecot's pop3-login accepts in XCLIENT; POP3 does not list them. */
const pop3XclientAttributes = ['ADDR', 'PORT', 'SESSION', 'TTL'];
/** RFC 2449 §4: a command line is at most 255 octets; AUTH initial responses may be longer. */
const maxPop3Line = 8192;

export class Pop3Backend {
  capabilities: string[] = [];
  greetingXclient = false;

  constructor(private readonly be: BackendConnection) {}

  private async status(): Promise<{ ok: boolean; continue: boolean; line: string }> {
    const line = await this.be.readLine();
    if (line.startsWith('+OK')) return { ok: true, continue: false, line };
    if (line.startsWith('-ERR')) return { ok: false, continue: false, line };
    if (line.startsWith('+')) return { ok: false, continue: true, line };
    throw new BackendUnavailableError(`unexpected POP3 line (${lineSummary(line)})`);
  }

  async greeting(): Promise<void> {
    const r = await this.status();
    if (!r.ok) throw new BackendUnavailableError(`backend greeting (${lineSummary(r.line)})`);
    this.greetingXclient = /^\+OK \[XCLIENT\]/i.test(r.line);
  }

  async capa(): Promise<void> {
    this.be.writeLine('CAPA');
    const r = await this.status();
    const caps: string[] = [];
    if (r.ok) {
      for (let i = 0; i < 256; i++) {
        const line = await this.be.readLine();
        if (line === '.') break;
        caps.push(line.startsWith('..') ? line.slice(1) : line);
      }
    }
    this.capabilities = caps;
  }

  has(cap: string): boolean {
    return this.capabilities.some((c) => c.toUpperCase().split(/\s+/)[0] === cap);
  }

  sasl(): string[] {
    const line = this.capabilities.find((c) => /^SASL\b/i.test(c));
    return line ? line.toUpperCase().split(/\s+/).slice(1) : [];
  }

  async startTls(): Promise<void> {
    if (!this.has('STLS')) throw new BackendUnavailableError('backend does not offer STLS');
    this.be.writeLine('STLS');
    const r = await this.status();
    if (!r.ok) throw new BackendUnavailableError(`backend refused STLS (${lineSummary(r.line)})`);
    await this.be.startTls();
    await this.capa();
  }

  async xclient(client: ClientInfo, ttl: number): Promise<void> {
    if (!this.greetingXclient && !this.has('XCLIENT')) return;
    const line = buildXclient(xclientAttributes(client, ttl), pop3XclientAttributes);
    if (!line) return;
    this.be.writeLine(line);
    const r = await this.status();
    if (!r.ok) throw new BackendUnavailableError(`backend refused XCLIENT (${lineSummary(r.line)})`);
  }

  async login(creds: Credentials, master: MasterLogin | undefined): Promise<{ ok: boolean; line: string }> {
    const sasl = this.sasl();
    const auth = async (mech: string, payload: Buffer): Promise<{ ok: boolean; line: string }> => {
      if (!sasl.includes(mech)) throw cannotReplay(`backend lacks SASL ${mech}`);
      // RFC 5034 §4: the initial response may follow the mechanism name.
      this.be.writeLine(`AUTH ${mech} ${payload.toString('base64')}`);
      for (let i = 0; i < 4; i++) {
        const r = await this.status();
        if (!r.continue) return r;
        this.be.writeLine(mech === 'OAUTHBEARER' ? 'AQ==' : '*');
      }
      throw new BackendUnavailableError('backend kept sending continuations');
    };
    const replay = saslReplay(creds, master);
    if (master || replay.mechanism !== 'PLAIN') return auth(replay.mechanism, replay.payload);
    if (creds.mechanism === 'USER-PASS' && this.has('USER')) {
      this.be.writeLine(`USER ${creds.authcid}`);
      const u = await this.status();
      if (!u.ok) return u;
      this.be.writeLine(`PASS ${creds.secret}`);
      return this.status();
    }
    if (sasl.includes('PLAIN')) return auth('PLAIN', replay.payload);
    throw cannotReplay('backend offers no way to replay these credentials');
  }

  quit(): void {
    this.be.writeLine('QUIT');
  }
}

/** Runs one client session on a POP3 listener until bridged or closed. */
export async function runPop3Session(
  ctx: ProxyContext,
  listener: ListenerConfig,
  conn: InboundConnection,
  log: Logger,
): Promise<void> {
  const caps = ctx.config.capabilities.pop3;
  let attempts = 0;
  let user: string | undefined;
  const send = (line: string): void => writeLine(conn.socket, line);
  const cleartextOk = (): boolean => conn.secure || caps.allow_plain_auth_without_tls;
  const readLine = async (): Promise<string> => {
    const line = await conn.reader.readLine();
    if (line.length > maxPop3Line) throw new ProtocolError('line too long', true);
    return line;
  };

  const timer = setTimeout(() => {
    send('-ERR Disconnected for inactivity.');
    conn.close();
  }, listener.preauthTimeoutMs);
  timer.unref();

  const tryLogin = async (creds: Credentials): Promise<boolean> => {
    const outcome = await proxyLogin(ctx, conn, 'pop3', creds, log, async (be, client) => {
      const b = new Pop3Backend(be);
      await b.greeting();
      await b.capa();
      if (be.destination.protocols.pop3!.tls === 'starttls') await b.startTls();
      requireSecureLeg(be);
      if (be.destination.forwarding === 'xclient') await b.xclient(client, ctx.config.limits.proxyTtl);
      const r = await b.login(creds, masterLogin(be.destination, client));
      if (r.ok) return { ok: true, value: r.line } satisfies ReplayResult<string>;
      b.quit();
      return { ok: false, response: r.line };
    });
    switch (outcome.kind) {
      case 'ok':
        clearTimeout(timer);
        await bridgeLoggedIn(ctx, conn, outcome.backend, 'pop3', [outcome.value], log);
        return true;
      case 'rejected':
        send(outcome.response);
        break;
      case 'refused':
        send('-ERR [AUTH] Authentication failed.');
        break;
      case 'unavailable':
        send(`-ERR [SYS/TEMP] ${outcome.message}`);
        break;
    }
    if (++attempts >= listener.maxAuthAttempts) {
      send('-ERR Too many invalid authentication attempts.');
      conn.close();
      return true;
    }
    return false;
  };

  const capa = (): void => {
    send('+OK Capability list follows');
    for (const c of caps.capabilities) send(c);
    if (conn.canStartTls && listener.tls === 'starttls') send('STLS');
    if (cleartextOk()) {
      send('USER');
      send(`SASL ${caps.auth_mechanisms.join(' ')}`);
    }
    send('.');
  };

  send(`+OK ${caps.banner}`);
  try {
    for (;;) {
      let line: string;
      try {
        line = await readLine();
      } catch (e) {
        if (e instanceof ProtocolError) {
          send(`-ERR ${e.message}`);
          conn.close();
          return;
        }
        throw e;
      }
      const sp = line.indexOf(' ');
      const verb = (sp < 0 ? line : line.slice(0, sp)).toUpperCase();
      const arg = sp < 0 ? '' : line.slice(sp + 1);
      if (verb !== 'PASS' && verb !== 'USER') user = undefined;
      switch (verb) {
        case 'CAPA':
          capa();
          break;
        case 'NOOP':
          send('+OK');
          break;
        case 'QUIT':
          send('+OK Logging out.');
          conn.close();
          return;
        case 'STLS':
          if (!conn.canStartTls || listener.tls !== 'starttls') {
            send('-ERR STLS not available.');
            break;
          }
          send('+OK Begin TLS negotiation now.');
          await conn.startTls();
          break;
        case 'USER':
          if (!cleartextOk()) {
            send('-ERR [AUTH] Plaintext authentication disallowed on non-secure connections.');
            break;
          }
          if (arg === '') {
            send('-ERR Missing user name.');
            break;
          }
          user = arg;
          send('+OK');
          break;
        case 'PASS': {
          if (user === undefined) {
            send('-ERR No user name given.');
            break;
          }
          const creds: Credentials = { mechanism: 'USER-PASS', authzid: '', authcid: user, secret: arg };
          user = undefined;
          if (await tryLogin(creds)) return;
          break;
        }
        case 'AUTH': {
          if (arg === '') {
            // RFC 1734 / common practice: AUTH without a mechanism lists them.
            send('+OK');
            if (cleartextOk()) for (const m of caps.auth_mechanisms) send(m);
            send('.');
            break;
          }
          const [mechArg, ir] = arg.split(' ') as [string, string | undefined];
          const mech = mechArg.toUpperCase();
          if (!isSaslMechanism(mech) || !caps.auth_mechanisms.includes(mech)) {
            send('-ERR Unsupported authentication mechanism.');
            break;
          }
          if (!cleartextOk()) {
            send('-ERR [AUTH] Plaintext authentication disallowed on non-secure connections.');
            break;
          }
          const r = await serverSasl(mech, ir, { challenge: (d) => send(`+ ${d}`), response: readLine });
          if (!r.ok) {
            send(`-ERR ${r.message}`);
            if (r.reason !== 'unreadable') break;
            conn.close();
            return;
          }
          if (await tryLogin(r.credentials)) return;
          break;
        }
        default:
          send('-ERR Unknown command or not allowed before login.');
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
