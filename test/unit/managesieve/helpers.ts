import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { serverTlsOptions } from '../../../src/net/index.js';
import {
  startManageSieve,
  type ManageSieveOptions,
  type ManageSieveServer,
} from '../../../src/managesieve/index.js';
import { createEngine } from '../../../src/sieve/index.js';
import type { Quota } from '../../../src/store/types.js';
import { dial, dialTls, type Peer, type TestCerts } from '../proxy/helpers.js';
import { FakeAuthenticator } from './fake-auth.js';
import { MemoryStore } from './memory-store.js';

export { dial, makeCerts, type Peer, type TestCerts } from '../proxy/helpers.js';

export const b64 = (s: string): string => Buffer.from(s).toString('base64');

export const PASSWORDS = new Map([
  ['alice', 'secret'],
  ['bob', 'hunter2'],
  ['scram', 'proof'],
]);

export const QUOTA: Quota = { maxScripts: 3, maxScriptSize: 4096, maxStorage: 8192 };

/** One log line as the server wrote it. */
export type LogEntry = { level: string; msg: string | undefined } & Record<string, unknown>;

export interface TestServer {
  server: ManageSieveServer;
  port: number;
  store: MemoryStore;
  auth: FakeAuthenticator;
  logs: LogEntry[];
  /** A connected client that has read the greeting's capability block and OK. */
  client: () => Promise<Peer>;
  /** A connected client that has read nothing yet. */
  connect: () => Promise<Peer>;
}

export interface TestServerOptions extends Partial<ManageSieveOptions> {
  certs?: TestCerts;
  plaintextWithoutTls?: boolean;
}

/** A server on a free loopback port with a memory store and the fake authenticator; stopped after the test. */
export async function startServer(t: TestContext, o: TestServerOptions = {}): Promise<TestServer> {
  const store = new MemoryStore();
  const auth = new FakeAuthenticator(PASSWORDS, o.plaintextWithoutTls ?? true);
  const logs: LogEntry[] = [];
  const record =
    (level: string) =>
    (obj: object, msg?: string): void =>
      void logs.push({ level, msg, ...(obj as Record<string, unknown>) });
  const { certs, plaintextWithoutTls: _, ...rest } = o;
  const server = await startManageSieve({
    listen: ['127.0.0.1:0'],
    tls: certs ? 'starttls' : 'plain',
    tlsOptions: certs ? serverTlsOptions([{ cert: certs.cert, key: certs.key }]) : undefined,
    store,
    authenticator: auth,
    engine: createEngine(),
    quota: QUOTA,
    implementation: 'sievert test',
    logger: { info: record('info'), warn: record('warn'), error: record('error'), debug: record('debug') },
    ...rest,
    limits: { authFailureDelayMs: 0, lingerMs: 200, ...rest.limits },
  });
  t.after(() => server.close(1000));
  const port = server.addresses[0]!.port;
  const connect = async (): Promise<Peer> => {
    const c = o.tls === 'implicit' ? await dialTls(port, certs!.ca) : await dial(port);
    t.after(() => c.close());
    return c;
  };
  return {
    server,
    port,
    store,
    auth,
    logs,
    connect,
    client: async () => {
      const c = await connect();
      await block(c);
      return c;
    },
  };
}

/** Peer reads lines as binary strings; responses are UTF-8. */
const utf8 = (line: string): string => Buffer.from(line, 'latin1').toString('utf8');

/**
 * Reads response lines up to and including the next OK, NO or BYE line. A line's literals are
 * kept in their wire form: `NO {5}` CRLF `a\r\nb` and the rest of the line, as one string.
 */
export async function block(c: Peer): Promise<string[]> {
  const lines: string[] = [];
  for (;;) {
    let line = utf8(await c.line());
    for (let m = /\{(\d+)\}$/.exec(line); m; m = /\{(\d+)\}$/.exec(line)) {
      const body = (await c.reader.readBytes(Number(m[1]))).toString();
      line += `\r\n${body}${utf8(await c.line())}`;
    }
    lines.push(line);
    if (/^(OK|NO|BYE)\b/.test(line)) return lines;
  }
}

/** Sends a command and returns its response lines (data lines and the final line). */
export async function command(c: Peer, line: string | Buffer): Promise<string[]> {
  if (typeof line === 'string') c.send(line);
  else c.sendRaw(line);
  return block(c);
}

/** AUTHENTICATE PLAIN with an initial response; asserts the login succeeded. */
export async function login(c: Peer, user = 'alice', password = PASSWORDS.get(user) ?? ''): Promise<void> {
  assert.deepEqual(await command(c, `AUTHENTICATE "PLAIN" "${b64(`\0${user}\0${password}`)}"`), [
    'OK "Logged in."',
  ]);
}

/** A string as a non-synchronizing literal: `{n+}` CRLF and its octets (UTF-8 for a string). */
export function literal(s: string | Buffer, marker: '+' | '' = '+'): Buffer {
  const b = typeof s === 'string' ? Buffer.from(s) : s;
  return Buffer.concat([Buffer.from(`{${b.length}${marker}}\r\n`), b]);
}

/** Octets to send: strings as UTF-8, buffers as they are. */
export function raw(...parts: (string | Buffer)[]): Buffer {
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
}

/** The capability block the test server sends, as lines. */
export function capabilities(o: { sasl?: string; starttls?: boolean; owner?: string } = {}): string[] {
  const engine = createEngine();
  return [
    '"IMPLEMENTATION" "sievert test"',
    `"SASL" "${o.sasl ?? 'PLAIN LOGIN SCRAM-SHA-256'}"`,
    `"SIEVE" "${engine.capabilities().join(' ')}"`,
    ...(o.starttls ? ['"STARTTLS"'] : []),
    '"MAXREDIRECTS" "4"',
    '"NOTIFY" "mailto"',
    ...(o.owner ? [`"OWNER" "${o.owner}"`, '"UNAUTHENTICATE"'] : []),
    '"VERSION" "1.0"',
  ];
}
