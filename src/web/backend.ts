/**
 * Where the web editor's scripts live and who may log in: the script store with sievert's own
 * users (store-backend.ts), or another ManageSieve server with its users (remote-backend.ts).
 * A login gives a `UserScripts`, the session's handle on one user's scripts; the HTTP side
 * (server.ts) checks names and scripts the same way for both and maps `ScriptError` codes to
 * its answers.
 */
import type { StoreErrorCode } from '../store/index.js';

/**
 * What a caller can act on. The store's codes (RFC 5804 §1.3 response codes), and:
 * REFUSED: the other server said NO without a code we know (its text says why);
 * LOGIN: the session's credentials no longer work there.
 */
export type ScriptErrorCode = StoreErrorCode | 'REFUSED' | 'LOGIN';

export class ScriptError extends Error {
  constructor(
    readonly code: ScriptErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ScriptError';
  }
}

export interface ScriptEntry {
  name: string;
  active: boolean;
  /** Octets; undefined when the backend does not say (ManageSieve's LISTSCRIPTS does not). */
  size?: number;
  modified?: Date;
}

export interface PutResult {
  /** The other server's warnings (`OK (WARNINGS)`), as its text. */
  remoteWarnings?: string;
}

/** One logged-in user's scripts. Every method may throw ScriptError. */
export interface UserScripts {
  list(): Promise<ScriptEntry[]>;
  /** The exact octets, or undefined when there is no such script. */
  get(name: string): Promise<Buffer | undefined>;
  /** Creates or replaces; the caller has checked the script with the engine. */
  put(name: string, content: Buffer): Promise<PutResult>;
  delete(name: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** null deactivates. */
  setActive(name: string | null): Promise<void>;
  /** The session ended (logout, expiry, server stop): release what the login holds. */
  close(): Promise<void>;
}

export interface LoginRequest {
  user: string;
  password: string;
  /** The web client's address (for the logs and the user source's `allow_nets`). */
  remoteAddress: string;
}

export type LoginOutcome =
  | { kind: 'success'; user: string; authcid?: string; scripts: UserScripts }
  | {
      kind: 'failure';
      /**
       * credentials: wrong user or password (delayed, 401); disabled: the account may not log
       * in (403, the message is for the user); unavailable: the user source or the other
       * server cannot answer now (503).
       */
      reason: 'credentials' | 'disabled' | 'unavailable';
      message: string;
      /** Why, for the log only (never shown to the client). */
      detail?: string;
    };

export interface ScriptBackend {
  /** Longest script name in Unicode characters this backend accepts (RFC 5804 §1.6). */
  readonly maxScriptNameLength: number;
  login(request: LoginRequest): Promise<LoginOutcome>;
}
