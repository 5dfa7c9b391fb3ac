/**
 * The web editor in front of another ManageSieve server (Dovecot, Cyrus, or a sievert on another
 * host): a web login is a login there (AUTHENTICATE PLAIN with the user's credentials), and each
 * web session keeps its own client connection, opened at login and closed at logout, on expiry
 * or when the web server stops. The other server's answers decide; its response codes become
 * the API's.
 */
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import { ManageSieveClient, type ManageSieveResponse } from '../managesieve/index.js';
import { ConnectionClosedError, isLoopback, type ClientTlsOptions, type TlsMode } from '../net/index.js';
import {
  ScriptError,
  type LoginOutcome,
  type PutResult,
  type ScriptBackend,
  type ScriptEntry,
  type ScriptErrorCode,
  type UserScripts,
} from './backend.js';

export interface RemoteBackendOptions {
  host: string;
  port: number;
  /** `starttls` (default) upgrades after the greeting, `implicit` is TLS from the first octet, `plain` none. */
  tls?: TlsMode;
  /**
   * Certificate checks, on by default: `ca` for a private CA (else the system's), the server
   * name (default `host`), `allowInvalidCerts` to switch them off.
   */
  tlsOptions?: ClientTlsOptions;
  /** Send passwords over a connection without TLS to a server that is not on a loopback address. */
  allowCleartext?: boolean;
  /** For connecting, each TLS handshake and each response. Default 15,000 ms. */
  timeoutMs?: number;
  /**
   * Longest script name passed on, in characters. Default 1,024: the other server has its own
   * limit (RFC 5804 §1.6: at least 128) and its answer decides.
   */
  maxScriptNameLength?: number;
  logger?: Logger;
}

/** The RFC 5804 §1.3 response codes the API has answers for (any `QUOTA/…` counts as QUOTA). */
const KNOWN_CODES = new Set<ScriptErrorCode>([
  'NONEXISTENT',
  'ALREADYEXISTS',
  'ACTIVE',
  'QUOTA',
  'QUOTA/MAXSCRIPTS',
  'QUOTA/MAXSIZE',
  'TRYLATER',
]);

type Opened =
  | { kind: 'open'; client: ManageSieveClient }
  | { kind: 'failure'; reason: 'credentials' | 'unavailable'; detail: string };

/** Connects, upgrades as configured and logs in; never sends the password where it may not go. */
async function openSession(o: RemoteBackendOptions, user: string, password: string): Promise<Opened> {
  const where = `${o.host}:${o.port}`;
  let client: ManageSieveClient;
  try {
    client = await ManageSieveClient.connect({
      host: o.host,
      port: o.port,
      tls: o.tls ?? 'starttls',
      // The certificate must name the host we were told to connect to (SNI only for names).
      tlsOptions: { ...(isIP(o.host) === 0 ? { servername: o.host } : {}), ...o.tlsOptions },
      timeoutMs: o.timeoutMs ?? 15_000,
    });
  } catch (e) {
    return { kind: 'failure', reason: 'unavailable', detail: `${where}: ${(e as Error).message}` };
  }
  const give = (reason: 'credentials' | 'unavailable', detail: string): Opened => {
    client.close();
    return { kind: 'failure', reason, detail };
  };
  try {
    if (!client.secure && !o.allowCleartext && !isLoopback(client.remoteAddress))
      return give(
        'unavailable',
        `${where} (${client.remoteAddress ?? '?'}) is not loopback and the connection has no TLS: the password is not sent`,
      );
    if (!client.capabilities.sasl.includes('PLAIN'))
      return give(
        'unavailable',
        `${where} offers no PLAIN login (SASL "${client.capabilities.sasl.join(' ')}"${client.secure ? '' : ', without TLS'})`,
      );
    const r = await client.authenticate(user, password, { initialResponse: 'auto' });
    if (r.status === 'OK') return { kind: 'open', client };
    // RFC 5804 §1.3: TRYLATER, ENCRYPT-NEEDED and AUTH-TOO-WEAK are the server's state, not the user's.
    const code = r.code?.toUpperCase();
    if (r.status === 'BYE' || code === 'TRYLATER' || code === 'ENCRYPT-NEEDED' || code === 'AUTH-TOO-WEAK')
      return give(
        'unavailable',
        `${where}: ${r.status}${code ? ` (${code})` : ''} ${r.text ?? ''}`.trimEnd(),
      );
    return give('credentials', `${where}: NO${code ? ` (${code})` : ''} ${r.text ?? ''}`.trimEnd());
  } catch (e) {
    return give('unavailable', `${where}: ${(e as Error).message}`);
  }
}

/** A NO as the API's error: the codes it knows, REFUSED with the server's text for the rest. */
function refusal(what: string, r: ManageSieveResponse): ScriptError {
  const code = r.code?.toUpperCase();
  const text = r.text?.trim() || `no reason given${code ? ` (${code})` : ''}`;
  if (code !== undefined && KNOWN_CODES.has(code as ScriptErrorCode))
    return new ScriptError(code as ScriptErrorCode, text);
  if (code?.startsWith('QUOTA/')) return new ScriptError('QUOTA', text);
  return new ScriptError('REFUSED', `The ManageSieve server refused ${what}: ${text}`);
}

class RemoteScripts implements UserScripts {
  /** Kept in memory only, for logging in again when the server has closed an idle connection. */
  #password: string;
  private client: ManageSieveClient | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private ended = false;

