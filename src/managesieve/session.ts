import type { AuthContext, AuthStep, Authenticator, UserEntry } from '../auth/types.js';
import {
  ConnectionClosedError,
  certificateUser,
  decodeBase64,
  ProtocolError,
  sleep,
  type FailurePenalties,
  type InboundConnection,
} from '../net/index.js';
import type { Engine } from '../sieve/index.js';
import { StoreError, UNLIMITED, type Quota, type ScriptStore } from '../store/types.js';
import { checkScriptBytes, checkScriptName } from './names.js';
import type { ManageSieveLimits, ManageSieveLogger } from './options.js';
import { MAX_NUMBER, readCommand, verbOf, type Arg, type ReadResult } from './syntax.js';
import { capabilityBlock, dataLine, response, type ResponseCode, type Status } from './wire.js';

/** What every session of one server shares. */
export interface ServerContext {
  store: ScriptStore;
  authenticator: Authenticator;
  engine: Engine;
  quotaFor(user: string, entry?: UserEntry): Promise<Quota>;
  implementation: string;
  /** The SIEVE capability, computed once. */
  sieveExtensions: string;
  maxRedirects: number;
  /** The NOTIFY capability; empty when not sent. */
  notifyMethods: string;
  /** Pre-login capability blocks built so far, by mechanisms and STARTTLS (see Session.capabilities). */
  preLoginCapabilities: Map<string, Buffer>;
  language: string | undefined;
  limits: ManageSieveLimits;
  penalties: FailurePenalties;
  log: ManageSieveLogger;
}

/** Where a command may be used (RFC 5804 §2 and the §4 grammar's command-any/-auth/-nonauth). */
type State = 'any' | 'auth' | 'nonauth';

/** Most arguments a command takes (RENAMESCRIPT's two, AUTHENTICATE's two) plus its name, with room. */
const MAX_ARGS = 4;
/** SASL mechanisms finish in a few rounds; a longer exchange is a broken client or an attack. */
const MAX_SASL_ROUNDS = 10;

/** One client connection, from the greeting to BYE or LOGOUT. */
export class Session {
  private user: string | undefined;
  private quota: Quota = UNLIMITED;
  private badCommands = 0;
  private authFailures = 0;
  /** A command is being carried out (not waiting for the client's next one). */
  private busy = false;
  private closing = false;
  private hungUp = false;
  /** Why the session ended, for its last log line. */
  private endReason = 'closed';
  private timer: NodeJS.Timeout | undefined;
  /** The status and code of the last response, for the command's log line. */
  private outcome: { status: Status; code?: string } = { status: 'OK' };

  constructor(
    private readonly ctx: ServerContext,
    private readonly conn: InboundConnection,
  ) {}

  private fields(extra: object): object {
    return { session: this.conn.id, remote: this.conn.remoteAddress, user: this.user, ...extra };
  }

  private write(...parts: Buffer[]): void {
    const s = this.conn.socket;
    if (!this.hungUp && !s.destroyed && s.writable)
      s.write(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
  }

  /** The command's response, after its `data` (capabilities, script list, script) in the same write. */
  private reply(status: Status, code?: ResponseCode, text?: string, data: readonly Buffer[] = []): void {
    this.outcome = {
      status,
      code: code === undefined ? undefined : typeof code === 'string' ? code : code.name,
    };
    this.write(...data, response(status, code, text));
  }

  /** Ends the connection once the responses written so far are out (at most `lingerMs` later). */
  private hangUp(): void {
    if (this.hungUp) return;
    this.hungUp = true;
    this.clearTimer();
    this.conn.closeAfterWrites(this.ctx.limits.lingerMs);
  }

  private bye(text: string, reason: string): void {
    this.endReason = reason;
    this.reply('BYE', undefined, text);
    this.hangUp();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(ms: number, text: string, event: string): void {
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.ctx.log.info(this.fields({ event }), text);
      this.bye(text, event);
    }, ms);
    this.timer.unref();
  }

