// RFC 4790 §9.1 / RFC 5228 §2.7.3: i;ascii-numeric, available with require.
import { asciiNumeric } from '../../comparators/builtin.js';
import type { ExtensionDefinition } from '../../registry.js';

export const comparatorAsciiNumeric: ExtensionDefinition = {
  name: 'comparator-i;ascii-numeric',
  setup: (r) => r.comparator(asciiNumeric),
};
