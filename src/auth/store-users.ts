/** User sources over the script store's own user table, and several sources as one. */
import type { ScriptStore } from '../store/types.js';
import type { UserEntry, UserSource } from './types.js';

/** The users of `sievert user add`, read from the store on every lookup (nodes share it). */
export class StoreUserSource implements UserSource {
  constructor(private readonly store: Pick<ScriptStore, 'getUser'>) {}

  async lookup(name: string): Promise<UserEntry | undefined> {
    const u = await this.store.getUser(name);
    return u && { name: u.name, password: u.password, quota: { ...u.quota } };
  }
}

/**
 * Asks each source in turn; the first that knows the user answers (a user in two sources is
 * the first one's). A source that throws makes the whole lookup throw: answering from a later
 * source could log someone in with an old password the failing source has since changed.
 */
export function chainUserSources(...sources: UserSource[]): UserSource {
  return {
    async lookup(name: string): Promise<UserEntry | undefined> {
      for (const s of sources) {
        const entry = await s.lookup(name);
        if (entry) return entry;
      }
      return undefined;
    },
  };
}
