import { checkQuota } from '../../../src/store/quota.js';
import { storeErrors as E } from '../../../src/store/shared.js';
import {
  type MemoryKind,
  type Quota,
  type ScriptInfo,
  type ScriptStore,
  type UserRecord,
} from '../../../src/store/types.js';

/** A ScriptStore in memory with the backends' quota rule and errors, for protocol tests. */
export class MemoryStore implements ScriptStore {
  readonly kind = 'sqlite' as const;
  readonly scripts = new Map<string, Map<string, { content: Buffer; modified: Date }>>();
  readonly active = new Map<string, string>();
  /** Set to make every call fail like a database that went away. */
  failing = false;

  private of(user: string): Map<string, { content: Buffer; modified: Date }> {
    let m = this.scripts.get(user);
    if (!m) {
      m = new Map<string, { content: Buffer; modified: Date }>();
      this.scripts.set(user, m);
    }
    return m;
  }

  private check(): void {
    if (this.failing) throw new Error('database is gone');
  }

  listScripts(user: string): Promise<ScriptInfo[]> {
    this.check();
    const list = [...this.of(user)]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, s]) => ({
        name,
        active: this.active.get(user) === name,
        size: s.content.length,
        modified: s.modified,
      }));
    return Promise.resolve(list);
  }

  getScript(user: string, name: string): Promise<Buffer | undefined> {
    this.check();
    return Promise.resolve(this.of(user).get(name)?.content);
  }

  getActiveScript(user: string): Promise<{ name: string; content: Buffer } | undefined> {
    const name = this.active.get(user);
    const s = name === undefined ? undefined : this.of(user).get(name);
    return Promise.resolve(name !== undefined && s ? { name, content: s.content } : undefined);
  }

  checkSpace(user: string, name: string, size: number, quota: Quota): Promise<void> {
    this.check();
    const scripts = this.of(user);
    let total = 0;
    for (const s of scripts.values()) total += s.content.length;
    const holdings = { count: scripts.size, total, replaced: scripts.get(name)?.content.length };
    return new Promise((resolve) => resolve(checkQuota(holdings, size, quota)));
  }

  async putScript(user: string, name: string, content: Buffer, quota: Quota): Promise<void> {
    await this.checkSpace(user, name, content.length, quota);
    this.of(user).set(name, { content: Buffer.from(content), modified: new Date() });
  }

  setActive(user: string, name: string | null): Promise<void> {
    this.check();
    if (name === null) this.active.delete(user);
    else if (!this.of(user).has(name)) return Promise.reject(E.noScript(name));
    else this.active.set(user, name);
    return Promise.resolve();
  }

  deleteScript(user: string, name: string): Promise<void> {
    this.check();
    if (!this.of(user).has(name)) return Promise.reject(E.noScript(name));
    if (this.active.get(user) === name) return Promise.reject(E.scriptActive(name));
    this.of(user).delete(name);
    return Promise.resolve();
  }

  renameScript(user: string, from: string, to: string): Promise<void> {
    this.check();
    const scripts = this.of(user);
    const s = scripts.get(from);
    if (!s) return Promise.reject(E.noScript(from));
    if (scripts.has(to)) return Promise.reject(E.scriptExists(to));
    scripts.delete(from);
    scripts.set(to, s);
    if (this.active.get(user) === from) this.active.set(user, to);
    return Promise.resolve();
  }

  getUser(_name: string): Promise<UserRecord | undefined> {
    return Promise.resolve(undefined);
  }
  addUser(_user: UserRecord): Promise<void> {
    return Promise.resolve();
  }
  setPassword(_name: string, _password: string): Promise<void> {
    return Promise.resolve();
  }
  deleteUser(_name: string): Promise<void> {
    return Promise.resolve();
  }
  listUsers(): Promise<string[]> {
    return Promise.resolve([...this.scripts.keys()]);
  }
  memoryHas(_user: string, _kind: MemoryKind, _key: string, _now: Date): Promise<boolean> {
    return Promise.resolve(false);
  }
  memoryMark(_user: string, _kind: MemoryKind, _key: string, _expires: Date): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}
