/**
 * The web filter editor: an HTTP server for the built page (web/, built into dist/web/static)
 * and a JSON API over the script store, started by `sievert serve` with `[web] enabled = true`.
 * docs/web.md describes the API and the security decisions.
 */
export {
  CSRF_HEADER,
  DEFAULT_MAX_BODY,
  defaultStaticDir,
  SESSION_COOKIE,
  startWeb,
  type WebOptions,
  type WebServer,
} from './server.js';
export { SessionTable, type WebSession } from './sessions.js';
