/**
 * The web filter editor's HTTP side: the built page (dist/web/static) and a small JSON API over
 * the script store, with the same users as ManageSieve. node:http and a hand-written router:
 * a dozen routes do not need a framework.
 */
import { createReadStream, realpathSync, statSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { isIP, type AddressInfo } from 'node:net';
import { dirname, extname, join, resolve, sep } from 'node:path';
import type { SecureContextOptions } from 'node:tls';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { Authenticator } from '../auth/index.js';
import { checkScriptName } from '../managesieve/index.js';
import { FailurePenalties, parseBind, sleep } from '../net/index.js';
import { decodeScript, type Diagnostic, type Engine } from '../sieve/index.js';
import { StoreError, type Quota, type ScriptStore, type StoreErrorCode } from '../store/index.js';
import { SessionTable, type WebSession } from './sessions.js';

export interface WebOptions {
  /** "host:port" addresses. */
  listen: readonly string[];
  store: ScriptStore;
  /** Must offer PLAIN; the cleartext rule is applied here (see `allowCleartext`). */
  authenticator: Authenticator;
  /** Checks scripts before they are stored (the same engine as ManageSieve's). */
  engine: Engine;
  quota: (user: string) => Promise<Quota>;
  /** HTTPS with these; plain HTTP without. */
  tls?: SecureContextOptions;
  /** Accept logins over plain HTTP from non-loopback clients (`auth.plaintext_without_tls`). */
  allowCleartext?: boolean;
  /** Default 30 minutes. */
  sessionTimeoutMs?: number;
  /** Request bodies above this many octets get 413. Default 2 MiB. */
  maxBody?: number;
  /** The built page. Default: dist/web/static of the package. */
  staticDir?: string;
  failureDelayMs?: number;
  failureDelayMaxMs?: number;
  /** The clock of sessions and failure penalties (tests). */
  now?: () => number;
  logger?: Logger;
}

export interface WebServer {
  addresses: AddressInfo[];
  /** Open sessions (for tests and status). */
  readonly sessions: number;
  close(): Promise<void>;
}

export const SESSION_COOKIE = 'sievert_session';
/** Required on every non-GET API request: a cross-site form or image cannot send it. */
export const CSRF_HEADER = 'x-sievert';
export const DEFAULT_MAX_BODY = 2 * 1024 * 1024;
const MAX_NAME_CHARACTERS = 128;

/** The package's built page: from dist/bundle/*.js, dist/web/*.js and src/web/*.ts alike, two folders up. */
export function defaultStaticDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'web', 'static');
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
};

