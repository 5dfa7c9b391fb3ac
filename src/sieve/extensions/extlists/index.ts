// RFC 6134: "extlists" — the :list match type, the valid_ext_list test and redirect :list. Lists
// live outside the script (address books, mailing lists) and are named by URIs; the host looks
// values up and gives a list's addresses. Without a host service no list exists, so :list never
// matches and redirect :list is a run-time error.
import type { Span } from '../../diagnostics.js';
import type { ExtensionDefinition } from '../../registry.js';
import { evaluate, SieveRuntimeError, type ExecutionContext } from '../../runtime.js';
import { parseMailbox } from '../base/address.js';
import type { RedirectExpansion } from '../base/actions.js';

/** Whether `value` is on the list named `list`; false when the list is unknown. */
export function onList(ctx: ExecutionContext, list: string, value: string): boolean {
  return ctx.host.listContains?.(list, value) === true;
}

export function listExists(ctx: ExecutionContext, list: string): boolean {
  return ctx.host.listExists?.(list) === true;
}

/**
 * RFC 6134 §2.5: `redirect :list <ext-list-name>` redirects to every member of the list. A list
 * the host does not know, or a member that is not an address, is a run-time error (nothing of
 * the list is redirected then, and the implicit keep applies, RFC 5228 §2.10.6).
 */
export const redirectToList: RedirectExpansion = {
  expandRedirect(ctx: ExecutionContext, list: string, span: Span): readonly string[] {
    const members = ctx.host.listMembers?.(list) ?? null;
    if (members === null) throw new SieveRuntimeError(`redirect :list: unknown list "${list}"`, span);
    return members.map((member) => {
      const r = parseMailbox(member);
      if ('error' in r) {
        throw new SieveRuntimeError(
          `invalid redirect address "${member}" on list "${list}": ${r.error}`,
          span,
        );
      }
      return r.address;
    });
  },
};

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

    r.tag(['redirect'], { name: 'list', data: redirectToList });

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
