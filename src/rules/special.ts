// The two screens webmail users expect beside the rule list: "Out of office" (the vacation rule,
// RFC 5230) and "Forwarding" (the rule that redirects every message). Each reads one rule of the
// script into flat settings, and writes them back through the rules layer's edits: only that
// rule's bytes change, plus `require`. A field the user did not change keeps its spelling. A rule
// a product keeps in its own data (a SnappyMail filter, Nextcloud Mail's responder) is edited
// within what that product's form holds; the rules layer keeps the data in sync with the code.
import { capabilitiesOf, RuleEditError, writeCondition } from './code.js';
import { nextcloudJsonLine } from './dialects.js';
import {
  addRule,
  ensureRequire,
  setEnabled,
  splice,
  updateRule,
  type NewRule,
  type RuleChange,
} from './edit.js';
import type { Action, Condition, Item, Region, Rule, RulesDocument, SieveString } from './model.js';
import { allRules, holdsCode, readRules } from './read.js';
import { parseSyntax, type CommandSyntax } from './syntax.js';

/**
 * The period range this screen accepts, in days. RFC 5230 §4.1 leaves the range to the server,
 * which clamps what a script asks for: sievert to `[sieve] vacation_min_period` ..
 * `vacation_max_period` (1 to 90 days by default), Pigeonhole to its own settings. A year is the
 * longest period a person means; 0 would be raised to the minimum anyway.
 */
export const VACATION_DAYS = { min: 1, max: 365 } as const;

/** RFC 6131 §2: ":seconds" is at least 0 and less than 2^31. */
const MAX_SECONDS = 2 ** 31 - 1;

/**
 * At most this many forwarding addresses: sievert (DEFAULT_LIMITS.maxRedirects) and Pigeonhole
 * (sieve_max_redirects) both refuse a fifth redirect for one message by default.
 */
export const MAX_FORWARD_ADDRESSES = 4;

/** What the "Out of office" screen edits. Texts use "\n" for line breaks, as text areas do. */
export interface VacationInput {
  readonly enabled: boolean;
  /** `:days`; absent: the server's default period (7 days with sievert and Pigeonhole). */
  readonly days?: number;
  /** `:seconds` (RFC 6131), kept when the rule has it; absent otherwise. */
  readonly seconds?: number;
  /** `:subject`; absent: the server writes "Auto: " and the original subject. */
  readonly subject?: string;
  /** `:from`; absent: the address the message was sent to. */
  readonly from?: string;
  /** `:addresses`: the user's other addresses (a message to any of them is answered). */
  readonly addresses: readonly string[];
  /** The message people get back. */
  readonly reason: string;
  /**
   * First day of the absence, YYYY-MM-DD, inclusive: `currentdate :value "ge" "date" "…"`, or
   * `"iso8601"` at the day's first minute (Nextcloud Mail's form).
   */
  readonly start?: string;
  /** Last day of the absence, YYYY-MM-DD, inclusive: `"le" "date"`, or `"iso8601"` at its last minute. */
  readonly end?: string;
}

/**
 * A product that keeps the rule in its own data and writes the code from it: SnappyMail (its filter
 * JSON) or Nextcloud Mail (its vacation responder's JSON). The rules layer keeps that data in sync,
 * so the screens edit such rules too, within what the product's own form holds.
 */
export type Product = 'rainloop' | 'nextcloud';

/** Where a rule is and whether this screen can change it. */
export interface RuleInfo {
  /** The rule's index among all rules of the script (a RuleRef for the other edits). */
  readonly ruleRef: number;
  readonly name: string | null;
  /** False when this screen cannot change the rule's fields (see reasonNotEditable). */
  readonly editable: boolean;
  readonly reasonNotEditable?: string;
  /** Whether the rule can still be switched on and off here. */
  readonly switchable: boolean;
  /** How many rules of the script do this; only the first one is shown. */
  readonly count: number;
  /** Conditions besides the dates, as Sieve text: kept as they are, shown read-only. */
  readonly otherConditions?: string;
  /** Things the user should know (several rules, texts the server expands). */
  readonly warnings: readonly string[];
  /** The product whose data holds the rule, when one does: its form's limits apply (checkVacation). */
  readonly product?: Product;
}

export interface VacationSettings extends VacationInput, RuleInfo {}

/** What the "Forwarding" screen edits. */
export interface ForwardInput {
  readonly enabled: boolean;
  /** One addr-spec per entry (name@example.org), at least one. */
  readonly addresses: readonly string[];
  /** Keep a copy in the mailbox too (`redirect :copy`, RFC 3894, or a `keep` next to it). */
  readonly keepCopy: boolean;
}

export interface ForwardSettings extends ForwardInput, RuleInfo {}

/** A problem with one field of the settings, in words the user can act on. */
export interface SettingsProblem {
  readonly field: string;
  readonly message: string;
}

// --- finding the rules -----------------------------------------------------------------------

interface Found {
  readonly rule: Rule;
  readonly index: number;
  /** The product-managed region the rule is in, if any. */
  readonly region?: Region;
}

function rulesWithRegions(items: readonly Item[], region?: Region): { rule: Rule; region?: Region }[] {
  const out: { rule: Rule; region?: Region }[] = [];
  for (const i of items) {
    if (i.kind === 'rule') out.push({ rule: i, ...(region ? { region } : {}) });
    else if (i.kind === 'chain')
      out.push(...i.branches.map((rule) => ({ rule, ...(region ? { region } : {}) })));
    else if (i.kind === 'region') out.push(...rulesWithRegions(i.items, i));
  }
  return out;
}

function found(doc: RulesDocument, keep: (r: Rule) => boolean): Found[] {
  return rulesWithRegions(doc.items)
    .map((x, index) => ({ ...x, index }))
    .filter((x) => keep(x.rule));
}

