import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import {
  connectTcp,
  connectTls,
  encodePlain,
  LineReader,
  readCommand,
  type ClientTlsOptions,
  type Token,
  type TlsMode,
} from '../net/index.js';
import { literalString, quotable, quotedString } from './wire.js';

/**
 * A ManageSieve client (RFC 5804): plain, STARTTLS or implicit TLS; the capability block;
 * AUTHENTICATE PLAIN and LOGIN; every command of §2; and a raw mode (`send`, `readResponse`)
 * for protocol tests. Commands answer with the server's response rather than throwing on `NO`,
 * so a caller can act on the response code; `requireOk()` turns a `NO` into an error.
 */

export type ManageSieveStatus = 'OK' | 'NO' | 'BYE';

/** A final response line (RFC 5804 §4 `response-oknobye`), its strings decoded as UTF-8. */
export interface ManageSieveResponse {
  status: ManageSieveStatus;
  /** The response code's name as sent, e.g. `QUOTA/MAXSIZE`, `WARNINGS`, `TAG`, `SASL`. */
  code?: string;
  /** The response code's arguments: the tag of `TAG`, the data of `SASL`. */
  codeData?: string[];
  /** The human-readable text (quoted string or literal). */
  text?: string;
}

/** One string or atom of a data line (capability, LISTSCRIPTS, GETSCRIPT) with its exact octets. */
export interface DataItem {
  kind: 'atom' | 'quoted' | 'literal';
  bytes: Buffer;
}

/** A final response and the data lines that came before it. */
export interface ManageSieveReply extends ManageSieveResponse {
  data: DataItem[][];
}

/** RFC 5804 §1.7 capabilities, and every name/value pair as sent in `raw` (names upper-cased). */
export interface ManageSieveCapabilities {
  implementation?: string;
  sasl: string[];
  sieve: string[];
  startTls: boolean;
  maxRedirects?: number;
  notify: string[];
  owner?: string;
  language?: string;
  version?: string;
  unauthenticate: boolean;
  raw: Map<string, string>;
}

export interface ScriptListEntry {
  name: string;
  active: boolean;
}

export interface ManageSieveClientOptions {
  host: string;
  port: number;
  /** `starttls` upgrades right after the greeting; `implicit` connects with TLS. Default `starttls`. */
  tls?: TlsMode;
  /** Certificate checks (CA, server name, `allowInvalidCerts` for tests). */
  tlsOptions?: ClientTlsOptions;
  /** How long to wait for a connection, a handshake or one response. Default 30,000 ms. */
  timeoutMs?: number;
  /** Longest response line without its literals. Default 65,536 octets. */
  maxLine?: number;
  /** Largest literal accepted from the server (a GETSCRIPT body). Default 16 MiB. */
  maxLiteral?: number;
}

/** How a string argument goes on the wire (RFC 5804 §4: quoted, or a `{n+}` / `{n}` literal). */
export type StringForm = 'auto' | 'quoted' | 'literal' | 'sync-literal';

export interface AuthenticateOptions {
  mechanism?: 'PLAIN' | 'LOGIN';
  /** PLAIN only: log in as this user with the credentials of `user` (a master user). */
  authzid?: string;
  /**
   * PLAIN: how the initial response is sent: with the command as a quoted string or a
   * literal, `auto` for quoted when it fits a quoted string (RFC 5804 §4: 1,024 octets) and a
   * literal otherwise, or `none` to wait for the server's empty challenge first (RFC 5804 §2.1).
   * Default `quoted`.
   */
  initialResponse?: 'quoted' | 'literal' | 'auto' | 'none';
}

/** A `NO` or `BYE` where the caller needed `OK`. */
export class ManageSieveError extends Error {
  constructor(
    readonly command: string,
    readonly response: ManageSieveResponse,
  ) {
    const code = response.code ? ` (${response.code})` : '';
    super(`${command}: ${response.status}${code} ${response.text ?? ''}`.trimEnd());
    this.name = 'ManageSieveError';
  }
}