  /** RFC 5804 §1.2: the pre-login time is counted from connecting (or UNAUTHENTICATE) to login. */
  private armPreauth(): void {
    this.arm(this.ctx.limits.preauthTimeoutMs, 'Login timed out.', 'preauth-timeout');
  }

  /** Asks the session to end: at once when it waits for a command, else after the current one. */
  shutdown(): void {
    this.closing = true;
    if (!this.busy) this.bye('Server shutting down.', 'shutdown');
  }

  /** Cuts the connection (the shutdown deadline has passed). */
  destroy(): void {
    this.hungUp = true;
    this.clearTimer();
    this.conn.socket.destroy();
  }

  async run(): Promise<void> {
    const c = this.conn;
    this.ctx.log.info(
      this.fields({ event: 'connect', tls: c.secure, port: c.localPort }),
      'ManageSieve session',
    );
    this.armPreauth();
    this.write(this.capabilities(), response('OK', undefined, `${this.ctx.implementation} ready.`));
    try {
      while (!this.hungUp) {
        if (this.closing) {
          this.bye('Server shutting down.', 'shutdown');
          break;
        }
        if (this.user)
          this.arm(this.ctx.limits.idleTimeoutMs, 'Disconnected for inactivity.', 'idle-timeout');
        const r = await readCommand(c.reader, {
          literalLimit: (args) => this.literalLimit(args),
          maxArgs: MAX_ARGS,
          skipBlankLines: true,
        });
        if (this.user) this.clearTimer();
        this.busy = true;
        const verb = r.verb;
        const more = await this.dispatch(r);
        this.busy = false;
        this.logCommand(verb);
        if (!more) break;
      }
    } catch (e) {
      if (e instanceof ProtocolError) {
        // A line over the limit, a literal size beyond 32 bits: the stream cannot be followed.
        this.ctx.log.info(this.fields({ event: 'protocol-error', error: e.message }), 'ending session');
        this.bye(`${e.message[0]!.toUpperCase()}${e.message.slice(1)}.`, 'protocol-error');
      } else if (!(e instanceof ConnectionClosedError) && !this.hungUp) {
        this.ctx.log.warn(
          this.fields({ event: 'session-error', error: (e as Error).message }),
          'session failed',
        );
        this.endReason = 'error';
      }
    } finally {
      this.clearTimer();
      if (!this.hungUp) this.hangUp();
      this.ctx.log.info(
        this.fields({ event: 'disconnect', reason: this.endReason }),
        'ManageSieve session ended',
      );
    }
  }

  private logCommand(verb: string | undefined): void {
    const o = this.outcome;
    const entry = this.fields({ event: 'command', command: verb, status: o.status, code: o.code });
    if (o.status === 'OK') this.ctx.log.debug?.(entry, 'command');
    else this.ctx.log.info(entry, 'command refused');
  }

  /** The largest literal allowed at this position of the command being read. */
  private literalLimit(args: readonly Arg[]): number {
    const verb = verbOf(args);
    if (verb === 'AUTHENTICATE') return this.ctx.limits.maxSaslResponse;
    if (this.user && isScriptArgument(verb, args.length)) return this.scriptLimit(verb === 'PUTSCRIPT');
    return this.ctx.limits.maxLiteral;
  }

  /**
   * The engine's script size limit, and for PUTSCRIPT also the user's. RFC 5804 §2.12:
   * CHECKSCRIPT MUST NOT check the quota.
   */
  private scriptLimit(withQuota: boolean): number {
    const engineMax = this.ctx.engine.limits.maxScriptSize;
    const q = this.quota.maxScriptSize;
    return withQuota && q > 0 ? Math.min(q, engineMax) : engineMax;
  }

  /**
   * The capability block. Before login it depends only on the mechanisms offered and STARTTLS,
   * so each variant is built once per server (it is sent in every greeting).
   */
  private capabilities(): Buffer {
    if (this.user) return this.buildCapabilities();
    const key = `${this.ctx.authenticator.mechanisms(this.authContext()).join(' ')}|${this.conn.canStartTls}`;
    let block = this.ctx.preLoginCapabilities.get(key);
    if (!block) {
      block = this.buildCapabilities();
      // Bounded: the key takes a few values (TLS or not, a client certificate or not).
      if (this.ctx.preLoginCapabilities.size < 16) this.ctx.preLoginCapabilities.set(key, block);
    }
    return block;
  }

