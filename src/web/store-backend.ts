/**
 * The web editor over sievert's own script store, with the same users and quotas as its
 * ManageSieve server: a login is a PLAIN exchange with the Authenticator, and each operation
 * one store call.
 */
import type { Authenticator } from '../auth/index.js';
import { DEFAULT_LIMITS } from '../managesieve/index.js';
import { StoreError, type Quota, type ScriptStore } from '../store/index.js';
import { ScriptError, type LoginOutcome, type ScriptBackend, type UserScripts } from './backend.js';

export interface StoreBackendOptions {
  store: ScriptStore;
  /** Must offer PLAIN; the web server applies its own cleartext rule before asking. */
  authenticator: Authenticator;
  quota: (user: string) => Promise<Quota>;
  /** Default: the ManageSieve server's (`DEFAULT_LIMITS.maxScriptNameLength`), so both accept the same names. */
  maxScriptNameLength?: number;
}

async function stored<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof StoreError) throw new ScriptError(e.code, e.message);
    throw e;
  }
}

function userScripts(o: StoreBackendOptions, user: string): UserScripts {
  const { store } = o;
  return {
    list: () => stored(() => store.listScripts(user)),
    get: (name) => stored(() => store.getScript(user, name)),
    put: async (name, content) => {
      const quota = await o.quota(user);
      await stored(() => store.putScript(user, name, content, quota));
      return {};
    },
    delete: (name) => stored(() => store.deleteScript(user, name)),
    rename: (from, to) => stored(() => store.renameScript(user, from, to)),
    setActive: (name) => stored(() => store.setActive(user, name)),
    close: () => Promise.resolve(),
  };
}

export function storeBackend(o: StoreBackendOptions): ScriptBackend {
  return {
    maxScriptNameLength: o.maxScriptNameLength ?? DEFAULT_LIMITS.maxScriptNameLength,
    async login({ user, password, remoteAddress }): Promise<LoginOutcome> {
      // The web server has applied its cleartext rule: to the authenticator the login is secure.
      const exchange = o.authenticator.start('PLAIN', { secure: true, remoteAddress });
      if (!exchange)
        return { kind: 'failure', reason: 'unavailable', message: 'Password logins are not available.' };
      const step = await exchange.step(Buffer.from(`\0${user}\0${password}`, 'utf8'));
      if (step.kind === 'success')
        return {
          kind: 'success',
          user: step.user,
          authcid: step.authcid,
          scripts: userScripts(o, step.user),
        };
      if (step.kind === 'challenge')
        return {
          kind: 'failure',
          reason: 'credentials',
          message: 'Authentication failed.',
          detail: 'challenge',
        };
      if (step.reason === 'unavailable' || step.reason === 'disabled')
        return { kind: 'failure', reason: step.reason, message: step.message };
      return {
        kind: 'failure',
        reason: 'credentials',
        message: 'Authentication failed.',
        detail: step.reason,
      };
    },
  };
}
