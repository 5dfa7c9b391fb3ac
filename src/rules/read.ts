// From the lossless tree to the document: items in execution order, each rule with the metadata
// its product wrote, and everything else kept as comments, directives, regions or raw blocks.
import {
  behaviourKey,
  readAction,
  readCondition,
  Unrepresentable,
  writeAction,
  writeCondition,
} from './code.js';
import { detect, INGO_SECTIONS, modelOfCode, nextcloudCode, snappyCode, truthy } from './dialects.js';
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
  type Trivia,
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
  /** A product's JSON for the rule, parsed (RainLoop). */
  readonly data?: Readonly<Record<string, unknown>>;
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

/** Whether a rule's command is switched off, and how, from its syntax alone. */
function switchState(node: CommandSyntax): { enabled: boolean; disabledBy?: DisabledStyle } {
  const test = node.tests[0];
  if (node.name === 'disabled_if') return { enabled: false, disabledBy: 'disabled_if' };
  if ((node.name !== 'if' && node.name !== 'elsif') || node.tests.length !== 1 || !test)
    return { enabled: true };
  if (isFalse(test)) return { enabled: false, disabledBy: falseComment(test) ? 'if-false' : 'false' };
  if (test.name === 'allof' && test.tests.length >= 2 && isFalse(test.tests[0]) && !test.args.length)
    return { enabled: false, disabledBy: 'allof-false' };
  return { enabled: true };
}

/** Roundcube's `if false # <original test>`: the comment after the `false`. */
function falseComment(test: TestSyntax): Trivia | undefined {
  const falseToken = test.children[0];
  return falseToken?.type === 'token'
    ? falseToken.trailing.find((t) => t.kind === 'hash-comment')
    : undefined;
}