  private buildCapabilities(): Buffer {
    const ctx = this.ctx;
    const caps: [string, string?][] = [
      ['IMPLEMENTATION', ctx.implementation],
      ['SASL', ctx.authenticator.mechanisms(this.authContext()).join(' ')],
      ['SIEVE', ctx.sieveExtensions],
    ];
    // RFC 5804 §1.7: STARTTLS is not advertised once STARTTLS or AUTHENTICATE has succeeded.
    if (!this.user && this.conn.canStartTls) caps.push(['STARTTLS']);
    caps.push(['MAXREDIRECTS', String(ctx.maxRedirects)]);
    if (ctx.notifyMethods) caps.push(['NOTIFY', ctx.notifyMethods]);
    // RFC 5804 §1.7: OWNER only in the authenticated state; it SHOULD be sent there.
    if (this.user) caps.push(['OWNER', this.user]);
    if (ctx.language) caps.push(['LANGUAGE', ctx.language]);
    if (this.user) caps.push(['UNAUTHENTICATE']);
    caps.push(['VERSION', '1.0']);
    return capabilityBlock(caps);
  }

  private authContext(): AuthContext {
    return {
      secure: this.conn.secure,
      remoteAddress: this.conn.remoteAddress,
      clientCertificateUser: certificateUser(this.conn.socket),
    };
  }

  /** Answers a command the client got wrong; ends the session after too many. */
  private bad(text: string): boolean {
    this.badCommands++;
    if (this.badCommands >= this.ctx.limits.maxBadCommands) {
      this.reply('NO', undefined, text);
      this.bye('Too many invalid commands.', 'bad-commands');
      return false;
    }
    this.reply('NO', undefined, text);
    return true;
  }

  /** Carries out one command; false when the session is over. */
  private async dispatch(r: ReadResult): Promise<boolean> {
    if (r.kind === 'too-large') {
      // The octets were skipped unread: whatever they held was never taken for commands.
      let text = `Argument too long: a literal of ${r.size} octets; at most ${r.limit} are accepted here.`;
      if (this.user && isScriptArgument(r.verb, r.argIndex))
        text = `Script too large: ${r.size} octets; at most ${r.limit} are accepted.`;
      else if (!this.user && COMMANDS[r.verb ?? '']?.state === 'auth')
        text = `A literal of ${r.size} octets is not read before login; authenticate first.`;
      this.reply('NO', 'QUOTA/MAXSIZE', text);
      return true;
    }
    if (r.kind === 'invalid') return this.bad(`Syntax error: ${r.message}.`);
    const [name, ...args] = r.args;
    if (name?.kind !== 'atom') return this.bad('Syntax error: expected a command name.');
    const verb = name.value.toUpperCase();
    const command = COMMANDS[verb];
    if (!command) return this.bad(`Unknown command ${verb.slice(0, 40)}.`);
    if (command.state === 'auth' && !this.user) return this.bad('Authenticate first.');
    if (command.state === 'nonauth' && this.user)
      return this.bad(`${verb} is only valid before authentication.`);
    const shape = command.params;
    const optional = command.optional ?? 0;
    if (
      args.length > shape.length ||
      args.length < shape.length - optional ||
      args.some((a, i) => (shape[i] === 'string' ? a.kind !== 'string' : !isNumber(a)))
    )
      return this.bad(`${verb} takes ${command.usage}.`);
    return command.run(this, args);
  }

  // --- Commands valid in any state (RFC 5804 §2.3, §2.4, §2.13).

  capability(): boolean {
    this.reply('OK', undefined, 'Capability completed.', [this.capabilities()]);
    return true;
  }

  noop(args: Arg[]): boolean {
    const tag = args[0];
    if (tag?.kind === 'string') this.reply('OK', { name: 'TAG', value: tag.value }, 'Done');
    else this.reply('OK', undefined, 'NOOP completed.');
    return true;
  }

