// RFC 6134: "extlists" — the :list match type and the valid_ext_list test. Lists live outside
// the script (address books, mailing lists) and are named by URIs; the host looks values up.
// Without a host service no list exists, so :list never matches.
import type { ExtensionDefinition } from '../../registry.js';
import { evaluate, type ExecutionContext } from '../../runtime.js';

/** Whether `value` is on the list named `list`; false when the list is unknown. */
export function onList(ctx: ExecutionContext, list: string, value: string): boolean {
  return ctx.host.listContains?.(list, value) === true;
}

export function listExists(ctx: ExecutionContext, list: string): boolean {
  return ctx.host.listExists?.(list) === true;
}

export const extlists: ExtensionDefinition = {
  name: 'extlists',
  setup(r) {
    // RFC 6134 §2.2: with :list the keys are list names, and the test is true when any value is a
    // member of any of the lists. Membership is the list's own business (§2.2: a comparator given
    // with :list does not apply), so the comparator is not used.
    r.matchType({
      name: 'list',
      compile(_cc, _comparator, keys) {
        return {
          match(ctx, values) {
            if (values.length === 0) return false;
            for (const k of keys) {
              const list = evaluate(k, ctx);
              for (const v of values) if (onList(ctx, list, v)) return true;
            }
            return false;
          },
        };
      },
    });

    // RFC 6134 §2.4: valid_ext_list <ext-list-names: string-list>, true when every list is
    // supported.
    r.test({
      name: 'valid_ext_list',
      positional: [{ name: 'list names', type: 'string-list' }],
      tests: 'none',
      compile(cc, t) {
        const lists = cc.stringList(t.positional[0]!);
        return (ctx) => lists.every((l) => listExists(ctx, evaluate(l, ctx)));
      },
    });
  },
};