/** The command names in a rule's code, for rules the model holds as raw text. */
function commandNames(source: string, rule: Rule): Set<string> {
  const code = source
    .slice(rule.codeSpan.start, rule.codeSpan.end)
    .replace(/^#<!-->/gm, '')
    .replace(/^\/\*\s*@Filter is disabled/, '')
    .replace(/\*\/$/, '');
  const names = new Set<string>();
  const walk = (cs: readonly CommandSyntax[]): void => {
    for (const c of cs) {
      names.add(c.name);
      if (c.block) walk(c.block.commands);
    }
  };
  walk(parseSyntax(code).commands.filter((c): c is CommandSyntax => c.type === 'command'));
  return names;
}

function isVacationRule(source: string, r: Rule): boolean {
  const hasVacation =
    r.actions.some((a) => a.type === 'vacation') || (!r.editable && commandNames(source, r).has('vacation'));
  // Nextcloud Mail marks every rule of its responder's region: the responder is the one with the
  // vacation command (the one before it, when there is one, sets "${subject}").
  if (r.ids['nextcloud'] === 'vacation' && r.span.end > r.span.start) return hasVacation;
  return r.purpose === 'vacation' || hasVacation;
}

const unconditional = (r: Rule): boolean => r.condition === null || r.condition.type === 'true';

/** A forward its product declared as such (OX "autoforward", a rule block's $Type, Ingo's section). */
const declaredForward = (r: Rule): boolean =>
  /\bautoforward\b/.test(r.metadata?.fields['flags'] ?? '') ||
  /^"?forward"?$/i.test(r.metadata?.fields['$Type'] ?? '') ||
  (r.dialect === 'ingo' && r.name === 'Forwards');

/** The product whose data holds a rule (and writes its code), if any. */
function productOf(f: Found): Product | undefined {
  if (f.rule.dialect === 'rainloop' && f.rule.metadata) return 'rainloop';
  if (f.region?.dialect === 'nextcloud' && f.rule.ids['nextcloud'] === 'vacation') return 'nextcloud';
  return undefined;
}

/** Nextcloud Mail's responder while it is off: no code, only its JSON holds it. */
const jsonOnly = (f: Found): boolean => productOf(f) === 'nextcloud' && f.rule.span.end === f.rule.span.start;

/** A region whose rules the product writes, and the rules layer does not edit (Nextcloud's it does). */
const managed = (f: Found): Region | undefined =>
  f.region && !f.region.editable && f.region.dialect !== 'nextcloud' ? f.region : undefined;

/** Why this screen cannot change a rule's fields, or null. */
function lockReason(f: Found): string | null {
  const { rule } = f;
  const region = managed(f);
  if (region) return `${region.label} manages this rule: change it there`;
  if (rule.dialect === 'tine')
    return 'Tine (Felamimail) writes this rule again from its own data on every save: change it in Tine';
  if (!rule.editable && !jsonOnly(f))
    return `the rule is raw (${rule.reason ?? 'not representable'}): edit its code`;
  if (rule.diverged) return `the rule is diverged (${rule.diverged}): edit its code`;
  return null;
}

function switchable(f: Found): boolean {
  if (managed(f) || f.rule.diverged) return false;
  return f.rule.dialect !== 'tine' && f.rule.branch !== 'else';
}

// --- strings ---------------------------------------------------------------------------------

/** Line breaks as the screens use them: "\n" (the engine makes every one CRLF anyway). */
const lf = (s: string): string => s.replace(/\r\n?/g, '\n');

function quoted(value: string, eol: string): SieveString {
  return { value, raw: '"' + value.replace(/[\\"]/g, '\\$&').replace(/\n/g, eol) + '"' };
}

/**
 * A one-line text as a quoted string; text with line breaks as `text:` (RFC 5228 §2.4.2), each
 * line ending with the script's line end and a leading "." doubled. A `text:` string always ends
 * with a line break: reading drops that one again (see textOf), as Roundcube's reader does.
 */
function message(value: string, eol: string): SieveString {
  if (!value.includes('\n')) return quoted(value, eol);
  const lines = value.split('\n').map((l) => (l.startsWith('.') ? '.' + l : l) + eol);
  return { value: lines.join(''), raw: 'text:' + eol + lines.join('') + '.' + eol };
}

/** A string's text with "\n" line breaks; a `text:` string without its final line break. */
function textOf(s: SieveString): string {
  const value = /^text:/i.test(s.raw ?? '') ? s.value.replace(/\r?\n$/, '') : s.value;
  return lf(value);
}

/** A Sieve number (digits and an optional K, M or G, RFC 5228 §2.4.1). */
function numberOf(text: string): number {
  const m = /^(\d+)([KMG]?)$/i.exec(text);
  if (!m) return NaN;
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase()] ?? 1;
  return Number(m[1]) * unit;
}

// --- dates -----------------------------------------------------------------------------------

type DateCondition = Extract<Condition, { type: 'date' | 'currentdate' }>;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isRealDate(s: string): boolean {
  const m = ISO_DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

/**
 * An RFC 5260 "iso8601" key at a day's first minute (for a start) or last minute (for an end), as
 * Nextcloud Mail writes them ("2024-07-01T00:00:00Z", "2024-07-14T23:59:00Z"): its day, and the
 * rest ("T…" and the zone), which another day is written with. Other times are no whole day.
 */
function isoDay(key: string, side: 'start' | 'end'): { date: string; time: string } | null {
  const m = /^(\d{4}-\d{2}-\d{2})(T(\d{2}):(\d{2})(?::(\d{2}))?(?:Z|[+-]\d{2}(?::?\d{2})?)?)$/i.exec(key);
  if (!m || !isRealDate(m[1]!)) return null;
  const [hh, mm, ss] = [m[3]!, m[4]!, m[5] ?? '00'];
  const whole =
    side === 'start'
      ? hh === '00' && mm === '00' && ss === '00'
      : hh === '23' && mm === '59' && (ss === '00' || ss === '59');
  return whole ? { date: m[1]!, time: m[2]! } : null;
}

interface DateBound {
  readonly side: 'start' | 'end';
  readonly date: string;
  /** The "iso8601" form's time and zone ("T00:00:00Z"); absent for the "date" form. */
  readonly time?: string;
  readonly cond: DateCondition;
}

/**
 * `currentdate [:zone z] :value "ge"|"le" "date" "YYYY-MM-DD"`, as Roundcube and SnappyMail write,
 * or the same with "iso8601" and a day's first or last minute, as Nextcloud Mail writes.
 */
function dateBound(c: Condition): DateBound | null {
  if (c.type !== 'currentdate' || c.match !== 'value' || c.originalZone) return null;
  const cmp = c.comparator?.value.toLowerCase();
  if (cmp !== undefined && cmp !== 'i;ascii-casemap' && cmp !== 'i;octet') return null;
  const rel = c.relation?.value.toLowerCase();
  const side = rel === 'ge' ? 'start' : rel === 'le' ? 'end' : null;
  const key = c.keys.length === 1 ? c.keys[0]!.value : '';
  const part = c.datePart.value.toLowerCase();
  if (!side) return null;
  if (part === 'date') return isRealDate(key) ? { side, date: key, cond: c } : null;
  const iso = part === 'iso8601' ? isoDay(key, side) : null;
  return iso ? { side, date: iso.date, time: iso.time, cond: c } : null;
}

/** How new date tests are written: "date" keys, or "iso8601" keys in a zone ("Z": UTC). */
type DateForm = { readonly part: 'date' } | { readonly part: 'iso8601'; readonly zone: string };

/** Nextcloud Mail reads its responder's dates from "iso8601" tests (and writes them in UTC). */
const NEXTCLOUD_DATES: DateForm = { part: 'iso8601', zone: 'Z' };

function dateCondition(side: 'start' | 'end', key: string, part: string, zone?: SieveString): Condition {
  return {
    type: 'currentdate',
    ...(zone ? { zone } : {}),
    match: 'value',
    relation: { value: side === 'start' ? 'ge' : 'le' },
    datePart: { value: part },
    keys: [{ value: key }],
  };
}

/** A new day's test in a form: a start from the day's first second, an end to its last one. */
function newBound(side: 'start' | 'end', date: string, form: DateForm, zone?: SieveString): Condition {
  if (form.part === 'date') return dateCondition(side, date, 'date', zone);
  return dateCondition(
    side,
    `${date}T${side === 'start' ? '00:00:00' : '23:59:59'}${form.zone}`,
    'iso8601',
    zone,
  );
}

/** The tests of an `allof` (or the one test) that make up a rule's condition; none for `true`. */
function conjuncts(c: Condition | null): readonly Condition[] {
  if (c === null || c.type === 'true') return [];
  return c.type === 'allof' ? c.tests : [c];
}

function mentionsCurrentdate(c: Condition): boolean {
  switch (c.type) {
    case 'allof':
    case 'anyof':
      return c.tests.some(mentionsCurrentdate);
    case 'not':
      return mentionsCurrentdate(c.test);
    default:
      return c.type === 'currentdate';
  }
}

/** The start and end dates of a condition, the other tests, or why the dates cannot be shown. */
function readDates(c: Condition | null): {
  start?: string;
  end?: string;
  others: Condition[];
  problem?: string;
} {
  let start: string | undefined;
  let end: string | undefined;
  const others: Condition[] = [];
  for (const t of conjuncts(c)) {
    const b = dateBound(t);
    if (b && (b.side === 'start' ? start : end) === undefined) {
      if (b.side === 'start') start = b.date;
      else end = b.date;
    } else if (b || mentionsCurrentdate(t)) {
      return {
        others,
        problem: `the rule tests the current date in a way this screen does not show (${writeCondition(t)}): edit it in the rule editor`,
      };
    } else {
      others.push(t);
    }
  }
  return { ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}), others };
}

/**
 * The condition with new dates: a date test that stays keeps its place and spelling, one with a
 * new day keeps its form (an "iso8601" one its time), a new one goes last in `form` — by default
 * the form and zone of the rule's other date test.
 */
function withDates(
  c: Condition | null,
  start: string | undefined,
  end: string | undefined,
  form?: DateForm,
): Condition {
  const old = conjuncts(c);
  const bounds = old.map(dateBound);
  const zone = bounds.find((b) => b?.cond.zone)?.cond.zone;
  const time = bounds.find((b) => b?.time !== undefined)?.time;
  const newForm: DateForm =
    form ?? (time !== undefined ? { part: 'iso8601', zone: time.replace(/^T[\d:]*/, '') } : { part: 'date' });
  const tests: Condition[] = [];
  const placed = { start: false, end: false };
  old.forEach((t, i) => {
    const b = bounds[i];
    if (!b) return void tests.push(t);
    const want = b.side === 'start' ? start : end;
    if (want === undefined || placed[b.side]) return;
    placed[b.side] = true;
    if (want === b.date) tests.push(t);
    else if (b.time !== undefined) tests.push(dateCondition(b.side, want + b.time, 'iso8601', b.cond.zone));
    else tests.push(newBound(b.side, want, form ?? { part: 'date' }, b.cond.zone));
  });
  if (start !== undefined && !placed.start) tests.push(newBound('start', start, newForm, zone));
  if (end !== undefined && !placed.end) tests.push(newBound('end', end, newForm, zone));
  if (tests.length === 0) return { type: 'true' };
  return tests.length === 1 ? tests[0]! : { type: 'allof', tests };
}

// --- checks ----------------------------------------------------------------------------------

/** Why a text cannot be a Sieve string (RFC 5228 §8.1: no NUL), or null. */
function badText(s: string): string | null {
  return s.includes('\0') ? 'holds a NUL character, which a Sieve string cannot' : null;
}

const ATEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uffff-]+$/;
const dotAtom = (s: string): boolean => s.length > 0 && s.split('.').every((p) => ATEXT.test(p));

/** Why a text is not an RFC 5322 addr-spec (name@example.org), or null. */
function addrSpecProblem(s: string): string | null {
  if (/[\r\n]/.test(s)) return 'holds a line break';
  if (s.trim() === '') return 'is empty';
  if (s !== s.trim()) return 'starts or ends with a space';
  if (/^[^"]*,/.test(s)) return 'holds a comma: one address per entry';
  if (/[<>]/.test(s)) return 'needs the address alone, as name@example.org (no name, no < >)';
  const at = s.lastIndexOf('@');
  if (at < 0) return 'needs an "@" and a domain, as name@example.org';
  const local = s.slice(0, at);
  const domain = s.slice(at + 1);
  if (!dotAtom(local) && !/^"(?:[^"\\\r\n]|\\.)*"$/.test(local))
    return `has an invalid part before the "@" ("${local}")`;
  if (!dotAtom(domain) && !/^\[[^[\]\\]*\]$/.test(domain)) return `has an invalid domain ("${domain}")`;
  return null;
}

/** Why a text is not a mailbox (an addr-spec, or `Name <addr-spec>`), or null. */
function mailboxProblem(s: string): string | null {
  if (/[\r\n]/.test(s)) return 'holds a line break';
  const lt = s.lastIndexOf('<');
  if (lt >= 0 && s.trimEnd().endsWith('>')) {
    const name = s.slice(0, lt);
    if (/,/.test(name.replace(/"(?:[^"\\]|\\.)*"/g, ''))) return 'holds a comma: one address per entry';
    return addrSpecProblem(s.slice(lt + 1, s.trimEnd().length - 1).trim());
  }
  return addrSpecProblem(s.trim());
}

const same = <T>(a: T, b: T): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The problems of vacation settings, each with its field. Fields equal to `current` (the rule as
 * read) are not checked: what the script holds already is kept as it is, never refused. When
 * `current` is a rule a product keeps in its own data (readVacation's `product`), the settings must
 * also be ones that product's form holds.
 */
export function checkVacation(
  input: VacationInput,
  current?: VacationInput | VacationSettings | null,
): SettingsProblem[] {
  const out: SettingsProblem[] =
    current && 'product' in current ? productProblems(current.product, input) : [];
  const changed = (k: keyof VacationInput): boolean => !current || !same(input[k], current[k]);
  const add = (field: string, message: string): void => void out.push({ field, message });
  if (input.days !== undefined && input.seconds !== undefined)
    add('days', 'Give the period in days or in seconds, not both.');
  if (
    changed('days') &&
    input.days !== undefined &&
    !(Number.isInteger(input.days) && input.days >= VACATION_DAYS.min && input.days <= VACATION_DAYS.max)
  ) {
    add('days', `The period is a whole number of days from ${VACATION_DAYS.min} to ${VACATION_DAYS.max}.`);
  }
  if (
    changed('seconds') &&
    input.seconds !== undefined &&
    !(Number.isInteger(input.seconds) && input.seconds >= 0 && input.seconds <= MAX_SECONDS)
  ) {
    add('seconds', 'The period in seconds is a whole number from 0 to 2147483647 (RFC 6131).');
  }
  if (changed('subject') && input.subject !== undefined) {
    const bad = badText(input.subject);
    if (bad) add('subject', `The subject ${bad}.`);
  }
  if (changed('from') && input.from !== undefined) {
    const bad = mailboxProblem(input.from);
    if (bad) add('from', `The From address ${bad}.`);
  }
  if (changed('addresses')) {
    input.addresses.forEach((a, i) => {
      const bad = mailboxProblem(a);
      if (bad) add('addresses', `Address ${i + 1} ("${a}") ${bad}.`);
    });
  }
  if (changed('reason')) {
    if (input.reason.trim() === '') add('reason', 'The message is empty: write the text people get back.');
    const bad = badText(input.reason);
    if (bad) add('reason', `The message ${bad}.`);
  }
  for (const side of ['start', 'end'] as const) {
    const d = input[side];
    if (changed(side) && d !== undefined && !isRealDate(d))
      add(side, `The ${side} date "${d}" is not a date written YYYY-MM-DD.`);
  }
  if (input.start !== undefined && input.end !== undefined && input.end < input.start)
    add('end', `The end date (${input.end}) is before the start date (${input.start}).`);
  return out;
}

/** The problems of forwarding settings, each with its field (and the product's limits, as above). */
export function checkForward(
  input: ForwardInput,
  current?: Pick<RuleInfo, 'product'> | null,
): SettingsProblem[] {
  const out: SettingsProblem[] = [];
  if (current?.product === 'rainloop' && input.addresses.length > 1)
    out.push({ field: 'addresses', message: 'A SnappyMail filter forwards to one address.' });
  if (input.addresses.length === 0)
    out.push({ field: 'addresses', message: 'Give at least one address to forward to.' });
  if (input.addresses.length > MAX_FORWARD_ADDRESSES) {
    out.push({
      field: 'addresses',
      message: `At most ${MAX_FORWARD_ADDRESSES} addresses: servers refuse more redirects for one message.`,
    });
  }
  const seen = new Set<string>();
  input.addresses.forEach((a, i) => {
    const bad = addrSpecProblem(a);
    if (bad) out.push({ field: 'addresses', message: `Address ${i + 1} ("${a}") ${bad}.` });
    else if (seen.has(a.toLowerCase()))
      out.push({ field: 'addresses', message: `Address ${i + 1} ("${a}") is listed twice.` });
    seen.add(a.toLowerCase());
  });
  return out;
}

/**
 * What a product's vacation form cannot hold. SnappyMail's vacation filter: a message, a subject,
 * a period in days and addresses, no dates (its code has none: SnappyMail would drop them at its
 * next save). Nextcloud Mail's responder: a first day (an end optional), a subject, the message;
 * it always answers every 4 days, with no From address.
 */
function productProblems(product: Product | undefined, input: VacationInput): SettingsProblem[] {
  const out: SettingsProblem[] = [];
  const add = (field: string, message: string): void => void out.push({ field, message });
  if (product === 'rainloop') {
    if (input.start !== undefined || input.end !== undefined)
      add('start', "SnappyMail's vacation filter has no dates: leave the first and last day empty.");
    if (input.days === undefined) add('days', 'SnappyMail always writes a period: give it in days.');
    if (input.seconds !== undefined) add('days', "SnappyMail's vacation filter has no period in seconds.");
    if (input.from !== undefined)
      add('from', "SnappyMail's vacation filter has no From address: leave it empty.");
    const s = input.subject;
    if (s !== undefined && (s !== s.trim() || /[\t\r\n]| {2}/.test(s)))
      add(
        'subject',
        'SnappyMail writes the subject on one line, trimmed, with single spaces: remove the others.',
      );
    if (input.reason !== input.reason.trim())
      add('reason', 'SnappyMail trims the message: remove the spaces and line breaks at its start and end.');
  } else if (product === 'nextcloud') {
    if (input.enabled && input.start === undefined)
      add('start', "Nextcloud Mail's responder needs a first day.");
    if (input.days !== 4 || input.seconds !== undefined)
      add('days', "Nextcloud Mail's responder answers a sender at most every 4 days: keep 4.");
    if (input.subject === undefined) add('subject', "Nextcloud Mail's responder needs a subject.");
    if (input.from !== undefined)
      add('from', "Nextcloud Mail's responder has no From address: leave it empty.");
  }
  return out;
}

function refuse(problems: readonly SettingsProblem[]): void {
  if (problems.length) throw new RuleEditError(problems.map((p) => p.message).join(' '));
}

// --- reading ---------------------------------------------------------------------------------

const USES_VARIABLES = /\brequire\b[^;]*"(variables|encoded-character)"/;

function vacationOf(rule: Rule): Extract<Action, { type: 'vacation' }> | undefined {
  return rule.actions.find((a): a is Extract<Action, { type: 'vacation' }> => a.type === 'vacation');
}

function vacationFields(source: string, f: Found): VacationInput {
  const { rule } = f;
  if (jsonOnly(f) && f.region) {
    // Nextcloud Mail keeps the texts of a responder that is off, and no dates (nor code).
    const json = nextcloudJsonLine(source, f.region)?.value;
    const data = json && typeof json === 'object' ? (json as Record<string, unknown>) : {};
    const text = (v: unknown): string => (typeof v === 'string' ? lf(v) : '');
    return {
      enabled: false,
      days: 4,
      subject: text(data['subject']),
      addresses: [],
      reason: text(data['message']),
    };
  }
  const v = vacationOf(rule);
  const { start, end } = readDates(rule.condition);
  if (!v) return { enabled: rule.enabled, addresses: [], reason: '' };
  return {
    enabled: rule.enabled,
    ...(v.days !== undefined ? { days: numberOf(v.days) } : {}),
    ...(v.seconds !== undefined ? { seconds: numberOf(v.seconds) } : {}),
    ...(v.subject ? { subject: lf(v.subject.value) } : {}),
    ...(v.from ? { from: lf(v.from.value) } : {}),
    addresses: (v.addresses ?? []).map((a) => lf(a.value)),
    reason: textOf(v.reason),
    ...(start !== undefined ? { start } : {}),
    ...(end !== undefined ? { end } : {}),
  };
}

function vacationLock(f: Found): string | null {
  const locked = lockReason(f);
  if (locked || jsonOnly(f)) return locked;
  const v = vacationOf(f.rule);
  if (!v)
    return 'the rule is marked as a vacation rule but has no vacation action: edit it in the rule editor';
  if (v.mime) return 'the message is a MIME entity (:mime): edit it in the raw script editor';
  return readDates(f.rule.condition).problem ?? null;
}

/** Where the shown rule is, whether it can be changed here, and what else the user should know. */
function ruleInfo(
  f: Found,
  all: readonly Found[],
  locked: string | null,
  others: readonly Condition[],
  warnings: string[],
  what: string,
): RuleInfo {
  if (all.length > 1)
    warnings.unshift(
      `${all.length} rules ${what}; this screen shows the first one (line ${f.rule.codeSpan.startLine})`,
    );
  return {
    ruleRef: f.index,
    name: f.rule.name,
    editable: locked === null,
    ...(locked !== null ? { reasonNotEditable: locked } : {}),
    switchable: switchable(f),
    count: all.length,
    ...(others.length && locked === null ? { otherConditions: others.map(writeCondition).join(', ') } : {}),
    warnings,
    ...(productOf(f) ? { product: productOf(f) } : {}),
  };
}

/**
 * The script's vacation rule (purpose vacation, or a rule with a vacation action; the first one
 * when there are several) as the "Out of office" screen shows it, or null when there is none.
 */
export function readVacation(source: string): VacationSettings | null {
  const doc = readRules(source);
  const all = found(doc, (r) => isVacationRule(source, r));
  const f = all[0];
  if (!f) return null;
  const fields = vacationFields(source, f);
  const locked = vacationLock(f);
  const { others } = readDates(f.rule.condition);
  const warnings: string[] = [];
  if (USES_VARIABLES.test(source) && /\$\{/.test(`${fields.subject ?? ''}${fields.reason}`))
    warnings.push('the script uses variables: the server replaces "${…}" in the subject and message');
  if (locked === null && productOf(f) === 'rainloop')
    warnings.push("a SnappyMail filter: SnappyMail's vacation filter has no first or last day");
  if (locked === null && productOf(f) === 'nextcloud')
    warnings.push(
      "Nextcloud Mail's responder: it answers every 4 days, and writes your account's addresses itself when it saves it",
    );
  return { ...fields, ...ruleInfo(f, all, locked, others, warnings, 'send vacation replies') };
}

function redirectsOf(rule: Rule): Extract<Action, { type: 'redirect' }>[] {
  return rule.actions.filter((a): a is Extract<Action, { type: 'redirect' }> => a.type === 'redirect');
}

const plainKeep = (a: Action): boolean => a.type === 'keep' && !a.flags;

/** SnappyMail's "keep a copy" of a forward: `fileinto "INBOX";` before the redirect. */
const inboxCopy = (a: Action): boolean =>
  a.type === 'fileinto' && a.mailbox.value === 'INBOX' && !a.copy && !a.create && !a.flags;

function forwardFields(rule: Rule): ForwardInput {
  const redirects = redirectsOf(rule);
  const snappyKeep =
    rule.dialect === 'rainloop' && rule.metadata !== undefined && rule.actions.some(inboxCopy);
  return {
    enabled: rule.enabled,
    addresses: redirects.map((r) => lf(r.address.value)),
    keepCopy:
      rule.actions.some(plainKeep) || snappyKeep || (redirects.length > 0 && redirects.every((r) => r.copy)),
  };
}

function forwardRules(doc: RulesDocument): { main: Found[]; conditional: number } {
  // SnappyMail's forward that keeps a copy starts with `fileinto "INBOX"`: its JSON says Forward.
  const forwards = (r: Rule): boolean =>
    r.purpose === 'forward' || (r.dialect === 'rainloop' && r.metadata?.fields['ActionType'] === 'Forward');
  const candidates = found(doc, forwards);
  const main = candidates.filter((f) => unconditional(f.rule) || declaredForward(f.rule));
  return { main, conditional: candidates.length - main.length };
}

/**
 * The script's forwarding rule — the first rule that forwards every message (purpose forward and
 * no condition), or one its product declared a forward — or null. Rules that forward some
 * messages only are filters: they stay in the rule list, and a warning counts them.
 */
export function readForward(source: string): ForwardSettings | null {
  const doc = readRules(source);
  const { main, conditional } = forwardRules(doc);
  const f = main[0];
  if (!f) return null;
  let locked = lockReason(f);
  if (locked === null && redirectsOf(f.rule).length === 0)
    locked = 'the rule is marked as forwarding but has no redirect: edit it in the rule editor';
  const warnings: string[] = [];
  if (conditional > 0)
    warnings.push(
      `${conditional} other rule${conditional > 1 ? 's forward' : ' forwards'} some messages only: see the rule list`,
    );
  return {
    ...forwardFields(f.rule),
    ...ruleInfo(f, main, locked, conjuncts(f.rule.condition), warnings, 'forward every message'),
  };
}

// --- writing ---------------------------------------------------------------------------------

/** Whether an item is a directive (`require`, `include`, a global `set`), or a region that holds one. */
const holdsDirective = (i: Item): boolean =>
  i.kind === 'require' ||
  i.kind === 'include' ||
  i.kind === 'set' ||
  (i.kind === 'region' && i.items.some(holdsDirective));

const holdsRequire = (i: Item): boolean =>
  i.kind === 'require' || (i.kind === 'region' && i.items.some(holdsRequire));

/**
 * `require` gains the capabilities of `caps` it lacks (those a product's region requires count).
 * They go into the script's own first `require` — never into one a product fences, as Nextcloud
 * Mail does, which it writes again from its own rules at its next save — or else into a new line
 * after the fenced ones; in a script without any, above its first command (and above that rule's
 * metadata, which ensureRequire does too).
 */
function requireCaps(source: string, caps: readonly string[]): string {
  const doc = readRules(source);
  const have = new Set<string>();
  const collect = (items: readonly Item[]): void => {
    for (const i of items) {
      if (i.kind === 'require') i.values.forEach((v) => have.add(v));
      else if (i.kind === 'region') collect(i.items);
    }
  };
  collect(doc.items);
  const missing = [...new Set(caps)].filter((c) => !have.has(c));
  if (missing.length === 0) return source;
  const own = doc.items.find((i) => i.kind === 'require');
  if (own) {
    const text = ensureRequire(source.slice(own.span.start, own.span.end), missing);
    return splice(source, own.span.start, own.span.end, text);
  }
  const line = `require [${missing.map((c) => `"${c}"`).join(', ')}];${doc.eol}`;
  let at: number | null = null;
  for (const i of doc.items) {
    if (i.kind === 'comment') continue;
    if (!holdsRequire(i) || holdsCode(i)) {
      at ??= i.span.start;
      break;
    }
    at = i.span.end;
  }
  if (at !== null) return splice(source, at, at, line);
  return source + (source && !/\n$/.test(source) ? doc.eol : '') + line;
}

/**
 * Where a new special rule goes: after the directives (`require` …), before the first rule, as
 * webmails do, so that it runs before filters that `stop`. A product's region that holds
 * directives and no rules (Nextcloud Mail fences its `require` lines) counts as directives: the
 * rule never goes above `require`. Null when the script has no rule.
 */
function topOffset(doc: RulesDocument): number | null {
  const k = doc.items.findIndex(holdsCode);
  if (k < 0) return null;
  let at = doc.items[k]!.span.start;
  for (const item of doc.items.slice(0, k)) if (holdsDirective(item)) at = item.span.end;
  return at;
}

/** Adds a rule as the first rule of the script, in its convention (switched off when asked). */
function addFirst(source: string, rule: NewRule, enabled: boolean): string {
  const base = requireCaps(source, capabilitiesOf(rule.condition, rule.actions));
  const appended = addRule(base, rule);
  const doc = readRules(base);
  let at = topOffset(doc);
  let out = appended;
  // The new rule is the last one, or the first at or after where it went (a convention may wrap
  // it in a region of its own).
  let index: number;
  if (at === null || !appended.startsWith(base)) {
    index = allRules(readRules(appended).items).length - 1;
  } else {
    // addRule appended [a line end and] the rule's text; its require edit was a no-op.
    let text = appended.slice(base.length).replace(/^\r?\n/, '');
    if (/^\/\*\r?\nBEGIN:FILTER:/.test(text)) {
      // A SnappyMail filter: before the first of its filters (its header comment stays above them),
      // with the blank line SnappyMail leaves between them.
      const first = doc.items.find(holdsCode);
      if (first?.kind === 'rule' && first.dialect === 'rainloop' && first.metadata) at = first.span.start;
      if (!/^\r?\n/.test(base.slice(at))) text += doc.eol;
    }
    // A directive that shares its line with what follows: the rule starts on a line of its own.
    if (at > 0 && !/[\r\n]/.test(base[at - 1]!)) text = doc.eol + text;
    out = splice(base, at, at, text);
    const from = at;
    index = allRules(readRules(out).items).findIndex((r) => r.codeSpan.start >= from);
  }
  if (index < 0) throw new RuleEditError('the new rule could not be found again (please report this)');
  return enabled ? out : setEnabled(out, index, false);
}

/**
 * Applies a rule change, switching a commented-out rule on for it and off again after. (A
 * SnappyMail filter needs neither: the rules layer rewrites its code from its JSON, in its on/off
 * style.)
 */
function change(source: string, index: number, rule: Rule, edit: RuleChange, enabled: boolean): string {
  let out = source;
  const snappy = rule.dialect === 'rainloop' && rule.metadata !== undefined;
  const needsEdit = edit.actions !== undefined || edit.condition !== undefined;
  if (needsEdit) {
    const commented = rule.disabledBy === 'ox-comment' || rule.disabledBy === 'bracket-comment';
    if (commented && !snappy) out = setEnabled(out, index, true);
    out = requireCaps(out, capabilitiesOf(edit.condition ?? rule.condition, edit.actions ?? rule.actions));
    out = updateRule(out, index, edit);
  }
  const now = allRules(readRules(out).items)[index];
  if (!enabled && !snappy && now?.enabled && now.editable && now.condition === null && !now.branch) {
    // An action outside any `if` (a hand-written `vacation …;`) gets `if true { … }` here first:
    // setEnabled's own wrapping indents every line of the action, `text:` lines included, which
    // changes the message and loses the string's end.
    out = updateRule(out, index, { condition: { type: 'true' } });
  }
  return setEnabled(out, index, enabled);
}

function defaultName(doc: RulesDocument, what: 'vacation' | 'forward'): string {
  // The names these products give their own vacation and forwarding rules.
  if (doc.dialect === 'ingo') return what === 'vacation' ? 'Vacation' : 'Forwards';
  if (doc.dialect === 'open-xchange') return what === 'vacation' ? 'Vacation Notice' : 'autoforward';
  return what === 'vacation' ? 'Out of office' : 'Forwarding';
}

/** Only the input fields of settings (read results carry more), texts with "\n" line breaks. */
function vacationInput(s: VacationInput): VacationInput {
  return {
    enabled: s.enabled,
    ...(s.days !== undefined ? { days: s.days } : {}),
    ...(s.seconds !== undefined ? { seconds: s.seconds } : {}),
    ...(s.subject !== undefined ? { subject: lf(s.subject) } : {}),
    ...(s.from !== undefined ? { from: s.from } : {}),
    addresses: [...s.addresses],
    reason: lf(s.reason),
    ...(s.start !== undefined ? { start: s.start } : {}),
    ...(s.end !== undefined ? { end: s.end } : {}),
  };
}

function forwardInput(s: ForwardInput): ForwardInput {
  return { enabled: s.enabled, addresses: [...s.addresses], keepCopy: s.keepCopy };
}

/** Writing must read back as what was asked (promise 7): anything else is a bug, never saved. */
function verify<T>(out: string, want: T, read: (s: string) => T | null): string {
  const got = read(out);
  if (!got || !same(got, want)) {
    throw new RuleEditError(
      `the written rule does not read back the same (please report this): wanted ${JSON.stringify(want)}, read ${JSON.stringify(got)}`,
    );
  }
  return out;
}

/**
 * Writes the "Out of office" settings: updates the vacation rule, or adds one as the first rule
 * (so it runs before filters that `stop`), in the script's convention. `require` gains vacation
 * (and date, relational for dates); switching off uses the rules layer's setEnabled. Throws
 * RuleEditError with every problem when the settings are refused.
 */
export function writeVacation(source: string, settings: VacationInput, opts: { name?: string } = {}): string {
  const want = vacationInput(settings);
  const doc = readRules(source);
  const f = found(doc, (r) => isVacationRule(source, r))[0];
  const read = (s: string): VacationInput | null => {
    const v = readVacation(s);
    return v ? vacationInput(v) : null;
  };
  if (!f) {
    if (doc.items.some((i) => i.kind === 'region' && /Vacation Responder/.test(i.label)))
      throw new RuleEditError(
        'Nextcloud Mail manages the vacation responder of this script: change it there',
      );
    refuse(checkVacation(want));
    const eol = doc.eol;
    const action: Action = {
      type: 'vacation',
      ...(want.days !== undefined ? { days: String(want.days) } : {}),
      ...(want.seconds !== undefined ? { seconds: String(want.seconds) } : {}),
      ...(want.subject !== undefined ? { subject: quoted(want.subject, eol) } : {}),
      ...(want.from !== undefined ? { from: quoted(want.from, eol) } : {}),
      ...(want.addresses.length ? { addresses: want.addresses.map((a) => quoted(a, eol)) } : {}),
      // SnappyMail writes the message as one quoted string (a filter of its own when that fits).
      reason: doc.dialect === 'rainloop' ? quoted(want.reason, eol) : message(want.reason, eol),
    };
    const condition = withDates(null, want.start, want.end);
    const rule: NewRule = {
      name: opts.name ?? defaultName(doc, 'vacation'),
      condition: condition.type === 'true' ? null : condition,
      actions: [action],
      purpose: 'vacation',
    };
    return verify(addFirst(source, rule, want.enabled), want, read);
  }
  const product = productOf(f);
  const current = vacationInput(vacationFields(source, f));
  // Nextcloud Mail keeps neither dates nor addresses for a responder that is off.
  const off = product === 'nextcloud' && !want.enabled;
  const target = off ? offResponder(want) : want;
  const fieldsSame = same(
    { ...target, enabled: true },
    { ...(off ? offResponder(current) : current), enabled: true },
  );
  if (fieldsSame && want.enabled === current.enabled) return source;
  const locked = vacationLock(f);
  if (locked !== null) {
    if (!fieldsSame) throw new RuleEditError(`This rule cannot be changed here: ${locked}.`);
    if (!switchable(f)) throw new RuleEditError(`This rule cannot be switched here: ${locked}.`);
    return verify(setEnabled(source, f.index, want.enabled), target, read);
  }
  refuse([...checkVacation(want, current), ...productProblems(product, want)]);
  if (product === 'nextcloud') return verify(writeResponder(source, f, want, current), target, read);
  const eol = doc.eol;
  const old = vacationOf(f.rule)!;
  const keep = <T>(k: keyof VacationInput, oldValue: T, make: () => T): T =>
    same(want[k], current[k]) ? oldValue : make();
  const next: Action = {
    type: 'vacation',
    ...(want.days !== undefined ? { days: keep('days', old.days!, () => String(want.days)) } : {}),
    ...(want.seconds !== undefined
      ? { seconds: keep('seconds', old.seconds!, () => String(want.seconds)) }
      : {}),
    ...(want.subject !== undefined
      ? { subject: keep('subject', old.subject!, () => quoted(want.subject!, eol)) }
      : {}),
    ...(want.from !== undefined ? { from: keep('from', old.from!, () => quoted(want.from!, eol)) } : {}),
    ...(want.addresses.length
      ? {
          addresses: keep('addresses', old.addresses!, () =>
            want.addresses.map((a) => old.addresses?.find((o) => lf(o.value) === a) ?? quoted(a, eol)),
          ),
        }
      : {}),
    ...(old.mime ? { mime: true } : {}),
    ...(old.handle ? { handle: old.handle } : {}),
    reason: keep('reason', old.reason, () =>
      product === 'rainloop' ? quoted(want.reason, eol) : message(want.reason, eol),
    ),
  };
  const edit: { condition?: Condition; actions?: Action[] } = {};
  const actionFields = ['days', 'seconds', 'subject', 'from', 'addresses', 'reason'] as const;
  if (actionFields.some((k) => !same(want[k], current[k])))
    edit.actions = f.rule.actions.map((a) => (a === old ? next : a));
  if (want.start !== current.start || want.end !== current.end)
    edit.condition = withDates(f.rule.condition, want.start, want.end);
  return verify(change(source, f.index, f.rule, edit, want.enabled), want, read);
}

/** SnappyMail's forward: one redirect, and `fileinto "INBOX"` before it to keep a copy. */
function snappyForward(
  address: string,
  keepCopy: boolean,
  before: SieveString | undefined,
  eol: string,
): Action[] {
  const redirect: Action = {
    type: 'redirect',
    address: before && lf(before.value) === address ? before : quoted(address, eol),
  };
  return keepCopy ? [{ type: 'fileinto', mailbox: { value: 'INBOX' } }, redirect] : [redirect];
}

/** A Nextcloud Mail responder's settings while it is off: no dates, no addresses. */
function offResponder(v: VacationInput): VacationInput {
  const { start, end, ...rest } = v;
  void [start, end];
  return { ...rest, addresses: [] };
}

/** A first day for writing the texts of a responder that stays off (Nextcloud then drops it). */
const ANY_DAY = '2000-01-01';

/**
 * Nextcloud Mail's responder, through the rules layer, which writes its JSON and its code as
 * Nextcloud does (dates as "iso8601" tests, `:days 4`, the message as one quoted string). Its texts
 * change through an update, which switches it on; switching off drops the dates and the code.
 */
function writeResponder(source: string, f: Found, want: VacationInput, current: VacationInput): string {
  const texts = (v: VacationInput): unknown => [v.subject, v.reason, v.addresses];
  if (!want.enabled && same(texts(offResponder(want)), texts(offResponder(current))))
    return setEnabled(source, f.index, false);
  const start = want.enabled ? want.start : (want.start ?? current.start ?? ANY_DAY);
  const action: Action = {
    type: 'vacation',
    days: '4',
    subject: { value: want.subject ?? '' },
    ...(want.addresses.length ? { addresses: want.addresses.map((value) => ({ value })) } : {}),
    reason: { value: want.reason },
  };
  const condition = withDates(f.rule.condition, start, want.enabled ? want.end : undefined, NEXTCLOUD_DATES);
  const out = updateRule(source, f.index, { condition, actions: [action] });
  return want.enabled ? out : setEnabled(out, f.index, false);
}

/**
 * Writes the "Forwarding" settings: updates the forwarding rule's redirects (other actions stay),
 * or adds a rule that forwards every message as the first rule. `keepCopy` writes `:copy` (RFC
 * 3894), or keeps the rule's own `keep` when it used one.
 */
export function writeForward(source: string, settings: ForwardInput, opts: { name?: string } = {}): string {
  const want = forwardInput(settings);
  const doc = readRules(source);
  const f = forwardRules(doc).main[0];
  const read = (s: string): ForwardInput | null => {
    const v = readForward(s);
    return v ? forwardInput(v) : null;
  };
  if (!f) {
    refuse(checkForward(want));
    // In a SnappyMail script, a forward its filters hold is one of them.
    const snappy = doc.dialect === 'rainloop' && want.addresses.length === 1;
    const rule: NewRule = {
      name: opts.name ?? defaultName(doc, 'forward'),
      condition: null,
      actions: snappy
        ? snappyForward(want.addresses[0]!, want.keepCopy, undefined, doc.eol)
        : want.addresses.map((a) => ({
            type: 'redirect',
            address: quoted(a, doc.eol),
            ...(want.keepCopy ? { copy: true } : {}),
          })),
      purpose: 'forward',
    };
    return verify(addFirst(source, rule, want.enabled), want, read);
  }
  const current = forwardFields(f.rule);
  const fieldsSame = same(want.addresses, current.addresses) && want.keepCopy === current.keepCopy;
  if (fieldsSame && want.enabled === current.enabled) return source;
  const locked = lockReason(f) ?? (redirectsOf(f.rule).length ? null : 'the rule has no redirect');
  if (locked !== null) {
    if (!fieldsSame) throw new RuleEditError(`This rule cannot be changed here: ${locked}.`);
    if (!switchable(f)) throw new RuleEditError(`This rule cannot be switched here: ${locked}.`);
    return verify(setEnabled(source, f.index, want.enabled), want, read);
  }
  const product = productOf(f);
  refuse(checkForward(want, { product }));
  let actions: Action[] | undefined;
  if (!fieldsSame && product === 'rainloop') {
    const [before] = redirectsOf(f.rule);
    const forward = snappyForward(want.addresses[0]!, want.keepCopy, before?.address, doc.eol);
    actions = [];
    for (const a of f.rule.actions) {
      if (a.type !== 'redirect' && !inboxCopy(a)) actions.push(a);
      else if (forward.length) actions.push(...forward.splice(0));
    }
  } else if (!fieldsSame) {
    const old = redirectsOf(f.rule);
    // A rule that keeps its copy with `keep` (and no :copy) goes on doing so.
    const keepStyle = f.rule.actions.some(plainKeep) && !old.some((r) => r.copy);
    const redirects: Action[] = want.addresses.map((a) => {
      const before = old.find((r) => lf(r.address.value) === a);
      return {
        type: 'redirect',
        address: before?.address ?? quoted(a, doc.eol),
        ...(want.keepCopy && !keepStyle ? { copy: true } : {}),
      };
    });
    actions = [];
    let placed = false;
    for (const a of f.rule.actions) {
      if (a.type === 'redirect') {
        if (!placed) actions.push(...redirects);
        placed = true;
      } else if (!(plainKeep(a) && !want.keepCopy)) {
        actions.push(a);
      }
    }
    if (keepStyle && want.keepCopy && !actions.some(plainKeep)) actions.push({ type: 'keep' });
  }
  return verify(change(source, f.index, f.rule, actions ? { actions } : {}, want.enabled), want, read);
}
