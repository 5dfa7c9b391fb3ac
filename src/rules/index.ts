// The rules layer: what filter editors need from a Sieve script. Pure: runs in browsers.
export * from './model.js';
export * from './special.js';
export {
  parseSyntax,
  print,
  stringValue,
  tokensOf,
  type ScriptSyntax,
  type CommandSyntax,
  type TestSyntax,
  type SyntaxToken,
  type Trivia,
} from './syntax.js';
export { readRules, allRules } from './read.js';
export { DIALECTS, WRITABLE_DIALECTS, detect, type Dialect } from './dialects.js';
export { capabilitiesOf, sieveString, writeAction, writeCondition } from './code.js';
export {
  RuleEditError,
  addAction,
  addCondition,
  addRule,
  convert,
  ensureRequire,
  moveRule,
  removeAction,
  removeCondition,
  removeRule,
  rename,
  resolveDiverged,
  setEnabled,
  setPurpose,
  updateRule,
  type ConvertOptions,
  type NewRule,
  type RuleChange,
  type RuleRef,
} from './edit.js';