  logout(): boolean {
    // RFC 5804 erratum 7825: LOGOUT is answered with OK, and later commands are ignored.
    this.reply('OK', undefined, 'Logout completed.');
    this.endReason = 'logout';
    this.hangUp();
    return false;
  }

  // --- Before login (RFC 5804 §2.1, §2.2).

  async startTls(): Promise<boolean> {
    if (!this.conn.canStartTls) {
      this.reply('NO', undefined, 'STARTTLS is not available on this connection.');
      return true;
    }
    this.reply('OK', undefined, 'Begin TLS negotiation now.');
    // Bytes the client pipelined after STARTTLS are dropped unread by startTls().
    await this.conn.startTls();
    // RFC 5804 §2.2: the capabilities again, unsolicited, now without STARTTLS.
    this.reply('OK', undefined, 'TLS negotiation successful.', [this.capabilities()]);
    this.ctx.log.info(this.fields({ event: 'starttls' }), 'TLS started');
    return true;
  }

  async authenticate(args: Arg[]): Promise<boolean> {
    const mechanism = args[0]!.value.toString('latin1').toUpperCase();
    const ctx = this.authContext();
    const exchange = this.ctx.authenticator.start(mechanism, ctx);
    if (!exchange) {
      const withTls =
        !ctx.secure &&
        (this.ctx.authenticator.mechanisms({ ...ctx, secure: true }) as string[]).includes(mechanism);
      if (withTls) this.reply('NO', 'ENCRYPT-NEEDED', `${mechanism} needs TLS: use STARTTLS first.`);
      else this.reply('NO', undefined, `Unsupported authentication mechanism ${mechanism.slice(0, 40)}.`);
      return true;
    }
    let data: Buffer | undefined;
    if (args[1]) {
      data = decodeBase64(args[1].value.toString('latin1'));
      if (!data) return this.authFailed(mechanism, 'malformed', 'Invalid base64 in the initial response.');
    }
    for (let round = 0; round < MAX_SASL_ROUNDS; round++) {
      let step: AuthStep;
      try {
        step = await exchange.step(data);
      } catch (e) {
        this.ctx.log.error(
          this.fields({ event: 'auth-error', mechanism, error: (e as Error).message }),
          'authenticator failed',
        );
        step = {
          kind: 'failure',
          reason: 'unavailable',
          message: 'Authentication is unavailable; try again later.',
        };
      }
      if (step.kind === 'success') return this.loggedIn(mechanism, step);
      if (step.kind === 'failure') {
        if (step.reason === 'unavailable') {
          this.reply('NO', 'TRYLATER', step.message);
          return true;
        }
        if (step.reason === 'disabled') return this.loginDisabled(mechanism, step.message);
        // RFC 5804 §1.3: the mechanism is refused for this user by policy.
        if (step.reason === 'too-weak')
          return this.authFailed(mechanism, step.reason, `${step.message}.`, 'AUTH-TOO-WEAK');
        // A wrong user and a wrong password get the same answer.
        const text = step.reason === 'credentials' ? 'Authentication failed.' : step.message;
        return this.authFailed(mechanism, step.reason, text);
      }
      // RFC 5804 §2.1: a challenge is a string of base64; the response a string, "*" to cancel.
      this.write(dataLine([step.data.toString('base64')]));
      const r = await readCommand(this.conn.reader, {
        literalLimit: () => this.ctx.limits.maxSaslResponse,
        maxArgs: 1,
        skipBlankLines: false,
      });
      if (r.kind === 'too-large') {
        this.reply('NO', 'QUOTA/MAXSIZE', `SASL response too long: at most ${r.limit} octets are accepted.`);
        return true;
      }
      const arg = r.kind === 'command' ? r.args[0] : undefined;
      if (arg?.kind !== 'string')
        return this.authFailed(mechanism, 'malformed', 'Expected the SASL response as a string.');
      const s = arg.value.toString('latin1');
      if (s === '*') {
        this.reply('NO', undefined, 'Authentication cancelled.');
        return true;
      }
      data = decodeBase64(s);
      if (!data) return this.authFailed(mechanism, 'malformed', 'Invalid base64 in the SASL response.');
    }
    return this.authFailed(mechanism, 'malformed', 'Too many SASL rounds.');
  }

