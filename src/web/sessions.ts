/**
 * Web sessions: a random id in an HttpOnly cookie, the user and their scripts' handle on the
 * server side, ended after an idle time. In memory, per process: a restart logs everyone out,
 * which is acceptable for an editor (nothing is lost that was saved).
 */
import { randomBytes } from 'node:crypto';
import type { UserScripts } from './backend.js';

export interface WebSession {
  readonly id: string;
  readonly user: string;
  /** What the login opened (a ManageSieve connection in front of another server). */
  readonly scripts: UserScripts;
  lastSeen: number;
}

export class SessionTable {
  private readonly sessions = new Map<string, WebSession>();

  constructor(
    private readonly idleTimeoutMs: number,
    private readonly now: () => number = Date.now,
    /** Called once for every session that ends: logout, expiry, eviction, `endAll`. */
    private readonly onEnd: (s: WebSession) => void = () => {},
    private readonly maxSessions = 10_000,
  ) {}

  create(user: string, scripts: UserScripts): WebSession {
    this.sweep();
    if (this.sessions.size >= this.maxSessions) {
      // The least recently created goes first: Map keeps insertion order.
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.end(oldest);
    }
    // 256 bits: not guessable, and not derived from anything the client sends.
    const session: WebSession = {
      id: randomBytes(32).toString('base64url'),
      user,
      scripts,
      lastSeen: this.now(),
    };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session with this id, its idle clock restarted; undefined when unknown or expired. */
  touch(id: string | undefined): WebSession | undefined {
    if (id === undefined) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    const now = this.now();
    if (now - s.lastSeen > this.idleTimeoutMs) {
      this.end(id);
      return undefined;
    }
    s.lastSeen = now;
    return s;
  }

  end(id: string): void {
    const s = this.sessions.get(id);
    if (!s) return;
    this.sessions.delete(id);
    this.onEnd(s);
  }

  /** Ends every session (the server stops). */
  endAll(): void {
    for (const id of [...this.sessions.keys()]) this.end(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Ends the sessions idle for longer than the timeout. */
  sweep(): void {
    const now = this.now();
    for (const [id, s] of this.sessions) if (now - s.lastSeen > this.idleTimeoutMs) this.end(id);
  }
}
