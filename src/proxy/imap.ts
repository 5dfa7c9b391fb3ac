import type { Logger } from 'pino';
import {
  readCommand,
  isImapTag,
  quoteIfSafe,
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
} from '../net/index.js';
import {
  BackendUnavailableError,
  cannotReplay,
  replayMechanism,
  replayPayload,
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
  type ProxyContext,
  type ReplayResult,
} from './session.js';

/** RFC 2971 §3.3: at most 30 field-value pairs, fields up to 30 bytes, values up to 1024. */
const idLimits = { pairs: 30, field: 30, value: 1024 };
/** ID fields the proxy sets itself; a client sending them would be spoofing its address. */
const reservedIdField = /^x-(originating|connected|session|proxy-ttl|forward)/i;

export type IdFields = [string, string | null][];

/** Parses the argument of `ID`: a list of field/value pairs or NIL (RFC 2971 §3.1). */
export function parseIdArgument(t: Token | undefined): IdFields | undefined {
  if (t?.kind === 'atom' && t.value.toUpperCase() === 'NIL') return [];
  if (t?.kind !== 'list' || t.items.length % 2 !== 0 || t.items.length > idLimits.pairs * 2) return undefined;
  const out: IdFields = [];
  for (let i = 0; i < t.items.length; i += 2) {
    const k = t.items[i]!;
    const v = t.items[i + 1]!;
    if (k.kind !== 'string' || k.value.length > idLimits.field) return undefined;
    if (v.kind === 'atom' && v.value.toUpperCase() === 'NIL') out.push([k.value, null]);
    else if (v.kind === 'string' && v.value.length <= idLimits.value) out.push([k.value, v.value]);
    else return undefined;
  }
  return out;
}

/**
 * The `ID` argument sent to the backend: our forwarding fields first (when forwarding the
 * client's address), then the client's own fields. NIL when there is nothing to send.
 */
export function buildBackendId(client: ClientInfo | undefined, ttl: number, clientFields: IdFields): string {
  const fields: IdFields = client
    ? [
        ['x-originating-ip', client.remoteAddress],
        ['x-originating-port', String(client.remotePort)],
        ['x-connected-ip', client.localAddress],
        ['x-connected-port', String(client.localPort)],
        ['x-session-id', client.sessionId],
        ['x-proxy-ttl', String(ttl)],
      ]
    : [];
  for (const [k, v] of clientFields) {
    if (reservedIdField.test(k)) continue;
    // A field that does not fit in a quoted string (CR, LF, NUL, 8-bit; the client may have
    // sent it as a literal) would need a synchronizing literal sent without waiting for the
    // backend's continuation: leave it out rather than break or smuggle lines into the ID.
    if (quoteIfSafe(k) === undefined || (v !== null && quoteIfSafe(v) === undefined)) continue;
    fields.push([k, v]);
  }
  if (fields.length === 0) return 'NIL';
  return '(' + fields.map(([k, v]) => `${quoteOrNil(k)} ${quoteOrNil(v)}`).join(' ') + ')';
}

/**
 * Texts already looked at, with their capabilities (null: none). A backend sends the same
 * greeting and the same login answer every time, and each is looked at up to three times per
 * login; the lists are frozen, as they are shared.
 */
const capabilityMemo = new Map<string, readonly string[] | null>();
const MEMO_TEXT = 1024;
const MEMO_ENTRIES = 256;

/** Capability atoms of a response code `[CAPABILITY …]` or an untagged `* CAPABILITY …` line. */
export function capabilitiesIn(text: string): readonly string[] | undefined {
  let caps = capabilityMemo.get(text);
  if (caps === undefined) {
    const m = /^\* CAPABILITY (.*)$/i.exec(text) ?? /\[CAPABILITY ([^\]]*)\]/i.exec(text);
    caps = m ? Object.freeze(m[1]!.trim().split(/\s+/)) : null;
    if (text.length <= MEMO_TEXT) {
      if (capabilityMemo.size >= MEMO_ENTRIES) capabilityMemo.clear();
      capabilityMemo.set(text, caps);
    }
  }
  return caps ?? undefined;
}

function has(caps: readonly string[], cap: string): boolean {
  const c = cap.toUpperCase();
  // Only same-length atoms are upper-cased: most checks allocate nothing.
  for (const x of caps) if (x.length === c.length && x.toUpperCase() === c) return true;
  return false;
}