  private async loggedIn(mechanism: string, step: Extract<AuthStep, { kind: 'success' }>): Promise<boolean> {
    let quota: Quota;
    try {
      quota = await this.ctx.quotaFor(step.user, step.entry);
    } catch (e) {
      this.ctx.log.error(
        this.fields({ event: 'quota-error', error: (e as Error).message }),
        'quota lookup failed',
      );
      this.reply('NO', 'TRYLATER', 'Your settings could not be read; try again later.');
      return true;
    }
    this.user = step.user;
    this.quota = quota;
    this.clearTimer();
    // RFC 5804 §2.1: SCRAM's server-final goes in the SASL response code; no capabilities
    // follow since no SASL security layer is negotiated (clients ask with CAPABILITY).
    if (step.data && step.data.length > 0)
      this.reply('OK', { name: 'SASL', value: step.data.toString('base64') }, 'Logged in.');
    else this.reply('OK', undefined, 'Logged in.');
    this.ctx.log.info(
      this.fields({ event: 'login', mechanism, authcid: step.authcid, master: step.master }),
      'logged in',
    );
    return true;
  }

  /** A failed AUTHENTICATE: delayed by the address's recent failures; BYE after too many. */
  private async authFailed(
    mechanism: string,
    reason: string,
    text: string,
    code?: ResponseCode,
  ): Promise<boolean> {
    const delay = this.ctx.penalties.fail([this.conn.remoteAddress]);
    this.ctx.log.info(
      this.fields({ event: 'auth-failed', mechanism, reason, delayMs: delay }),
      'authentication failed',
    );
    await sleep(delay);
    return this.refuseLogin(text, code);
  }

  /**
   * The right credentials for an account that may not log in (passwd-file `nologin`): its
   * reason, as Dovecot sends it, without a failure delay (the client proved the password),
   * but counted, so a client retrying in a loop is still sent away.
   */
  private loginDisabled(mechanism: string, text: string): boolean {
    this.ctx.log.info(this.fields({ event: 'auth-failed', mechanism, reason: 'disabled' }), 'login disabled');
    return this.refuseLogin(text);
  }

  private refuseLogin(text: string, code?: ResponseCode): boolean {
    this.authFailures++;
    this.reply('NO', code, text);
    if (this.authFailures >= this.ctx.limits.maxAuthFailures) {
      this.bye('Too many failed authentication attempts.', 'auth-failures');
      return false;
    }
    return true;
  }

  // --- After login (RFC 5804 §2.5–§2.12, §2.14.1).

  unauthenticate(): boolean {
    // RFC 5804 §2.14.1: back to the non-authenticated state; TLS stays.
    this.ctx.log.info(this.fields({ event: 'unauthenticate' }), 'logged out, connection kept');
    this.user = undefined;
    this.quota = UNLIMITED;
    this.reply('OK', undefined, 'Unauthenticate completed.');
    this.armPreauth();
    return true;
  }

  /** Runs a store operation; a StoreError becomes NO with its response code. */
  private async stored(op: () => Promise<void>): Promise<boolean> {
    try {
      await op();
      return true;
    } catch (e) {
      if (e instanceof StoreError) this.reply('NO', e.code, e.message);
      else {
        this.ctx.log.error(
          this.fields({ event: 'store-error', error: (e as Error).message }),
          'store failed',
        );
        this.reply('NO', 'TRYLATER', 'The script store failed; try again later.');
      }
      return false;
    }
  }

  private name(arg: Arg | undefined): string | undefined {
    const r = checkScriptName(bytesOf(arg), this.ctx.limits.maxScriptNameLength);
    if (r.ok) return r.value;
    this.reply('NO', undefined, r.message);
    return undefined;
  }