/** An answer the client can act on: the HTTP status, a stable code, a sentence. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const STORE_STATUS: Record<StoreErrorCode, number> = {
  NONEXISTENT: 404,
  ALREADYEXISTS: 409,
  ACTIVE: 409,
  QUOTA: 403,
  'QUOTA/MAXSCRIPTS': 403,
  'QUOTA/MAXSIZE': 403,
  TRYLATER: 503,
};

function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || (isIP(a) === 4 && a.startsWith('127.'));
}

function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

type Handler = (ctx: RequestContext) => Promise<unknown>;

interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: string[];
  session: WebSession | undefined;
  body(): Promise<Buffer>;
  json(): Promise<Record<string, unknown>>;
}

interface Route {
  method: string;
  pattern: RegExp;
  auth: boolean;
  handler: Handler;
}

export async function startWeb(o: WebOptions): Promise<WebServer> {
  const now = o.now ?? Date.now;
  const sessions = new SessionTable(o.sessionTimeoutMs ?? 30 * 60_000, now);
  const maxBody = o.maxBody ?? DEFAULT_MAX_BODY;
  const failureDelay = o.failureDelayMs ?? 2_000;
  const penalties = new FailurePenalties(
    failureDelay,
    o.failureDelayMaxMs ?? 15_000,
    Math.max(60_000, (o.failureDelayMaxMs ?? 15_000) * 4),
    100_000,
    now,
  );
  let staticRoot: string | undefined;
  try {
    staticRoot = realpathSync(o.staticDir ?? defaultStaticDir());
  } catch {
    o.logger?.warn(
      { event: 'web-static-missing', dir: o.staticDir ?? defaultStaticDir() },
      'the page is not built',
    );
  }
  const log = o.logger;
  const secure = o.tls !== undefined;

  const user = (ctx: RequestContext): string => ctx.session!.user;
  /** RFC 5804 §1.6, as ManageSieve checks it; a lone surrogate has no UTF-8 form and is refused. */
  const checkedName = (name: string): string => {
    const bytes = Buffer.from(name, 'utf8');
    if (bytes.toString('utf8') !== name)
      throw new HttpError(
        400,
        'NAME',
        'The script name contains an unpaired surrogate, which UTF-8 cannot encode.',
      );
    const r = checkScriptName(bytes, MAX_NAME_CHARACTERS);
    if (!r.ok) throw new HttpError(400, 'NAME', r.message);
    return r.value;
  };
  /** The name in a URL path segment. */
  const scriptName = (raw: string | undefined): string => {
    let name: string;
    try {
      name = decodeURIComponent(raw ?? '');
    } catch {
      throw new HttpError(400, 'NAME', 'The script name is not valid percent-encoded UTF-8.');
    }
    return checkedName(name);
  };
  const stored = async <T>(f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      if (e instanceof StoreError) throw new HttpError(STORE_STATUS[e.code], e.code, e.message);
      throw e;
    }
  };
  /** JSON text → the script's octets; a lone surrogate has no UTF-8 form and is refused, never replaced. */
  const sourceBytes = (source: unknown): Buffer => {
    if (typeof source !== 'string') throw new HttpError(400, 'BAD_REQUEST', 'Expected {"source": "…"}.');
    const bytes = Buffer.from(source, 'utf8');
    if (bytes.toString('utf8') !== source)
      throw new HttpError(
        422,
        'UTF8',
        'The script contains an unpaired surrogate, which UTF-8 cannot encode.',
      );
    return bytes;
  };
  /** As ManageSieve's PUTSCRIPT: empty, invalid UTF-8 or any compile error → refused with the diagnostics. */
  const validate = (bytes: Buffer): { diagnostics: readonly Diagnostic[] } => {
    if (bytes.length === 0)
      throw new HttpError(422, 'EMPTY', 'The script is empty; an empty script is refused (RFC 5804 §2.6).');
    const decoded = decodeScript(bytes);
    if (!('text' in decoded))
      throw new HttpError(
        422,
        'UTF8',
        `Invalid UTF-8 at line ${decoded.line}, column ${decoded.column}; scripts are UTF-8 (RFC 5228 §2.1).`,
        { line: decoded.line, column: decoded.column },
      );
    const diagnostics = o.engine.check(decoded.text);
    const errors = diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) {
      const first = errors[0]!;
      throw new HttpError(
        422,
        'COMPILE',
        `The script does not compile: line ${first.line}, column ${first.column}: ${first.message}`,
        { diagnostics },
      );
    }
    return { diagnostics };
  };

  const routes: Route[] = [];
  const route = (method: string, path: string, auth: boolean, handler: Handler): void => {
    const pattern = new RegExp(`^${path.replace(/:[a-z]+/g, '([^/]+)')}$`);
    routes.push({ method, pattern, auth, handler });
  };

  route('POST', '/api/login', false, async (ctx) => {
    const remote = ctx.req.socket.remoteAddress ?? '';
    if (!secure && !o.allowCleartext && !isLoopback(remote))
      throw new HttpError(
        403,
        'TLS_REQUIRED',
        'Passwords are not accepted over plain HTTP from other hosts: set [web] cert and key, or auth.plaintext_without_tls.',
      );
    const b = await ctx.json();
    const name = b.user;
    const password = b.password;
    if (typeof name !== 'string' || typeof password !== 'string' || name === '' || /\0/.test(name + password))
      throw new HttpError(400, 'BAD_REQUEST', 'Expected {"user": "…", "password": "…"}.');
    const exchange = o.authenticator.start('PLAIN', { secure: true, remoteAddress: remote });
    if (!exchange) throw new HttpError(503, 'TRYLATER', 'Password logins are not available.');
    const step = await exchange.step(Buffer.from(`\0${name}\0${password}`, 'utf8'));
    if (step.kind === 'success') {
      penalties.succeed(name);
      const s = sessions.create(step.user);
      ctx.res.setHeader(
        'Set-Cookie',
        `${SESSION_COOKIE}=${s.id}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`,
      );
      log?.info({ event: 'login', user: step.user, authcid: step.authcid, remote }, 'web login');
      return { user: step.user };
    }
    if (step.kind === 'challenge') throw new HttpError(401, 'AUTH', 'Authentication failed.');
    if (step.reason === 'unavailable') throw new HttpError(503, 'TRYLATER', step.message);
    if (step.reason === 'disabled') throw new HttpError(403, 'DISABLED', step.message);
    // As ManageSieve: a failed login waits, longer with each failure from the address.
    const delay = penalties.fail([remote, name]);
    log?.info({ event: 'auth-failed', reason: step.reason, remote, delayMs: delay }, 'web login failed');
    await sleep(delay);
    throw new HttpError(401, 'AUTH', 'Authentication failed.');
  });

  route('POST', '/api/logout', false, (ctx) => {
    if (ctx.session) sessions.end(ctx.session.id);
    ctx.res.setHeader('Set-Cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
    return Promise.resolve({ ok: true });
  });

  route('GET', '/api/session', true, (ctx) => Promise.resolve({ user: user(ctx) }));

  route('GET', '/api/scripts', true, async (ctx) => {
    const list = await stored(() => o.store.listScripts(user(ctx)));
    return {
      scripts: list.map((s) => ({
        name: s.name,
        active: s.active,
        size: s.size,
        modified: s.modified.toISOString(),
      })),
    };
  });

  route('GET', '/api/scripts/:name', true, async (ctx) => {
    const name = scriptName(ctx.params[0]);
    const bytes = await stored(() => o.store.getScript(user(ctx), name));
    if (!bytes) throw new HttpError(404, 'NONEXISTENT', `There is no script named ${JSON.stringify(name)}.`);
    const url = new URL(ctx.req.url ?? '/', 'http://x');
    if (url.searchParams.has('download')) {
      // The stored octets as they are, whatever they hold.
      ctx.res.writeHead(200, {
        'Content-Type': 'application/sieve',
        'Content-Length': bytes.length,
        'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(name)}.sieve`,
        'Cache-Control': 'no-store',
      });
      ctx.res.end(bytes);
      return undefined;
    }
    const decoded = decodeScript(bytes);
    if (!('text' in decoded))
      throw new HttpError(
        422,
        'UTF8',
        `The stored script is not valid UTF-8 (line ${decoded.line}, column ${decoded.column}); download it to see its bytes.`,
      );
    const active = (await stored(() => o.store.listScripts(user(ctx)))).some(
      (s) => s.name === name && s.active,
    );
    return { name, active, source: decoded.text };
  });

  route('PUT', '/api/scripts/:name', true, async (ctx) => {
    const name = scriptName(ctx.params[0]);
    const type = ctx.req.headers['content-type'] ?? '';
    // JSON {source} from the editor; raw octets (application/sieve) from an upload.
    const bytes = type.startsWith('application/json')
      ? sourceBytes((await ctx.json()).source)
      : await ctx.body();
    const { diagnostics } = validate(bytes);
    const u = user(ctx);
    const quota = await o.quota(u);
    await stored(() => o.store.putScript(u, name, bytes, quota));
    log?.info({ event: 'putscript', user: u, size: bytes.length }, 'script stored');
    return { name, size: bytes.length, diagnostics };
  });

  route('DELETE', '/api/scripts/:name', true, async (ctx) => {
    const name = scriptName(ctx.params[0]);
    await stored(() => o.store.deleteScript(user(ctx), name));
    return { ok: true };
  });

  route('POST', '/api/scripts/:name/rename', true, async (ctx) => {
    const from = scriptName(ctx.params[0]);
    const to = (await ctx.json()).to;
    if (typeof to !== 'string') throw new HttpError(400, 'BAD_REQUEST', 'Expected {"to": "new name"}.');
    const checked = checkedName(to);
    await stored(() => o.store.renameScript(user(ctx), from, checked));
    return { name: checked };
  });

  route('POST', '/api/active', true, async (ctx) => {
    const name = (await ctx.json()).name;
    if (name !== null && typeof name !== 'string')
      throw new HttpError(400, 'BAD_REQUEST', 'Expected {"name": "script"} or {"name": null}.');
    await stored(() => o.store.setActive(user(ctx), name === null ? null : checkedName(name)));
    return { active: name };
  });

  route('POST', '/api/check', true, async (ctx) => {
    const bytes = sourceBytes((await ctx.json()).source);
    try {
      return { ok: true, ...validate(bytes) };
    } catch (e) {
      if (e instanceof HttpError && e.status === 422)
        return { ok: false, error: e.message, code: e.code, diagnostics: [], ...e.extra };
      throw e;
    }
  });

  const readBody = (req: IncomingMessage): Promise<Buffer> =>
    new Promise((resolveBody, reject) => {
      const declared = Number(req.headers['content-length'] ?? NaN);
      if (declared > maxBody) {
        reject(new HttpError(413, 'TOO_LARGE', `Request bodies are limited to ${maxBody} octets.`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBody) {
          req.removeAllListeners('data');
          reject(new HttpError(413, 'TOO_LARGE', `Request bodies are limited to ${maxBody} octets.`));
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => resolveBody(Buffer.concat(chunks)));
      req.on('error', reject);
    });

  const sendJson = (res: ServerResponse, status: number, value: unknown): void => {
    const body = Buffer.from(JSON.stringify(value), 'utf8');
    res.writeHead(status, {
      ...SECURITY_HEADERS,
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': body.length,
      'Cache-Control': 'no-store',
    });
    res.end(body);
  };

  const api = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    const method = req.method ?? 'GET';
    const matching = routes.filter((r) => r.pattern.test(path));
    const r = matching.find((m) => m.method === method);
    if (!r) {
      if (matching.length > 0) {
        res.setHeader('Allow', matching.map((m) => m.method).join(', '));
        throw new HttpError(405, 'METHOD', `${method} is not allowed on ${path}.`);
      }
      throw new HttpError(404, 'NOT_FOUND', `No API endpoint ${path}.`);
    }
    // CSRF: a cross-site form cannot set a custom header, and a cross-site fetch that does needs
    // a CORS preflight this server never answers. SameSite=Strict cookies are the second wall.
    if (method !== 'GET' && method !== 'HEAD' && req.headers[CSRF_HEADER] !== '1')
      throw new HttpError(403, 'CSRF', `Non-GET API requests need the header "X-Sievert: 1".`);
    const session = sessions.touch(cookieValue(req, SESSION_COOKIE));
    if (r.auth && !session) throw new HttpError(401, 'LOGIN', 'Not logged in, or the session has expired.');
    let body: Promise<Buffer> | undefined;
    const ctx: RequestContext = {
      req,
      res,
      params: r.pattern.exec(path)!.slice(1),
      session,
      body: () => (body ??= readBody(req)),
      json: async () => {
        const raw = await ctx.body();
        let value: unknown;
        try {
          value = JSON.parse(raw.toString('utf8'));
        } catch {
          throw new HttpError(400, 'BAD_REQUEST', 'The request body is not JSON.');
        }
        if (typeof value !== 'object' || value === null || Array.isArray(value))
          throw new HttpError(400, 'BAD_REQUEST', 'The request body must be a JSON object.');
        return value as Record<string, unknown>;
      },
    };
    // A body nobody asked for is still bounded and drained, so the limit holds for every route.
    const result = await r.handler(ctx);
    if (body === undefined && method !== 'GET') await ctx.body();
    if (!res.headersSent) sendJson(res, 200, result);
  };

  const serveStatic = (req: IncomingMessage, res: ServerResponse, path: string): void => {
    const notFound = (): void => sendJson(res, 404, { error: 'Not found.', code: 'NOT_FOUND' });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      sendJson(res, 405, { error: 'Only GET and HEAD serve files.', code: 'METHOD' });
      return;
    }
    if (!staticRoot) {
      sendJson(res, 503, { error: 'The web page is not built (npm run build).', code: 'NOT_BUILT' });
      return;
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return notFound();
    }
    if (decoded.includes('\0') || decoded.includes('\\')) return notFound();
    const rel = decoded === '/' ? 'index.html' : decoded.slice(1);
    let file: string;
    try {
      // realpath: a symbolic link inside the folder cannot lead out of it either.
      file = realpathSync(join(staticRoot, rel));
    } catch {
      return notFound();
    }
    if (!file.startsWith(staticRoot + sep)) return notFound();
    const st = statSync(file, { throwIfNoEntry: false });
    // No directory listings; a folder is simply not found.
    if (!st?.isFile()) return notFound();
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': st.size,
      // Vite names assets by content hash; the page itself must be re-read.
      'Cache-Control': rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file).pipe(res);
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    let path: string;
    try {
      path = new URL(req.url ?? '/', 'http://x').pathname;
    } catch {
      sendJson(res, 400, { error: 'Bad request URL.', code: 'BAD_REQUEST' });
      return;
    }
    if (path !== '/api' && !path.startsWith('/api/')) {
      serveStatic(req, res, path);
      return;
    }
    api(req, res, path).catch((e: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (e instanceof HttpError) {
        if (e.status === 413) res.setHeader('Connection', 'close');
        sendJson(res, e.status, { error: e.message, code: e.code, ...e.extra });
        return;
      }
      log?.error({ event: 'web-error', path, err: (e as Error).message }, 'web request failed');
      sendJson(res, 500, { error: 'Internal error; see the server log.', code: 'INTERNAL' });
    });
  };

  const servers: Server[] = [];
  const addresses: AddressInfo[] = [];
  try {
    for (const bind of o.listen) {
      const b = parseBind(bind);
      if (!b) throw new Error(`web.listen: expected "host:port", got ${JSON.stringify(bind)}`);
      const server: Server = o.tls ? createHttpsServer(o.tls, handle) : createHttpServer(handle);
      server.requestTimeout = 60_000;
      server.headersTimeout = 20_000;
      await new Promise<void>((ok, fail) => {
        server.once('error', fail);
        server.listen(b.port, b.host, () => {
          server.off('error', fail);
          ok();
        });
      });
      servers.push(server);
      addresses.push(server.address() as AddressInfo);
    }
  } catch (e) {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    throw e;
  }
  log?.info({ event: 'listening', addresses, tls: secure }, 'web editor listening');
  return {
    addresses,
    get sessions() {
      return sessions.size;
    },
    close: async () => {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((r) => {
              s.close(() => r());
              s.closeAllConnections();
            }),
        ),
      );
    },
  };
}
