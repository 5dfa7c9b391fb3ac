// RFC 5260 §6: the index extension. `:index n` limits header, address and date tests to the
// n-th occurrence of the named header fields, counted from the top, or with `:last` from the
// bottom. The tests honour the tags through the FieldSelector tag data (base/index.ts).
import type { NumberArgument } from '../../ast.js';
import type { ExtensionDefinition, ValidatedArguments } from '../../registry.js';
import type { FieldSelector } from '../base/index.js';

/** The tests that take :index and :last (date when the date extension is present). */
const TARGETS = ['header', 'address', 'date'];

/**
 * Picks occurrence `n` (1 = the first, or with `last` the final one) of the fields of every
 * named header, in the order the test lists them, as Pigeonhole does; none when there are
 * fewer than n.
 */
export function selectOccurrence<T>(fields: readonly T[], n: number, last: boolean): readonly T[] {
  const i = last ? fields.length - n : n - 1;
  return i >= 0 && i < fields.length ? [fields[i]!] : [];
}

const index: FieldSelector = {
  validate(v, _args, use) {
    const n = use.value as NumberArgument;
    // RFC 5260 §6: fields are numbered from 1.
    if (n.value === 0) v.error('index.zero', 'the :index of a header field starts at 1, not 0', n.span);
  },
  select(args: ValidatedArguments) {
    const n = (args.tags.get('index')!.value as NumberArgument).value;
    const last = args.tags.has('last');
    return (fields) => selectOccurrence(fields, n, last);
  },
};

const last: FieldSelector = {
  validate(v, args, use) {
    // RFC 5260 §6: ":last" only changes how ":index" counts.
    if (!args.tags.has('index')) {
      v.error('index.last-without-index', 'the :last argument needs an :index argument', use.tag.span);
    }
  },
};

export const indexExtension: ExtensionDefinition = {
  name: 'index',
  setup(r) {
    r.tag(TARGETS, { name: 'index', value: { name: 'field number', type: 'number' }, data: index });
    r.tag(TARGETS, { name: 'last', data: last });
  },
};