export function requireOk<R extends ManageSieveResponse>(command: string, r: R): R {
  if (r.status !== 'OK') throw new ManageSieveError(command, r);
  return r;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_LINE = 65_536;
const DEFAULT_MAX_LITERAL = 16 * 1024 * 1024;

const utf8 = (s: string): string => Buffer.from(s, 'latin1').toString('utf8');

function itemOf(t: Token): DataItem | undefined {
  if (t.kind === 'list') return undefined;
  return {
    kind: t.kind === 'atom' ? 'atom' : t.literal ? 'literal' : 'quoted',
    bytes: Buffer.from(t.value, 'latin1'),
  };
}

/** The text of a data item (UTF-8). */
export function itemText(item: DataItem | undefined): string | undefined {
  return item?.bytes.toString('utf8');
}

/** Parses `OK|NO|BYE [(code [args])] [string]`, or returns undefined for a data line. */
function finalResponse(tokens: Token[]): ManageSieveResponse | undefined {
  const first = tokens[0];
  if (first?.kind !== 'atom') return undefined;
  const status = first.value.toUpperCase();
  if (status !== 'OK' && status !== 'NO' && status !== 'BYE') return undefined;
  const r: ManageSieveResponse = { status };
  let i = 1;
  const codeList = tokens[i];
  if (codeList?.kind === 'list') {
    i++;
    const [name, ...args] = codeList.items;
    if (name && name.kind !== 'list') r.code = utf8(name.value);
    const data = args.flatMap((a) => (a.kind === 'list' ? a.items : [a]));
    const values = data.flatMap((a) => (a.kind === 'list' ? [] : [utf8(a.value)]));
    if (values.length > 0) r.codeData = values;
  }
  const text = tokens[i];
  if (text && text.kind !== 'list') r.text = utf8(text.value);
  return r;
}

function parseCapabilities(lines: DataItem[][]): ManageSieveCapabilities {
  const raw = new Map<string, string>();
  for (const line of lines) {
    const name = itemText(line[0]);
    if (name !== undefined) raw.set(name.toUpperCase(), itemText(line[1]) ?? '');
  }
  const words = (k: string): string[] => (raw.get(k) ?? '').split(/\s+/).filter(Boolean);
  const maxRedirects = raw.get('MAXREDIRECTS');
  return {
    implementation: raw.get('IMPLEMENTATION'),
    sasl: words('SASL').map((m) => m.toUpperCase()),
    sieve: words('SIEVE'),
    startTls: raw.has('STARTTLS'),
    maxRedirects: maxRedirects === undefined ? undefined : Number(maxRedirects),
    notify: words('NOTIFY'),
    owner: raw.get('OWNER'),
    language: raw.get('LANGUAGE'),
    version: raw.get('VERSION'),
    unauthenticate: raw.has('UNAUTHENTICATE'),
    raw,
  };
}

/** Encodes a string argument; `auto` quotes what may be quoted and sends the rest as `{n+}`. */
export function encodeString(value: string | Buffer, form: StringForm = 'auto'): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  if (form === 'quoted' || (form === 'auto' && quotable(bytes))) return quotedString(bytes);
  return literalString(bytes, form === 'sync-literal' ? '' : '+');
}

export class ManageSieveClient {
  /** The greeting's final line. */
  greeting!: ManageSieveResponse;
  capabilities: ManageSieveCapabilities = parseCapabilities([]);
  private reader: LineReader;
  private readonly timeoutMs: number;
  private readonly maxLine: number;
  private readonly maxLiteral: number;

  private constructor(
    private socket: Socket | TLSSocket,
    private readonly options: ManageSieveClientOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxLine = options.maxLine ?? DEFAULT_MAX_LINE;
    this.maxLiteral = options.maxLiteral ?? DEFAULT_MAX_LITERAL;
    this.reader = new LineReader(socket, this.maxLine);
  }

  /** Connects, reads the greeting and, with `tls: 'starttls'`, upgrades (throws if refused). */
  static async connect(options: ManageSieveClientOptions): Promise<ManageSieveClient> {
    const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const mode = options.tls ?? 'starttls';
    const socket =
      mode === 'implicit'
        ? await connectTls({ host: options.host, port: options.port }, options.tlsOptions ?? {}, timeout)
        : await connectTcp(options.host, options.port, timeout);
    const client = new ManageSieveClient(socket, options);
    try {
      const greeting = await client.readResponse();
      client.greeting = greeting;
      if (greeting.status !== 'OK') throw new ManageSieveError('greeting', greeting);
      client.capabilities = parseCapabilities(greeting.data);
      if (mode === 'starttls') requireOk('STARTTLS', await client.startTls());
    } catch (e) {
      client.close();
      throw e;
    }
    return client;
  }

