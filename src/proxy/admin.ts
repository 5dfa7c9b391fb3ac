import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { digestEqual, parseBind } from '../net/index.js';
import { ConfigError, loadConfig, type ProxyConfig } from './config.js';
import type { CachedMapping } from './mapping.js';
import type { ProxyContext } from './session.js';

/**
 * The admin HTTP API (bearer token on every request):
 *   GET    /health                      liveness
 *   GET    /stats                       sessions, breakers, mapping overrides (JSON)
 *   GET    /metrics                     Prometheus text
 *   GET    /sessions?user=ID            live sessions, optionally of one user
 *   DELETE /sessions?user=ID            kick a user's sessions
 *   PUT    /users/ID/hold?seconds=N     hold the user's logins (temporary failure) while moving
 *   DELETE /users/ID/hold               release the hold
 *   GET    /mapping/ID                  where ID is routed now
 *   PUT    /mapping/ID  {"destination"} runtime override (wins over the mapping source)
 *   DELETE /mapping/ID                  drop the override
 *   POST   /cache/invalidate[?user=ID]  forget cached mapping answers
 *   POST   /reload                      re-read and validate the configuration file
 */
export interface AdminOptions {
  bind: string;
  bearerToken: string;
  ctx: ProxyContext;
  mapping: CachedMapping | undefined;
  configFile?: string;
  /** Applies a validated configuration; returns an error message when it needs a restart. */
  applyConfig(next: ProxyConfig): string | undefined;
  log: Logger;
}

export interface AdminServer {
  port: number;
  close(): Promise<void>;
}

const maxBody = 64 * 1024;

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > maxBody) throw new Error('request body too large');
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function authorized(req: IncomingMessage, token: string): boolean {
  const h = req.headers.authorization ?? '';
  const m = /^Bearer (.+)$/.exec(h);
  if (!m) return false;
  return digestEqual(Buffer.from(m[1]!), Buffer.from(token));
}

export async function startAdmin(o: AdminOptions): Promise<AdminServer> {
  const { ctx } = o;
  const addr = parseBind(o.bind);
  if (!addr) throw new ConfigError('admin.bind', `expected "host:port", got ${JSON.stringify(o.bind)}`);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!authorized(req, o.bearerToken)) {
      res.writeHead(401, { 'www-authenticate': 'Bearer' });
      res.end();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://admin');
    const path = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const method = req.method ?? 'GET';
    const user = url.searchParams.get('user');
    const norm = (s: string): string => ctx.router.normalize(s);
    const route = `${method} /${path[0] ?? ''}`;

    switch (route) {
      case 'GET /health':
        return json(res, 200, { status: ctx.draining ? 'draining' : 'ok' });
      case 'GET /metrics': {
        const text = ctx.metrics.render();
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
        res.end(text);
        return;
      }
      case 'GET /stats': {
        const byProtocol: Record<string, { active: number; bridged: number }> = {};
        for (const s of ctx.sessions.values()) {
          const p = (byProtocol[s.protocol] ??= { active: 0, bridged: 0 });
          p.active++;
          if (s.bridged) p.bridged++;
        }
        return json(res, 200, {
          sessions: ctx.sessions.size,
          byProtocol,
          openCircuits: [...ctx.config.destinations.values()]
            .filter((d) => ctx.breaker(d).isOpen)
            .map((d) => d.id),
          overrides: ctx.router.overrides.size,
          holds: [...ctx.loginHolds.entries()].filter(([, until]) => until > Date.now()).map(([u]) => u),
        });
      }
      case 'GET /sessions':
      case 'DELETE /sessions': {
        const list = [...ctx.sessions.values()].filter((s) => user === null || s.identifier === norm(user));
        if (method === 'DELETE') {
          if (user === null) return json(res, 400, { error: 'give ?user=' });
          for (const s of list) s.close();
          o.log.info({ event: 'admin-kick', user, sessions: list.length });
          return json(res, 200, { kicked: list.length });
        }
        return json(
          res,
          200,
          list.map((s) => ({
            id: s.id,
            protocol: s.protocol,
            user: s.identifier ?? null,
            bridged: s.bridged,
          })),
        );
      }
      case 'PUT /users':
      case 'DELETE /users': {
        if (path.length !== 3 || path[2] !== 'hold') return json(res, 404, { error: 'not found' });
        const id = norm(path[1]!);
        if (method === 'DELETE') {
          ctx.loginHolds.delete(id);
          return json(res, 200, { user: id, held: false });
        }
        const seconds = Number(url.searchParams.get('seconds') ?? '300');
        if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 86_400) {
          return json(res, 400, { error: 'seconds must be between 1 and 86400' });
        }
        ctx.loginHolds.set(id, Date.now() + seconds * 1000);
        o.log.info({ event: 'admin-hold', user: id, seconds });
        return json(res, 200, { user: id, held: true, seconds });
      }
      case 'GET /mapping':
      case 'PUT /mapping':
      case 'DELETE /mapping': {
        if (path.length !== 2) return json(res, 404, { error: 'not found' });
        const id = norm(path[1]!);
        if (method === 'PUT') {
          let dest: unknown;
          try {
            dest = (JSON.parse(await readBody(req)) as { destination?: unknown }).destination;
          } catch {
            return json(res, 400, { error: 'expected JSON {"destination": "<id>"}' });
          }
          if (typeof dest !== 'string' || !ctx.config.destinations.has(dest)) {
            return json(res, 400, { error: `unknown destination ${JSON.stringify(dest)}` });
          }
          ctx.router.overrides.set(id, dest);
          o.log.info({ event: 'admin-mapping', user: id, destination: dest });
        } else if (method === 'DELETE') {
          ctx.router.overrides.delete(id);
          o.mapping?.invalidate(id);
        }
        const r = await ctx.router.resolve(id);
        return json(
          res,
          200,
          r.ok ? { user: id, destination: r.id, source: r.source } : { user: id, error: r.message },
        );
      }
      case 'POST /cache': {
        if (path[1] !== 'invalidate') return json(res, 404, { error: 'not found' });
        o.mapping?.invalidate(user === null ? undefined : norm(user));
        return json(res, 200, { invalidated: user ?? 'all' });
      }
      case 'POST /reload': {
        if (!o.configFile) return json(res, 409, { error: 'started without a configuration file' });
        let next: ProxyConfig;
        try {
          next = loadConfig(o.configFile);
        } catch (e) {
          return json(res, 422, { error: (e as Error).message });
        }
        const refusal = o.applyConfig(next);
        if (refusal) return json(res, 409, { error: refusal });
        o.log.info({ event: 'reload' });
        return json(res, 200, { reloaded: true });
      }
      default:
        return json(res, 404, { error: 'not found' });
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) json(res, 500, { error: (e as Error).message });
      else res.destroy();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(addr.port, addr.host, () => resolve());
  });
  const a = server.address();
  return {
    port: a && typeof a === 'object' ? a.port : 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