  /**
   * Checks a script as PUTSCRIPT and CHECKSCRIPT do (RFC 5804 §2.6, §2.12): every error with
   * its line, one a line; warnings are returned for `OK (WARNINGS)`.
   */
  private validate(script: Buffer): { warnings: string | undefined } | undefined {
    const checked = checkScriptBytes(script, this.ctx.engine);
    if (checked.kind === 'empty') {
      this.reply('NO', undefined, 'The script is empty; an empty script is refused (RFC 5804 §2.6).');
      return undefined;
    }
    if (checked.kind === 'not-utf8') {
      this.reply(
        'NO',
        undefined,
        `line ${checked.line}: error: invalid UTF-8 at column ${checked.column}; scripts are UTF-8 (RFC 5228 §2.1).`,
      );
      return undefined;
    }
    const { diagnostics } = checked;
    const render = (severity: string): string[] =>
      diagnostics
        .filter((d) => d.severity === severity)
        .map((d) => `line ${d.line}: ${d.severity}: ${d.message}`);
    const errors = render('error');
    if (errors.length > 0) {
      this.reply('NO', undefined, errors.join('\r\n'));
      return undefined;
    }
    const warnings = render('warning');
    return { warnings: warnings.length > 0 ? warnings.join('\r\n') : undefined };
  }

  async putScript(args: Arg[]): Promise<boolean> {
    const name = this.name(args[0]);
    if (name === undefined) return true;
    const script = bytesOf(args[1]);
    const checked = this.validate(script);
    if (!checked) return true;
    if (await this.stored(() => this.ctx.store.putScript(this.user!, name, script, this.quota))) {
      if (checked.warnings) this.reply('OK', 'WARNINGS', checked.warnings);
      else this.reply('OK', undefined, 'Putscript completed.');
    }
    return true;
  }

  checkScript(args: Arg[]): boolean {
    const checked = this.validate(bytesOf(args[0]));
    if (!checked) return true;
    if (checked.warnings) this.reply('OK', 'WARNINGS', checked.warnings);
    else this.reply('OK', undefined, 'Script is valid.');
    return true;
  }

  async haveSpace(args: Arg[]): Promise<boolean> {
    const name = this.name(args[0]);
    if (name === undefined) return true;
    const size = Number(args[1]!.kind === 'atom' ? args[1]!.value : NaN);
    const limit = this.ctx.engine.limits.maxScriptSize;
    if (size > limit) {
      this.reply('NO', 'QUOTA/MAXSIZE', `Scripts may hold at most ${limit} octets.`);
      return true;
    }
    if (await this.stored(() => this.ctx.store.checkSpace(this.user!, name, size, this.quota)))
      this.reply('OK', undefined, 'Putscript would succeed.');
    return true;
  }

  async listScripts(): Promise<boolean> {
    let lines: Buffer[] = [];
    const ok = await this.stored(async () => {
      const scripts = await this.ctx.store.listScripts(this.user!);
      lines = scripts.map((s) => dataLine([s.name], s.active ? 'ACTIVE' : undefined));
    });
    if (ok) this.reply('OK', undefined, 'Listscripts completed.', lines);
    return true;
  }

  async setActive(args: Arg[]): Promise<boolean> {
    // RFC 5804 §2.8: the empty name deactivates whatever script is active.
    const empty = bytesOf(args[0]).length === 0;
    const name = empty ? null : this.name(args[0]);
    if (name === undefined) return true;
    if (await this.stored(() => this.ctx.store.setActive(this.user!, name)))
      this.reply('OK', undefined, name === null ? 'No script is active now.' : 'Setactive completed.');
    return true;
  }

  async getScript(args: Arg[]): Promise<boolean> {
    const name = this.name(args[0]);
    if (name === undefined) return true;
    let content: Buffer | undefined;
    const ok = await this.stored(async () => {
      content = await this.ctx.store.getScript(this.user!, name);
      if (!content) throw new StoreError('NONEXISTENT', 'There is no script by that name.');
    });
    if (ok && content) {
      // RFC 5804 §2.9: the exact octets stored, as a literal, then CRLF and OK.
      const literal = [
        Buffer.from(`{${content.length}}\r\n`, 'latin1'),
        content,
        Buffer.from('\r\n', 'latin1'),
      ];
      this.reply('OK', undefined, 'Getscript completed.', literal);
    }
    return true;
  }