  constructor(
    private readonly o: RemoteBackendOptions,
    private readonly user: string,
    password: string,
    client: ManageSieveClient,
  ) {
    this.#password = password;
    this.client = client;
  }

  /** ManageSieve is one command at a time: the browser's parallel requests wait their turn. */
  private serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.queue.then(f, f);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private unavailable(detail: string): ScriptError {
    this.o.logger?.warn(
      { event: 'remote-unavailable', user: this.user, detail },
      'ManageSieve server unavailable',
    );
    return new ScriptError('TRYLATER', 'The ManageSieve server cannot be reached; try again later.');
  }

  private async reconnect(): Promise<ManageSieveClient> {
    this.client?.close();
    this.client = undefined;
    const opened = await openSession(this.o, this.user, this.#password);
    if (opened.kind === 'open') {
      this.o.logger?.info({ event: 'remote-reconnect', user: this.user }, 'logged in again');
      this.client = opened.client;
      return opened.client;
    }
    if (opened.reason === 'credentials') {
      // The password changed there, or the account went away: this session is over.
      this.o.logger?.info(
        { event: 'remote-login-lost', user: this.user, detail: opened.detail },
        'login lost',
      );
      this.end();
      throw new ScriptError('LOGIN', 'The ManageSieve server no longer accepts this login; log in again.');
    }
    throw this.unavailable(opened.detail);
  }

  /**
   * One command on a live connection. A connection the server has closed (an idle timeout) is
   * opened again once, before the command or when the server answers it with BYE; when the
   * connection drops with no answer at all, only a command that is safe to repeat is repeated.
   */
  private exchange<R extends ManageSieveResponse>(
    send: (c: ManageSieveClient) => Promise<R>,
    repeatable: boolean,
  ): Promise<R> {
    return this.serial(async () => {
      if (this.ended) throw new ScriptError('LOGIN', 'The session has ended.');
      let reconnected = false;
      for (;;) {
        let client = this.client;
        if (!client?.open) {
          if (reconnected) throw this.unavailable('the connection closed again right after a new login');
          client = await this.reconnect();
          reconnected = true;
        }
        let r: R;
        try {
          r = await send(client);
        } catch (e) {
          client.close();
          if (e instanceof ConnectionClosedError && repeatable && !reconnected) continue;
          throw this.unavailable((e as Error).message);
        }
        if (r.status !== 'BYE') return r;
        client.close();
        if (reconnected) throw this.unavailable(`BYE ${r.text ?? ''}`.trimEnd());
      }
    });
  }

  private async ok(
    what: string,
    send: (c: ManageSieveClient) => Promise<ManageSieveResponse>,
    repeatable: boolean,
  ) {
    const r = await this.exchange(send, repeatable);
    if (r.status !== 'OK') throw refusal(what, r);
    return r;
  }

  async list(): Promise<ScriptEntry[]> {
    const r = await this.exchange((c) => c.listScripts(), true);
    if (r.status !== 'OK') throw refusal('the list of scripts', r);
    return r.scripts
      .map((s) => ({ name: s.name, active: s.active }))
      .sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  }

  async get(name: string): Promise<Buffer | undefined> {
    const r = await this.exchange((c) => c.getScript(name), true);
    if (r.status === 'OK') return r.content ?? Buffer.alloc(0);
    if (r.code?.toUpperCase() === 'NONEXISTENT') return undefined;
    throw refusal(`the script ${JSON.stringify(name)}`, r);
  }

  async put(name: string, content: Buffer): Promise<PutResult> {
    // Storing the same octets twice leaves the same state: safe to repeat.
    const r = await this.ok('the script', (c) => c.putScript(name, content), true);
    return r.code?.toUpperCase() === 'WARNINGS' && r.text ? { remoteWarnings: r.text } : {};
  }

  async delete(name: string): Promise<void> {
    await this.ok(`to delete ${JSON.stringify(name)}`, (c) => c.deleteScript(name), false);
  }

  async rename(from: string, to: string): Promise<void> {
    await this.ok(`to rename ${JSON.stringify(from)}`, (c) => c.renameScript(from, to), false);
  }

  async setActive(name: string | null): Promise<void> {
    // RFC 5804 §2.8: the empty name deactivates.
    await this.ok(
      name === null ? 'to deactivate' : `to activate ${JSON.stringify(name)}`,
      (c) => c.setActive(name ?? ''),
      true,
    );
  }

  private end(): void {
    this.ended = true;
    this.#password = '';
  }

  close(): Promise<void> {
    return this.serial(async () => {
      this.end();
      const client = this.client;
      this.client = undefined;
      if (!client?.open) {
        client?.close();
        return;
      }
      // LOGOUT (RFC 5804 §2.3) lets the server end the session cleanly; a dead server changes nothing.
      await client.logout().catch(() => undefined);
    });
  }
}

export function remoteBackend(o: RemoteBackendOptions): ScriptBackend {
  return {
    maxScriptNameLength: o.maxScriptNameLength ?? 1024,
    async login({ user, password }): Promise<LoginOutcome> {
      const opened = await openSession(o, user, password);
      if (opened.kind === 'open')
        return { kind: 'success', user, scripts: new RemoteScripts(o, user, password, opened.client) };
      if (opened.reason === 'unavailable')
        return {
          kind: 'failure',
          reason: 'unavailable',
          message: 'The ManageSieve server cannot be reached; try again later.',
          detail: opened.detail,
        };
      return {
        kind: 'failure',
        reason: 'credentials',
        message: 'Authentication failed.',
        detail: opened.detail,
      };
    },
  };
}
