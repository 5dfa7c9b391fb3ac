/**
 * The web filter editor: an HTTP server for the built page (web/, built into dist/web/static)
 * and a JSON API over the script store or another ManageSieve server, started by
 * `sievert serve` with `[web] enabled = true`. docs/web.md describes the API and the security
 * decisions.
 */
export {
  CSRF_HEADER,
  DEFAULT_MAX_BODY,
  defaultStaticDir,
  SESSION_COOKIE,
  startWeb,
  type WebOptions,
  type WebServer,
  type WebServerOptions,
} from './server.js';
export {
  ScriptError,
  type LoginOutcome,
  type LoginRequest,
  type PutResult,
  type ScriptBackend,
  type ScriptEntry,
  type ScriptErrorCode,
  type UserScripts,
} from './backend.js';
export { remoteBackend, type RemoteBackendOptions } from './remote-backend.js';
export { SessionTable, type WebSession } from './sessions.js';
export { storeBackend, type StoreBackendOptions } from './store-backend.js';
