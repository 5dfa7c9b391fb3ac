// From the lossless tree to the document: items in execution order, each rule with the metadata
// its product wrote, and everything else kept as comments, directives, regions or raw blocks.
import { readAction, readCondition, Unrepresentable, writeAction, writeCondition } from './code.js';
import { detect, INGO_SECTIONS } from './dialects.js';
import type {
  Action,
  Chain,
  Condition,
  DialectId,
  DisabledStyle,
  Item,
  Purpose,
  Region,
  Rule,
  RulesDocument,
  SourceSpan,
} from './model.js';
import {
  LineIndex,
  parseSyntax,
  stringValue,
  tokensOf,
  type CommandSyntax,
  type RawSyntax,
  type ScriptSyntax,
  type TestSyntax,
} from './syntax.js';

interface Comment {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly bracket: boolean;
}

/** Metadata comments a convention wrote above a rule. */
export interface Claim {
  readonly dialect: DialectId;
  readonly name: string | null;
  /** Where the name is written, for renaming (absent when the name is not in the code). */
  readonly nameStart?: number;
  readonly nameEnd?: number;
  readonly ids: Record<string, string>;
  readonly fields: Record<string, string>;
  readonly purpose?: Purpose;
  /** Offsets of the metadata lines. */
  readonly start: number;
  readonly end: number;
}

/** How a rule's code reads. */
export interface CodeReading {
  readonly enabled: boolean;
  readonly disabledBy?: DisabledStyle;
  readonly condition: Condition | null;
  readonly actions: readonly Action[];
  readonly editable: boolean;
  readonly reason?: string;
}

const isFalse = (t: TestSyntax | undefined): boolean =>
  t?.name === 'false' && t.args.length === 0 && !t.tests.length;

/** The on/off state, condition and actions of a rule's command; throws Unrepresentable. */
function decode(node: CommandSyntax): {
  reading: Omit<CodeReading, 'editable' | 'reason'>;
  ignoreComment: number;
} {
  let enabled = true;
  let disabledBy: DisabledStyle | undefined;
  let condition: Condition | null = null;
  let ignoreComment = -1;
  const test = node.tests[0];
  if (node.name === 'else') {
    if (node.tests.length || node.args.length) throw new Unrepresentable('"else" with a test');
  } else if (node.name === 'if' || node.name === 'elsif' || node.name === 'disabled_if') {
    if (!test || node.tests.length !== 1 || node.testList || node.args.length)
      throw new Unrepresentable(`"${node.name}" takes one test`);
    if (node.name === 'disabled_if') {
      enabled = false;
      disabledBy = 'disabled_if';
      condition = readCondition(test);
    } else if (isFalse(test)) {
      enabled = false;
      const falseToken = test.children[0];
      const comment =
        falseToken?.type === 'token' ? falseToken.trailing.find((t) => t.kind === 'hash-comment') : undefined;
      if (comment) {
        // Roundcube: `if false # <original test>`.
        const inner = parseSyntax('if ' + comment.text.slice(1) + ' {}').commands[0];
        const innerTest = inner?.type === 'command' && inner.tests.length === 1 ? inner.tests[0] : undefined;
        if (!innerTest) throw new Unrepresentable('the test after "if false #" does not parse');
        disabledBy = 'if-false';
        condition = readCondition(innerTest);
        ignoreComment = comment.start;
      } else {
        disabledBy = 'false';
        condition = { type: 'true' };
      }
    } else if (
      test.name === 'allof' &&
      test.tests.length >= 2 &&
      isFalse(test.tests[0]) &&
      !test.args.length
    ) {
      enabled = false;
      disabledBy = 'allof-false';
      const rest = test.tests.slice(1).map(readCondition);
      condition = rest.length === 1 ? rest[0]! : { type: 'allof', tests: rest };
    } else {
      condition = readCondition(test);
    }
  } else if (node.block) {
    throw new Unrepresentable(`"${node.name}" with a block`);
  }
  const actions = node.block ? node.block.commands.map(readAction) : [readAction(node)];
  return { reading: { enabled, ...(disabledBy ? { disabledBy } : {}), condition, actions }, ignoreComment };
}

/**
 * Reads a rule's command: the on/off state, the test and the actions, and whether the model
 * holds all of it (model → script → model gives the same model).
 */
