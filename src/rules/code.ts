// Conditions and actions: from the lossless tree to the model, and from the model to Sieve text.
// What the model cannot hold makes reading fail with a reason; the rule is then raw.
import type { Action, AddressPart, Condition, MatchOptions, MatchType, SieveString } from './model.js';
import {
  stringValue,
  type ArgumentSyntax,
  type CommandSyntax,
  type SyntaxToken,
  type TestSyntax,
} from './syntax.js';

/** Thrown while reading code the model cannot represent; the message is the reason shown. */
export class Unrepresentable extends Error {}

/** An edit that cannot be made; the message says why. */
export class RuleEditError extends Error {}

const MATCH_TYPES = new Set(['is', 'contains', 'matches', 'regex', 'value', 'count']);
const ADDRESS_PARTS = new Set(['all', 'localpart', 'domain', 'user', 'detail']);

function str(t: SyntaxToken): SieveString {
  return { value: stringValue(t), raw: t.text };
}

function isString(a: ArgumentSyntax | undefined): a is SyntaxToken {
  return a?.type === 'token' && (a.kind === 'quoted-string' || a.kind === 'multiline-string');
}

function stringList(a: ArgumentSyntax | undefined, what: string): SieveString[] {
  if (isString(a)) return [str(a)];
  if (a?.type === 'string-list') return a.items.map(str);
  throw new Unrepresentable(`expected ${what}`);
}

function oneString(a: ArgumentSyntax | undefined, what: string): SieveString {
  if (isString(a)) return str(a);
  throw new Unrepresentable(`expected ${what}`);
}

/** Splits arguments into tags (with the value each tag takes) and positional arguments. */
function splitArgs(
  args: readonly ArgumentSyntax[],
  takesValue: ReadonlySet<string>,
  where: string,
): { tags: Map<string, ArgumentSyntax | true>; positional: ArgumentSyntax[] } {
  const tags = new Map<string, ArgumentSyntax | true>();
  const positional: ArgumentSyntax[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.type === 'token' && a.kind === 'tag') {
      const name = a.text.slice(1).toLowerCase();
      if (tags.has(name)) throw new Unrepresentable(`"${where}" repeats :${name}`);
      if (takesValue.has(name)) {
        const v = args[++i];
        if (!v) throw new Unrepresentable(`:${name} without its value`);
        tags.set(name, v);
      } else {
        tags.set(name, true);
      }
    } else {
      positional.push(a);
    }
  }
  return { tags, positional };
}

function matchOptions(tags: Map<string, ArgumentSyntax | true>, where: string): MatchOptions {
  const out: { comparator?: SieveString; match?: MatchType; relation?: SieveString } = {};
  let matches = 0;
  for (const [name, v] of tags) {
    if (MATCH_TYPES.has(name)) {
      matches++;
      out.match = name as MatchType;
      if (name === 'value' || name === 'count')
        out.relation = oneString(v === true ? undefined : v, 'a relation');
      tags.delete(name);
    }
  }
  if (matches > 1) throw new Unrepresentable(`"${where}" has two match types`);
  const c = tags.get('comparator');
  if (c !== undefined) {
    out.comparator = oneString(c === true ? undefined : c, 'a comparator name');
    tags.delete('comparator');
  }
  return out;
}

function noMoreTags(tags: Map<string, unknown>, where: string): void {
  const first = tags.keys().next();
  if (!first.done)
    throw new Unrepresentable(`"${where}" uses :${first.value}, which the rule editor does not know`);
}

const TEST_VALUE_TAGS = new Set(['comparator', 'value', 'count', 'zone', 'content']);

