// The engine asks its host synchronous questions (has this vacation response been sent? what is
// the included script "x"?) while the answers live in an asynchronous store. A run records the
// questions it could not answer, delivery fetches the answers and runs the script again; runs
// are pure and cheap, and a script that asks nothing (most) runs once.
import type { ExpiringMemory, IncludedScript, ScriptLocation } from '../sieve/index.js';
import { decodeScript } from '../sieve/index.js';
import type { MemoryKind, ScriptStore } from '../store/index.js';

/** Rounds of run → fetch → run before the last run's answers are taken as they are. */
export const MAX_LOOKUP_ROUNDS = 4;

type EngineMemoryKind = Exclude<MemoryKind, 'notice'>;

export class PrefetchedLookups {
  private readonly memory = new Map<string, boolean>();
  private readonly scripts = new Map<string, IncludedScript | null>();
  private readonly missingMemory = new Set<string>();
  private readonly missingScripts = new Set<string>();
  private scriptsFetched = false;

  constructor(
    private readonly store: ScriptStore,
    private readonly user: string,
    /** Global scripts for include :global, read synchronously (a configured directory), or null. */
    private readonly globalScript: (name: string) => IncludedScript | null,
  ) {}

  /** The engine's view of one memory: unknown keys read as absent and are fetched for the next run. */
  memoryOf(kind: EngineMemoryKind): ExpiringMemory {
    return {
      has: (key) => {
        const id = JSON.stringify([kind, key]);
        const known = this.memory.get(id);
        if (known !== undefined) return known;
        this.missingMemory.add(id);
        return false;
      },
      // Marks are made by delivery after the result was carried out, never during a run.
      mark: () => undefined,
    };
  }

  loadScript = (location: ScriptLocation, name: string): IncludedScript | null => {
    if (location === 'global') return this.globalScript(name);
    const known = this.scripts.get(name);
    if (known !== undefined) return known;
    // After the fetch every script is known: a name still missing does not exist.
    if (!this.scriptsFetched) this.missingScripts.add(name);
    return null;
  };

  /** Whether the last run asked something not yet fetched. */
  get incomplete(): boolean {
    return this.missingMemory.size > 0 || this.missingScripts.size > 0;
  }

  /** Fetches the answers the last run missed. */
  async fetch(now: Date): Promise<void> {
    const memory = [...this.missingMemory];
    const scripts = [...this.missingScripts];
    this.scriptsFetched ||= scripts.length > 0;
    this.missingMemory.clear();
    this.missingScripts.clear();
    await Promise.all([
      ...memory.map(async (id) => {
        const [kind, key] = JSON.parse(id) as [EngineMemoryKind, string];
        this.memory.set(id, await this.store.memoryHas(this.user, kind, key, now));
      }),
      // One missing script fetches all of them: a chain of includes then needs one round, not
      // one per level (the user's scripts are few: they are under a quota).
      ...(scripts.length > 0 ? [this.fetchScripts()] : []),
    ]);
  }

  private async fetchScripts(): Promise<void> {
    const list = await this.store.listScripts(this.user);
    await Promise.all(
      list.map(async ({ name }) => {
        const bytes = await this.store.getScript(this.user, name);
        const decoded = bytes ? decodeScript(bytes) : null;
        this.scripts.set(
          name,
          decoded && 'text' in decoded ? { source: decoded.text, id: `personal:${name}` } : null,
        );
      }),
    );
  }
}
