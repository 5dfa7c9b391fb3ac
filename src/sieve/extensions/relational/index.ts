// RFC 5231: the relational match types :count and :value, each followed by a relation
// ("gt", "ge", "lt", "le", "eq", "ne"), under any comparator that has an ordering.
import type { Comparator } from '../../comparators/types.js';
import type { Span } from '../../diagnostics.js';
import type { ExtensionDefinition, MatchTypeSpec } from '../../registry.js';
import {
  evaluate,
  SieveRuntimeError,
  type ExecutionContext,
  type Matcher,
  type StringValue,
} from '../../runtime.js';

export type Relation = 'gt' | 'ge' | 'lt' | 'le' | 'eq' | 'ne';

/** Each relation as a test on the sign of comparator.compare(value, key). */
const RELATIONS: Readonly<Record<Relation, (order: number) => boolean>> = {
  gt: (o) => o > 0,
  ge: (o) => o >= 0,
  lt: (o) => o < 0,
  le: (o) => o <= 0,
  eq: (o) => o === 0,
  ne: (o) => o !== 0,
};

const NAMES = Object.keys(RELATIONS).map((r) => `"${r}"`);
const EXPECTED = `${NAMES.slice(0, -1).join(', ')} or ${NAMES[NAMES.length - 1]!}`;

/**
 * The relation named by `s`, or null. RFC 5231 §5 writes the relations as quoted ABNF strings,
 * which are case-insensitive (RFC 5234 §2.3), so "GT" is "gt".
 */
export function parseRelation(s: string): Relation | null {
  const r = s.toLowerCase();
  return Object.hasOwn(RELATIONS, r) ? (r as Relation) : null;
}

function invalidRelation(matchType: string, found: string): string {
  return `the relation of :${matchType} must be one of ${EXPECTED}, found "${found}" (RFC 5231 §5)`;
}

/**
 * Builds the matcher of one relational match type. `subjects` turns the test's values into the
 * strings that are compared with each key: the values themselves for :value, their number for
 * :count. The test is true when any subject and any key stand in the relation (RFC 5231 §4).
 */
function relationalMatcher(
  name: string,
  cmp: Comparator,
  keys: StringValue[],
  relation: StringValue,
  span: Span,
  subjects: (values: readonly string[]) => readonly string[],
): Matcher {
  // The validator rejects comparators without an ordering (needsOrdering); this is a guard.
  if (!cmp.compare) throw new Error(`relational: comparator ${cmp.name} has no ordering`);
  const compare = (a: string, b: string): number => cmp.compare!(a, b);
  const resolve = (ctx: ExecutionContext): ((order: number) => boolean) => {
    const text = evaluate(relation, ctx);
    const r = parseRelation(text);
    // A relation built from variables is only known now (RFC 5231 §5 lists the valid ones).
    if (r === null) throw new SieveRuntimeError(invalidRelation(name, text), span);
    return RELATIONS[r];
  };
  const fixed = relation.constant ? parseRelation(relation.value) : null;
  return {
    match(ctx, values) {
      const holds = fixed ? RELATIONS[fixed] : resolve(ctx);
      const left = subjects(values);
      for (const k of keys) {
        const key = evaluate(k, ctx);
        for (const v of left) if (holds(compare(v, key))) return true;
      }
      return false;
    },
  };
}

function relationalMatchType(
  name: 'count' | 'value',
  subjects: (values: readonly string[]) => readonly string[],
): MatchTypeSpec {
  return {
    name,
    value: { name: 'relation', type: 'string' },
    // RFC 5231 §4: the comparator orders the values; :count compares numbers as strings too.
    needsOrdering: true,
    validate(v, use) {
      const arg = use.value;
      if (arg?.kind !== 'string' || !v.isConstant(arg)) return;
      const text = v.value(arg);
      if (parseRelation(text) === null)
        v.error('relational.invalid-relation', invalidRelation(name, text), arg.span);
    },
    compile(cc, cmp, keys, use) {
      const relation = cc.string(use.value!);
      return relationalMatcher(name, cmp, keys, relation, use.value!.span, subjects);
    },
  };
}

export const relational: ExtensionDefinition = {
  name: 'relational',
  setup(r) {
    // RFC 5231 §4.1: :value compares each value itself with the keys.
    r.matchType(relationalMatchType('value', (values) => values));
    // RFC 5231 §4.2: :count compares the number of values, as a decimal string, with the keys:
    // one per header field for header, one per address for address and envelope. (The string
    // test of variables leaves out empty strings itself, RFC 5229 §5.)
    r.matchType(relationalMatchType('count', (values) => [String(values.length)]));
  },
};
