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

/** SMTP submission (RFC 6409, AUTH RFC 4954, STARTTLS RFC 3207, XCLIENT as Postfix defines it). */

/** RFC 5321 §4.5.3.1.4: a command line is at most 512 octets; AUTH lines may carry more. */
const maxSmtpLine = 12288;

type Reply = { code: number; lines: string[] };

export class SmtpBackend {
  keywords: string[] = [];

  constructor(private readonly be: BackendConnection) {}

  /** A whole reply: `NNN-text` lines up to the `NNN text` line. */
  async reply(): Promise<Reply> {
    const lines: string[] = [];
    for (let i = 0; i < 256; i++) {
      const line = await this.be.readLine();
      const m = /^(\d{3})([ -]|$)(.*)$/.exec(line);
      if (!m) throw new BackendUnavailableError(`unexpected SMTP line (${lineSummary(line)})`);
      lines.push(m[3]!);
      if (m[2] !== '-') return { code: Number(m[1]), lines };
    }
    throw new BackendUnavailableError('SMTP reply too long');
  }

  async greeting(): Promise<void> {
    const r = await this.reply();
    if (r.code !== 220) throw new BackendUnavailableError(`backend greeting: ${r.code}`);
  }

  async ehlo(name: string): Promise<void> {
    this.be.writeLine(`EHLO ${name}`);
    const r = await this.reply();
    if (r.code !== 250) throw new BackendUnavailableError(`backend refused EHLO: ${r.code}`);
    this.keywords = r.lines.slice(1);
  }

  keyword(name: string): string[] | undefined {
    const line = this.keywords.find((k) => k.toUpperCase().split(/[\s=]/)[0] === name);
    return line === undefined
      ? undefined
      : line
          .toUpperCase()
          .split(/[\s=]+/)
          .slice(1);
  }

  async startTls(name: string): Promise<void> {
    if (!this.keyword('STARTTLS')) throw new BackendUnavailableError('backend does not offer STARTTLS');
    this.be.writeLine('STARTTLS');
    const r = await this.reply();
    if (r.code !== 220) throw new BackendUnavailableError(`backend refused STARTTLS: ${r.code}`);
    await this.be.startTls();
    // RFC 3207 §4.2: forget what was learnt before TLS and greet again.
    await this.ehlo(name);
  }

  /**
   * Postfix XCLIENT: only the attributes the EHLO keyword lists; a new 220 greeting follows,
   * and the EHLO after it names the client's own EHLO/HELO domain (as nginx does): the
   * backend takes the HELO name from that EHLO (Dovecot and Postfix both let it override
   * XCLIENT HELO=), so sending ours would hide the client's.
   */
  async xclient(client: ClientInfo, ttl: number, helo: string | undefined, name: string): Promise<void> {
    const offered = this.keyword('XCLIENT');
    if (!offered) return;
    const line = buildXclient({ ...xclientAttributes(client, ttl), HELO: helo }, offered);
    if (!line) return;
    this.be.writeLine(line);
    const r = await this.reply();
    if (r.code !== 220) throw new BackendUnavailableError(`backend refused XCLIENT: ${r.code}`);
    // Only a plain domain or address literal goes on the command line (no spaces, controls).
    await this.ehlo(helo !== undefined && /^[\x21-\x7e]{1,255}$/.test(helo) ? helo : name);
  }

  async auth(creds: Credentials, master: MasterLogin | undefined): Promise<Reply> {
    const mechs = this.keyword('AUTH') ?? [];
    const { mechanism: mech, payload } = saslReplay(creds, master);
    if (!mechs.includes(mech)) throw cannotReplay(`backend lacks AUTH ${mech}`);
    this.be.writeLine(`AUTH ${mech} ${payload.toString('base64')}`);
    for (let i = 0; i < 4; i++) {
      const r = await this.reply();
      if (r.code !== 334) return r;
      this.be.writeLine(mech === 'OAUTHBEARER' ? 'AQ==' : '*');
    }
    throw new BackendUnavailableError('backend kept sending continuations');
  }

  quit(): void {
    this.be.writeLine('QUIT');
  }
}

