/**
 * The web filter editor's HTTP side: the built page (dist/web/static) and a small JSON API over
 * a ScriptBackend: the script store with the same users as ManageSieve, or another ManageSieve
 * server. node:http and a hand-written router: a dozen routes do not need a framework.
 */
import { createReadStream, realpathSync, statSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, resolve, sep } from 'node:path';
import type { SecureContextOptions } from 'node:tls';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { checkScriptBytes, checkScriptName } from '../managesieve/index.js';
import { FailurePenalties, isLoopback, parseBind, sleep } from '../net/index.js';
import { decodeScript, type Diagnostic, type Engine } from '../sieve/index.js';
import { ScriptError, type ScriptBackend, type ScriptErrorCode, type UserScripts } from './backend.js';
import { SessionTable, type WebSession } from './sessions.js';
import { storeBackend, type StoreBackendOptions } from './store-backend.js';

/**
 * Where the scripts are: a `backend` (`storeBackend(…)`, `remoteBackend(…)`), or the store
 * backend's options themselves.
 */
export type WebOptions = WebServerOptions &
  ({ backend: ScriptBackend } | (StoreBackendOptions & { backend?: never }));

export interface WebServerOptions {
  /** "host:port" addresses. */
  listen: readonly string[];
  /** Checks scripts before they are stored (the same engine as ManageSieve's). */
  engine: Engine;
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

const SCRIPT_ERROR_STATUS: Record<ScriptErrorCode, number> = {
  NONEXISTENT: 404,
  ALREADYEXISTS: 409,
  ACTIVE: 409,
  QUOTA: 403,
  'QUOTA/MAXSCRIPTS': 403,
  'QUOTA/MAXSIZE': 403,
  TRYLATER: 503,
  REFUSED: 422,
  LOGIN: 401,
};

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
  const backend = o.backend !== undefined ? o.backend : storeBackend(o);
  const log = o.logger;
  /** Every close of a session's scripts, so that the server's close can wait for them. */
  const closing = new Set<Promise<void>>();
  const sessions = new SessionTable(o.sessionTimeoutMs ?? 30 * 60_000, now, (s) => {
    const p = s.scripts
      .close()
      .catch((e: unknown) =>
        log?.warn(
          { event: 'session-close-error', user: s.user, err: (e as Error).message },
          'closing failed',
        ),
      )
      .finally(() => closing.delete(p));
    closing.add(p);
  });
  // Sessions nobody touches again still end (and close what they hold) after the idle time.
  const sweeper = setInterval(() => sessions.sweep(), Math.min(60_000, o.sessionTimeoutMs ?? 60_000));
  sweeper.unref();
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
    const r = checkScriptName(bytes, backend.maxScriptNameLength);
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
  /** The session's scripts; a backend's ScriptError becomes the API's answer. */
  const stored = async <T>(ctx: RequestContext, f: (scripts: UserScripts) => Promise<T>): Promise<T> => {
    const session = ctx.session!;
    try {
      return await f(session.scripts);
    } catch (e) {
      if (!(e instanceof ScriptError)) throw e;
      // The other server no longer takes this login: the session is over.
      if (e.code === 'LOGIN') sessions.end(session.id);
      throw new HttpError(SCRIPT_ERROR_STATUS[e.code], e.code, e.message);
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
    const checked = checkScriptBytes(bytes, o.engine);
    if (checked.kind === 'empty')
      throw new HttpError(422, 'EMPTY', 'The script is empty; an empty script is refused (RFC 5804 §2.6).');
    if (checked.kind === 'not-utf8')
      throw new HttpError(
        422,
        'UTF8',
        `Invalid UTF-8 at line ${checked.line}, column ${checked.column}; scripts are UTF-8 (RFC 5228 §2.1).`,
        { line: checked.line, column: checked.column },
      );
    const { diagnostics } = checked;
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
    const outcome = await backend.login({ user: name, password, remoteAddress: remote });
    if (outcome.kind === 'success') {
      penalties.succeed(name);
      const s = sessions.create(outcome.user, outcome.scripts);
      ctx.res.setHeader(
        'Set-Cookie',
        `${SESSION_COOKIE}=${s.id}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`,
      );
      log?.info({ event: 'login', user: outcome.user, authcid: outcome.authcid, remote }, 'web login');
      return { user: outcome.user };
    }
    if (outcome.reason === 'unavailable') {
      log?.warn({ event: 'login-unavailable', remote, detail: outcome.detail }, 'web login impossible now');
      throw new HttpError(503, 'TRYLATER', outcome.message);
    }
    if (outcome.reason === 'disabled') throw new HttpError(403, 'DISABLED', outcome.message);
    // As ManageSieve: a failed login waits, longer with each failure from the address.
    const delay = penalties.fail([remote, name]);
    log?.info({ event: 'auth-failed', reason: outcome.detail, remote, delayMs: delay }, 'web login failed');
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
    const list = await stored(ctx, (scripts) => scripts.list());
    return {
      // null where the backend does not say (ManageSieve's LISTSCRIPTS gives names only).
      scripts: list.map((s) => ({
        name: s.name,
        active: s.active,
        size: s.size ?? null,
        modified: s.modified?.toISOString() ?? null,
      })),
    };
  });

  route('GET', '/api/scripts/:name', true, async (ctx) => {
    const name = scriptName(ctx.params[0]);
    const bytes = await stored(ctx, (scripts) => scripts.get(name));
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
    const active = (await stored(ctx, (scripts) => scripts.list())).some((s) => s.name === name && s.active);
    return { name, active, source: decoded.text };
  });

  route('PUT', '/api/scripts/:name', true, async (ctx) => {
    const name = scriptName(ctx.params[0]);
    const type = ctx.req.headers['content-type'] ?? '';
    // JSON {source} from the editor; raw octets (application/sieve) from an upload.
    const bytes = type.startsWith('application/json')
      ? sourceBytes((await ctx.json()).source)
      : await ctx.body();
    // Checked here first, so the editor gets the engine's diagnostics; a ManageSieve server
    // behind us then has the last word (its NO comes back as 422 REFUSED with its text).
    const { diagnostics } = validate(bytes);
    const { remoteWarnings } = await stored(ctx, (scripts) => scripts.put(name, bytes));
    log?.info({ event: 'putscript', user: user(ctx), size: bytes.length }, 'script stored');
    return { name, size: bytes.length, diagnostics, ...(remoteWarnings ? { remoteWarnings } : {}) };
  });

  route('DELETE', '/api/scripts/:name', true, async (ctx) => {
    const name = scriptName(ctx.params[0]);
    await stored(ctx, (scripts) => scripts.delete(name));
    return { ok: true };
  });

  route('POST', '/api/scripts/:name/rename', true, async (ctx) => {
    const from = scriptName(ctx.params[0]);
    const to = (await ctx.json()).to;
    if (typeof to !== 'string') throw new HttpError(400, 'BAD_REQUEST', 'Expected {"to": "new name"}.');
    const checked = checkedName(to);
    await stored(ctx, (scripts) => scripts.rename(from, checked));
    return { name: checked };
  });

  route('POST', '/api/active', true, async (ctx) => {
    const name = (await ctx.json()).name;
    if (name !== null && typeof name !== 'string')
      throw new HttpError(400, 'BAD_REQUEST', 'Expected {"name": "script"} or {"name": null}.');
    const checked = name === null ? null : checkedName(name);
    await stored(ctx, (scripts) => scripts.setActive(checked));
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
    clearInterval(sweeper);
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
      clearInterval(sweeper);
      sessions.endAll();
      await Promise.all([...closing]);
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