/** A test of the lossless tree as a condition; throws Unrepresentable with the reason. */
export function readCondition(t: TestSyntax): Condition {
  const { tags, positional } = splitArgs(t.args, TEST_VALUE_TAGS, t.name);
  const noTests = (): void => {
    if (t.tests.length) throw new Unrepresentable(`"${t.name}" with tests`);
  };
  switch (t.name) {
    case 'allof':
    case 'anyof':
      if (t.args.length) throw new Unrepresentable(`"${t.name}" with arguments`);
      return { type: t.name, tests: t.tests.map(readCondition) };
    case 'not': {
      const [inner] = t.tests;
      if (t.args.length || t.tests.length !== 1 || t.testList || !inner)
        throw new Unrepresentable('"not" takes one test');
      return { type: 'not', test: readCondition(inner) };
    }
    case 'true':
    case 'false':
      if (t.args.length) throw new Unrepresentable(`"${t.name}" with arguments`);
      noTests();
      return { type: t.name };
    case 'header':
    case 'address':
    case 'envelope': {
      noTests();
      const m = matchOptions(tags, t.name);
      let addressPart: AddressPart | undefined;
      if (t.name !== 'header') {
        for (const p of ADDRESS_PARTS) {
          if (tags.has(p)) {
            if (addressPart) throw new Unrepresentable(`"${t.name}" has two address parts`);
            addressPart = p as AddressPart;
            tags.delete(p);
          }
        }
      }
      noMoreTags(tags, t.name);
      if (positional.length !== 2) throw new Unrepresentable(`"${t.name}" takes two string lists`);
      const headers = stringList(positional[0], 'header names');
      const keys = stringList(positional[1], 'keys');
      if (t.name === 'header') return { type: 'header', ...m, headers, keys };
      return { type: t.name, ...m, ...(addressPart ? { addressPart } : {}), headers, keys };
    }
    case 'body': {
      noTests();
      const m = matchOptions(tags, t.name);
      let transform: 'raw' | 'text' | 'content' | undefined;
      let contentTypes: SieveString[] | undefined;
      for (const p of ['raw', 'text', 'content'] as const) {
        const v = tags.get(p);
        if (v === undefined) continue;
        if (transform) throw new Unrepresentable('"body" has two transforms');
        transform = p;
        if (p === 'content') contentTypes = stringList(v === true ? undefined : v, 'content types');
        tags.delete(p);
      }
      noMoreTags(tags, t.name);
      if (positional.length !== 1) throw new Unrepresentable('"body" takes one key list');
      return {
        type: 'body',
        ...m,
        ...(transform ? { transform } : {}),
        ...(contentTypes ? { contentTypes } : {}),
        keys: stringList(positional[0], 'keys'),
      };
    }
    case 'size': {
      noTests();
      const over = tags.has('over');
      if (over === tags.has('under') || tags.size !== 1)
        throw new Unrepresentable('"size" takes :over or :under');
      const [n] = positional;
      if (positional.length !== 1 || n?.type !== 'token' || n.kind !== 'number')
        throw new Unrepresentable('"size" takes a number');
      return { type: 'size', over, limit: n.text };
    }
    case 'exists':
      noTests();
      noMoreTags(tags, t.name);
      if (positional.length !== 1) throw new Unrepresentable('"exists" takes one header list');
      return { type: 'exists', headers: stringList(positional[0], 'header names') };
    case 'date':
    case 'currentdate': {
      noTests();
      const m = matchOptions(tags, t.name);
      const zone = tags.get('zone');
      const originalZone = tags.has('originalzone');
      tags.delete('zone');
      tags.delete('originalzone');
      noMoreTags(tags, t.name);
      const want = t.name === 'date' ? 3 : 2;
      if (positional.length !== want) throw new Unrepresentable(`"${t.name}" takes ${want} arguments`);
      const rest = t.name === 'date' ? positional.slice(1) : positional;
      return {
        type: t.name,
        ...m,
        ...(zone !== undefined ? { zone: oneString(zone === true ? undefined : zone, 'a zone') } : {}),
        ...(originalZone ? { originalZone } : {}),
        ...(t.name === 'date' ? { header: oneString(positional[0], 'a header name') } : {}),
        datePart: oneString(rest[0], 'a date part'),
        keys: stringList(rest[1], 'keys'),
      };
    }
    case 'spamtest': {
      noTests();
      const m = matchOptions(tags, t.name);
      const percent = tags.has('percent');
      tags.delete('percent');
      noMoreTags(tags, t.name);
      if (positional.length !== 1) throw new Unrepresentable('"spamtest" takes one value');
      return {
        type: 'spamtest',
        ...m,
        ...(percent ? { percent } : {}),
        value: oneString(positional[0], 'a value'),
      };
    }
    default:
      throw new Unrepresentable(`uses the test "${t.name}", which the rule editor does not know`);
  }
}

const ACTION_VALUE_TAGS = new Set(['flags', 'days', 'seconds', 'subject', 'from', 'addresses', 'handle']);