/** The on/off state, condition and actions of a rule's command; throws Unrepresentable. */
function decode(node: CommandSyntax): {
  reading: Omit<CodeReading, 'editable' | 'reason'>;
  ignoreComment: number;
} {
  const { enabled, disabledBy } = switchState(node);
  let condition: Condition | null = null;
  let ignoreComment = -1;
  const test = node.tests[0];
  if (node.name === 'else') {
    if (node.tests.length || node.args.length) throw new Unrepresentable('"else" with a test');
  } else if (node.name === 'if' || node.name === 'elsif' || node.name === 'disabled_if') {
    if (!test || node.tests.length !== 1 || node.testList || node.args.length)
      throw new Unrepresentable(`"${node.name}" takes one test`);
    if (disabledBy === 'if-false') {
      const comment = falseComment(test)!;
      const inner = parseSyntax('if ' + comment.text.slice(1) + ' {}').commands[0];
      const innerTest = inner?.type === 'command' && inner.tests.length === 1 ? inner.tests[0] : undefined;
      if (!innerTest) throw new Unrepresentable('the test after "if false #" does not parse');
      condition = readCondition(innerTest);
      ignoreComment = comment.start;
    } else if (disabledBy === 'false') {
      condition = { type: 'true' };
    } else if (disabledBy === 'allof-false') {
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
function readCode(node: CommandSyntax): CodeReading {
  try {
    const { reading, ignoreComment } = decode(node);
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
    // The on/off state is syntax alone: a raw rule still says whether it is switched off.
    const { enabled, disabledBy } = switchState(node);
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
function purposeOf(condition: Condition | null, actions: readonly Action[]): Purpose {
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
  /** Where the `# FILTER:`/`# DATA:` line is (Nextcloud). */
  jsonEnd?: number;
  /** The filter id (ISPConfig). */
  id?: string;
}

interface OpenRule {
  rule: Rule;
  /** Comments that still belong to the rule (closing markers). */
  closer: RegExp;
  done: RegExp;
  /** RainLoop writes a filter without conditions as bare actions: the next ones belong to it too. */
  bare?: boolean;
  data?: Readonly<Record<string, unknown>>;
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
  fastmailSection: /^### (?:(\d+)\. )?Sieve generated for (.*?)(?: \{\{\{)?\s*$/,
  fastmailOpen: /^### (.+?) \{\{\{\s*$/,
  fastmailClose: /^### \}\}\}\s*$/,
  fastmailStart: /^# Start user advanced sieve block '(.*)' \{\{\{\s*$/,
  fastmailEnd: /^# \}\}\} End user advanced sieve block '(.*)'\s*$/,
  hashName: /^#[ \t]+(\S.*?)\s*$/,
  tine: /^#Sieve/,
};

/**
 * The code of a rule that is commented out — Open-Xchange's `#<!-->` lines, SnappyMail's
 * `/* @Filter is disabled ` … `*\/` — as code; other code as it is.
 */
export function uncomment(code: string, style: DisabledStyle | undefined): string {
  if (style === 'ox-comment') return code.replace(/^#<!-->/gm, '');
  if (style === 'bracket-comment')
    return code.replace(/^\/\*\s*@Filter is disabled[ \t]*/, '').replace(/\*\/$/, '');
  return code;
}

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
      region?.dialect === 'nextcloud' || region?.dialect === 'ispconfig'
        ? region.dialect
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
    let reading = readCode(node);
    const metaStart = c ? lineStartOf(c.start) : lineStartOf(codeStart);
    const end = endOfLine(codeEnd);
    const dialect =
      dialectOverride ??
      c?.dialect ??
      (node.name === 'disabled_if' ? 'zimbra' : present.has('tine') && !regions.length ? 'tine' : 'none');
    if (dialect === 'tine') {
      // Tine reads only its serialized rules (or its database) and writes the whole script from
      // them on every save: an edit here would silently come undone.
      reading = {
        ...reading,
        editable: false,
        reason: 'generated by Tine from its own rule data: edit it in Tine',
        condition: null,
        actions: [],
      };
    }
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
    const [first, ...more] = sub.commands;
    if (sub.commands.length === 1 && first?.type === 'command') {
      return buildRule(first, c, codeStart, codeEnd, style, dialect);
    }
    if (
      style === 'bracket-comment' &&
      first?.type === 'command' &&
      ACTION_COMMANDS.has(first.name) &&
      more.every((n) => n.type === 'command' && ACTION_COMMANDS.has(n.name))
    ) {
      let rule = buildRule(first, c, codeStart, codeEnd, style, dialect);
      for (const n of more) rule = extendBare(rule, n as CommandSyntax, false, false);
      return rule;
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
    const code = uncomment(source.slice(first.start, last.end), 'ox-comment');
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
      data,
      start: comment.start,
      end: comment.end,
    };
  };

  /**
   * The next action of a RainLoop filter written without conditions (bare actions). The check
   * against the JSON made on the actions read so far no longer holds: the caller checks again.
   */
  const extendBare = (rule: Rule, node: CommandSyntax, live: boolean, commentsBetween: boolean): Rule => {
    const { diverged, ...rest } = rule;
    void diverged;
    let { actions, editable, reason } = rest;
    if (editable) {
      try {
        if (commentsBetween) throw new Unrepresentable('comments inside the rule');
        actions = [...actions, readAction(node)];
      } catch (e) {
        if (!(e instanceof Unrepresentable)) throw e;
        editable = false;
        reason = e.message;
        actions = [];
      }
    }
    return {
      ...rest,
      actions,
      editable,
      ...(reason ? { reason } : {}),
      condition: editable ? rule.condition : null,
      ...(live
        ? {
            codeSpan: span(rule.codeSpan.start, node.end),
            span: span(rule.span.start, Math.max(rule.span.end, endOfLine(node.end))),
          }
        : {}),
    };
  };

  const onComment = (c: Comment): void => {
    let m: RegExpExecArray | null;
    if (open && open.closer.test(c.text)) {
      const rule: Rule = {
        ...(pending.length && open.bare ? readOnlyRule(open.rule, 'comments inside the rule') : open.rule),
        span: span(open.rule.span.start, endOfLine(c.end)),
      };
      if (open.bare) pending = [];
      replaceLastRule(rule);
      open.rule = rule;
      if (open.done.test(c.text)) closeOpen();
      return;
    }
    if (open?.bare && !c.bracket) {
      // Between the bare actions of a RainLoop filter (its `# @Error` lines, say).
      pending.push(c);
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
      region.jsonEnd = endOfLine(c.end);
      return;
    }
    if ((m = RE.ispBegin.exec(c.text))) {
      startRegion({
        dialect: 'ispconfig',
        label: `ISPConfig filter ${m[1]}`,
        editable: true,
        start: c.start,
        items: [],
        id: m[1]!,
      });
      return;
    }
    if ((m = RE.ispEnd.exec(c.text)) && region?.dialect === 'ispconfig') {
      endRegion(c);
      return;
    }
    // Fastmail writes numbered sections that run to the next one (older scripts), or sections
    // closed by `### }}}` (newer ones, also for parts not called "Sieve generated for …").
    const fastmailGenerated =
      (m = RE.fastmailSection.exec(c.text)) ??
      (present.has('fastmail') && !c.bracket ? RE.fastmailOpen.exec(c.text) : null);
    if (fastmailGenerated) {
      if (region?.dialect === 'fastmail' && !region.editable) endRegion(null);
      const [line, number, what] = fastmailGenerated;
      const label =
        fastmailGenerated === m
          ? `Fastmail: ${number ? number + '. ' : ''}Sieve generated for ${what}`
          : `Fastmail: ${number}`;
      startRegion({
        dialect: 'fastmail',
        label,
        editable: false,
        start: c.start,
        items: [],
        ...(/\{\{\{\s*$/.test(line) ? { close: RE.fastmailClose } : {}),
      });
      return;
    }
    if (region?.dialect === 'fastmail' && region.close && region.close.test(c.text)) {
      endRegion(c);
      return;
    }
    if ((m = RE.fastmailStart.exec(c.text))) {
      if (region?.dialect === 'fastmail' && !region.editable) endRegion(null);
      startRegion({ dialect: 'fastmail', label: m[1]!, editable: true, start: c.start, items: [] });
      return;
    }
    if ((m = RE.fastmailEnd.exec(c.text)) && region?.dialect === 'fastmail' && region.editable) {
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
      const inner = uncomment(c.text, 'bracket-comment');
      const item = commentedRule(inner, c.start, c.end, cl, 'bracket-comment', 'rainloop');
      container().push(item.kind === 'rule' ? checkRainloop(item, cl?.data) : item);
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
    const regionSpan = span(lineStartOf(r.start), end);
    const items =
      r.dialect === 'nextcloud' && r.json !== undefined
        ? nextcloudItems(r)
        : r.dialect === 'fastmail' && !r.editable
          ? r.items.map((i) =>
              readOnly(
                i,
                `generated by Fastmail (${r.label.replace(/^Fastmail: /, '')}): change it in Fastmail's settings`,
              ),
            )
          : (r.dialect === 'fastmail' || r.dialect === 'ispconfig') && closing
            ? blockItems(r, regionSpan)
            : r.items;
    const region: Region = {
      kind: 'region',
      dialect: r.dialect,
      label: r.label,
      editable: r.editable,
      items,
      span: regionSpan,
    };
    container().push(region);
  };

  /** Rules a product writes itself from its own data: shown with their code, edited in the product. */
  const readOnly = (i: Item, reason: string): Item => {
    const lock = (r: Rule): Rule => readOnlyRule(r, reason);
    if (i.kind === 'rule') return lock(i);
    if (i.kind === 'chain') return { ...i, branches: i.branches.map(lock) };
    return i;
  };

  /**
   * A block that wraps one rule (a Fastmail user block, an ISPConfig filter): the block is the
   * rule's metadata, so the rule covers it, carries its id and (Fastmail) its name.
   */
  const blockItems = (r: RegionBuilder, regionSpan: SourceSpan): Item[] => {
    const code = r.items.filter((i) => i.kind === 'rule' || i.kind === 'chain' || i.kind === 'raw');
    const ids: Record<string, string> =
      r.dialect === 'ispconfig' ? { ispconfig: r.id ?? '' } : { fastmail: r.label };
    const withIds: Item[] = r.items.map((i) =>
      i.kind === 'rule' ? ({ ...i, ids: { ...i.ids, ...ids } } satisfies Rule) : i,
    );
    const only = code[0];
    if (code.length !== 1 || only?.kind !== 'rule') return withIds;
    let rule = withIds[r.items.indexOf(only)] as Rule;
    if (r.dialect === 'fastmail') {
      const lineEnd = endOfLine(r.start);
      const nameStart = r.start + source.slice(r.start, lineEnd).indexOf("'") + 1;
      rule = {
        ...rule,
        name: r.label,
        metadata: {
          span: span(lineStartOf(r.start), lineEnd),
          fields: { block: r.label },
          nameStart,
          nameEnd: nameStart + r.label.length,
        },
      };
    }
    rule = { ...rule, span: regionSpan };
    return withIds.map((i) => (i === withIds[r.items.indexOf(only)] ? rule : i));
  };

  /**
   * Nextcloud's JSON is its source of truth: names and on/off states come from it. It writes code
   * (`# NAME` and an `if`) for each switched-on filter, in JSON order, and none for the others.
   */
  const nextcloudItems = (r: RegionBuilder): Item[] => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(r.json ?? '[]') as unknown;
    } catch {
      return r.items.map((i) => readOnly(i, "Nextcloud Mail's JSON for this part does not parse"));
    }
    const at = r.jsonEnd ?? lineStartOf(r.start);
    if (!Array.isArray(parsed)) {
      // The vacation responder: one object, code only while it is on.
      const data = (parsed ?? {}) as Record<string, unknown>;
      const on = truthy(data['enabled']);
      const items = r.items.map((i): Item => {
        if (i.kind !== 'rule') return i;
        return {
          ...i,
          ids: { nextcloud: 'vacation' },
          purpose: 'vacation',
          ...(on
            ? {}
            : { diverged: 'Nextcloud Mail has its vacation responder switched off but its code is here' }),
        };
      });
      if (!on && !items.some((i) => i.kind === 'rule')) {
        items.push(jsonOnly(null, { nextcloud: 'vacation' }, 'vacation', at, 'the vacation responder'));
      }
      return items;
    }
    const filters = parsed.map((f) => (f && typeof f === 'object' ? (f as Record<string, unknown>) : {}));
    const live = filters
      .map((f, index) => ({ f, index }))
      .filter(({ f }) => f['enable'] !== false && nextcloudCode(f, '\n') !== null);
    let k = 0;
    const out: Item[] = [];
    const off = (index: number): boolean => filters[index]?.['enable'] === false;
    const pushOff = (from: number, to: number, offset: number): void => {
      for (let i = from; i < to; i++) {
        if (!off(i)) continue;
        const f = filters[i]!;
        out.push(
          jsonOnly(
            typeof f['name'] === 'string' ? f['name'] : null,
            { nextcloud: String(i) },
            'filter',
            offset,
            'the filter',
          ),
        );
      }
    };
    let lastIndex = 0;
    let lastEnd = at;
    for (const i of r.items) {
      if (i.kind !== 'rule') {
        out.push(i);
        continue;
      }
      const entry = live[k++];
      if (entry) {
        pushOff(lastIndex, entry.index, i.span.start);
        lastIndex = entry.index + 1;
      }
      lastEnd = i.span.end;
      const problems: string[] = [];
      if (!entry) problems.push("Nextcloud Mail's JSON has no filter for this code");
      else {
        const name = entry.f['name'];
        if (name !== i.name) problems.push(`the JSON names this filter ${JSON.stringify(name)}`);
        const expected = modelOfCode(nextcloudCode(entry.f, '\n') ?? '');
        if (
          !i.editable ||
          !expected ||
          behaviourKey(expected.condition, expected.actions) !== behaviourKey(i.condition, i.actions)
        ) {
          problems.push("the JSON's filter does not write this code");
        }
      }
      out.push({
        ...i,
        ids: entry ? { nextcloud: String(entry.index) } : {},
        ...(problems.length ? { diverged: problems.join('; ') } : {}),
      });
    }
    pushOff(lastIndex, filters.length, lastEnd);
    return out;
  };

  /** A rule that is off in a product that writes no code for it: only its JSON holds it. */
  const jsonOnly = (
    name: string | null,
    ids: Record<string, string>,
    purpose: Purpose,
    offset: number,
    what: string,
  ): Rule => {
    const at = span(offset, offset);
    return {
      kind: 'rule',
      name,
      ids,
      enabled: false,
      purpose,
      dialect: 'nextcloud',
      condition: null,
      actions: [],
      span: at,
      codeSpan: at,
      editable: false,
      reason: `switched off in Nextcloud Mail: only its JSON holds ${what}`,
    };
  };

  /**
   * RainLoop's JSON is its source of truth (SnappyMail writes the code from it on every save): a
   * rule whose code is not what the JSON writes is diverged.
   */
  const checkRainloop = (rule: Rule, data: Readonly<Record<string, unknown>> | undefined): Rule => {
    if (!data) return rule;
    const f = rule.metadata?.fields ?? {};
    const problems: string[] = [];
    if ('Enabled' in data && truthy(data['Enabled']) !== rule.enabled) {
      problems.push(`the JSON has Enabled=${f['Enabled']} but the code is ${rule.enabled ? 'on' : 'off'}`);
    }
    if (typeof data['ActionType'] === 'string') {
      const written = snappyCode(data, '\n');
      const expected = modelOfCode(written);
      if (!expected || !rule.editable) {
        const norm = (t: string): string => t.replace(/\s+/g, ' ').trim();
        const code = uncomment(source.slice(rule.codeSpan.start, rule.codeSpan.end), rule.disabledBy);
        if (norm(code) !== norm(written))
          problems.push('the code is not what SnappyMail writes for its JSON');
      } else if (
        behaviourKey(expected.condition, expected.actions) !== behaviourKey(rule.condition, rule.actions)
      ) {
        const main = (l: readonly Action[]): Action | undefined =>
          l.find(
            (a) =>
              a.type !== 'addflag' &&
              a.type !== 'stop' &&
              !(
                a.type === 'fileinto' &&
                l.length > 1 &&
                a.mailbox.value === 'INBOX' &&
                l.some((b) => b.type === 'redirect')
              ),
          );
        const [want, got] = [main(expected.actions), main(rule.actions)];
        if (behaviourKey(expected.condition, []) !== behaviourKey(rule.condition, [])) {
          const show = (c: Condition | null): string => (c === null ? 'none' : writeCondition(c));
          problems.push(
            `the JSON's conditions (${show(expected.condition)}) are not the code's (${show(rule.condition)})`,
          );
        } else if (want?.type !== got?.type) {
          problems.push(
            `the JSON's action is ${String(data['ActionType'])} but the code's is ${got?.type ?? 'none'}`,
          );
        } else if (want?.type === 'fileinto' && got?.type === 'fileinto') {
          problems.push(`the JSON moves to "${want.mailbox.value}" but the code to "${got.mailbox.value}"`);
        } else if (want?.type === 'redirect' && got?.type === 'redirect') {
          problems.push(
            `the JSON forwards to "${want.address.value}" but the code to "${got.address.value}"`,
          );
        } else {
          problems.push("the JSON's actions are not the code's");
        }
      }
    }
    return problems.length ? { ...rule, diverged: problems.join('; ') } : rule;
  };

  const readOnlyRule = (r: Rule, reason: string): Rule => ({
    ...r,
    editable: false,
    reason,
    condition: null,
    actions: [],
  });

  const onNode = (node: CommandSyntax | RawSyntax): void => {
    flushOx();
    if (open?.bare && node.type === 'command' && ACTION_COMMANDS.has(node.name)) {
      const rule = checkRainloop(extendBare(open.rule, node, true, pending.length > 0), open.data);
      pending = [];
      replaceLastRule(rule);
      open.rule = rule;
      return;
    }
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
    if (c?.dialect === 'rainloop') rule = checkRainloop(rule, c.data);
    container().push(rule);
    if (c?.dialect === 'rule-block') open = { rule, closer: /^#END(FILTER|RULE)\s*$/, done: /^#ENDRULE\s*$/ };
    if (c?.dialect === 'rainloop') {
      open = {
        rule,
        closer: RE.rainloopEnd,
        done: RE.rainloopEnd,
        ...(node.name !== 'if' ? { bare: true } : {}),
        ...(c.data ? { data: c.data } : {}),
      };
    }
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

/** Whether an item is code (a rule, a chain, raw code), or a region that holds some. */
export const holdsCode = (i: Item): boolean =>
  i.kind === 'rule' ||
  i.kind === 'chain' ||
  i.kind === 'raw' ||
  (i.kind === 'region' && i.items.some(holdsCode));

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