export function readCode(node: CommandSyntax): CodeReading {
  let enabled = true;
  let disabledBy: DisabledStyle | undefined;
  try {
    const { reading, ignoreComment } = decode(node);
    enabled = reading.enabled;
    disabledBy = reading.disabledBy;
    // Comments inside a rule have no place in the model: editing would drop them.
    const tokens = tokensOf(node);
    const last = tokens[tokens.length - 1];
    for (const t of tokens) {
      const trivia = t === tokens[0] ? t.trailing : t === last ? t.leading : [...t.leading, ...t.trailing];
      if (
        trivia.some(
          (x) => (x.kind === 'hash-comment' || x.kind === 'bracket-comment') && x.start !== ignoreComment,
        )
      )
        throw new Unrepresentable('comments inside the rule');
    }
    const again = writeCode(node.name, reading, '\n', '    ', false);
    const back = parseSyntax(again).commands[0];
    let reread: unknown = null;
    try {
      reread = back?.type === 'command' ? decode(back).reading : null;
    } catch {
      reread = null;
    }
    if (JSON.stringify(reread) !== JSON.stringify(reading)) {
      throw new Unrepresentable('the rule does not read back the same after writing');
    }
    return { ...reading, editable: true };
  } catch (e) {
    if (!(e instanceof Unrepresentable)) throw e;
    return {
      enabled,
      ...(disabledBy ? { disabledBy } : {}),
      condition: null,
      actions: [],
      editable: false,
      reason: e.message,
    };
  }
}

/** The test text of a rule in its on/off style. */
export function writeTest(
  reading: { enabled: boolean; disabledBy?: DisabledStyle; condition: Condition | null },
  eol: string,
): string {
  const c = reading.condition ?? { type: 'true' };
  if (reading.enabled) return writeCondition(c);
  switch (reading.disabledBy) {
    case 'if-false':
      return 'false # ' + writeCondition(c) + eol;
    case 'false':
      return 'false';
    default: {
      const inner = c.type === 'allof' ? c.tests.map(writeCondition).join(', ') : writeCondition(c);
      return `allof (false, ${inner})`;
    }
  }
}

/** The text of an action block's commands, one a line. */
export function writeActions(actions: readonly Action[], indent: string, eol: string): string {
  return actions
    .map((a) => {
      const text = writeAction(a);
      return indent + text + (text.endsWith('\n') ? '' : eol);
    })
    .join('');
}

/**
 * A rule's whole command. `braceOnOwnLine` is Roundcube's layout (`if …` / `{` / tab-indented
 * actions / `}`); otherwise `if … {` with `indent`.
 */
export function writeCode(
  keyword: string,
  reading: {
    enabled: boolean;
    disabledBy?: DisabledStyle;
    condition: Condition | null;
    actions: readonly Action[];
  },
  eol: string,
  indent: string,
  braceOnOwnLine: boolean,
): string {
  if (keyword !== 'if' && keyword !== 'elsif' && keyword !== 'else' && keyword !== 'disabled_if') {
    return reading.actions.map((a) => writeAction(a)).join(eol);
  }
  const head =
    keyword === 'else'
      ? 'else'
      : keyword === 'disabled_if'
        ? 'disabled_if ' + writeCondition(reading.condition ?? { type: 'true' })
        : keyword + ' ' + writeTest(reading, eol);
  const sep = head.endsWith('\n') ? '' : braceOnOwnLine ? eol : ' ';
  return head + sep + '{' + eol + writeActions(reading.actions, indent, eol) + '}';
}

/** What a rule is for, from its product's metadata or its first action. */
export function purposeOf(condition: Condition | null, actions: readonly Action[]): Purpose {
  const first = actions[0];
  if (!first) return 'filter';
  if (first.type === 'vacation') return 'vacation';
  if (first.type === 'redirect') return 'forward';
  const text = JSON.stringify(condition ?? {}).toLowerCase();
  if (text.includes('spamtest') || text.includes('x-spam')) return 'spam';
  if (first.type === 'fileinto' && /^(junk|spam)$/i.test(first.mailbox.value.replace(/^INBOX[./]/i, '')))
    return 'spam';
  if (first.type === 'discard' || first.type === 'reject' || first.type === 'ereject') return 'blocklist';
  return 'filter';
}