interface ImapLoginValue {
  /** The capability list after login, when the backend told us. */
  capabilities?: readonly string[];
  /** The tagged OK text after the tag and status, e.g. `[CAPABILITY …] Logged in`. */
  okText: string;
}

type Tagged = { status: 'OK' | 'NO' | 'BAD'; text: string };

/** The backend side of an IMAP login: greeting, STARTTLS, ID, then the replayed authentication. */
export class ImapBackend {
  private seq = 0;
  capabilities: readonly string[] = [];
  /** CAPABILITY lines seen while waiting for a tagged response. */
  private lastUntaggedCaps: readonly string[] | undefined;

  constructor(private readonly be: BackendConnection) {}

  private nextTag(): string {
    return `S${++this.seq}`;
  }

  /** Reads untagged lines (and their literals) until the tagged response or a continuation. */
  async response(tag: string): Promise<Tagged | { status: '+'; text: string }> {
    this.lastUntaggedCaps = undefined;
    for (;;) {
      let line = await this.be.readLine();
      if (line.startsWith('+')) return { status: '+', text: line.slice(1).trimStart() };
      if (line.startsWith(tag + ' ')) {
        const m = /^(OK|NO|BAD)\b ?(.*)$/i.exec(line.slice(tag.length + 1));
        if (!m) throw new BackendUnavailableError(`unexpected backend response (${lineSummary(line)})`);
        return { status: m[1]!.toUpperCase() as Tagged['status'], text: m[2]! };
      }
      if (!line.startsWith('*'))
        throw new BackendUnavailableError(`unexpected backend line (${lineSummary(line)})`);
      // An untagged line may carry literals ({n} at the end): read them with the line.
      for (let i = 0; i < 32; i++) {
        const lit = /\{(\d{1,9})\}$/.exec(line);
        if (!lit) break;
        // Bounded like a line: a backend announcing a huge literal must not make us buffer it.
        if (Number(lit[1]) > this.be.reader.maxLine)
          throw new BackendUnavailableError(`backend literal too large: ${lit[1]} bytes`);
        const body = await this.be.readBytes(Number(lit[1]));
        line += body.toString('latin1') + (await this.be.readLine());
      }
      if (line.startsWith('* BYE')) throw new BackendUnavailableError(`backend said ${lineSummary(line)}`);
      const caps = capabilitiesIn(line);
      if (caps) this.lastUntaggedCaps = caps;
    }
  }

  async tagged(tag: string): Promise<Tagged> {
    for (;;) {
      const r = await this.response(tag);
      if (r.status !== '+') return r;
      // No continuation is expected here: cancel and wait for the tagged answer.
      this.be.writeLine('*');
    }
  }

  async greeting(): Promise<void> {
    for (;;) {
      const line = await this.be.readLine();
      if (/^\* OK\b/i.test(line)) {
        this.capabilities = capabilitiesIn(line) ?? [];
        return;
      }
      if (/^\* (BYE|PREAUTH)\b/i.test(line))
        throw new BackendUnavailableError(`backend greeting (${lineSummary(line)})`);
      if (!line.startsWith('*'))
        throw new BackendUnavailableError(`bad backend greeting (${lineSummary(line)})`);
    }
  }

  async refreshCapabilities(): Promise<readonly string[]> {
    const tag = this.nextTag();
    this.be.writeLine(`${tag} CAPABILITY`);
    const r = await this.tagged(tag);
    const caps = this.lastUntaggedCaps ?? capabilitiesIn(r.text);
    if (r.status !== 'OK' || !caps) throw new BackendUnavailableError('backend CAPABILITY failed');
    this.capabilities = caps;
    return caps;
  }

  async startTls(): Promise<void> {
    if (this.capabilities.length === 0) await this.refreshCapabilities();
    if (!has(this.capabilities, 'STARTTLS'))
      throw new BackendUnavailableError('backend does not offer STARTTLS');
    const tag = this.nextTag();
    this.be.writeLine(`${tag} STARTTLS`);
    const r = await this.tagged(tag);
    if (r.status !== 'OK') throw new BackendUnavailableError(`backend refused STARTTLS (${r.status})`);
    await this.be.startTls();
    // RFC 9051 §6.2.1: capabilities learnt before TLS are void.
    await this.refreshCapabilities();
  }

