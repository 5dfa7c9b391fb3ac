/**
 * Web sessions: a random id in an HttpOnly cookie, the user on the server side, ended after
 * an idle time. In memory, per process: a restart logs everyone out, which is acceptable for an
 * editor (nothing is lost that was saved).
 */
import { randomBytes } from 'node:crypto';

export interface WebSession {
  readonly id: string;
  readonly user: string;
  lastSeen: number;
}

export class SessionTable {
  private readonly sessions = new Map<string, WebSession>();

  constructor(
    private readonly idleTimeoutMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxSessions = 10_000,
  ) {}

  create(user: string): WebSession {
    this.sweep();
    if (this.sessions.size >= this.maxSessions) {
      // The least recently created goes first: Map keeps insertion order.
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    // 256 bits: not guessable, and not derived from anything the client sends.
    const session: WebSession = { id: randomBytes(32).toString('base64url'), user, lastSeen: this.now() };
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
      this.sessions.delete(id);
      return undefined;
    }
    s.lastSeen = now;
    return s;
  }

  end(id: string): void {
    this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, s] of this.sessions) if (now - s.lastSeen > this.idleTimeoutMs) this.sessions.delete(id);
  }
}
