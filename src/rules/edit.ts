// Edits: each takes the script's text and returns the new text. Only the edited rule's bytes
// change (plus `require` when a new capability is needed); strings keep their spelling; applying
// an edit to its own result changes nothing.
import { capabilitiesOf, RuleEditError, writeCondition } from './code.js';
import { DIALECTS, lineName, ruleBlockName, WRITABLE_DIALECTS } from './dialects.js';
import type { Action, Condition, DialectId, Item, Purpose, Rule, RulesDocument } from './model.js';
import { allRules, base64Text, readRules, textBase64, writeActions, writeCode, writeTest } from './read.js';
import {
  parseSyntax,
  stringValue,
  tokensOf,
  type CommandSyntax,
  type SyntaxToken,
  type TestSyntax,
} from './syntax.js';

export { RuleEditError };

/** A rule by name (first match) or by its index among all rules. */
export type RuleRef = string | number;

function findRule(doc: RulesDocument, ref: RuleRef): Rule {
  const rules = allRules(doc.items);
  if (typeof ref === 'number') {
    const r = rules[ref];
    if (!r) throw new RuleEditError(`there is no rule number ${ref} (the script has ${rules.length})`);
    return r;
  }
  const named = rules.filter((r) => r.name === ref);
  if (named.length === 0) {
    const names = rules.map((r) => r.name).filter((n): n is string => n !== null);
    throw new RuleEditError(
      `no rule is named "${ref}"${names.length ? ` (rules: ${names.map((n) => `"${n}"`).join(', ')})` : ''}`,
    );
  }
  return named[0]!;
}

function splice(source: string, start: number, end: number, text: string): string {
  return source.slice(0, start) + text + source.slice(end);
}

/** The top-level command (or block command) that starts at `offset`. */
function commandAt(source: string, offset: number): CommandSyntax {
  const tree = parseSyntax(source);
  const walk = (cs: readonly CommandSyntax[]): CommandSyntax | undefined => {
    for (const c of cs) {
      if (c.start === offset) return c;
      if (c.block && c.start < offset && offset < c.end) return walk(c.block.commands);
    }
    return undefined;
  };
  const found = walk(tree.commands.filter((c): c is CommandSyntax => c.type === 'command'));
  if (!found) throw new RuleEditError('the rule moved: read the script again');
  return found;
}

const lineStart = (source: string, offset: number): number => {
  const nl = Math.max(source.lastIndexOf('\n', offset - 1), source.lastIndexOf('\r', offset - 1));
  return nl + 1;
};

function indentOf(source: string, offset: number): string {
  const ls = lineStart(source, offset);
  const before = source.slice(ls, offset);
  return /^[ \t]*$/.test(before) ? before : '';
}

function hasMultiline(t: TestSyntax): boolean {
  return t.children.some((c) =>
    c.type === 'token'
      ? c.kind === 'multiline-string'
      : c.type === 'test'
        ? hasMultiline(c)
        : c.type === 'string-list' && c.items.some((i) => i.kind === 'multiline-string'),
  );
}

// --- rename ---------------------------------------------------------------------------------

/** Renames a rule in its own convention; a rule without one gets the script's (Roundcube by default). */
export function rename(source: string, ref: RuleRef, name: string): string {
  const doc = readRules(source);
  const rule = findRule(doc, ref);
  if (rule.name === name) return source;
  const meta = rule.metadata;
  if (rule.dialect === 'rainloop' && meta) return rainloopJson(source, rule, { Name: name });
  if (meta && meta.nameStart !== undefined && meta.nameEnd !== undefined) {
    if (rule.dialect === 'nextcloud' || rule.dialect === 'tine' || rule.dialect === 'zimbra') {
      throw new RuleEditError(
        `${DIALECTS[rule.dialect].label} rules are edited in that product (its own data names them)`,
      );
    }
    const encoded =
      rule.dialect === 'rule-block' ? ruleBlockName(name) : lineName(name, DIALECTS[rule.dialect].label);
    return splice(source, meta.nameStart, meta.nameEnd, encoded);
  }
  if (meta)
    throw new RuleEditError(`the ${DIALECTS[rule.dialect].label} metadata of this rule holds no name`);
  const dialect = DIALECTS[doc.dialect].metadata ? doc.dialect : 'roundcube';
  const lines = DIALECTS[dialect].metadata!({ name, ids: {}, purpose: rule.purpose });
  const at = lineStart(source, rule.codeSpan.start);
  const indent = indentOf(source, rule.codeSpan.start);
  return splice(source, at, at, lines.map((l) => indent + l + doc.eol).join(''));
}

