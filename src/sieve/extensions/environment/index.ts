// RFC 5183: "environment" — the environment test reads items about the Sieve interpreter and
// the delivery: domain, host, location, name, phase, remote-host, remote-ip, version (§4.1), and
// vendor items ("vnd.…") the host adds.
import type { ExtensionDefinition } from '../../registry.js';
import { evaluate, type ExecutionContext } from '../../runtime.js';
import { MATCH_GROUPS } from '../base/index.js';

/** The engine's version, the "version" item unless the host sets it. */
export const ENGINE_VERSION = '0.1.0';

/**
 * The values the engine knows itself: "name" and "version" (§4.1: the product name and version
 * of the interpreter). Every other item comes from `host.environment`; an item the host does not
 * set does not exist (a dry run knows no remote host, and cannot tell the phase or location).
 */
const BUILTIN: Readonly<Record<string, string>> = { name: 'sievert', version: ENGINE_VERSION };

/**
 * Items another extension adds (vendor items: vnd.dovecot.environment), in scripts that require
 * `extension`: asked for an item the host does not set, before the engine's own.
 */
export interface EnvironmentItemSource {
  readonly extension: string;
  /** The item's value, or null when this source has no such item. */
  get(ctx: ExecutionContext, name: string): string | null;
}

/** The sources other extensions add when their module loads. */
export const environmentItemSources: EnvironmentItemSource[] = [];

/**
 * An environment item, or null when it does not exist: the host's, else one of `sources`, else
 * the engine's own. Item names are matched exactly, as Pigeonhole does.
 */
export function environmentItem(
  ctx: ExecutionContext,
  name: string,
  sources: readonly EnvironmentItemSource[] = [],
): string | null {
  const fromHost = ctx.host.environment;
  if (fromHost && Object.hasOwn(fromHost, name)) return fromHost[name] ?? null;
  for (const source of sources) {
    const value = source.get(ctx, name);
    if (value !== null) return value;
  }
  return Object.hasOwn(BUILTIN, name) ? BUILTIN[name]! : null;
}

export const environment: ExtensionDefinition = {
  name: 'environment',
  setup(r) {
    r.test({
      name: 'environment',
      positional: [
        { name: 'name', type: 'string' },
        { name: 'key list', type: 'string-list' },
      ],
      groups: MATCH_GROUPS,
      tests: 'none',
      compile(cc, t) {
        const name = cc.string(t.positional[0]!);
        const matcher = cc.matcher(t, t.positional[1]!);
        const sources = environmentItemSources.filter((s) => cc.requires(s.extension));
        return (ctx) => {
          const value = environmentItem(ctx, evaluate(name, ctx), sources);
          // §4: "The environment test MUST fail unconditionally if the specified information item
          // does not exist", whatever the match type (even :count).
          if (value === null) return false;
          return matcher.match(ctx, [value]);
        };
      },
    });
  },
};
