// RFC 5051: i;unicode-casemap, available with require "comparator-i;unicode-casemap".
import { codePointCompare } from '../../comparators/builtin.js';
import { unicodeCasemapFold } from '../../comparators/unicode-casemap.js';
import type { ExtensionDefinition } from '../../registry.js';

export const comparatorUnicodeCasemap: ExtensionDefinition = {
  name: 'comparator-i;unicode-casemap',
  setup: (r) =>
    r.comparator({
      name: 'i;unicode-casemap',
      fold: unicodeCasemapFold,
      equals: (a, b) => a === b || unicodeCasemapFold(a) === unicodeCasemapFold(b),
      compare: (a, b) => codePointCompare(unicodeCasemapFold(a), unicodeCasemapFold(b)),
    }),
};