/** Runs one client session on a submission listener until bridged or closed. */
export async function runSubmissionSession(
  ctx: ProxyContext,
  listener: ListenerConfig,
  conn: InboundConnection,
  log: Logger,
): Promise<void> {
  const caps = ctx.config.capabilities.submission;
  let attempts = 0;
  let helo: string | undefined;
  const send = (line: string): void => writeLine(conn.socket, line);
  const cleartextOk = (): boolean => conn.secure || caps.allow_plain_auth_without_tls;

  const timer = setTimeout(() => {
    send('421 4.4.2 Timeout, closing connection');
    conn.close();
  }, listener.preauthTimeoutMs);
  timer.unref();

  const tryLogin = async (creds: Credentials): Promise<boolean> => {
    const outcome = await proxyLogin(ctx, conn, 'submission', creds, log, async (be, client) => {
      const b = new SmtpBackend(be);
      await b.greeting();
      await b.ehlo(caps.hostname);
      if (be.destination.protocols.submission!.tls === 'starttls') await b.startTls(caps.hostname);
      requireSecureLeg(be);
      if (be.destination.forwarding === 'xclient')
        await b.xclient(client, ctx.config.limits.proxyTtl, helo, caps.hostname);
      const r = await b.auth(creds, masterLogin(be.destination, client));
      const text = `${r.code} ${r.lines[r.lines.length - 1] ?? ''}`;
      if (r.code === 235) return { ok: true, value: text } satisfies ReplayResult<string>;
      b.quit();
      return { ok: false, response: r.code >= 500 ? text : '535 5.7.8 Authentication failed' };
    });
    switch (outcome.kind) {
      case 'ok':
        clearTimeout(timer);
        await bridgeLoggedIn(ctx, conn, outcome.backend, 'submission', [outcome.value], log);
        return true;
      case 'rejected':
        send(outcome.response);
        break;
      case 'refused':
        send('535 5.7.8 Authentication failed');
        break;
      case 'unavailable':
        send(`421 4.3.0 ${outcome.message}`);
        conn.close();
        return true;
    }
    if (++attempts >= listener.maxAuthAttempts) {
      send('421 4.7.0 Too many invalid authentication attempts');
      conn.close();
      return true;
    }
    return false;
  };

  const ehlo = (name: string): void => {
    const lines = [caps.hostname, ...caps.ehlo_keywords];
    if (conn.canStartTls && listener.tls === 'starttls') lines.push('STARTTLS');
    if (cleartextOk()) lines.push(`AUTH ${caps.auth_mechanisms.join(' ')}`);
    helo = name;
    lines.forEach((l, i) => send(`250${i === lines.length - 1 ? ' ' : '-'}${l}`));
  };

  send(`220 ${caps.hostname} ${caps.banner}`);
  try {
    for (;;) {
      let line: string;
      try {
        line = await conn.reader.readLine();
        if (line.length > maxSmtpLine) throw new ProtocolError('line too long', true);
      } catch (e) {
        if (e instanceof ProtocolError) {
          send(`500 5.5.2 ${e.message}`);
          conn.close();
          return;
        }
        throw e;
      }
      const sp = line.indexOf(' ');
      const verb = (sp < 0 ? line : line.slice(0, sp)).toUpperCase();
      const arg = sp < 0 ? '' : line.slice(sp + 1).trim();
      switch (verb) {
        case 'EHLO':
          if (arg === '') send('501 5.5.4 EHLO needs a domain');
          else ehlo(arg);
          break;
        case 'HELO':
          if (arg === '') send('501 5.5.4 HELO needs a domain');
          else {
            helo = arg;
            send(`250 ${caps.hostname}`);
          }
          break;
        case 'NOOP':
          send('250 2.0.0 OK');
          break;
        case 'RSET':
          send('250 2.0.0 OK');
          break;
        case 'QUIT':
          send('221 2.0.0 Bye');
          conn.close();
          return;
        case 'STARTTLS':
          if (!conn.canStartTls || listener.tls !== 'starttls') {
            send('502 5.5.1 STARTTLS not available');
            break;
          }
          send('220 2.0.0 Ready to start TLS');
          await conn.startTls();
          helo = undefined;
          break;
        case 'AUTH': {
          if (helo === undefined) {
            send('503 5.5.1 EHLO first');
            break;
          }
          const [mechArg, ir] = arg.split(' ') as [string, string | undefined];
          const mech = mechArg.toUpperCase();
          if (!isSaslMechanism(mech) || !caps.auth_mechanisms.includes(mech)) {
            send('504 5.5.4 Unrecognized authentication type');
            break;
          }
          if (!cleartextOk()) {
            send('538 5.7.11 Encryption required for requested authentication mechanism');
            break;
          }
          const r = await serverSasl(mech, ir, {
            challenge: (d) => send(`334 ${d}`),
            response: () => conn.reader.readLine(),
          });
          if (!r.ok && r.reason === 'unreadable') {
            send(`500 5.5.2 ${r.message}`);
            conn.close();
            return;
          }
          if (!r.ok) {
            send(r.reason === 'cancelled' ? '501 5.7.0 Authentication cancelled' : `501 5.5.2 ${r.message}`);
            break;
          }
          if (await tryLogin(r.credentials)) return;
          break;
        }
        case 'MAIL':
        case 'RCPT':
        case 'BDAT':
          send('530 5.7.0 Authentication required');
          break;
        case 'DATA':
          send('503 5.5.1 No valid recipients; authentication required');
          break;
        default:
          send('502 5.5.1 Command not recognized before authentication');
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