interface RegionBuilder {
  dialect: DialectId;
  label: string;
  editable: boolean;
  start: number;
  items: Item[];
  close?: RegExp;
  json?: string;
}

interface OpenRule {
  rule: Rule;
  /** Comments that still belong to the rule (closing markers). */
  closer: RegExp;
  done: RegExp;
}

const RE = {
  ox: /^## Flag: ([^|]*)\|UniqueId:(\d*)\|Rulename: (.*)$/,
  oxDisabled: /^#<!-->/,
  roundcube: /^# rule:\[(.*)\]\s*$/,
  cp: /^# cp_filter_(name|description):[ \t]?(.*)$/,
  ruleHead: /^#RULE:(.*)$/,
  beginFilter: /^#BEGINFILTER\s*$/,
  ruleField: /\$([\w-]+)=("(?:[^"\\]|\\.)*"|\S*)/g,
  rainloopHeader: /^\/\*\s*BEGIN:FILTER:(\S+)\s+BEGIN:HEADER\s+([\s\S]*?)END:HEADER\s*\*\/$/,
  rainloopDisabled: /^\/\*\s*@Filter is disabled/,
  rainloopEnd: /^\/\*\s*END:FILTER\s*\*\/$/,
  nextcloudFence: /^### Nextcloud Mail: (.*?) ### DON'T EDIT ###\s*$/,
  nextcloudData: /^# (FILTER|DATA): (.*)$/,
  ispBegin: /^### BEGIN FILTER_ID:(\d+)/,
  ispEnd: /^### END FILTER_ID:(\d+)/,
  fastmailSection: /^### (\d+)\. Sieve generated for (.*)$/,
  fastmailStart: /^# Start user advanced sieve block '(.*)' \{\{\{\s*$/,
  fastmailEnd: /^# \}\}\} End user advanced sieve block '(.*)'\s*$/,
  hashName: /^#[ \t]+(\S.*?)\s*$/,
  tine: /^#Sieve/,
};