/** Sets fields of a RainLoop rule's JSON header (their source of truth), keeping its layout. */
function rainloopJson(source: string, rule: Rule, set: Record<string, unknown>): string {
  const meta = rule.metadata!;
  const text = source.slice(meta.span.start, meta.span.end);
  const m = /(BEGIN:HEADER\s*?(\r?\n))([\s\S]*?)(END:HEADER)/.exec(text);
  if (!m) throw new RuleEditError('the RainLoop header of this rule does not parse');
  const json = base64Text(m[3]!);
  if (json === null) throw new RuleEditError('the RainLoop header of this rule is not base64 JSON');
  const data = JSON.parse(json) as Record<string, unknown>;
  Object.assign(data, set);
  const eol = m[2]!;
  // RainLoop writes chunk_split(base64, 74, NL): 74 characters a line, each followed by a line end.
  const b64 = textBase64(JSON.stringify(data));
  const chunks = b64.match(/.{1,74}/g) ?? [];
  const body = chunks.map((c) => c + eol).join('');
  const start = meta.span.start + m.index + m[1]!.length;
  return splice(source, start, start + m[3]!.length, body);
}

// --- enable / disable -----------------------------------------------------------------------

/** Switches a rule on or off in its convention's style (sievert's `allof (false, …)` by default). */
export function setEnabled(source: string, ref: RuleRef, enabled: boolean): string {
  const doc = readRules(source);
  const rule = findRule(doc, ref);
  if (rule.enabled === enabled) return source;
  let out = enabled ? enable(source, rule) : disable(source, rule, doc);
  if (rule.dialect === 'rainloop' && rule.metadata && rule.metadata.fields['Enabled'] !== undefined) {
    const again = findRuleAt(readRules(out), rule.span.start);
    if (again) out = rainloopJson(out, again, { Enabled: enabled });
  }
  return out;
}

function findRuleAt(doc: RulesDocument, start: number): Rule | undefined {
  return allRules(doc.items).find((r) => r.span.start === start);
}