/** A command inside a rule's block as an action; throws Unrepresentable with the reason. */
export function readAction(c: CommandSyntax): Action {
  if (c.block || c.tests.length) {
    throw new Unrepresentable(c.name === 'if' ? 'nested if' : `"${c.name}" with a block or tests`);
  }
  const { tags, positional } = splitArgs(c.args, ACTION_VALUE_TAGS, c.name);
  const flag = (name: string): boolean => {
    const v = tags.has(name);
    tags.delete(name);
    return v;
  };
  const flags = (): SieveString[] | undefined => {
    const v = tags.get('flags');
    tags.delete('flags');
    return v === undefined ? undefined : stringList(v === true ? undefined : v, 'flags');
  };
  const done = (count: number): void => {
    noMoreTags(tags, c.name);
    if (positional.length !== count) throw new Unrepresentable(`"${c.name}" takes ${count} argument(s)`);
  };
  switch (c.name) {
    case 'fileinto': {
      const copy = flag('copy');
      const create = flag('create');
      const f = flags();
      done(1);
      return {
        type: 'fileinto',
        mailbox: oneString(positional[0], 'a mailbox'),
        ...(copy ? { copy } : {}),
        ...(create ? { create } : {}),
        ...(f ? { flags: f } : {}),
      };
    }
    case 'redirect': {
      const copy = flag('copy');
      done(1);
      return { type: 'redirect', address: oneString(positional[0], 'an address'), ...(copy ? { copy } : {}) };
    }
    case 'keep': {
      const f = flags();
      done(0);
      return { type: 'keep', ...(f ? { flags: f } : {}) };
    }
    case 'discard':
    case 'stop':
      done(0);
      return { type: c.name };
    case 'reject':
    case 'ereject':
      done(1);
      return { type: c.name, reason: oneString(positional[0], 'a reason') };
    case 'addflag':
    case 'setflag':
    case 'removeflag':
      // With two arguments the first is a variable name (RFC 5232 §3): that needs "variables".
      if (positional.length === 2) throw new Unrepresentable('variables');
      done(1);
      return { type: c.name, flags: stringList(positional[0], 'flags') };
    case 'vacation': {
      const get = (name: string): ArgumentSyntax | undefined => {
        const v = tags.get(name);
        tags.delete(name);
        return v === true ? undefined : v;
      };
      const number = (name: string): string | undefined => {
        if (!tags.has(name)) return undefined;
        const v = get(name);
        if (v?.type !== 'token' || v.kind !== 'number') throw new Unrepresentable(`:${name} takes a number`);
        return v.text;
      };
      const days = number('days');
      const seconds = number('seconds');
      const optString = (name: string): SieveString | undefined =>
        tags.has(name) ? oneString(get(name), `:${name}'s string`) : undefined;
      const subject = optString('subject');
      const from = optString('from');
      const handle = optString('handle');
      const addresses = tags.has('addresses') ? stringList(get('addresses'), 'addresses') : undefined;
      const mime = flag('mime');
      done(1);
      return {
        type: 'vacation',
        ...(days !== undefined ? { days } : {}),
        ...(seconds !== undefined ? { seconds } : {}),
        ...(subject ? { subject } : {}),
        ...(from ? { from } : {}),
        ...(addresses ? { addresses } : {}),
        ...(mime ? { mime } : {}),
        ...(handle ? { handle } : {}),
        reason: oneString(positional[0], 'a reason'),
      };
    }
    case 'set':
      throw new Unrepresentable('variables');
    default:
      throw new Unrepresentable(`uses the command "${c.name}", which the rule editor does not know`);
  }
}

