// Between the rules layer's model (src/rules) and the rule editor's form: conditions and actions
// as flat fields, back to the model keeping each string's original spelling when its value did not
// change (the rules layer never re-encodes a string it was given with its `raw` form), and the
// one-line summaries of the rule list.
import type { Diagnostic } from '../../src/sieve/index.js';
import {
  DIALECTS,
  sieveString,
  type Action,
  type AddressPart,
  type Condition,
  type DialectId,
  type MatchOptions,
  type MatchType,
  type Purpose,
  type Rule,
  type SieveString,
} from '../../src/rules/index.js';

/** An edit of the script text (one call of src/rules). */
export type Edit = (source: string) => string;

/** What the last change did: a sentence, and the engine's errors when it did not compile. */
export interface Outcome {
  readonly text: string;
  readonly error?: boolean;
  readonly diagnostics?: readonly Diagnostic[];
}

/** "Roundcube" from "Roundcube (managesieve plugin), Kolab": the full label is the tooltip. */
export const dialectName = (d: DialectId): string => DIALECTS[d].label.replace(/ \(.*$/, '');

/** The name as shown: line breaks are spaces here; an unnamed rule is called by its number. */
export const ruleLabel = (rule: Rule, index: number): string =>
  rule.name === null || rule.name === '' ? `rule ${index + 1}` : rule.name.replace(/[\r\n]+/g, ' ');

export const CONDITION_KINDS = {
  header: 'Header',
  address: 'Address',
  envelope: 'Envelope',
  size: 'Size',
  body: 'Body',
  exists: 'Header exists',
  date: 'Date header',
  currentdate: 'Current date',
  spamtest: 'Spam score',
} as const;
export type ConditionKind = keyof typeof CONDITION_KINDS;

export const ACTION_KINDS = {
  fileinto: 'Move to folder (fileinto)',
  redirect: 'Redirect (forward)',
  keep: 'Keep in inbox',
  discard: 'Discard',
  stop: 'Stop (no more rules)',
  reject: 'Reject',
  ereject: 'Reject at delivery (ereject)',
  addflag: 'Add flags',
  setflag: 'Set flags',
  removeflag: 'Remove flags',
  vacation: 'Vacation reply',
} as const;
export type ActionKind = keyof typeof ACTION_KINDS;

export const MATCH_TYPES: Readonly<Record<MatchType, string>> = {
  is: 'is',
  contains: 'contains',
  matches: 'matches (wildcards * ?)',
  regex: 'matches the regular expression',
  value: 'compares (value)',
  count: 'counts (number of values)',
};
/** RFC 5231 relational operators. */
export const RELATIONS: Readonly<Record<string, string>> = {
  gt: 'greater than',
  ge: 'at least',
  lt: 'less than',
  le: 'at most',
  eq: 'equal to',
  ne: 'not equal to',
};
export const ADDRESS_PARTS: Readonly<Record<AddressPart, string>> = {
  all: 'whole address',
  localpart: 'local part',
  domain: 'domain',
  user: 'user (before +detail)',
  detail: 'detail (after +)',
};
/** RFC 5260 §4.2 date parts. */
export const DATE_PARTS = [
  'date',
  'year',
  'month',
  'day',
  'julian',
  'hour',
  'minute',
  'second',
  'time',
  'iso8601',
  'std11',
  'zone',
  'weekday',
] as const;
export const PURPOSES: Readonly<Record<Purpose, string>> = {
  vacation: 'vacation',
  forward: 'forward',
  blocklist: 'block list',
  allowlist: 'allow list',
  spam: 'spam',
  filter: 'filter',
};

/** Which kinds take a match type, and which of those may compare with a relation. */
export const MATCHING: ReadonlySet<ConditionKind> = new Set([
  'header',
  'address',
  'envelope',
  'body',
  'date',
  'currentdate',
  'spamtest',
]);
export const RELATIONAL: ReadonlySet<ConditionKind> = new Set([
  'header',
  'address',
  'envelope',
  'date',
  'currentdate',
  'spamtest',
]);

export interface ConditionForm {
  readonly id: number;
  kind: ConditionKind;
  not: boolean;
  /** Header names, comma-separated (header, address, envelope, exists); the date test's one header. */
  headers: string;
  match: MatchType;
  relation: string;
  /** The values to match, one a line. */
  keys: string;
  addressPart: AddressPart;
  over: boolean;
  /** The size limit's number and unit (K, M, G or none). */
  size: string;
  unit: '' | 'K' | 'M' | 'G';
  datePart: string;
  /** Spam score: the number to compare with, and whether it is a percentage (spamtestplus). */
  score: string;
  percent: boolean;
  /** The condition this came from (only while `kind` stays the same): keeps what the form has no field for. */
  readonly orig?: Condition;
}

export interface ActionForm {
  readonly id: number;
  kind: ActionKind;
  mailbox: string;
  copy: boolean;
  /** Flags, separated by spaces. */
  flags: string;
  address: string;
  /** reject's reason, vacation's message. */
  text: string;
  days: string;
  subject: string;
  from: string;
  /** vacation :addresses, comma-separated. */
  addresses: string;
  readonly orig?: Action;
}

let nextId = 1;
const newId = (): number => nextId++;

export function newCondition(kind: ConditionKind = 'header'): ConditionForm {
  return {
    id: newId(),
    kind,
    not: false,
    headers:
      kind === 'envelope' ? 'from' : kind === 'address' ? 'From' : kind === 'date' ? 'Date' : 'Subject',
    match: kind === 'spamtest' ? 'value' : kind === 'date' || kind === 'currentdate' ? 'is' : 'contains',
    relation: 'ge',
    keys: '',
    addressPart: 'all',
    over: true,
    size: '',
    unit: 'K',
    datePart: 'date',
    score: '',
    percent: false,
  };
}

export function newAction(kind: ActionKind = 'fileinto'): ActionForm {
  return {
    id: newId(),
    kind,
    mailbox: '',
    copy: false,
    flags: kind === 'addflag' || kind === 'setflag' || kind === 'removeflag' ? '\\Seen' : '',
    address: '',
    text: '',
    days: kind === 'vacation' ? '7' : '',
    subject: '',
    from: '',
    addresses: '',
  };
}

const values = (list: readonly SieveString[] | undefined): string[] => (list ?? []).map((s) => s.value);
const hasBreak = (list: readonly SieveString[] | undefined): boolean =>
  (list ?? []).some((s) => /[\r\n]/.test(s.value));

/** A condition as form fields, or null when the form cannot show it without losing something. */
function conditionToForm(c: Condition): ConditionForm | null {
  let not = false;
  let inner = c;
  if (inner.type === 'not') {
    not = true;
    inner = inner.test;
  }
  const base = { ...newCondition(), not };
  switch (inner.type) {
    case 'header':
    case 'address':
    case 'envelope':
      if (hasBreak(inner.keys) || inner.headers.some((h) => /[,\r\n]/.test(h.value))) return null;
      return {
        ...base,
        kind: inner.type,
        headers: values(inner.headers).join(', '),
        match: inner.match ?? 'is',
        relation: inner.relation?.value ?? 'ge',
        keys: values(inner.keys).join('\n'),
        addressPart: inner.type === 'header' ? 'all' : (inner.addressPart ?? 'all'),
        orig: inner,
      };
    case 'body':
      if (hasBreak(inner.keys) || inner.match === 'value' || inner.match === 'count') return null;
      return {
        ...base,
        kind: 'body',
        match: inner.match ?? 'is',
        keys: values(inner.keys).join('\n'),
        orig: inner,
      };
    case 'size': {
      const m = /^(\d+)([KMG]?)$/i.exec(inner.limit);
      if (!m) return null;
      return {
        ...base,
        kind: 'size',
        over: inner.over,
        size: m[1]!,
        unit: m[2]!.toUpperCase() as ConditionForm['unit'],
        orig: inner,
      };
    }
    case 'exists':
      if (inner.headers.some((h) => /[,\r\n]/.test(h.value))) return null;
      return { ...base, kind: 'exists', headers: values(inner.headers).join(', '), orig: inner };
    case 'date':
    case 'currentdate':
      if (hasBreak(inner.keys) || /[\r\n]/.test(inner.header?.value ?? '')) return null;
      return {
        ...base,
        kind: inner.type,
        headers: inner.header?.value ?? 'Date',
        datePart: inner.datePart.value,
        match: inner.match ?? 'is',
        relation: inner.relation?.value ?? 'ge',
        keys: values(inner.keys).join('\n'),
        orig: inner,
      };
    case 'spamtest':
      return {
        ...base,
        kind: 'spamtest',
        match: inner.match ?? 'is',
        relation: inner.relation?.value ?? 'ge',
        score: inner.value.value,
        percent: inner.percent ?? false,
        orig: inner,
      };
    default:
      return null;
  }
}

export interface ConditionsForm {
  join: 'allof' | 'anyof';
  conditions: ConditionForm[];
  /** The rule had a group (allof/anyof) even of one test: keep it so that nothing else changes. */
  group: boolean;
}

/**
 * The rule's condition as a flat list joined by all/any, each with `not`; null when it has nested
 * groups or strings the fields cannot hold (then only the name and the actions are edited here).
 */
export function conditionsToForm(c: Condition | null): ConditionsForm | null {
  if (c === null || c.type === 'true') return { join: 'allof', conditions: [], group: false };
  if (c.type === 'allof' || c.type === 'anyof') {
    const conditions = c.tests.map(conditionToForm);
    if (conditions.some((x) => x === null)) return null;
    return { join: c.type, conditions: conditions as ConditionForm[], group: true };
  }
  const one = conditionToForm(c);
  return one ? { join: 'allof', conditions: [one], group: false } : null;
}

function actionToForm(a: Action): ActionForm | null {
  const base = newAction(a.type);
  const flags = (list: readonly SieveString[] | undefined): string => values(list).join(' ');
  switch (a.type) {
    case 'fileinto':
      if (/[\r\n]/.test(a.mailbox.value)) return null;
      return { ...base, mailbox: a.mailbox.value, copy: a.copy ?? false, flags: flags(a.flags), orig: a };
    case 'redirect':
      if (/[\r\n]/.test(a.address.value)) return null;
      return { ...base, address: a.address.value, copy: a.copy ?? false, orig: a };
    case 'keep':
      return { ...base, flags: flags(a.flags), orig: a };
    case 'discard':
    case 'stop':
      return { ...base, orig: a };
    case 'reject':
    case 'ereject':
      return { ...base, text: a.reason.value, orig: a };
    case 'addflag':
    case 'setflag':
    case 'removeflag':
      return { ...base, flags: flags(a.flags), orig: a };
    case 'vacation':
      if (/[\r\n]/.test((a.subject?.value ?? '') + (a.from?.value ?? '')) || hasBreak(a.addresses))
        return null;
      return {
        ...base,
        days: a.days ?? '',
        subject: a.subject?.value ?? '',
        from: a.from?.value ?? '',
        addresses: values(a.addresses).join(', '),
        text: a.reason.value,
        orig: a,
      };
  }
}

/** The actions as form rows, or null when one of them cannot be shown by the form. */
export function actionsToForm(actions: readonly Action[]): ActionForm[] | null {
  const out = actions.map(actionToForm);
  return out.some((a) => a === null) ? null : (out as ActionForm[]);
}

// --- form → model ------------------------------------------------------------------------------

/** The original string when its value is unchanged (its spelling is kept), else a new one. */
function keep(orig: SieveString | undefined, value: string): SieveString {
  return orig && orig.value === value ? orig : sieveString(value);
}

/** A list from its text, reusing the original list (and its spelling) when the values are the same. */
function keepList(orig: readonly SieveString[] | undefined, items: string[]): SieveString[] {
  if (orig && orig.length === items.length && orig.every((s, i) => s.value === items[i])) return [...orig];
  return items.map((v) =>
    keep(
      orig?.find((s) => s.value === v),
      v,
    ),
  );
}

const commaList = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
const lineList = (text: string): string[] =>
  text
    .split(/\r?\n/)
    .map((s) => s.replace(/\r$/, ''))
    .filter((s) => s !== '');
const flagList = (text: string): string[] => text.split(/\s+/).filter((s) => s !== '');

/** A problem with the form, in words for the user, with the field it is about. */
export class FormError extends Error {}

const NUMERIC: SieveString = { value: 'i;ascii-numeric' };

function matchOf(f: ConditionForm, o: MatchOptions | undefined): MatchOptions {
  const relational = f.match === 'value' || f.match === 'count';
  // :count always compares numbers, and so does a spam score: RFC 5231 §4.2, RFC 3685 §3.
  const numeric = relational && (f.match === 'count' || f.kind === 'spamtest');
  let comparator = o?.comparator;
  if (numeric) comparator ??= NUMERIC;
  // The numeric comparator cannot do substrings or wildcards (RFC 4790 §9.1).
  else if (comparator?.value === 'i;ascii-numeric' && f.match !== 'is' && !relational) comparator = undefined;
  return {
    match: f.match,
    ...(relational ? { relation: keep(o?.relation, f.relation) } : {}),
    ...(comparator ? { comparator } : {}),
  };
}

const matchOptionsOf = (c: Condition | undefined): MatchOptions | undefined =>
  c &&
  (c.type === 'header' ||
    c.type === 'address' ||
    c.type === 'envelope' ||
    c.type === 'body' ||
    c.type === 'date' ||
    c.type === 'currentdate' ||
    c.type === 'spamtest')
    ? c
    : undefined;

function conditionFromForm(f: ConditionForm, n: number): Condition {
  const where = `Condition ${n}`;
  const orig = f.orig && f.orig.type === f.kind ? f.orig : undefined;
  const keys = (): SieveString[] => {
    const list = lineList(f.keys);
    if (!list.length) throw new FormError(`${where}: give at least one value to match.`);
    return keepList(orig && 'keys' in orig ? orig.keys : undefined, list);
  };
  const headers = (): SieveString[] => {
    const list = commaList(f.headers);
    if (!list.length) throw new FormError(`${where}: give at least one header name.`);
    if (f.kind !== 'envelope' && list.some((h) => !/^[!-9;-~]+$/.test(h)))
      throw new FormError(`${where}: a header name is printable ASCII without spaces or ":".`);
    return keepList(orig && 'headers' in orig ? orig.headers : undefined, list);
  };
  let c: Condition;
  switch (f.kind) {
    case 'header':
      c = { type: 'header', ...matchOf(f, matchOptionsOf(orig)), headers: headers(), keys: keys() };
      break;
    case 'address':
    case 'envelope': {
      const o = orig?.type === 'address' || orig?.type === 'envelope' ? orig : undefined;
      c = {
        type: f.kind,
        ...(f.addressPart !== 'all' || o?.addressPart ? { addressPart: f.addressPart } : {}),
        ...matchOf(f, matchOptionsOf(orig)),
        headers: headers(),
        keys: keys(),
      };
      break;
    }
    case 'body': {
      const o = orig?.type === 'body' ? orig : undefined;
      c = {
        type: 'body',
        ...matchOf(f, matchOptionsOf(orig)),
        ...(o?.transform ? { transform: o.transform } : {}),
        ...(o?.contentTypes ? { contentTypes: o.contentTypes } : {}),
        keys: keys(),
      };
      break;
    }
    case 'size': {
      if (!/^\d+$/.test(f.size.trim())) throw new FormError(`${where}: the size is a whole number.`);
      c = { type: 'size', over: f.over, limit: f.size.trim() + f.unit };
      break;
    }
    case 'exists':
      c = { type: 'exists', headers: headers() };
      break;
    case 'date':
    case 'currentdate': {
      const o = orig?.type === 'date' || orig?.type === 'currentdate' ? orig : undefined;
      const header = f.headers.trim();
      if (f.kind === 'date' && !header) throw new FormError(`${where}: give the header holding the date.`);
      c = {
        type: f.kind,
        ...(o?.zone ? { zone: o.zone } : {}),
        ...(o?.originalZone ? { originalZone: true } : {}),
        ...matchOf(f, matchOptionsOf(orig)),
        ...(f.kind === 'date' ? { header: keep(o?.header, header) } : {}),
        datePart: keep(o?.datePart, f.datePart),
        keys: keys(),
      };
      break;
    }
    case 'spamtest': {
      const o = orig?.type === 'spamtest' ? orig : undefined;
      if (!/^\d+$/.test(f.score.trim())) throw new FormError(`${where}: the spam score is a whole number.`);
      c = {
        type: 'spamtest',
        ...(f.percent ? { percent: true } : {}),
        ...matchOf(f, matchOptionsOf(orig)),
        value: keep(o?.value, f.score.trim()),
      };
      break;
    }
  }
  return f.not ? { type: 'not', test: c } : c;
}

/** The whole condition: none is "every message" (`true`), one stands alone, more are joined. */
export function conditionsFromForm(form: ConditionsForm): Condition {
  const tests = form.conditions.map((f, i) => conditionFromForm(f, i + 1));
  if (tests.length === 0) return { type: 'true' };
  if (tests.length === 1 && !form.group) return tests[0]!;
  return { type: form.join, tests };
}

export function actionFromForm(f: ActionForm, n: number): Action {
  const where = `Action ${n}`;
  const orig = f.orig && f.orig.type === f.kind ? f.orig : undefined;
  const flagsOf = (o: readonly SieveString[] | undefined): SieveString[] | undefined => {
    const list = flagList(f.flags);
    return list.length ? keepList(o, list) : undefined;
  };
  const needed = (value: string, what: string): string => {
    if (!value.trim()) throw new FormError(`${where}: give ${what}.`);
    return value;
  };
  switch (f.kind) {
    case 'fileinto': {
      const o = orig?.type === 'fileinto' ? orig : undefined;
      const flags = flagsOf(o?.flags);
      return {
        type: 'fileinto',
        mailbox: keep(o?.mailbox, needed(f.mailbox, 'the folder')),
        ...(f.copy ? { copy: true } : {}),
        ...(o?.create ? { create: true } : {}),
        ...(flags ? { flags } : {}),
      };
    }
    case 'redirect': {
      const o = orig?.type === 'redirect' ? orig : undefined;
      const address = needed(f.address, 'the address to redirect to').trim();
      if (!/^[^\s@]+@[^\s@]+$/.test(address))
        throw new FormError(`${where}: "${address}" is not an e-mail address (name@example.org).`);
      return { type: 'redirect', address: keep(o?.address, address), ...(f.copy ? { copy: true } : {}) };
    }
    case 'keep': {
      const flags = flagsOf(orig?.type === 'keep' ? orig.flags : undefined);
      return { type: 'keep', ...(flags ? { flags } : {}) };
    }
    case 'discard':
    case 'stop':
      return { type: f.kind };
    case 'reject':
    case 'ereject': {
      const o = orig?.type === 'reject' || orig?.type === 'ereject' ? orig : undefined;
      return { type: f.kind, reason: keep(o?.reason, needed(f.text, 'the reason sent back')) };
    }
    case 'addflag':
    case 'setflag':
    case 'removeflag': {
      const o =
        orig?.type === 'addflag' || orig?.type === 'setflag' || orig?.type === 'removeflag'
          ? orig
          : undefined;
      const flags = flagsOf(o?.flags);
      if (!flags) throw new FormError(`${where}: give at least one flag (e.g. \\Seen).`);
      return { type: f.kind, flags };
    }
    case 'vacation': {
      const o = orig?.type === 'vacation' ? orig : undefined;
      const days = f.days.trim();
      if (days && !/^\d+$/.test(days)) throw new FormError(`${where}: the days are a whole number.`);
      const addresses = commaList(f.addresses);
      return {
        type: 'vacation',
        ...(days ? { days } : {}),
        ...(o?.seconds !== undefined && !days ? { seconds: o.seconds } : {}),
        ...(f.subject.trim() ? { subject: keep(o?.subject, f.subject) } : {}),
        ...(f.from.trim() ? { from: keep(o?.from, f.from.trim()) } : {}),
        ...(addresses.length ? { addresses: keepList(o?.addresses, addresses) } : {}),
        ...(o?.mime ? { mime: true } : {}),
        ...(o?.handle ? { handle: o.handle } : {}),
        reason: keep(o?.reason, needed(f.text, 'the message of the reply')),
      };
    }
  }
}

// --- summaries -----------------------------------------------------------------------------------

const q = (s: SieveString): string => `"${s.value}"`;
const either = (list: readonly SieveString[]): string => list.map(q).join(' or ');
const matchWords = (c: { match?: MatchType; relation?: SieveString }): string =>
  c.match === 'value' || c.match === 'count'
    ? `${c.match === 'count' ? 'count ' : ''}${RELATIONS[c.relation?.value ?? ''] ?? c.relation?.value ?? ''}`
    : (c.match ?? 'is');

function summarizeCondition(c: Condition | null): string {
  if (c === null) return 'every message';
  switch (c.type) {
    case 'allof':
    case 'anyof':
      return c.tests.length === 0
        ? c.type === 'allof'
          ? 'every message'
          : 'no message'
        : c.tests.map((t) => summarizeCondition(t)).join(c.type === 'allof' ? ' and ' : ' or ');
    case 'not':
      return `not (${summarizeCondition(c.test)})`;
    case 'true':
      return 'every message';
    case 'false':
      return 'no message';
    case 'header':
      return `${c.headers.map((h) => h.value).join('/')} ${matchWords(c)} ${either(c.keys)}`;
    case 'address':
    case 'envelope':
      return `${c.type === 'envelope' ? 'envelope ' : ''}${c.headers.map((h) => h.value).join('/')}${
        c.addressPart && c.addressPart !== 'all' ? ` (${ADDRESS_PARTS[c.addressPart]})` : ''
      } ${matchWords(c)} ${either(c.keys)}`;
    case 'body':
      return `body ${matchWords(c)} ${either(c.keys)}`;
    case 'size':
      return `size ${c.over ? 'over' : 'under'} ${c.limit}`;
    case 'exists':
      return `${c.headers.map((h) => h.value).join('/')} exists`;
    case 'date':
    case 'currentdate':
      return `${c.type === 'date' ? `${c.header?.value ?? 'date'}` : 'today'}'s ${c.datePart.value} ${matchWords(c)} ${either(c.keys)}`;
    case 'spamtest':
      return `spam score${c.percent ? ' (%)' : ''} ${matchWords(c)} ${c.value.value}`;
  }
}

function summarizeAction(a: Action): string {
  switch (a.type) {
    case 'fileinto':
      return `${a.copy ? 'copy' : 'move'} to ${q(a.mailbox)}${a.flags ? ` with ${values(a.flags).join(' ')}` : ''}`;
    case 'redirect':
      return `${a.copy ? 'send a copy' : 'redirect'} to ${a.address.value}`;
    case 'keep':
      return a.flags ? `keep with ${values(a.flags).join(' ')}` : 'keep';
    case 'discard':
      return 'discard';
    case 'stop':
      return 'stop';
    case 'reject':
    case 'ereject':
      return `reject (${q(a.reason)})`;
    case 'addflag':
      return `add flags ${values(a.flags).join(' ')}`;
    case 'setflag':
      return `set flags ${values(a.flags).join(' ')}`;
    case 'removeflag':
      return `remove flags ${values(a.flags).join(' ')}`;
    case 'vacation':
      return `vacation reply${a.subject ? ` ${q(a.subject)}` : ''}${a.days ? ` (every ${a.days} days)` : ''}`;
  }
}

/** "if Subject contains "x" → move to "Y", stop", at most `max` characters. */
export function summarize(condition: Condition | null, actions: readonly Action[], max = 200): string {
  const always = condition === null || condition.type === 'true';
  const text = `${always ? 'always' : `if ${summarizeCondition(condition)}`} → ${
    actions.length ? actions.map(summarizeAction).join(', ') : '(no action)'
  }`.replace(/[\r\n]+/g, ' ');
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}
