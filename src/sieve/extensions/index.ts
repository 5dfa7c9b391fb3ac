// Every extension sievert ships. Adding one touches its folder and this list.
import type { ExtensionDefinition } from '../registry.js';
import { base } from './base/index.js';
import { comparatorAsciiNumeric } from './comparator-ascii-numeric/index.js';
import { comparatorUnicodeCasemap } from './comparator-unicode-casemap/index.js';
import { encodedCharacter } from './encoded-character/index.js';
import { envelope } from './envelope/index.js';
import { fileinto } from './fileinto/index.js';
import { variables } from './variables/index.js';

export const ALL_EXTENSIONS: readonly ExtensionDefinition[] = [
  base,
  comparatorAsciiNumeric,
  comparatorUnicodeCasemap,
  encodedCharacter,
  envelope,
  fileinto,
  variables,
];