/** A string as Sieve text: its own spelling when it has one, else a quoted string. */
export function writeString(s: SieveString): string {
  if (s.raw !== undefined) return s.raw;
  return '"' + s.value.replace(/[\\"]/g, '\\$&') + '"';
}

/** A new string from editor input (no source spelling yet). */
export function sieveString(value: string): SieveString {
  return { value };
}

function writeList(list: readonly SieveString[]): string {
  const [only] = list;
  return list.length === 1 && only ? writeString(only) : '[' + list.map(writeString).join(', ') + ']';
}

function writeMatch(m: MatchOptions): string[] {
  const out: string[] = [];
  if (m.comparator) out.push(':comparator', writeString(m.comparator));
  if (m.match) out.push(':' + m.match);
  if (m.relation) out.push(writeString(m.relation));
  return out;
}

export function writeCondition(c: Condition): string {
  switch (c.type) {
    case 'allof':
    case 'anyof':
      return `${c.type} (${c.tests.map(writeCondition).join(', ')})`;
    case 'not':
      return `not ${writeCondition(c.test)}`;
    case 'true':
    case 'false':
      return c.type;
    case 'header':
      return ['header', ...writeMatch(c), writeList(c.headers), writeList(c.keys)].join(' ');
    case 'address':
    case 'envelope':
      return [
        c.type,
        ...(c.addressPart ? [':' + c.addressPart] : []),
        ...writeMatch(c),
        writeList(c.headers),
        writeList(c.keys),
      ].join(' ');
    case 'body':
      return [
        'body',
        ...writeMatch(c),
        ...(c.transform ? [':' + c.transform] : []),
        ...(c.contentTypes ? [writeList(c.contentTypes)] : []),
        writeList(c.keys),
      ].join(' ');
    case 'size':
      return `size ${c.over ? ':over' : ':under'} ${c.limit}`;
    case 'exists':
      return `exists ${writeList(c.headers)}`;
    case 'date':
    case 'currentdate':
      return [
        c.type,
        ...(c.zone ? [':zone', writeString(c.zone)] : []),
        ...(c.originalZone ? [':originalzone'] : []),
        ...writeMatch(c),
        ...(c.header ? [writeString(c.header)] : []),
        writeString(c.datePart),
        writeList(c.keys),
      ].join(' ');
    case 'spamtest':
      return ['spamtest', ...(c.percent ? [':percent'] : []), ...writeMatch(c), writeString(c.value)].join(
        ' ',
      );
  }
}

export function writeAction(a: Action): string {
  const parts: string[] = [a.type];
  switch (a.type) {
    case 'fileinto':
      if (a.copy) parts.push(':copy');
      if (a.create) parts.push(':create');
      if (a.flags) parts.push(':flags', writeList(a.flags));
      parts.push(writeString(a.mailbox));
      break;
    case 'redirect':
      if (a.copy) parts.push(':copy');
      parts.push(writeString(a.address));
      break;
    case 'keep':
      if (a.flags) parts.push(':flags', writeList(a.flags));
      break;
    case 'discard':
    case 'stop':
      break;
    case 'reject':
    case 'ereject':
      parts.push(writeString(a.reason));
      break;
    case 'addflag':
    case 'setflag':
    case 'removeflag':
      parts.push(writeList(a.flags));
      break;
    case 'vacation':
      if (a.days !== undefined) parts.push(':days', a.days);
      if (a.seconds !== undefined) parts.push(':seconds', a.seconds);
      if (a.subject) parts.push(':subject', writeString(a.subject));
      if (a.from) parts.push(':from', writeString(a.from));
      if (a.addresses) parts.push(':addresses', writeList(a.addresses));
      if (a.mime) parts.push(':mime');
      if (a.handle) parts.push(':handle', writeString(a.handle));
      parts.push(writeString(a.reason));
      break;
  }
  // A multi-line string ends with its own line break: the ";" goes on the next line.
  return parts.join(' ') + ';';
}

/** The `require` capabilities a condition and actions need (RFC 5228 §3.2). */
export function capabilitiesOf(condition: Condition | null, actions: readonly Action[]): string[] {
  const caps = new Set<string>();
  const match = (m: MatchOptions): void => {
    if (m.match === 'regex') caps.add('regex');
    if (m.match === 'value' || m.match === 'count') caps.add('relational');
    if (m.comparator) {
      const name = m.comparator.value;
      if (name !== 'i;octet' && name !== 'i;ascii-casemap') caps.add('comparator-' + name);
    }
  };
  const walk = (c: Condition): void => {
    switch (c.type) {
      case 'allof':
      case 'anyof':
        c.tests.forEach(walk);
        break;
      case 'not':
        walk(c.test);
        break;
      case 'header':
        match(c);
        break;
      case 'address':
      case 'envelope':
        match(c);
        if (c.type === 'envelope') caps.add('envelope');
        if (c.addressPart === 'user' || c.addressPart === 'detail') caps.add('subaddress');
        break;
      case 'body':
        match(c);
        caps.add('body');
        break;
      case 'date':
      case 'currentdate':
        match(c);
        caps.add('date');
        break;
      case 'spamtest':
        match(c);
        caps.add(c.percent ? 'spamtestplus' : 'spamtest');
        break;
      default:
        break;
    }
  };
  if (condition) walk(condition);
  for (const a of actions) {
    switch (a.type) {
      case 'fileinto':
        caps.add('fileinto');
        if (a.copy) caps.add('copy');
        if (a.create) caps.add('mailbox');
        if (a.flags) caps.add('imap4flags');
        break;
      case 'redirect':
        if (a.copy) caps.add('copy');
        break;
      case 'keep':
        if (a.flags) caps.add('imap4flags');
        break;
      case 'reject':
        caps.add('reject');
        break;
      case 'ereject':
        caps.add('ereject');
        break;
      case 'addflag':
      case 'setflag':
      case 'removeflag':
        caps.add('imap4flags');
        break;
      case 'vacation':
        caps.add('vacation');
        if (a.seconds !== undefined) caps.add('vacation-seconds');
        break;
      default:
        break;
    }
  }
  return [...caps];
}

/**
 * A comparison key for what a rule does, ignoring how it is spelled: strings by value, header
 * names in lower case (RFC 5228 §2.4.2.2: they are case-insensitive), defaults made explicit
 * (`:is`, `:all`, "i;ascii-casemap"), `if true` as no test and an allof/anyof of one test as
 * that test. Two rules with the same key behave the same.
 */
export function behaviourKey(condition: Condition | null, actions: readonly Action[]): string {
  const v = (s: SieveString): string => s.value;
  const names = (l: readonly SieveString[]): string[] => l.map((s) => s.value.toLowerCase());
  const match = (m: MatchOptions): Record<string, string> => ({
    match: m.match ?? 'is',
    comparator: m.comparator?.value ?? 'i;ascii-casemap',
    ...(m.relation ? { relation: m.relation.value } : {}),
  });
  const cond = (c: Condition | null): unknown => {
    if (c === null || c.type === 'true') return null;
    switch (c.type) {
      case 'allof':
      case 'anyof':
        return c.tests.length === 1 ? cond(c.tests[0]!) : { [c.type]: c.tests.map(cond) };
      case 'not':
        return { not: cond(c.test) };
      case 'false':
        return 'false';
      case 'header':
        return { header: names(c.headers), keys: c.keys.map(v), ...match(c) };
      case 'address':
      case 'envelope':
        return {
          [c.type]: names(c.headers),
          part: c.addressPart ?? 'all',
          keys: c.keys.map(v),
          ...match(c),
        };
      case 'body':
        return {
          body: c.transform ?? 'text',
          types: c.contentTypes?.map(v) ?? null,
          keys: c.keys.map(v),
          ...match(c),
        };
      case 'size':
        return { size: c.over ? 'over' : 'under', limit: c.limit.toUpperCase() };
      case 'exists':
        return { exists: names(c.headers) };
      case 'date':
      case 'currentdate':
        return {
          [c.type]: c.header ? c.header.value.toLowerCase() : null,
          zone: c.zone?.value ?? null,
          originalZone: c.originalZone ?? false,
          part: c.datePart.value.toLowerCase(),
          keys: c.keys.map(v),
          ...match(c),
        };
      case 'spamtest':
        return { spamtest: c.value.value, percent: c.percent ?? false, ...match(c) };
    }
  };
  const act = (a: Action): unknown => {
    switch (a.type) {
      case 'fileinto':
        return [a.type, v(a.mailbox), !!a.copy, !!a.create, a.flags?.map(v) ?? null];
      case 'redirect':
        return [a.type, v(a.address), !!a.copy];
      case 'keep':
        return [a.type, a.flags?.map(v) ?? null];
      case 'discard':
      case 'stop':
        return [a.type];
      case 'reject':
      case 'ereject':
        return [a.type, v(a.reason)];
      case 'addflag':
      case 'setflag':
      case 'removeflag':
        return [a.type, a.flags.map(v)];
      case 'vacation':
        return [
          a.type,
          a.days ?? null,
          a.seconds ?? null,
          a.subject ? v(a.subject) : null,
          a.from ? v(a.from) : null,
          a.addresses?.map(v) ?? null,
          !!a.mime,
          a.handle ? v(a.handle) : null,
          v(a.reason),
        ];
    }
  };
  return JSON.stringify({ c: cond(condition), a: actions.map(act) });
}