  /** False once the connection has ended (the server closed it, a timeout, `close()`). */
  get open(): boolean {
    return !this.socket.destroyed && !this.socket.readableEnded;
  }

  /** The server's address as connected (for a cleartext check: is it loopback?). */
  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }

  /** True once the connection is TLS. */
  get secure(): boolean {
    return 'encrypted' in this.socket && this.socket.encrypted === true;
  }

  /** Raw mode: writes bytes as they are (add the CRLF yourself). */
  send(bytes: string | Buffer): void {
    this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes);
  }

  /** Sends a command: the verb and its arguments, each string quoted or a literal per `form`. */
  command(verb: string, args: readonly (string | Buffer)[] = [], form: StringForm = 'auto'): void {
    const parts: Buffer[] = [Buffer.from(verb, 'latin1')];
    for (const a of args) parts.push(Buffer.from(' '), encodeString(a, form));
    parts.push(Buffer.from('\r\n'));
    this.send(Buffer.concat(parts));
  }

  /** One response line with its literals, as tokens. */
  private async readTokens(): Promise<Token[]> {
    return this.timed(
      readCommand(
        this.reader,
        { continueLiteral: () => {} },
        { maxLiteral: this.maxLiteral, maxLiterals: 16 },
      ),
    );
  }

  private timed<T>(p: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new Error(`no response from ${this.options.host}:${this.options.port} in ${this.timeoutMs} ms`),
        );
        this.socket.destroy();
      }, this.timeoutMs);
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  }

  /** Raw mode: reads data lines up to and including the final `OK`, `NO` or `BYE`. */
  async readResponse(): Promise<ManageSieveReply> {
    const data: DataItem[][] = [];
    for (;;) {
      const tokens = await this.readTokens();
      const final = finalResponse(tokens);
      if (final) return { ...final, data };
      data.push(tokens.flatMap((t) => itemOf(t) ?? []));
    }
  }

  /** Sends a command and reads its response. */
  async call(
    verb: string,
    args: readonly (string | Buffer)[] = [],
    form?: StringForm,
  ): Promise<ManageSieveReply> {
    this.command(verb, args, form);
    return this.readResponse();
  }

  /** STARTTLS (RFC 5804 §2.2): on OK, the TLS handshake and the capability block sent again. */
  async startTls(): Promise<ManageSieveResponse> {
    const r = await this.call('STARTTLS');
    if (r.status !== 'OK') return r;
    return this.completeStartTls();
  }

  /**
   * Raw mode: after the server's OK to a STARTTLS sent with `send()`, the TLS handshake, then
   * the capability block the server must send unsolicited (RFC 5804 §2.2), which is returned.
   */
  async completeStartTls(): Promise<ManageSieveReply> {
    const plain = this.socket;
    // RFC 5804 §2.2: nothing may follow the OK before the handshake; leftovers would be injected.
    const leftover = this.reader.detach();
    if (leftover.length > 0) {
      plain.destroy();
      throw new Error('server sent data after its STARTTLS response, before the TLS handshake');
    }
    // The host goes along so the certificate is checked against it: over an existing socket
    // to an IP address, Node would otherwise check the name `localhost`.
    const target = { socket: plain, host: this.options.host };
    this.socket = await connectTls(target, this.options.tlsOptions ?? {}, this.timeoutMs);
    this.reader = new LineReader(this.socket, this.maxLine);
    const caps = await this.readResponse();
    if (caps.status === 'OK') this.capabilities = parseCapabilities(caps.data);
    return caps;
  }

  async capability(): Promise<ManageSieveReply> {
    const r = await this.call('CAPABILITY');
    if (r.status === 'OK') this.capabilities = parseCapabilities(r.data);
    return r;
  }

  /**
   * AUTHENTICATE (RFC 5804 §2.1) with PLAIN or LOGIN. Challenges are answered as the
   * mechanism requires; the final response is returned (its `SASL` code data, if any, in
   * `codeData`).
   */
  async authenticate(
    user: string,
    password: string,
    o: AuthenticateOptions = {},
  ): Promise<ManageSieveResponse> {
    const mechanism = o.mechanism ?? 'PLAIN';
    const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');
    const answers: string[] =
      mechanism === 'PLAIN'
        ? [
            encodePlain(
              Buffer.from(o.authzid ?? '', 'utf8').toString('latin1'),
              Buffer.from(user, 'utf8').toString('latin1'),
              Buffer.from(password, 'utf8').toString('latin1'),
            ).toString('base64'),
          ]
        : [b64(user), b64(password)];
    const initial = mechanism === 'PLAIN' ? (o.initialResponse ?? 'quoted') : 'none';
    if (initial === 'none') this.command('AUTHENTICATE', [mechanism]);
    else {
      const ir = answers.shift()!;
      this.send(
        Buffer.concat([
          Buffer.from(`AUTHENTICATE "${mechanism}" `),
          encodeString(ir, initial === 'literal' ? 'literal' : initial === 'auto' ? 'auto' : 'quoted'),
          Buffer.from('\r\n'),
        ]),
      );
    }
    for (;;) {
      const tokens = await this.readTokens();
      const final = finalResponse(tokens);
      if (final) return final;
      // A challenge (a string); answer it, or cancel with "*" when we have nothing left to say.
      this.send(Buffer.concat([encodeString(answers.shift() ?? '*', 'quoted'), Buffer.from('\r\n')]));
    }
  }

  /** PUTSCRIPT (§2.6): the script always goes as a literal (`{n+}` unless `form` says otherwise). */
  putScript(
    name: string,
    content: string | Buffer,
    form: 'literal' | 'sync-literal' = 'literal',
  ): Promise<ManageSieveReply> {
    this.send(
      Buffer.concat([
        Buffer.from('PUTSCRIPT '),
        encodeString(name),
        Buffer.from(' '),
        encodeString(content, form),
        Buffer.from('\r\n'),
      ]),
    );
    return this.readResponse();
  }

  /** CHECKSCRIPT (§2.12): `OK (WARNINGS)` or `NO` with the errors in `text`. */
  checkScript(content: string | Buffer): Promise<ManageSieveReply> {
    return this.call('CHECKSCRIPT', [content], 'literal');
  }

  async listScripts(): Promise<ManageSieveResponse & { scripts: ScriptListEntry[] }> {
    const { data, ...r } = await this.call('LISTSCRIPTS');
    const scripts = data.map((line) => ({
      name: itemText(line[0]) ?? '',
      active: itemText(line[1])?.toUpperCase() === 'ACTIVE',
    }));
    return { ...r, scripts };
  }

  /** SETACTIVE (§2.8); `""` deactivates. */
  setActive(name: string): Promise<ManageSieveReply> {
    return this.call('SETACTIVE', [name]);
  }

  /** GETSCRIPT (§2.9): the script's exact octets on OK. */
  async getScript(name: string): Promise<ManageSieveResponse & { content?: Buffer }> {
    const { data, ...r } = await this.call('GETSCRIPT', [name]);
    const item = data[0]?.[0];
    return r.status === 'OK' && item ? { ...r, content: item.bytes } : r;
  }

  deleteScript(name: string): Promise<ManageSieveReply> {
    return this.call('DELETESCRIPT', [name]);
  }

  renameScript(from: string, to: string): Promise<ManageSieveReply> {
    return this.call('RENAMESCRIPT', [from, to]);
  }

  /** HAVESPACE (§2.5): `NO (QUOTA/…)` when a script of `size` octets would not fit. */
  haveSpace(name: string, size: number): Promise<ManageSieveReply> {
    this.send(Buffer.concat([Buffer.from('HAVESPACE '), encodeString(name), Buffer.from(` ${size}\r\n`)]));
    return this.readResponse();
  }

  /** NOOP (§2.13); with a tag, the server echoes it as `OK (TAG "…")`. */
  noop(tag?: string): Promise<ManageSieveReply> {
    return this.call('NOOP', tag === undefined ? [] : [tag]);
  }

  /** UNAUTHENTICATE (RFC 5804 §2.14.1). */
  unauthenticate(): Promise<ManageSieveReply> {
    return this.call('UNAUTHENTICATE');
  }

  /** LOGOUT (§2.3), then the connection is closed. */
  async logout(): Promise<ManageSieveResponse> {
    try {
      return await this.call('LOGOUT');
    } finally {
      this.close();
    }
  }

  /** Resolves when the server has closed the connection (after a BYE), or rejects on timeout. */
  async closed(): Promise<void> {
    if (this.socket.destroyed || this.socket.readableEnded) return;
    await this.timed(
      new Promise<void>((resolve) => {
        this.socket.once('close', () => resolve());
        this.socket.once('end', () => resolve());
      }),
    );
  }

  close(): void {
    this.socket.destroy();
  }
}