/** Decodes base64 to UTF-8 text without Node's Buffer (the layer runs in browsers). */
export function base64Text(b64: string): string | null {
  try {
    const bin = atob(b64.replace(/\s+/g, ''));
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
}

export function textBase64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** Reads a script into its rules document. Never throws; never loses a byte (see print). */
export function readRules(source: string, tree: ScriptSyntax = parseSyntax(source)): RulesDocument {
  const lines = new LineIndex(source);
  const evidence = detect(tree);
  const present = new Set(evidence.map((e) => e.dialect));
  const eolMatch = /\r?\n/.exec(source);
  const eol = eolMatch?.[0] === '\r\n' ? '\r\n' : '\n';

  const span = (start: number, end: number): SourceSpan => ({
    start,
    end,
    startLine: lines.line(start),
    endLine: lines.line(Math.max(start, end - 1)),
  });
  /** Widens to whole lines when nothing else shares them. */
  const lineStartOf = (offset: number): number => {
    const ls = lines.lineStart(offset);
    return /^[ \t]*$/.test(source.slice(ls, offset)) ? ls : offset;
  };
  const endOfLine = (offset: number): number => {
    let i = offset;
    while (source[i] === ' ' || source[i] === '\t') i++;
    if (source[i] === '#') while (i < source.length && source[i] !== '\n' && source[i] !== '\r') i++;
    if (source[i] === '\r' && source[i + 1] === '\n') return i + 2;
    if (source[i] === '\n' || source[i] === '\r') return i + 1;
    return i >= source.length ? i : offset;
  };

  const root: Item[] = [];
  const regions: RegionBuilder[] = [];
  const container = (): Item[] => regions[regions.length - 1]?.items ?? root;
  let pending: Comment[] = [];
  let oxBuffer: Comment[] = [];
  let open: OpenRule | null = null;
  let rainloop: { comment: Comment; id: string; json: string | null } | null = null;

  const flushComments = (): void => {
    if (!pending.length) return;
    const first = pending[0]!;
    const last = pending[pending.length - 1]!;
    const s = lineStartOf(first.start);
    const e = endOfLine(last.end);
    container().push({ kind: 'comment', text: source.slice(s, e), span: span(s, e) });
    pending = [];
  };

  const replaceLast = (item: Item): void => {
    const c = container();
    c[c.length - 1] = item;
  };

  const closeOpen = (): void => {
    open = null;
  };

  const claim = (): Claim | null => {
    const last = pending[pending.length - 1];
    if (!last) return null;
    const prev = pending[pending.length - 2];
    let m: RegExpExecArray | null;
    const region = regions[regions.length - 1];
    if ((m = RE.ox.exec(last.text))) {
      const name = m[3]!;
      return {
        dialect: 'open-xchange',
        name,
        nameStart: last.end - name.length,
        nameEnd: last.end,
        ids: m[2] ? { 'open-xchange': m[2] } : {},
        fields: { flags: m[1]! },
        ...(/\bvacation\b/.test(m[1]!) ? { purpose: 'vacation' as const } : {}),
        ...(/\bautoforward\b/.test(m[1]!) ? { purpose: 'forward' as const } : {}),
        start: last.start,
        end: last.end,
      };
    }
    if ((m = RE.roundcube.exec(last.text))) {
      const name = m[1]!;
      const nameStart = last.start + '# rule:['.length;
      return {
        dialect: 'roundcube',
        name,
        nameStart,
        nameEnd: nameStart + name.length,
        ids: {},
        fields: {},
        start: last.start,
        end: last.end,
      };
    }
    if (RE.cp.test(last.text)) {
      const lines = prev && RE.cp.test(prev.text) ? [prev, last] : [last];
      const fields: Record<string, string> = {};
      let name: string | null = null;
      let nameStart: number | undefined;
      for (const l of lines) {
        const cm = RE.cp.exec(l.text)!;
        fields[cm[1]!] = cm[2]!;
        if (cm[1] === 'name') {
          name = cm[2]!;
          nameStart = l.end - name.length;
        }
      }
      return {
        dialect: 'critical-path',
        name,
        ...(nameStart !== undefined && name !== null ? { nameStart, nameEnd: nameStart + name.length } : {}),
        ids: {},
        fields,
        start: lines[0]!.start,
        end: last.end,
      };
    }
    if (RE.beginFilter.test(last.text) && prev && RE.ruleHead.test(prev.text)) {
      const fields: Record<string, string> = {};
      let name: string | null = null;
      let nameStart: number | undefined;
      let nameEnd: number | undefined;
      const head = prev.text;
      for (const fm of head.matchAll(RE.ruleField)) {
        fields['$' + fm[1]!] = fm[2]!;
        if (fm[1] === 'Name') {
          const v = fm[2]!;
          name = v.startsWith('"') ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v;
          nameStart = prev.start + fm.index + fm[0].length - v.length;
          nameEnd = nameStart + v.length;
        }
      }
      const type = (fields['$Type'] ?? '').replace(/"/g, '').toLowerCase();
      const purpose = (['vacation', 'forward', 'blocklist', 'spam', 'filter'] as const).find(
        (p) => p === type,
      );
      return {
        dialect: 'rule-block',
        name,
        ...(nameStart !== undefined ? { nameStart, nameEnd: nameEnd! } : {}),
        ids: fields['$Id'] ? { 'rule-block': fields['$Id'].replace(/"/g, '') } : {},
        fields,
        ...(purpose ? { purpose } : {}),
        start: prev.start,
        end: last.end,
      };
    }
    if (pending.some((c) => RE.tine.test(c.text)) && present.has('tine')) {
      const tine = pending.filter((c) => RE.tine.test(c.text));
      const first = tine[0]!;
      return {
        dialect: 'tine',
        name: null,
        ids: {},
        fields: { metadata: source.slice(first.start, tine[tine.length - 1]!.end) },
        start: first.start,
        end: last.end,
      };
    }
    const generic: DialectId | null =
      region?.dialect === 'nextcloud'
        ? 'nextcloud'
        : present.has('ingo')
          ? 'ingo'
          : present.has('zimbra')
            ? 'zimbra'
            : null;
    if (
      generic &&
      !last.bracket &&
      (m = RE.hashName.exec(last.text)) &&
      !/horde\.org|^Sieve Filter$/.test(m[1]!)
    ) {
      const name = m[1]!;
      const nameStart = last.start + last.text.indexOf(name);
      const purpose = generic === 'ingo' ? INGO_SECTIONS[name] : undefined;
      return {
        dialect: generic,
        name,
        nameStart,
        nameEnd: nameStart + name.length,
        ids: {},
        fields: {},
        ...(purpose ? { purpose } : {}),
        start: last.start,
        end: last.end,
      };
    }
    return null;
  };

  /** Builds a rule from its command; `live` is false for code inside comments (OX, RainLoop). */
  const buildRule = (
    node: CommandSyntax,
    c: Claim | null,
    codeStart: number,
    codeEnd: number,
    commented?: DisabledStyle,
    dialectOverride?: DialectId,
  ): Rule => {
    const reading = readCode(node);
    const metaStart = c ? lineStartOf(c.start) : lineStartOf(codeStart);
    const end = endOfLine(codeEnd);
    const dialect = dialectOverride ?? c?.dialect ?? (node.name === 'disabled_if' ? 'zimbra' : 'none');
    const purpose = c?.purpose ?? purposeOf(reading.condition, reading.actions);
    const warnings: string[] = [];
    if (reading.disabledBy === 'disabled_if') {
      warnings.push(
        'disabled with Zimbra\'s non-standard "disabled_if", which other servers reject: convert it to "if allof (false, …)"',
      );
    }
    return {
      kind: 'rule',
      name: c?.name ?? null,
      ids: c?.ids ?? {},
      enabled: commented ? false : reading.enabled,
      ...(commented
        ? { disabledBy: commented }
        : reading.disabledBy
          ? { disabledBy: reading.disabledBy }
          : {}),
      purpose,
      dialect,
      condition: reading.condition,
      actions: reading.actions,
      span: span(metaStart, end),
      codeSpan: span(codeStart, codeEnd),
      ...(c
        ? {
            metadata: {
              span: span(lineStartOf(c.start), endOfLine(c.end)),
              fields: c.fields,
              ...(c.nameStart !== undefined ? { nameStart: c.nameStart, nameEnd: c.nameEnd } : {}),
            },
          }
        : {}),
      editable: reading.editable,
      ...(reading.reason ? { reason: reading.reason } : {}),
      ...(warnings.length ? { warnings } : {}),
      ...(node.name === 'if' || node.name === 'elsif' || node.name === 'else' ? { branch: node.name } : {}),
    };
  };

  /** A rule whose code is commented out: every line prefixed `#<!-->` (OX) or in a bracket comment. */
  const commentedRule = (
    code: string,
    codeStart: number,
    codeEnd: number,
    c: Claim | null,
    style: DisabledStyle,
    dialect: DialectId,
  ): Item => {
    const sub = parseSyntax(code);
    const [first] = sub.commands;
    if (sub.commands.length === 1 && first?.type === 'command') {
      return buildRule(first, c, codeStart, codeEnd, style, dialect);
    }
    const s = c ? lineStartOf(c.start) : lineStartOf(codeStart);
    const e = endOfLine(codeEnd);
    return {
      kind: 'raw',
      reason: 'a disabled rule whose code does not parse as one command',
      text: source.slice(s, e),
      span: span(s, e),
    };
  };

  const flushOx = (): void => {
    if (!oxBuffer.length) return;
    const first = oxBuffer[0]!;
    const last = oxBuffer[oxBuffer.length - 1]!;
    const c = pending.length ? claim() : null;
    const own = c?.dialect === 'open-xchange' ? c : null;
    if (own) pending = pending.filter((p) => p.start < own.start);
    flushComments();
    const code = source.slice(first.start, last.end).replace(/^#<!-->/gm, '');
    container().push(commentedRule(code, first.start, last.end, own, 'ox-comment', 'open-xchange'));
    oxBuffer = [];
  };

  const rainloopClaim = (): Claim | null => {
    if (!rainloop) return null;
    const { comment, id, json } = rainloop;
    rainloop = null;
    let data: Record<string, unknown> = {};
    try {
      data = json ? (JSON.parse(json) as Record<string, unknown>) : {};
    } catch {
      data = {};
    }
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(data)) fields[k] = typeof v === 'string' ? v : JSON.stringify(v);
    return {
      dialect: 'rainloop',
      name: typeof data['Name'] === 'string' ? data['Name'] : null,
      ids: { rainloop: id },
      fields,
      start: comment.start,
      end: comment.end,
    };
  };

  const onComment = (c: Comment): void => {
    let m: RegExpExecArray | null;
    if (open && open.closer.test(c.text)) {
      const rule: Rule = { ...open.rule, span: span(open.rule.span.start, endOfLine(c.end)) };
      replaceLastRule(rule);
      open.rule = rule;
      if (open.done.test(c.text)) closeOpen();
      return;
    }
    closeOpen();
    if (RE.oxDisabled.test(c.text)) {
      oxBuffer.push(c);
      return;
    }
    flushOx();
    const region = regions[regions.length - 1];
    if ((m = RE.nextcloudFence.exec(c.text))) {
      if (region?.dialect === 'nextcloud' && region.label === 'Nextcloud Mail: ' + m[1]) {
        endRegion(c);
      } else {
        startRegion({
          dialect: 'nextcloud',
          label: 'Nextcloud Mail: ' + m[1],
          editable: false,
          start: c.start,
          items: [],
        });
      }
      return;
    }
    if (region?.dialect === 'nextcloud' && (m = RE.nextcloudData.exec(c.text)) && region.json === undefined) {
      region.json = m[2]!;
      return;
    }
    if ((m = RE.ispBegin.exec(c.text))) {
      startRegion({
        dialect: 'ispconfig',
        label: `ISPConfig filter ${m[1]}`,
        editable: true,
        start: c.start,
        items: [],
      });
      return;
    }
    if ((m = RE.ispEnd.exec(c.text)) && region?.dialect === 'ispconfig') {
      endRegion(c);
      return;
    }
    if ((m = RE.fastmailSection.exec(c.text))) {
      if (region?.dialect === 'fastmail' && !region.editable) endRegion(null);
      startRegion({
        dialect: 'fastmail',
        label: `Fastmail: ${m[1]}. Sieve generated for ${m[2]}`,
        editable: false,
        start: c.start,
        items: [],
      });
      return;
    }
    if ((m = RE.fastmailStart.exec(c.text))) {
      if (region?.dialect === 'fastmail' && !region.editable) endRegion(null);
      startRegion({ dialect: 'fastmail', label: m[1]!, editable: true, start: c.start, items: [] });
      return;
    }
    if ((m = RE.fastmailEnd.exec(c.text)) && region?.dialect === 'fastmail') {
      endRegion(c);
      return;
    }
    if (c.bracket && (m = RE.rainloopHeader.exec(c.text))) {
      flushComments();
      rainloop = { comment: c, id: m[1]!, json: base64Text(m[2]!) };
      return;
    }
    if (c.bracket && rainloop && RE.rainloopDisabled.test(c.text)) {
      const cl = rainloopClaim();
      const inner = c.text.replace(RE.rainloopDisabled, '').replace(/\*\/$/, '');
      const item = commentedRule(inner, c.start, c.end, cl, 'bracket-comment', 'rainloop');
      container().push(item.kind === 'rule' ? checkRainloop(item) : item);
      if (item.kind === 'rule')
        open = {
          rule: container()[container().length - 1] as Rule,
          closer: RE.rainloopEnd,
          done: RE.rainloopEnd,
        };
      return;
    }
    pending.push(c);
  };

  const replaceLastRule = (rule: Rule): void => {
    const c = container();
    const last = c[c.length - 1];
    if (last?.kind === 'chain') {
      replaceLast({
        ...last,
        branches: [...last.branches.slice(0, -1), rule],
        span: span(last.span.start, rule.span.end),
      });
    } else {
      replaceLast(rule);
    }
  };

  const startRegion = (r: RegionBuilder): void => {
    flushComments();
    rainloop = null;
    regions.push(r);
  };

  const endRegion = (closing: Comment | null): void => {
    flushComments();
    const r = regions.pop();
    if (!r) return;
    const last = r.items[r.items.length - 1];
    const end = closing ? endOfLine(closing.end) : (last?.span.end ?? endOfLine(r.start));
    const items = r.dialect === 'nextcloud' && r.json !== undefined ? nextcloudItems(r) : r.items;
    const region: Region = {
      kind: 'region',
      dialect: r.dialect,
      label: r.label,
      editable: r.editable,
      items,
      span: span(lineStartOf(r.start), end),
    };
    container().push(region);
  };

  /** Nextcloud's JSON is its source of truth: names and on/off states come from it. */
  const nextcloudItems = (r: RegionBuilder): Item[] => {
    let filters: { name?: unknown; enable?: unknown }[] = [];
    try {
      const parsed = JSON.parse(r.json ?? '[]') as unknown;
      filters = Array.isArray(parsed)
        ? (parsed as { name?: unknown; enable?: unknown }[])
        : [parsed as { name?: unknown; enable?: unknown }];
    } catch {
      return r.items;
    }
    const rules = r.items.filter((i): i is Rule => i.kind === 'rule');
    const out: Item[] = r.items.map((i) => {
      if (i.kind !== 'rule') return i;
      const f = filters.find((x) => x.name === i.name);
      return {
        ...i,
        editable: false,
        reason: 'managed by Nextcloud Mail',
        ...(f && f.enable === false
          ? { diverged: 'Nextcloud Mail has this filter switched off but its code is in the script' }
          : {}),
      };
    });
    for (const f of filters) {
      if (f.enable === false && typeof f.name === 'string' && !rules.some((x) => x.name === f.name)) {
        const at = span(lineStartOf(r.start), lineStartOf(r.start));
        out.push({
          kind: 'rule',
          name: f.name,
          ids: {},
          enabled: false,
          purpose: 'filter',
          dialect: 'nextcloud',
          condition: null,
          actions: [],
          span: at,
          codeSpan: at,
          editable: false,
          reason: 'switched off in Nextcloud Mail: only its JSON holds the filter',
        });
      }
    }
    return out;
  };

  /** RainLoop's JSON is its source of truth: a rule whose code says otherwise is diverged. */
  const checkRainloop = (rule: Rule): Rule => {
    const f = rule.metadata?.fields ?? {};
    const problems: string[] = [];
    if (f['Enabled'] !== undefined && (f['Enabled'] === 'true') !== rule.enabled) {
      problems.push(`the JSON has Enabled=${f['Enabled']} but the code is ${rule.enabled ? 'on' : 'off'}`);
    }
    const first = rule.actions[0];
    const type = f['ActionType'];
    const value = f['ActionValue'];
    if (rule.editable && type && first) {
      const expect: Record<string, string> = {
        Move: 'fileinto',
        Forward: 'redirect',
        Discard: 'discard',
        Vacation: 'vacation',
        Reject: 'reject',
      };
      if (expect[type] && expect[type] !== first.type)
        problems.push(`the JSON's action is ${type} but the code's is ${first.type}`);
      else if (first.type === 'fileinto' && value !== undefined && first.mailbox.value !== value)
        problems.push(`the JSON moves to "${value}" but the code to "${first.mailbox.value}"`);
      else if (first.type === 'redirect' && value !== undefined && first.address.value !== value)
        problems.push(`the JSON forwards to "${value}" but the code to "${first.address.value}"`);
    }
    return problems.length ? { ...rule, diverged: problems.join('; ') } : rule;
  };

  const onNode = (node: CommandSyntax | RawSyntax): void => {
    flushOx();
    closeOpen();
    if (node.type === 'raw') {
      flushComments();
      const s = lineStartOf(node.start);
      container().push({
        kind: 'raw',
        reason: node.reason,
        text: source.slice(s, source.length),
        span: span(s, source.length),
      });
      return;
    }
    if (node.name === 'require' || node.name === 'include' || (node.name === 'set' && !node.block)) {
      flushComments();
      const values: string[] = [];
      for (const a of node.args) {
        if (a.type === 'string-list') values.push(...a.items.map(stringValue));
        else if (a.kind === 'quoted-string' || a.kind === 'multiline-string') values.push(stringValue(a));
      }
      const s = lineStartOf(node.start);
      const e = endOfLine(node.end);
      container().push({ kind: node.name, values, span: span(s, e) });
      return;
    }
    if (node.name === 'elsif' || node.name === 'else') {
      const items = container();
      const last = items[items.length - 1];
      const lastBranch =
        last?.kind === 'chain'
          ? last.branches[last.branches.length - 1]
          : last?.kind === 'rule'
            ? last
            : undefined;
      if (lastBranch && (lastBranch.branch === 'if' || lastBranch.branch === 'elsif') && last) {
        const c = pending.length ? claim() : null;
        const branchStart = pending[0]?.start ?? node.start;
        pending = [];
        const rule = buildRule(node, c, node.start, node.end, undefined, c?.dialect ?? lastBranch.dialect);
        const withSpan: Rule = {
          ...rule,
          span: span(Math.min(lineStartOf(branchStart), rule.span.start), rule.span.end),
        };
        const branches = last.kind === 'chain' ? [...last.branches, withSpan] : [last as Rule, withSpan];
        const chain: Chain = {
          kind: 'chain',
          name: branches[0]!.name,
          dialect: branches[0]!.dialect,
          branches,
          span: span(last.span.start, withSpan.span.end),
        };
        replaceLast(chain);
        return;
      }
      flushComments();
      const s = lineStartOf(node.start);
      const e = endOfLine(node.end);
      container().push({
        kind: 'raw',
        reason: `"${node.name}" without an "if" before it`,
        text: source.slice(s, e),
        span: span(s, e),
      });
      return;
    }
    const isRule = node.name === 'if' || node.name === 'disabled_if' || ACTION_COMMANDS.has(node.name);
    if (!isRule) {
      flushComments();
      const s = lineStartOf(node.start);
      const e = endOfLine(node.end);
      container().push({
        kind: 'raw',
        reason: `the command "${node.name}" is not a rule the editor knows`,
        text: source.slice(s, e),
        span: span(s, e),
      });
      return;
    }
    let c: Claim | null = rainloopClaim();
    let dialectOverride: DialectId | undefined;
    if (c) {
      // RainLoop's header comment may be followed by other comments; they stay with the rule.
      pending = [];
    } else {
      c = claim();
      if (c) {
        const from = c.start;
        const rest = pending.filter((p) => p.start < from);
        pending = rest;
        flushComments();
      } else {
        flushComments();
      }
    }
    const region = regions[regions.length - 1];
    if (!c && region) dialectOverride = region.dialect;
    let rule = buildRule(node, c, node.start, node.end, undefined, dialectOverride);
    if (rule.dialect === 'rainloop') rule = checkRainloop(rule);
    container().push(rule);
    if (c?.dialect === 'rule-block') open = { rule, closer: /^#END(FILTER|RULE)\s*$/, done: /^#ENDRULE\s*$/ };
    if (c?.dialect === 'rainloop') open = { rule, closer: RE.rainloopEnd, done: RE.rainloopEnd };
  };

  const commentsOf = (
    tokenLeading: readonly { kind: string; start: number; end: number; text: string }[],
  ): void => {
    for (const t of tokenLeading) {
      if (t.kind === 'hash-comment' || t.kind === 'bracket-comment') {
        onComment({ start: t.start, end: t.end, text: t.text, bracket: t.kind === 'bracket-comment' });
      }
    }
  };

  for (const node of tree.commands) {
    const first = node.children[0];
    if (first?.type === 'token') commentsOf(first.leading);
    onNode(node);
  }
  commentsOf(tree.eof.leading);
  flushOx();
  closeOpen();
  if (rainloop) pending.push((rainloop as { comment: Comment }).comment);
  flushComments();
  while (regions.length) endRegion(null);

  const dialects = [...new Set(evidence.map((e) => e.dialect))];
  const main = (
    [
      'rainloop',
      'nextcloud',
      'open-xchange',
      'rule-block',
      'tine',
      'ingo',
      'fastmail',
      'ispconfig',
      'critical-path',
      'zimbra',
      'roundcube',
    ] as const
  ).find((d) => present.has(d));
  return { dialect: main ?? 'roundcube', dialects, evidence, items: root, eol };
}

/** Commands that make a rule on their own, outside any `if`. */
const ACTION_COMMANDS = new Set([
  'keep',
  'discard',
  'stop',
  'fileinto',
  'redirect',
  'reject',
  'ereject',
  'vacation',
  'addflag',
  'setflag',
  'removeflag',
]);

/** Every rule of a document, regions and chains included, in execution order. */
export function allRules(items: readonly Item[]): Rule[] {
  const out: Rule[] = [];
  for (const i of items) {
    if (i.kind === 'rule') out.push(i);
    else if (i.kind === 'chain') out.push(...i.branches);
    else if (i.kind === 'region') out.push(...allRules(i.items));
  }
  return out;
}