  async sendId(args: string): Promise<void> {
    const tag = this.nextTag();
    this.be.writeLine(`${tag} ID ${args}`);
    await this.tagged(tag);
  }

  /** Sends an astring argument list, using LITERAL+ or waiting for `+` on synchronizing literals. */
  private async sendCommand(tag: string, verb: string, args: string[]): Promise<Tagged | undefined> {
    const literalPlus = has(this.capabilities, 'LITERAL+') || has(this.capabilities, 'LITERAL-');
    let line = `${tag} ${verb}`;
    for (const a of args) {
      const q = quoteIfSafe(a);
      if (q !== undefined) {
        line += ' ' + q;
        continue;
      }
      const n = Buffer.byteLength(a, 'latin1');
      if (literalPlus && (n <= 4096 || has(this.capabilities, 'LITERAL+'))) {
        this.be.write(Buffer.from(`${line} {${n}+}\r\n`, 'latin1'));
      } else {
        this.be.write(Buffer.from(`${line} {${n}}\r\n`, 'latin1'));
        const r = await this.response(tag);
        if (r.status !== '+') return r;
      }
      this.be.write(Buffer.from(a, 'latin1'));
      line = '';
    }
    this.be.writeLine(line);
    return undefined;
  }

  async authenticate(mechanism: string, payload: Buffer): Promise<Tagged> {
    const tag = this.nextTag();
    const b64 = payload.length === 0 ? '=' : payload.toString('base64');
    if (has(this.capabilities, 'SASL-IR')) {
      this.be.writeLine(`${tag} AUTHENTICATE ${mechanism} ${b64}`);
    } else {
      this.be.writeLine(`${tag} AUTHENTICATE ${mechanism}`);
      const r = await this.response(tag);
      if (r.status !== '+') return r;
      this.be.writeLine(b64);
    }
    return await this.finishAuth(tag, mechanism);
  }

  async login(user: string, password: string): Promise<Tagged> {
    const tag = this.nextTag();
    const early = await this.sendCommand(tag, 'LOGIN', [user, password]);
    // `return await`: a promise returned as it is costs two more turns of the microtask queue.
    return early ?? (await this.finishAuth(tag, 'LOGIN'));
  }

  private async finishAuth(tag: string, mechanism: string): Promise<Tagged> {
    for (let i = 0; i < 4; i++) {
      const r = await this.response(tag);
      if (r.status !== '+') {
        if (r.status === 'OK' && !capabilitiesIn(r.text) && this.lastUntaggedCaps) {
          this.capabilities = this.lastUntaggedCaps;
        }
        return r;
      }
      // RFC 7628 §3.2.3: an OAUTHBEARER error challenge is answered with a lone %x01.
      this.be.writeLine(mechanism === 'OAUTHBEARER' ? 'AQ==' : '*');
    }
    throw new BackendUnavailableError('backend kept sending continuations');
  }

  get sawUntaggedCapabilities(): readonly string[] | undefined {
    return this.lastUntaggedCaps;
  }

  logout(): void {
    this.be.writeLine(`${this.nextTag()} LOGOUT`);
  }
}

/** Picks how to replay the client's credentials given what the backend offers. */
export async function replayImapLogin(
  b: ImapBackend,
  creds: Credentials,
  master: MasterLogin | undefined,
): Promise<Tagged | { unsupported: string }> {
  const caps = b.capabilities;
  // The SASL payload is only encoded when it is sent (a LOGIN replay does not need it).
  const mechanism = replayMechanism(creds, master);
  if (master || mechanism !== 'PLAIN') {
    if (!has(caps, `AUTH=${mechanism}`)) {
      return {
        unsupported: `backend lacks AUTH=${mechanism}${master ? ' for a master-user login' : ''}`,
      };
    }
    return await b.authenticate(mechanism, replayPayload(creds, master));
  }
  const loginAllowed = !has(caps, 'LOGINDISABLED') && creds.authzid === '';
  if (creds.mechanism === 'IMAP-LOGIN' && loginAllowed) return await b.login(creds.authcid, creds.secret);
  if (has(caps, 'AUTH=PLAIN')) return await b.authenticate('PLAIN', replayPayload(creds, master));
  if (loginAllowed) return await b.login(creds.authcid, creds.secret);
  return { unsupported: 'backend offers no way to replay these credentials' };
}