  async deleteScript(args: Arg[]): Promise<boolean> {
    const name = this.name(args[0]);
    if (name === undefined) return true;
    if (await this.stored(() => this.ctx.store.deleteScript(this.user!, name)))
      this.reply('OK', undefined, 'Deletescript completed.');
    return true;
  }

  async renameScript(args: Arg[]): Promise<boolean> {
    const from = this.name(args[0]);
    if (from === undefined) return true;
    const to = this.name(args[1]);
    if (to === undefined) return true;
    if (await this.stored(() => this.ctx.store.renameScript(this.user!, from, to)))
      this.reply('OK', undefined, 'Renamescript completed.');
    return true;
  }
}

/** The script of PUTSCRIPT (its second argument) and CHECKSCRIPT (its first); `index` counts the command name. */
function isScriptArgument(verb: string | undefined, index: number): boolean {
  return (verb === 'PUTSCRIPT' && index === 2) || (verb === 'CHECKSCRIPT' && index === 1);
}

/** A string argument's octets (the command's shape was checked by dispatch). */
function bytesOf(a: Arg | undefined): Buffer {
  return a?.kind === 'string' ? a.value : Buffer.alloc(0);
}

/** RFC 5804 §4 `number`: digits, below 2^32. */
function isNumber(a: Arg): boolean {
  return a.kind === 'atom' && /^\d{1,10}$/.test(a.value) && Number(a.value) <= MAX_NUMBER;
}

interface Command {
  state: State;
  params: ('string' | 'number')[];
  /** How many trailing parameters may be left out. */
  optional?: number;
  /** For the error message: what the command takes. */
  usage: string;
  run(s: Session, args: Arg[]): boolean | Promise<boolean>;
}

const COMMANDS: Record<string, Command | undefined> = {
  CAPABILITY: { state: 'any', params: [], usage: 'no arguments', run: (s) => s.capability() },
  NOOP: {
    state: 'any',
    params: ['string'],
    optional: 1,
    usage: 'an optional tag string',
    run: (s, a) => s.noop(a),
  },
  LOGOUT: { state: 'any', params: [], usage: 'no arguments', run: (s) => s.logout() },
  STARTTLS: { state: 'nonauth', params: [], usage: 'no arguments', run: (s) => s.startTls() },
  AUTHENTICATE: {
    state: 'nonauth',
    params: ['string', 'string'],
    optional: 1,
    usage: 'a mechanism name and an optional initial response, as strings',
    run: (s, a) => s.authenticate(a),
  },
  UNAUTHENTICATE: { state: 'auth', params: [], usage: 'no arguments', run: (s) => s.unauthenticate() },
  HAVESPACE: {
    state: 'auth',
    params: ['string', 'number'],
    usage: 'a script name (string) and a size (number)',
    run: (s, a) => s.haveSpace(a),
  },
  PUTSCRIPT: {
    state: 'auth',
    params: ['string', 'string'],
    usage: 'a script name and the script, as strings',
    run: (s, a) => s.putScript(a),
  },
  CHECKSCRIPT: {
    state: 'auth',
    params: ['string'],
    usage: 'the script as a string',
    run: (s, a) => s.checkScript(a),
  },
  LISTSCRIPTS: { state: 'auth', params: [], usage: 'no arguments', run: (s) => s.listScripts() },
  SETACTIVE: {
    state: 'auth',
    params: ['string'],
    usage: 'a script name (string)',
    run: (s, a) => s.setActive(a),
  },
  GETSCRIPT: {
    state: 'auth',
    params: ['string'],
    usage: 'a script name (string)',
    run: (s, a) => s.getScript(a),
  },
  DELETESCRIPT: {
    state: 'auth',
    params: ['string'],
    usage: 'a script name (string)',
    run: (s, a) => s.deleteScript(a),
  },
  RENAMESCRIPT: {
    state: 'auth',
    params: ['string', 'string'],
    usage: 'the old and the new script name, as strings',
    run: (s, a) => s.renameScript(a),
  },
};