function enable(source: string, rule: Rule): string {
  const code = rule.codeSpan;
  switch (rule.disabledBy) {
    case 'ox-comment': {
      const from = lineStart(source, code.start);
      return splice(source, from, code.end, source.slice(from, code.end).replace(/^#<!-->/gm, ''));
    }
    case 'bracket-comment': {
      const text = source.slice(code.start, code.end);
      const inner = text.replace(/^\/\*\s*@Filter is disabled[ \t]*/, '').replace(/\*\/$/, '');
      return splice(source, code.start, code.end, inner);
    }
    case 'disabled_if':
      return splice(source, code.start, code.start + 'disabled_if'.length, 'if');
    default:
      break;
  }
  const node = commandAt(source, code.start);
  const test = node.tests[0];
  if (!test) throw new RuleEditError('the rule has no test to switch on');
  if (rule.disabledBy === 'allof-false') {
    const [, second] = test.tests;
    if (test.tests.length === 2 && second)
      return splice(source, test.start, test.end, source.slice(second.start, second.end));
    const f = test.tests[0]!;
    return splice(source, f.start, second!.start, '');
  }
  const falseToken = test.children[0] as SyntaxToken;
  const comment = falseToken.trailing.find((t) => t.kind === 'hash-comment');
  if (rule.disabledBy === 'if-false' && comment) {
    return splice(source, falseToken.start, comment.end, comment.text.slice(1).trim());
  }
  return splice(source, falseToken.start, falseToken.end, 'true');
}

function disable(source: string, rule: Rule, doc: RulesDocument): string {
  const code = rule.codeSpan;
  if (rule.dialect === 'open-xchange') {
    const from = lineStart(source, code.start);
    return splice(source, from, code.end, source.slice(from, code.end).replace(/^/gm, '#<!-->'));
  }
  const node = commandAt(source, code.start);
  if (node.name !== 'if' && node.name !== 'elsif') {
    if (node.name === 'else') throw new RuleEditError('an "else" branch has no test to switch off');
    // An action outside any `if` becomes `if true { … }` first.
    const indent = indentOf(source, node.start);
    const text = source.slice(node.start, node.end);
    const inner = doc.dialect === 'roundcube' ? '\t' : '    ';
    const wrapped = `if true${doc.dialect === 'roundcube' ? doc.eol : ' '}{${doc.eol}${indent}${inner}${text}${doc.eol}${indent}}`;
    const next = splice(source, node.start, node.end, wrapped);
    const again = findRuleAt(readRules(next), rule.span.start);
    if (!again) throw new RuleEditError('the rule could not be wrapped in an "if"');
    return disable(next, again, doc);
  }
  const test = node.tests[0]!;
  const testText = source.slice(test.start, test.end);
  const lastOfTest = tokensOf(test).pop();
  const braceOnNextLine = lastOfTest?.trailing.some((t) => t.kind === 'newline') ?? false;
  if (rule.dialect === 'roundcube' && braceOnNextLine && !/[\r\n]/.test(testText) && !hasMultiline(test)) {
    // Roundcube's own style, where its layout puts "{" on the next line; never with text:
    // (the comment would end inside the string).
    return splice(source, test.start, test.end, 'false # ' + testText);
  }
  if (test.name === 'allof' && test.testList && test.tests.length) {
    const first = test.tests[0]!;
    return splice(source, first.start, first.start, 'false, ');
  }
  return splice(source, test.start, test.end, `allof (false, ${testText})`);
}

// --- reorder --------------------------------------------------------------------------------

/**
 * Moves a rule (with its metadata) before another rule, or to the end when `before` is null.
 * Refuses to take a branch out of an if/elsif/else chain: that changes which messages the other
 * branches see.
 */
export function moveRule(source: string, ref: RuleRef, before: RuleRef | null): string {
  const doc = readRules(source);
  const rule = findRule(doc, ref);
  const item = topItemOf(doc.items, rule);
  const target = before === null ? null : findRule(doc, before);
  const targetItem = target ? topItemOf(doc.items, target) : null;
  const chainError = (r: Rule, item: Item): RuleEditError =>
    new RuleEditError(
      `"${r.name ?? 'the rule'}" is ${r.branch === 'if' ? 'the "if"' : `an "${r.branch}"`} branch of the if/elsif chain at line ${item.span.startLine}: moving it alone would change which messages the other branches see (move the whole chain by its first rule)`,
    );
  if (item.kind === 'chain' && item.branches[0] !== rule) throw chainError(rule, item);
  if (targetItem?.kind === 'chain' && target && targetItem.branches[0] !== target)
    throw chainError(target, targetItem);
  if (item.kind === 'region' || targetItem?.kind === 'region') {
    throw new RuleEditError('rules inside a product-managed region move with the region only');
  }
  if (targetItem === item) return source;
  let text = source.slice(item.span.start, item.span.end);
  if (!/\n$/.test(text)) text += doc.eol;
  const without = splice(source, item.span.start, item.span.end, '');
  let at: number;
  if (targetItem) {
    at =
      targetItem.span.start > item.span.start
        ? targetItem.span.start - (item.span.end - item.span.start)
        : targetItem.span.start;
  } else {
    at = without.length;
    if (at > 0 && !/\n$/.test(without)) return without + doc.eol + text;
  }
  return splice(without, at, at, text);
}

function topItemOf(items: readonly Item[], rule: Rule): Item {
  for (const i of items) {
    if (i === rule) return i;
    if (i.kind === 'chain' && i.branches.includes(rule)) return i;
    if (i.kind === 'region' && allRules(i.items).includes(rule)) return i;
  }
  throw new RuleEditError('the rule is not in the document');
}

// --- conditions and actions -----------------------------------------------------------------

export interface RuleChange {
  readonly condition?: Condition | null;
  readonly actions?: readonly Action[];
}

/** Replaces an editable rule's condition and/or actions; `require` gains what they need. */
export function updateRule(source: string, ref: RuleRef, change: RuleChange): string {
  const doc = readRules(source);
  const rule = findRule(doc, ref);
  if (!rule.editable)
    throw new RuleEditError(`the rule is raw (${rule.reason ?? 'not representable'}): edit its code`);
  if (rule.disabledBy === 'ox-comment' || rule.disabledBy === 'bracket-comment') {
    throw new RuleEditError('the rule is commented out: switch it on to edit it');
  }
  const condition = change.condition !== undefined ? change.condition : rule.condition;
  const actions = change.actions ?? rule.actions;
  if (actions.length === 0) throw new RuleEditError('a rule needs at least one action');
  const node = commandAt(source, rule.codeSpan.start);
  let out = source;
  if (node.name !== 'if' && node.name !== 'elsif' && node.name !== 'else' && node.name !== 'disabled_if') {
    const indent = indentOf(source, node.start);
    const text =
      condition === null
        ? writeActions(actions, indent, doc.eol)
            .slice(indent.length)
            .replace(/\r?\n$/, '')
        : writeCode('if', { enabled: true, condition, actions }, doc.eol, indent + '    ', false).replace(
            /\n}$/,
            '\n' + indent + '}',
          );
    return ensureRequire(splice(source, node.start, node.end, text), capabilitiesOf(condition, actions));
  }
  // Edit the block first (it comes after the test, so the test's offsets stay valid).
  if (change.actions && node.block) {
    const open = node.block.children[0] as SyntaxToken;
    const close = node.block.children[node.block.children.length - 1] as SyntaxToken;
    const inner = source.slice(open.end, close.start);
    const closeIndent = indentOf(source, close.start);
    const firstCmd = node.block.commands[0];
    const indent = firstCmd
      ? indentOf(source, firstCmd.start)
      : closeIndent + (rule.dialect === 'roundcube' ? '\t' : '    ');
    const afterOpen = open.trailing.some((t) => t.kind === 'newline');
    let replaceFrom = open.end;
    let text: string;
    if (!/[\r\n]/.test(inner)) {
      text = ' ' + actions.map((a) => writeActions([a], '', '').trim()).join(' ') + ' ';
    } else if (afterOpen) {
      // The `{` keeps its line end; the block's lines follow it.
      replaceFrom = open.end + open.trailing.reduce((n, t) => n + t.text.length, 0);
      text = writeActions(actions, indent, doc.eol) + closeIndent;
    } else {
      text = doc.eol + writeActions(actions, indent, doc.eol) + closeIndent;
    }
    out = splice(out, replaceFrom, close.start, text);
  }
  if (change.condition !== undefined && node.name !== 'else') {
    const test = node.tests[0]!;
    const start = test.start;
    let end = test.end;
    let disabledBy = rule.disabledBy;
    if (rule.disabledBy === 'if-false') {
      const falseToken = test.children[0] as SyntaxToken;
      const comment = falseToken.trailing.find((t) => t.kind === 'hash-comment');
      if (comment) end = comment.end;
      if (condition && /text:/i.test(writeCondition(condition))) disabledBy = 'allof-false';
    }
    if (node.name === 'disabled_if') {
      out = splice(out, start, end, writeCondition(condition ?? { type: 'true' }));
    } else {
      const text = writeTest(
        { enabled: rule.enabled, ...(disabledBy ? { disabledBy } : {}), condition },
        '',
      ).trimEnd();
      out = splice(out, start, end, text);
    }
  }
  return ensureRequire(out, capabilitiesOf(condition, actions));
}

/** Adds a condition: joined to the rule's allof/anyof, or with the current test in an allof. */
export function addCondition(
  source: string,
  ref: RuleRef,
  condition: Condition,
  join: 'allof' | 'anyof' = 'allof',
): string {
  const rule = findRule(readRules(source), ref);
  const c = rule.condition;
  const next: Condition =
    c === null || c.type === 'true'
      ? condition
      : c.type === join
        ? { type: join, tests: [...c.tests, condition] }
        : { type: join, tests: [c, condition] };
  return updateRule(source, ref, { condition: next });
}

/** Removes the condition at `index` of the rule's allof/anyof (or its only test). */
export function removeCondition(source: string, ref: RuleRef, index: number): string {
  const rule = findRule(readRules(source), ref);
  const c = rule.condition;
  if (c && (c.type === 'allof' || c.type === 'anyof')) {
    if (!c.tests[index]) throw new RuleEditError(`the rule has no condition number ${index}`);
    const tests = c.tests.filter((_, i) => i !== index);
    return updateRule(source, ref, {
      condition: tests.length === 1 ? tests[0]! : tests.length ? { type: c.type, tests } : { type: 'true' },
    });
  }
  if (index !== 0 || !c) throw new RuleEditError(`the rule has no condition number ${index}`);
  return updateRule(source, ref, { condition: { type: 'true' } });
}

export function addAction(source: string, ref: RuleRef, action: Action, at?: number): string {
  const rule = findRule(readRules(source), ref);
  const actions = [...rule.actions];
  actions.splice(at ?? actions.length, 0, action);
  return updateRule(source, ref, { actions });
}

export function removeAction(source: string, ref: RuleRef, index: number): string {
  const rule = findRule(readRules(source), ref);
  if (!rule.actions[index]) throw new RuleEditError(`the rule has no action number ${index}`);
  return updateRule(source, ref, { actions: rule.actions.filter((_, i) => i !== index) });
}

/** Sets the purpose where the convention writes one (Open-Xchange flags, the rule-block $Type). */
export function setPurpose(source: string, ref: RuleRef, purpose: Purpose): string {
  const rule = findRule(readRules(source), ref);
  const meta = rule.metadata;
  if (rule.dialect === 'open-xchange' && meta) {
    const line = source.slice(meta.span.start, meta.span.end);
    const m = /^(## Flag: )([^|]*)/.exec(line);
    if (!m) throw new RuleEditError('the Open-Xchange metadata line does not parse');
    const flag = purpose === 'vacation' ? 'vacation' : purpose === 'forward' ? 'autoforward' : '';
    const kept = m[2]!.split(',').filter((f) => f && f !== 'vacation' && f !== 'autoforward');
    const flags = [...(flag ? [flag] : []), ...kept].join(',');
    const at = meta.span.start + m[1]!.length;
    return splice(source, at, at + m[2]!.length, flags);
  }
  if (rule.dialect === 'rule-block' && meta) {
    const line = source.slice(meta.span.start, meta.span.end);
    const m = /\$Type=("(?:[^"\\]|\\.)*"|\S*)/.exec(line);
    const at = meta.span.start + (m ? m.index : line.indexOf('#BEGINFILTER') - 1);
    if (m) return splice(source, at, at + m[0].length, `$Type="${purpose}"`);
    const headEnd = meta.span.start + /^#RULE:[^\r\n]*/.exec(line)![0].length;
    return splice(source, headEnd, headEnd, ` $Type="${purpose}"`);
  }
  throw new RuleEditError(
    `the ${DIALECTS[rule.dialect].label} convention has no place for a purpose: it follows from the rule's first action`,
  );
}

// --- new rules ------------------------------------------------------------------------------

export interface NewRule {
  readonly name: string;
  readonly condition: Condition | null;
  readonly actions: readonly Action[];
  readonly enabled?: boolean;
  readonly purpose?: Purpose;
}

/** Appends a rule (or inserts it before `before`) in the script's convention, or `dialect`. */
export function addRule(
  source: string,
  rule: NewRule,
  opts: { dialect?: DialectId; before?: RuleRef } = {},
): string {
  const doc = readRules(source);
  const dialect = opts.dialect ?? (DIALECTS[doc.dialect].metadata ? doc.dialect : 'roundcube');
  const d = DIALECTS[dialect];
  if (!d.metadata)
    throw new RuleEditError(
      `sievert does not write the ${d.label} convention (writable: ${WRITABLE_DIALECTS.join(', ')})`,
    );
  if (rule.actions.length === 0) throw new RuleEditError('a rule needs at least one action');
  const eol = doc.eol;
  const ids: Record<string, string> = {};
  if (dialect === 'open-xchange') {
    const used = allRules(doc.items).map((r) => Number(r.ids['open-xchange'] ?? -1));
    ids['open-xchange'] = String(Math.max(-1, ...used) + 1);
  }
  const purpose = rule.purpose ?? 'filter';
  const lines = d.metadata({ name: rule.name, ids, purpose });
  const roundcube = dialect === 'roundcube';
  let code = writeCode(
    'if',
    { enabled: true, condition: rule.condition ?? { type: 'true' }, actions: rule.actions },
    eol,
    roundcube ? '\t' : '    ',
    roundcube,
  );
  if (dialect === 'rule-block') code += eol + '#ENDFILTER' + eol + '#ENDRULE';
  const text = lines.join(eol) + eol + code + eol;
  let out: string;
  if (opts.before !== undefined) {
    const target = findRule(doc, opts.before);
    const item = topItemOf(doc.items, target);
    out = splice(source, item.span.start, item.span.start, text);
  } else {
    const sep = source.length === 0 || /\n$/.test(source) ? '' : eol;
    out = source + sep + text;
  }
  out = ensureRequire(out, capabilitiesOf(rule.condition, rule.actions));
  if (rule.enabled === false) out = setEnabled(out, rule.name, false);
  return out;
}

// --- require ---------------------------------------------------------------------------------

/** Adds the capabilities missing from `require`; never removes one. */
export function ensureRequire(source: string, caps: readonly string[]): string {
  const tree = parseSyntax(source);
  const requires = tree.commands.filter(
    (c): c is CommandSyntax => c.type === 'command' && c.name === 'require',
  );
  const have = new Set<string>();
  for (const r of requires) {
    for (const a of r.args) {
      if (a.type === 'string-list') a.items.forEach((i) => have.add(stringValue(i)));
      else if (a.kind === 'quoted-string') have.add(stringValue(a));
    }
  }
  const missing = caps.filter((c) => !have.has(c));
  if (!missing.length) return source;
  const quoted = missing.map((c) => `"${c}"`);
  const first = requires[0];
  const arg = first?.args[0];
  if (first && arg) {
    if (arg.type === 'string-list') {
      // After the last entry, with the separator the list already uses (Roundcube writes ",").
      const last = arg.items[arg.items.length - 1]!;
      const sep = arg.items.length >= 2 ? source.slice(arg.items[0]!.end, arg.items[1]!.start) : ', ';
      return splice(source, last.end, last.end, sep + quoted.join(sep));
    }
    return splice(source, arg.start, arg.end, `[${arg.text}, ${quoted.join(', ')}]`);
  }
  const eol =
    /\r\n/.exec(source) && !/(^|[^\r])\n/.test(source) ? '\r\n' : (/\r?\n/.exec(source)?.[0] ?? '\n');
  const line = `require [${quoted.join(', ')}];${eol}`;
  const firstCommand = tree.commands[0];
  const at = firstCommand ? lineStart(source, firstCommand.start) : source.length;
  if (at === source.length && at > 0 && !/\n$/.test(source)) return source + eol + line;
  return splice(source, at, at, line);
}

// --- conversion ------------------------------------------------------------------------------

/**
 * Rewrites every named top-level rule's metadata (and on/off style) in another convention.
 * Rules in product-managed regions, raw blocks and unnamed rules stay as they are.
 */
export function convert(source: string, to: DialectId, opts: { date?: string } = {}): string {
  const d = DIALECTS[to];
  if (!d.metadata)
    throw new RuleEditError(
      `sievert does not write the ${d.label} convention (writable: ${WRITABLE_DIALECTS.join(', ')})`,
    );
  const doc = readRules(source);
  const eol = doc.eol;
  const rules = doc.items.flatMap((i) =>
    i.kind === 'rule' ? [i] : i.kind === 'chain' ? [i.branches[0]!] : [],
  );
  let out = source;
  // Open-Xchange ids for rules that have none, in script order.
  let nextOx = Math.max(-1, ...allRules(doc.items).map((r) => Number(r.ids['open-xchange'] ?? -1))) + 1;
  const oxIds = new Map<Rule, string>();
  for (const r of rules)
    if (r.name !== null && r.ids['open-xchange'] === undefined) oxIds.set(r, String(nextOx++));
  // From the end, so that earlier offsets stay valid.
  for (const rule of [...rules].reverse()) {
    if (rule.name === null) continue;
    if (rule.dialect === to && !rule.warnings?.length) continue;
    const chain = doc.items.find((i) => i.kind === 'chain' && i.branches[0] === rule);
    const end = chain ? chain.span.end : rule.span.end;
    // The rule's code, switched on, standing alone.
    let code = out.slice(
      rule.codeSpan.start,
      chain && chain.kind === 'chain'
        ? chain.branches[chain.branches.length - 1]!.codeSpan.end
        : rule.codeSpan.end,
    );
    if (!rule.enabled) {
      const alone = readRules(code);
      const first = allRules(alone.items)[0];
      if (rule.disabledBy === 'ox-comment') code = code.replace(/^#<!-->/gm, '');
      else if (rule.disabledBy === 'bracket-comment')
        code = code.replace(/^\/\*\s*@Filter is disabled[ \t]*/, '').replace(/\*\/$/, '');
      else if (first) code = setEnabled(code, 0, true);
      code = code.replace(/^[ \t]*(\r?\n)+/, '').replace(/(\r?\n)+$/, '');
    }
    const ids: Record<string, string> = { ...rule.ids };
    if (to === 'open-xchange' && ids['open-xchange'] === undefined)
      ids['open-xchange'] = oxIds.get(rule) ?? '0';
    const meta = d.metadata({ name: rule.name, ids, purpose: rule.purpose });
    let text =
      meta.join(eol) + eol + code + (to === 'rule-block' ? eol + '#ENDFILTER' + eol + '#ENDRULE' : '');
    if (!rule.enabled) text = setEnabled(text + eol, 0, false).replace(/\r?\n$/, '');
    const tail = /\r?\n$/.exec(out.slice(rule.span.start, end))?.[0] ?? '';
    out = splice(out, rule.span.start, end, text + tail);
  }
  if (to === 'open-xchange' && !/^# Generated by OX Sieve Bundle/m.test(out)) {
    out = `# Generated by OX Sieve Bundle on ${opts.date ?? new Date().toUTCString()}${eol}` + out;
  }
  return out;
}