type ImapCapabilityConfig = ProxyContext['config']['capabilities']['imap'];

/** Pre-login capability lines by configuration (a reload makes a new one) and session state. */
const capabilityLines = new WeakMap<ImapCapabilityConfig, (string | undefined)[]>();

/** The pre-login capability list, built once per configuration and state, not per greeting. */
function preLoginCapabilities(caps: ImapCapabilityConfig, startTls: boolean, cleartext: boolean): string {
  let lines = capabilityLines.get(caps);
  if (!lines) capabilityLines.set(caps, (lines = []));
  const key = (startTls ? 1 : 0) + (cleartext ? 2 : 0);
  return (lines[key] ??= [
    ...caps.capabilities,
    ...(startTls ? ['STARTTLS'] : []),
    ...(cleartext ? caps.auth_mechanisms.map((m) => `AUTH=${m}`) : ['LOGINDISABLED']),
  ].join(' '));
}

/** Runs one client session on an IMAP listener until bridged or closed. */
export async function runImapSession(
  ctx: ProxyContext,
  listener: ListenerConfig,
  conn: InboundConnection,
  log: Logger,
): Promise<void> {
  const caps = ctx.config.capabilities.imap;
  const limits = { maxLiteral: ctx.config.limits.maxLiteral, maxLiterals: 8 };
  let clientId: IdFields = [];
  let clientSentId = false;
  let askedCapability = false;
  let attempts = 0;
  const send = (line: string): void => writeLine(conn.socket, line);
  const cleartextOk = (): boolean => conn.secure || caps.allow_plain_auth_without_tls;

  const capabilityList = (): string =>
    preLoginCapabilities(caps, conn.canStartTls && listener.tls === 'starttls', cleartextOk());

  const timer = setTimeout(() => {
    send('* BYE Autologout; idle for too long');
    conn.close();
  }, listener.preauthTimeoutMs);
  timer.unref();

  /** Returns true when the session was bridged or must end. */
  const tryLogin = async (tag: string, creds: Credentials): Promise<boolean> => {
    const outcome = await proxyLogin(ctx, conn, 'imap', creds, log, async (be, client) => {
      const b = new ImapBackend(be);
      await b.greeting();
      if (be.destination.protocols.imap!.tls === 'starttls') await b.startTls();
      else if (b.capabilities.length === 0) await b.refreshCapabilities();
      requireSecureLeg(be);
      // The client's own ID goes to the backend whatever the forwarding mode; our address
      // fields only with forwarding = "xclient".
      const forwardAddress = be.destination.forwarding === 'xclient';
      if (has(b.capabilities, 'ID') && (forwardAddress || clientSentId)) {
        await b.sendId(
          buildBackendId(forwardAddress ? client : undefined, ctx.config.limits.proxyTtl, clientId),
        );
      }
      const r = await replayImapLogin(b, creds, masterLogin(be.destination, client));
      if ('unsupported' in r) throw cannotReplay(r.unsupported);
      if (r.status !== 'OK') {
        b.logout();
        const text = /^\[/.test(r.text)
          ? r.text
          : `[AUTHENTICATIONFAILED] ${r.text || 'Authentication failed.'}`;
        return { ok: false, response: `${tag} NO ${text}` } satisfies ReplayResult<ImapLoginValue>;
      }
      let after = capabilitiesIn(r.text) ? undefined : b.sawUntaggedCapabilities;
      if (askedCapability && !capabilitiesIn(r.text) && !after) after = await b.refreshCapabilities();
      return {
        ok: true,
        value: { capabilities: after, okText: r.text },
      } satisfies ReplayResult<ImapLoginValue>;
    });
    switch (outcome.kind) {
      case 'ok': {
        clearTimeout(timer);
        // Spec: the client asked for capabilities before login and the OK carries none.
        const caps = askedCapability ? outcome.value.capabilities : undefined;
        await bridgeLoggedIn(
          ctx,
          conn,
          outcome.backend,
          'imap',
          [...(caps ? [`* CAPABILITY ${caps.join(' ')}`] : []), `${tag} OK ${outcome.value.okText}`],
          log,
        );
        return true;
      }
      case 'rejected':
        send(outcome.response);
        break;
      case 'refused':
        send(`${tag} NO [AUTHENTICATIONFAILED] Authentication failed.`);
        break;
      case 'unavailable':
        send(`${tag} NO [UNAVAILABLE] ${outcome.message}`);
        break;
    }
    if (++attempts >= listener.maxAuthAttempts) {
      send('* BYE Too many invalid authentication attempts');
      conn.close();
      return true;
    }
    return false;
  };

  const authenticate = async (tag: string, args: Token[]): Promise<boolean> => {
    const mech = stringValue(args[0])?.toUpperCase() ?? '';
    if (!isSaslMechanism(mech) || !caps.auth_mechanisms.includes(mech)) {
      send(`${tag} NO Unsupported authentication mechanism`);
      return false;
    }
    if (!cleartextOk()) {
      send(`${tag} NO [PRIVACYREQUIRED] Use STARTTLS first`);
      return false;
    }
    const r = await serverSasl(mech, stringValue(args[1]), {
      challenge: (data) => send(`+ ${data}`),
      response: () => conn.reader.readLine(),
    });
    if (!r.ok) {
      send(`${tag} BAD ${r.message}`);
      if (r.reason !== 'unreadable') return false;
      conn.close();
      return true;
    }
    return tryLogin(tag, r.credentials);
  };

  send(`* OK [CAPABILITY ${capabilityList()}] ${caps.banner}`);
  try {
    for (;;) {
      let tokens: Token[];
      try {
        tokens = await readCommand(conn.reader, { continueLiteral: () => send('+ OK') }, limits);
      } catch (e) {
        if (!(e instanceof ProtocolError)) throw e;
        if (e.fatal) {
          send(`* BYE ${e.message}`);
          conn.close();
          return;
        }
        // RFC 9051 §7.1.3: tagged when the command's tag could be read.
        send(`${e.tag ?? '*'} BAD ${e.message}`);
        continue;
      }
      const tag = stringValue(tokens[0]);
      const verb = stringValue(tokens[1])?.toUpperCase();
      const args = tokens.slice(2);
      if (tag === undefined || tokens[0]!.kind !== 'atom' || !isImapTag(tag)) {
        send('* BAD Invalid tag');
        continue;
      }
      switch (verb) {
        case 'CAPABILITY':
          askedCapability = true;
          send(`* CAPABILITY ${capabilityList()}`);
          send(`${tag} OK Capability completed.`);
          break;
        case 'NOOP':
          send(`${tag} OK NOOP completed.`);
          break;
        case 'LOGOUT':
          send('* BYE Logging out');
          send(`${tag} OK Logout completed.`);
          conn.close();
          return;
        case 'ID': {
          const fields = parseIdArgument(args[0]);
          if (!fields || args.length !== 1) {
            send(`${tag} BAD Invalid ID arguments`);
            break;
          }
          clientId = fields;
          clientSentId = true;
          send('* ID ("name" "sievert")');
          send(`${tag} OK ID completed.`);
          break;
        }
        case 'STARTTLS':
          if (!conn.canStartTls || listener.tls !== 'starttls') {
            send(`${tag} BAD STARTTLS not available`);
            break;
          }
          send(`${tag} OK Begin TLS negotiation now.`);
          await conn.startTls();
          break;
        case 'LOGIN': {
          const user = stringValue(args[0]);
          const pass = stringValue(args[1]);
          if (user === undefined || pass === undefined || args.length !== 2) {
            send(`${tag} BAD Invalid LOGIN arguments`);
            break;
          }
          if (!cleartextOk()) {
            send(`${tag} NO [PRIVACYREQUIRED] Use STARTTLS first`);
            break;
          }
          const creds: Credentials = { mechanism: 'IMAP-LOGIN', authzid: '', authcid: user, secret: pass };
          if (await tryLogin(tag, creds)) return;
          break;
        }
        case 'AUTHENTICATE':
          if (await authenticate(tag, args)) return;
          break;
        default:
          send(`${tag} BAD Unknown command or not allowed before login.`);
      }
    }
  } catch (e) {
    if (!(e instanceof ConnectionClosedError)) {
      log.warn({ event: 'session-error', err: (e as Error).message });
    }
    conn.close();
  } finally {
    clearTimeout(timer);
  }
}
