// The "Out of office" and "Forwarding" screens' read and write (src/rules/special.ts): fixtures of
// each product, round trips, dates, disabled rules, edit isolation and refusals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  allRules,
  readRules,
  resolveDiverged,
  RuleEditError,
  setEnabled,
  type Item,
  type Rule,
} from '../../../src/rules/index.js';
import {
  checkForward,
  checkVacation,
  MAX_FORWARD_ADDRESSES,
  readForward,
  readVacation,
  VACATION_DAYS,
  writeForward,
  writeVacation,
  type ForwardInput,
  type VacationInput,
} from '../../../src/rules/special.js';
import { compile, DEFAULT_LIMITS } from '../../../src/sieve/index.js';
import {
  fixtures,
  ingoReader,
  nextcloudReader,
  oxReader,
  rainloopReader,
  roundcubeReader,
} from './corpus.js';

const fixture = (name: string): string => readFileSync(`test/fixtures/rules/${name}`, 'utf8');

function compiles(script: string): void {
  const r = compile(script);
  assert.ok(r.program, `does not compile: ${r.diagnostics.map((d) => d.message).join('; ')}\n${script}`);
}

/** The input fields of what readVacation gives (it adds where the rule is and what it may do). */
function vacation(source: string): VacationInput | null {
  const v = readVacation(source);
  if (!v) return null;
  const {
    ruleRef,
    name,
    editable,
    reasonNotEditable,
    switchable,
    count,
    otherConditions,
    warnings,
    product,
    ...input
  } = v;
  void [ruleRef, name, editable, reasonNotEditable, switchable, count, otherConditions, warnings, product];
  return input;
}

function forward(source: string): ForwardInput | null {
  const f = readForward(source);
  return f ? { enabled: f.enabled, addresses: f.addresses, keepCopy: f.keepCopy } : null;
}

/** The require entries of a script (every require command, those a product fences too). */
function required(source: string): string[] {
  const of = (items: readonly Item[]): string[] =>
    items.flatMap((i) => (i.kind === 'require' ? i.values : i.kind === 'region' ? of(i.items) : []));
  return of(readRules(source).items);
}

/**
 * `after` is `before` with [start, end) replaced, and require entries added (none dropped): the
 * bytes outside the edited rule and the require line did not change.
 */
function assertOnlyInside(before: string, after: string, start: number, end: number): void {
  const strip = (s: string): string => s.replace(/^require\s*(\[[^\]]*\]|"[^"]*")\s*;[ \t]*\r?\n?/m, '');
  const head = strip(before.slice(0, start));
  const tail = before.slice(end);
  const a = strip(after);
  assert.ok(a.startsWith(head), `bytes before the rule changed:\n${after}`);
  assert.ok(a.endsWith(tail), `bytes after the rule changed:\n${after}`);
  for (const cap of required(before)) assert.ok(required(after).includes(cap), `require lost "${cap}"`);
}

const away: VacationInput = {
  enabled: true,
  days: 5,
  subject: 'Away until Monday',
  addresses: ['me@example.com'],
  reason: 'I am away.\nBack on Monday.',
  start: '2024-07-01',
  end: '2024-07-14',
};

/** Settings without their dates. */
function undated(v: VacationInput): VacationInput {
  const { start, end, ...rest } = v;
  void [start, end];
  return rest;
}

/**
 * The filters SnappyMail reads (sieveScriptToFilters): each base64 JSON header, in a script that
 * holds "RAINLOOP:SIEVE"; it reads nothing of the code.
 */
function snappyFilters(script: string): Record<string, unknown>[] {
  if (!script.includes('RAINLOOP:SIEVE')) return [];
  return [...script.matchAll(/BEGIN:FILTER:\S+\s+BEGIN:HEADER([\s\S]+?)END:HEADER/g)].map(
    (m) =>
      JSON.parse(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64').toString('utf8')) as Record<
        string,
        unknown
      >,
  );
}

/**
 * Nextcloud Mail's OutOfOfficeParser: the JSON on the `# DATA: ` line between its responder's
 * fence lines, or null; it reads nothing of the code.
 */
function nextcloudResponder(script: string): Record<string, unknown> | null {
  const fence = "### Nextcloud Mail: Vacation Responder ### DON'T EDIT ###";
  let skip = false;
  let data: Record<string, unknown> | null = null;
  for (const line of script.split(/\r?\n/)) {
    if (line.startsWith(fence)) skip = !skip;
    else if (skip && line.startsWith('# DATA: ')) data = JSON.parse(line.slice(8)) as Record<string, unknown>;
  }
  return data;
}

/** The vacation rule of a script as the rules layer reads it. */
function vacationRule(script: string): Rule {
  return allRules(readRules(script).items)[readVacation(script)!.ruleRef]!;
}

// --- reading the products' rules ---------------------------------------------------------------

test("the products' vacation rules read as the screen shows them", () => {
  const rc = readVacation(fixture('roundcube/managesieve.sieve'));
  assert.deepEqual(
    { ...rc, warnings: [...(rc?.warnings ?? [])] },
    {
      enabled: true,
      days: 7,
      subject: 'Away',
      addresses: [],
      reason: 'I am away until Monday.',
      ruleRef: 3,
      name: 'Out of office',
      editable: true,
      switchable: true,
      count: 1,
      warnings: [],
    },
  );
  const ox = readVacation(fixture('open-xchange/mailfilter.sieve'));
  assert.equal(ox?.name, 'Vacation Notice');
  assert.deepEqual(ox?.addresses, ['me@example.com']);
  assert.equal(ox?.subject, 'Out of office');
  // Ingo answers no mailing list: that condition is kept and shown, not edited.
  const ingo = readVacation(fixture('ingo/horde.sieve'));
  assert.equal(ingo?.name, 'Vacation');
  assert.equal(ingo?.reason, 'I am on vacation.');
  assert.match(ingo?.otherConditions ?? '', /^not exists \["list-help"/);
  // A hand-written `text:` message: dot-stuffing undone, its final line break is the form's.
  const hand = readVacation(fixture('none/hand-written.sieve'));
  assert.equal(hand?.reason, 'I am away.\n. This line starts with a dot.\nBack soon.');
  assert.equal(hand?.name, null);
  assert.equal(hand?.days, 3);
  for (const name of ['critical-path/cp.sieve', 'rule-block/draft.sieve', 'nextcloud/mail.sieve']) {
    assert.equal(readVacation(fixture(name)), null, name);
  }
  // SnappyMail's vacation filter: its JSON (Vacation: the message, then subject, days and
  // addresses) is what SnappyMail shows, and the code is what it writes for that JSON.
  const snappy = fixture('rainloop/snappymail.sieve');
  assert.deepEqual(snappyFilters(snappy)[2], {
    ID: 'h7d1s9j3f5g0',
    Enabled: true,
    Name: 'Away',
    Conditions: [],
    ConditionsType: 'Any',
    ActionType: 'Vacation',
    ActionValue: 'I am away until Monday.',
    ActionValueSecond: 'Out of office',
    ActionValueThird: '7',
    ActionValueFourth: 'me@example.com',
    Keep: false,
    Stop: false,
    MarkAsRead: false,
  });
  assert.equal(vacationRule(snappy).diverged, undefined);
  assert.deepEqual(readVacation(snappy), {
    enabled: true,
    days: 7,
    subject: 'Out of office',
    addresses: ['me@example.com'],
    reason: 'I am away until Monday.',
    ruleRef: 2,
    name: 'Away',
    editable: true,
    switchable: true,
    count: 1,
    warnings: ["a SnappyMail filter: SnappyMail's vacation filter has no first or last day"],
    product: 'rainloop',
  });
  // Nextcloud Mail's responder: its days from its "iso8601" tests at a day's first and last minute.
  assert.deepEqual(vacation(fixture('nextcloud/vacation.sieve')), {
    enabled: true,
    days: 4,
    subject: 'Out of office',
    addresses: ['me@example.com'],
    reason: 'I am away until July 15.',
    start: '2024-07-01',
    end: '2024-07-14',
  });
  assert.equal(readVacation(fixture('nextcloud/vacation.sieve'))?.product, 'nextcloud');
});

/** The top-level item that holds the rule at `ref` (a convention may wrap a rule in a region). */
function itemSpan(source: string, ref: number): { start: number; end: number } {
  const rule = allRules(readRules(source).items)[ref]!;
  const item = readRules(source).items.find(
    (i) => i.span.start <= rule.codeSpan.start && rule.codeSpan.end <= i.span.end,
  )!;
  return item.span;
}

/**
 * `after` is `before` with one piece of text inserted (and require entries added, none dropped):
 * returns the inserted text.
 */
function assertAddedOnly(before: string, after: string): string {
  const strip = (s: string): string => s.replace(/^require\s*(\[[^\]]*\]|"[^"]*")\s*;[ \t]*\r?\n?/m, '');
  const b = strip(before);
  const a = strip(after);
  let head = 0;
  while (head < b.length && b[head] === a[head]) head++;
  let tail = 0;
  while (tail < b.length - head && b[b.length - 1 - tail] === a[a.length - 1 - tail]) tail++;
  assert.equal(head + tail, b.length, `bytes outside the new rule changed:\n${after}`);
  for (const cap of required(before)) assert.ok(required(after).includes(cap), `require lost "${cap}"`);
  return a.slice(head, a.length - tail);
}

/**
 * `away` as a product's own form holds it (other settings are refused with the reason, below):
 * SnappyMail's vacation filter has no dates, Nextcloud Mail's responder answers every 4 days.
 */
const FITTED: Readonly<Record<string, { settings: VacationInput; refused: RegExp }>> = {
  'rainloop/snappymail.sieve': {
    settings: undated(away),
    refused: /SnappyMail's vacation filter has no dates/,
  },
  'nextcloud/vacation.sieve': {
    settings: { ...away, days: 4 },
    refused: /answers a sender at most every 4 days/,
  },
};

/**
 * Where editing a rule may change bytes: the rule, and for Nextcloud Mail's responder also the
 * JSON line of its region above the code (what Nextcloud reads).
 */
function editRange(source: string, rule: Rule): [number, number] {
  if (rule.dialect !== 'nextcloud') return [rule.span.start, rule.span.end];
  return [source.lastIndexOf('\n# DATA: ', rule.span.start) + 1, rule.span.end];
}

test('every fixture: add or edit the vacation rule, read it back, only that rule and require change', () => {
  let added = 0;
  let edited = 0;
  for (const f of fixtures()) {
    const before = readVacation(f.source);
    const fitted = FITTED[f.name];
    if (fitted) assert.throws(() => writeVacation(f.source, away), fitted.refused, f.name);
    const settings = fitted?.settings ?? away;
    const out = writeVacation(f.source, settings);
    assert.deepEqual(vacation(out), settings, f.name);
    assert.equal(writeVacation(out, settings), out, `${f.name}: writing it again changes nothing`);
    if (compile(f.source).program) compiles(out);
    const caps = settings.start ? ['vacation', 'date', 'relational'] : ['vacation'];
    for (const cap of caps) assert.ok(required(out).includes(cap), f.name);
    if (before) {
      const [start, end] = editRange(f.source, allRules(readRules(f.source).items)[before.ruleRef]!);
      assertOnlyInside(f.source, out, start, end);
      edited++;
    } else {
      // A new rule is the first rule, in the script's own line ends.
      assert.equal(readVacation(out)?.ruleRef, 0, f.name);
      const text = assertAddedOnly(f.source, out);
      assert.match(text, /\bvacation :days 5 :subject "Away until Monday"/, f.name);
      if (readRules(f.source).eol === '\r\n')
        assert.ok(!/[^\r]\n/.test(text), `${f.name}: LF in a CRLF script`);
      else assert.ok(!text.includes('\r'), `${f.name}: CR in an LF script`);
      added++;
    }
  }
  assert.equal(edited, 6);
  assert.ok(added >= 12);
});

test("a rule added in the product's convention is still read by that product", () => {
  const ox = writeVacation(fixture('none/hand-written.sieve').replace(/vacation[\s\S]*$/, ''), away);
  assert.equal(readVacation(ox)?.name, 'Out of office');
  const oxScript = fixture('open-xchange/mailfilter.sieve').replace(/## Flag: vacation[\s\S]*$/, '');
  const oxOut = writeVacation(oxScript, away);
  assert.deepEqual(oxReader(oxOut)[0], { name: 'Vacation Notice', id: '2', enabled: true });
  assert.match(oxOut, /## Flag: vacation\|UniqueId:2\|Rulename: Vacation Notice\nif allof/);
  const rc = writeForward(fixture('roundcube/crlf-names.sieve'), {
    enabled: false,
    addresses: ['a@example.org'],
    keepCopy: true,
  });
  assert.deepEqual(roundcubeReader(rc)[0], { name: 'Forwarding', enabled: false });
  const ingo = writeForward(fixture('ingo/horde.sieve'), {
    enabled: true,
    addresses: ['a@example.org'],
    keepCopy: false,
  });
  assert.deepEqual(ingoReader(ingo)[0], { name: 'Forwards', enabled: true });
  assert.equal(readRules(ingo).items.flatMap((i) => (i.kind === 'rule' ? [i.purpose] : []))[0], 'forward');
});

// --- round trips -------------------------------------------------------------------------------

const ODD_TEXTS = [
  'one line',
  'two\nlines',
  'ends with a line break\n',
  'two line breaks at the end\n\n',
  '\nstarts with a line break',
  '.\nA lone dot line above and below\n.',
  '..two dots\n...three\n. dot space',
  '.',
  'text:\nlooks like a multi-line string\n.\n;',
  'Quotes " and \\ backslashes \\" and "\\\\"',
  'Grüße, 日本語, emoji 🎉, tab\there',
  '   spaces around   \n\tindented\n',
  '# not a comment\n/* nor this */',
  '"',
  '\\',
];

test('texts of every kind come back exactly, on and off, in LF and CRLF scripts and new ones', () => {
  const scripts = [
    '',
    fixture('roundcube/managesieve.sieve'),
    fixture('ingo/horde.sieve'),
    fixture('none/hand-written.sieve'),
    fixture('open-xchange/mailfilter.sieve'),
  ];
  for (const source of scripts) {
    for (const text of ODD_TEXTS) {
      for (const enabled of [true, false]) {
        const s: VacationInput = { enabled, subject: text, addresses: [], reason: text };
        const out = writeVacation(source, s);
        assert.deepEqual(vacation(out), s, JSON.stringify(text));
        compiles(out);
        assert.equal(writeVacation(out, s), out);
      }
    }
  }
});

test('a message with line breaks is written as text: with dot-stuffing, one line as a quoted string', () => {
  const out = writeVacation('', { enabled: true, addresses: [], reason: 'Hi.\n.\n.x\nBye.' });
  assert.match(out, /vacation text:\nHi\.\n\.\.\n\.\.x\nBye\.\n\.\n;/);
  const crlf = writeVacation('require "fileinto";\r\n', { enabled: true, addresses: [], reason: 'a\nb' });
  assert.match(crlf, /vacation text:\r\na\r\nb\r\n\.\r\n;/);
  const one = writeVacation('', { enabled: true, subject: 'Say "hi"', addresses: [], reason: 'C:\\dir' });
  assert.match(one, /vacation :subject "Say \\"hi\\"" "C:\\\\dir";/);
  // Line breaks a text area might send as CRLF or CR are the form's "\n".
  const cr = writeVacation('', { enabled: true, addresses: [], reason: 'a\r\nb\rc' });
  assert.equal(readVacation(cr)?.reason, 'a\nb\nc');
});

test('fields the user did not change keep their spelling', () => {
  const src = fixture('open-xchange/mailfilter.sieve');
  const v = readVacation(src)!;
  const out = writeVacation(src, { ...v, reason: 'New text.' });
  // The action is written again (a one-entry list as a string); its strings keep their spelling.
  assert.match(out, /vacation :days 7 :subject "Out of office" :addresses "me@example.com" "New text.";/);
  assertOnlyInside(src, out, allRules(readRules(src).items)[2]!.span.start, src.length);
  // A spelling sievert would not write (an escape, a quoted string over two lines) stays too.
  const nc = 'require "vacation";\nif true {\n\tvacation :subject "Caf\\\u00e9" "One\ntwo";\n}\n';
  const n = readVacation(nc)!;
  assert.deepEqual([n.subject, n.reason], ['Caf\u00e9', 'One\ntwo']);
  assert.equal(
    writeVacation(nc, { ...n, days: 3 }),
    'require "vacation";\nif true {\n\tvacation :days 3 :subject "Caf\\\u00e9" "One\ntwo";\n}\n',
  );
  const hand = fixture('none/hand-written.sieve');
  const h = readVacation(hand)!;
  const out2 = writeVacation(hand, { ...h, subject: 'Gone' });
  assert.ok(out2.includes('text:\nI am away.\n.. This line starts with a dot.\nBack soon.\n.\n;'), out2);
  compiles(out2);
});

// --- dates ---------------------------------------------------------------------------------------

test('dates are currentdate "ge"/"le" "date" tests; changing one keeps the other and its zone', () => {
  const src =
    'require ["vacation", "date", "relational"];\n# rule:[Away]\nif allof (currentdate :zone "+0100" :value "ge" "date" "2024-01-01", currentdate :zone "+0100" :value "le" "date" "2024-01-10")\n{\n\tvacation "x";\n}\n';
  const v = readVacation(src)!;
  assert.equal(v.start, '2024-01-01');
  assert.equal(v.end, '2024-01-10');
  assert.equal(v.editable, true);
  const moved = writeVacation(src, { ...v, end: '2024-01-20' });
  assert.ok(
    moved.includes(
      'if allof (currentdate :zone "+0100" :value "ge" "date" "2024-01-01", currentdate :zone "+0100" :value "le" "date" "2024-01-20")',
    ),
    moved,
  );
  const noEnd = writeVacation(src, { ...v, end: undefined });
  assert.match(noEnd, /^if currentdate :zone "\+0100" :value "ge" "date" "2024-01-01"$/m);
  const none = writeVacation(noEnd, { enabled: true, addresses: [], reason: 'x' });
  assert.match(none, /^if true$/m);
  const back = writeVacation(none, { enabled: true, addresses: [], reason: 'x', start: '2024-03-01' });
  assert.match(back, /^if currentdate :value "ge" "date" "2024-03-01"$/m);
  for (const s of [moved, noEnd, none, back]) compiles(s);
  // A rule without an `if` gets one for its dates.
  const hand = fixture('none/hand-written.sieve');
  const dated = writeVacation(hand, { ...readVacation(hand)!, start: '2024-05-01', end: '2024-05-01' });
  assert.match(
    dated,
    /^if allof \(currentdate :value "ge" "date" "2024-05-01", currentdate :value "le" "date" "2024-05-01"\) \{$/m,
  );
  compiles(dated);
});

test('other conditions stay; dates written another way make the rule read-only here', () => {
  const ingo = fixture('ingo/horde.sieve');
  const out = writeVacation(ingo, { ...readVacation(ingo)!, start: '2024-08-01' });
  assert.ok(out.includes('if allof (not exists ["list-help", '), out);
  assert.ok(out.includes(', currentdate :value "ge" "date" "2024-08-01") {\r\n'), out);
  assert.match(readVacation(out)?.otherConditions ?? '', /^not exists/);
  // A time of day is no whole day: not shown here.
  const iso =
    'require ["vacation", "date", "relational"];\nif currentdate :value "ge" "iso8601" "2024-01-01T12:00:00Z" {\n    vacation "x";\n}\n';
  const v = readVacation(iso)!;
  assert.equal(v.editable, false);
  assert.match(v.reasonNotEditable ?? '', /tests the current date in a way this screen does not show/);
  assert.throws(
    () => writeVacation(iso, { ...v, reason: 'y' }),
    (e: unknown) => e instanceof RuleEditError && /cannot be changed here.*iso8601/.test(e.message),
  );
  // Switching it off still works.
  const off = writeVacation(iso, { ...v, enabled: false });
  assert.equal(readVacation(off)?.enabled, false);
  assert.equal(off, setEnabled(iso, 0, false));
});

test('"iso8601" dates at a day\'s first and last minute are days; a new day keeps that form', () => {
  const src =
    'require ["vacation", "date", "relational"];\nif allof (currentdate :value "ge" "iso8601" "2024-01-01T00:00:00+01:00", currentdate :value "le" "iso8601" "2024-01-10T23:59:59+01:00") {\n    vacation "x";\n}\n';
  const v = readVacation(src)!;
  assert.deepEqual([v.start, v.end, v.editable], ['2024-01-01', '2024-01-10', true]);
  const later = writeVacation(src, { ...v, end: '2024-01-20' });
  assert.ok(later.includes('currentdate :value "le" "iso8601" "2024-01-20T23:59:59+01:00")'), later);
  // A new end gets the start's zone, at the day's last second; a new start, the day's first.
  const open = writeVacation(src, { ...v, end: undefined });
  const closed = writeVacation(open, { ...v, end: '2024-02-01' });
  assert.ok(closed.includes('currentdate :value "le" "iso8601" "2024-02-01T23:59:59+01:00"'), closed);
  const noStart = writeVacation(src, { ...v, start: undefined });
  const started = writeVacation(noStart, { ...v, start: '2023-12-24' });
  assert.ok(started.includes('currentdate :value "ge" "iso8601" "2023-12-24T00:00:00+01:00"'), started);
  for (const out of [later, open, closed, noStart, started]) compiles(out);
  // Nextcloud's own end, the last minute without its seconds, is that day too; other times are not.
  const end = (key: string): string | undefined =>
    readVacation(
      `require ["vacation", "date", "relational"];\nif currentdate :value "le" "iso8601" "${key}" {\n    vacation "x";\n}\n`,
    )?.end;
  assert.equal(end('2024-07-14T23:59:00Z'), '2024-07-14');
  assert.equal(end('2024-07-14T23:59Z'), '2024-07-14');
  assert.equal(end('2024-07-14T23:58:00Z'), undefined);
  assert.equal(end('2024-07-14T00:00:00Z'), undefined);
  assert.equal(end('2024-02-30T23:59:59Z'), undefined);
});

// --- on and off ----------------------------------------------------------------------------------

test("switching off uses the rule's convention; on again gives the bytes back", () => {
  const rc = fixture('roundcube/managesieve.sieve');
  const v = readVacation(rc)!;
  const off = writeVacation(rc, { ...v, enabled: false });
  assert.ok(off.includes('# rule:[Out of office]\nif false # true\n{'), off);
  assert.equal(readVacation(off)?.enabled, false);
  assert.equal(writeVacation(off, v), rc);
  assertOnlyInside(rc, off, allRules(readRules(rc).items)[3]!.span.start, rc.length);
  // Open-Xchange comments the rule out; editing it while off keeps it off.
  const ox = fixture('open-xchange/mailfilter.sieve');
  const o = readVacation(ox)!;
  const oxOff = writeVacation(ox, { ...o, enabled: false });
  assert.match(oxOff, /^#<!--> {4}vacation :days 7/m);
  const edited = writeVacation(oxOff, { ...o, enabled: false, subject: 'Away', start: '2024-09-01' });
  assert.deepEqual(vacation(edited), {
    enabled: false,
    days: 7,
    subject: 'Away',
    addresses: ['me@example.com'],
    reason: 'I will be back soon.',
    start: '2024-09-01',
  });
  assert.deepEqual(oxReader(edited)[2], { name: 'Vacation Notice', id: '2', enabled: false });
  compiles(edited);
  // A new rule can be added switched off.
  const newOff = writeVacation('', { ...away, enabled: false });
  assert.equal(readVacation(newOff)?.enabled, false);
  assert.match(newOff, /^if false # allof \(currentdate/m);
  const newOffOx = writeVacation('# Generated by OX Sieve Bundle on Mon Jan 15 10:00:00 CET 2024\n', {
    ...away,
    enabled: false,
  });
  assert.match(newOffOx, /^#<!-->if allof \(currentdate/m);
  assert.equal(readVacation(newOffOx)?.enabled, false);
  compiles(newOff);
});

// --- several rules, raw rules, products that manage their own --------------------------------------

test('several vacation rules: the first is shown and the count says so', () => {
  const src = writeVacation(
    fixture('none/hand-written.sieve'),
    readVacation(fixture('none/hand-written.sieve'))!,
  );
  const two = 'require "vacation";\nif true { vacation "one"; }\nif true { vacation "two"; }\n';
  const v = readVacation(two)!;
  assert.equal(v.count, 2);
  assert.equal(v.reason, 'one');
  assert.match(v.warnings[0] ?? '', /2 rules send vacation replies/);
  assert.equal(readVacation(src)?.count, 1);
});

test('a raw vacation rule is found, shown read-only, and can still be switched', () => {
  const raw =
    'require ["vacation", "variables"];\nif true {\n    set "who" "me";\n    vacation "I am ${who}.";\n}\n';
  const v = readVacation(raw)!;
  assert.equal(v.editable, false);
  assert.match(v.reasonNotEditable ?? '', /raw \(variables\)/);
  assert.equal(writeVacation(raw, v), raw);
  assert.throws(() => writeVacation(raw, { ...v, reason: 'x' }), /cannot be changed here: the rule is raw/);
  const off = writeVacation(raw, { ...v, enabled: false });
  assert.equal(readVacation(off)?.enabled, false);
  compiles(off);
  assert.equal(writeVacation(off, v), raw);
  // A text the server expands is pointed out.
  const vars = 'require ["vacation", "variables"];\nvacation :subject "Re: ${subject}" "x";\n';
  assert.match(readVacation(vars)?.warnings[0] ?? '', /replaces "\$\{…\}"/);
});

test("Nextcloud Mail's responder: edited in its form, its JSON and code as Nextcloud writes them", () => {
  const src = fixture('nextcloud/vacation.sieve');
  const v = readVacation(src)!;
  assert.deepEqual([v.editable, v.switchable, v.product], [true, true, 'nextcloud']);
  const [start, end] = editRange(src, vacationRule(src));
  // Dates and texts: the JSON Nextcloud reads, and the code it writes for it (dates in "iso8601").
  const out = writeVacation(src, { ...v, subject: 'Gone "fishing"', end: '2024-07-20' });
  assertOnlyInside(src, out, start, end);
  assert.deepEqual(nextcloudResponder(out), {
    version: 1,
    enabled: true,
    messageHtml: false,
    start: '2024-07-01T00:00:00+00:00',
    end: '2024-07-20T23:59:00+00:00',
    subject: 'Gone "fishing"',
    message: 'I am away until July 15.',
  });
  assert.match(
    out,
    /\r\nif allof\(currentdate :value "ge" "iso8601" "2024-07-01T00:00:00Z", currentdate :value "le" "iso8601" "2024-07-20T23:59:00Z"\) \{\r\n\tvacation :days 4 :subject "Gone \\"fishing\\"" :addresses \["me@example\.com"\] "I am away until July 15\.";\r\n\}\r\n### Nextcloud Mail: Vacation Responder/,
  );
  compiles(out);
  // Its fenced `require` lines are Nextcloud's: nothing is added elsewhere.
  assert.ok(out.startsWith(src.slice(0, src.indexOf('# rule:[Spam]'))));
  // Off as Nextcloud writes it: no code, no dates; its texts stay in the JSON and are shown.
  const off = writeVacation(src, { ...v, enabled: false });
  assertOnlyInside(src, off, start, end);
  assert.deepEqual(nextcloudResponder(off), {
    version: 1,
    enabled: false,
    messageHtml: false,
    subject: 'Out of office',
    message: 'I am away until July 15.',
  });
  assert.doesNotMatch(off, /vacation :days/);
  const o = readVacation(off)!;
  assert.deepEqual(vacation(off), {
    enabled: false,
    days: 4,
    subject: 'Out of office',
    addresses: [],
    reason: 'I am away until July 15.',
  });
  assert.deepEqual([o.editable, o.switchable], [true, true]);
  // The dates and addresses still in the form are no change while it is off.
  assert.equal(writeVacation(off, { ...v, enabled: false }), off);
  // Its texts change while it stays off.
  const text = writeVacation(off, { ...o, reason: 'Back on\nMonday.' });
  assert.deepEqual(nextcloudResponder(text), {
    ...nextcloudResponder(off),
    message: 'Back on\nMonday.',
  });
  assert.doesNotMatch(text, /vacation :days/);
  // On again needs a first day, as in Nextcloud's form.
  const t = readVacation(text)!;
  assert.throws(() => writeVacation(text, { ...t, enabled: true }), /needs a first day/);
  const on = writeVacation(text, { ...t, enabled: true, start: '2024-09-01' });
  assert.equal(nextcloudResponder(on)?.['start'], '2024-09-01T00:00:00+00:00');
  assert.equal(nextcloudResponder(on)?.['enabled'], true);
  assert.match(
    on,
    /\r\nif currentdate :value "ge" "iso8601" "2024-09-01T00:00:00Z" \{\r\n\tvacation :days 4 /,
  );
  assert.deepEqual(vacation(on), { ...vacation(text), enabled: true, start: '2024-09-01' });
  for (const s of [off, text, on]) compiles(s);
  // Its filters' reader sees none of this; the rule list's JSON stays.
  for (const s of [out, off, text, on]) assert.deepEqual(nextcloudReader(s), []);
  // "${subject}" in its texts: Nextcloud sets the variable in a rule before the responder's; the
  // screen shows the responder.
  const re = writeVacation(src, { ...v, subject: 'Re: ${subject}' });
  assert.match(re, /# DATA: [^\r]*\r\nset "subject" "";\r\nif header :matches "subject" "\*" \{/);
  const r = readVacation(re)!;
  assert.deepEqual([r.subject, r.reason, r.editable], ['Re: ${subject}', 'I am away until July 15.', true]);
  assert.equal(allRules(readRules(re).items)[r.ruleRef]?.actions[0]?.type, 'vacation');
  assert.match(r.warnings[0] ?? '', /the server replaces "\$\{…\}"/);
  compiles(re);
});

test('Nextcloud Mail\'s responder with "${subject}": every edit writes its region\'s code once, as Nextcloud does', () => {
  const src = fixture('nextcloud/vacation.sieve');
  /** Everything after the `# DATA:` line up to the closing fence: the code Nextcloud writes. */
  const body = (s: string): string => {
    const data = s.indexOf('\r\n# DATA: ');
    const from = s.indexOf('\r\n', data + 2) + 2;
    return s.slice(from, s.indexOf("### Nextcloud Mail: Vacation Responder ### DON'T EDIT ###", from));
  };
  const placeholder = [
    'set "subject" "";',
    'if header :matches "subject" "*" {',
    '\tset "subject" "${1}";',
    '}',
    '',
  ].join('\r\n');
  const responder = (end: string, message: string): string =>
    `if allof(currentdate :value "ge" "iso8601" "2024-07-01T00:00:00Z", currentdate :value "le" "iso8601" "${end}") {\r\n` +
    `\tvacation :days 4 :subject "Re: \${subject}" :addresses ["me@example.com"] "${message}";\r\n}\r\n`;
  const first = writeVacation(src, { ...readVacation(src)!, subject: 'Re: ${subject}' });
  const second = writeVacation(first, { ...readVacation(first)!, reason: 'Second.' });
  const third = writeVacation(second, { ...readVacation(second)!, reason: 'Third.', end: '2024-07-20' });
  const wanted: [string, string, string, string][] = [
    [first, '2024-07-14', 'I am away until July 15.', '2024-07-14T23:59:00'],
    [second, '2024-07-14', 'Second.', '2024-07-14T23:59:00'],
    [third, '2024-07-20', 'Third.', '2024-07-20T23:59:00'],
  ];
  for (const [s, end, message, iso] of wanted) {
    assert.equal(body(s), placeholder + responder(`${iso}Z`, message), s);
    // Nextcloud reads its JSON alone; the screen reads the code: both say the same.
    const json = nextcloudResponder(s)!;
    assert.deepEqual(
      [json['subject'], json['message'], json['start'], json['end']],
      ['Re: ${subject}', message, '2024-07-01T00:00:00+00:00', `${iso}+00:00`],
    );
    const v = readVacation(s)!;
    assert.deepEqual(
      [v.subject, v.reason, v.start, v.end, v.editable, v.count],
      ['Re: ${subject}', message, '2024-07-01', end, true, 1],
    );
    assert.deepEqual(
      allRules(readRules(s).items).filter((r) => r.diverged !== undefined),
      [],
    );
    compiles(s);
    // Only the region's code and JSON changed, and require.
    assertOnlyInside(src, s, ...editRange(src, vacationRule(src)));
  }
  assert.equal(writeVacation(third, readVacation(third)!), third);
  // A subject without the placeholder: the variable's rule goes too; require keeps "variables".
  const plain = writeVacation(third, { ...readVacation(third)!, subject: 'Away' });
  assert.doesNotMatch(plain, /set "subject"/);
  assert.equal(body(plain), responder('2024-07-20T23:59:00Z', 'Third.').replace('Re: ${subject}', 'Away'));
  assert.ok(required(plain).includes('variables'));
  // Off as Nextcloud writes it: no code at all in the region; on again writes it once.
  const off = writeVacation(third, { ...readVacation(third)!, enabled: false });
  assert.equal(body(off), '');
  assert.equal(nextcloudResponder(off)?.['enabled'], false);
  const on = writeVacation(off, {
    ...readVacation(off)!,
    enabled: true,
    start: '2024-07-01',
    end: '2024-07-20',
  });
  // (Nextcloud writes the account's addresses itself: an edit while off has none to keep.)
  assert.equal(
    body(on),
    placeholder + responder('2024-07-20T23:59:59Z', 'Third.').replace(' :addresses ["me@example.com"]', ''),
  );
  assert.deepEqual(nextcloudResponder(on), {
    ...nextcloudResponder(third),
    end: '2024-07-20T23:59:59+00:00',
  });
  // Code with a JSON that says off is diverged; taking the JSON's side leaves no code either.
  const diverged = first.replace('"enabled":true', '"enabled":false');
  const responderRef = allRules(readRules(diverged).items).findIndex(
    (r) => r.actions[0]?.type === 'vacation',
  );
  assert.equal(body(resolveDiverged(diverged, responderRef, 'json')), '');
  assert.equal(resolveDiverged(diverged, responderRef, 'code'), first);
  for (const s of [plain, off, on]) compiles(s);
});

test("Nextcloud Mail's responder: settings its form cannot hold are refused, field by field", () => {
  const src = fixture('nextcloud/vacation.sieve');
  const v = readVacation(src)!;
  const problems = (s: Partial<VacationInput>): string[] =>
    checkVacation({ ...v, ...s }, v).map((p) => `${p.field}: ${p.message}`);
  assert.deepEqual(problems({}), []);
  assert.deepEqual(problems({ days: 7 }), [
    "days: Nextcloud Mail's responder answers a sender at most every 4 days: keep 4.",
  ]);
  assert.deepEqual(problems({ start: undefined }), ["start: Nextcloud Mail's responder needs a first day."]);
  assert.deepEqual(problems({ start: undefined, enabled: false }), []);
  assert.deepEqual(problems({ subject: undefined }), [
    "subject: Nextcloud Mail's responder needs a subject.",
  ]);
  assert.deepEqual(problems({ from: 'me@example.com' }), [
    "from: Nextcloud Mail's responder has no From address: leave it empty.",
  ]);
  // writeVacation refuses them too, and writes nothing.
  assert.throws(
    () => writeVacation(src, { ...v, days: 7, from: 'me@example.com' }),
    (e: unknown) => e instanceof RuleEditError && /every 4 days/.test(e.message) && /no From/.test(e.message),
  );
  // Its fences without a responder (no JSON): nothing is added beside them.
  const fenced = src.replace(/# DATA[\s\S]*?\r\n\}\r\n/, '');
  assert.equal(readVacation(fenced), null);
  assert.throws(() => writeVacation(fenced, away), /Nextcloud Mail manages the vacation responder/);
});

test('a new rule goes below `require` a product fences, which keeps only its own entries', () => {
  const src = fixture('nextcloud/mail.sieve');
  const fence = src.slice(0, src.indexOf('# my own rule'));
  const out = writeVacation(src, away);
  // Nextcloud writes its fenced `require` again from its filters: the rule's go on a line of their own.
  assert.ok(
    out.startsWith(
      fence +
        'require ["relational", "date", "vacation"];\r\n# rule:[Out of office]\r\nif allof (currentdate :value "ge" "date" "2024-07-01", ',
    ),
    out,
  );
  assert.equal(readVacation(out)?.ruleRef, 0);
  compiles(out);
  assert.deepEqual(
    nextcloudReader(out).map((r) => r.name),
    ['Work', 'Paused', 'Reports'],
  );
  // A script with its own `require` after the fenced ones: the entries go there.
  const vac = fixture('nextcloud/vacation.sieve');
  const fwd = writeForward(vac, { enabled: true, addresses: ['a@example.org'], keepCopy: true });
  assert.ok(
    fwd.startsWith(
      vac.slice(0, vac.indexOf('require ["fileinto"];')) +
        'require ["fileinto", "copy"];\r\n# rule:[Forwarding]\r\nif true\r\n{\r\n\tredirect :copy "a@example.org";\r\n}\r\n# rule:[Spam]',
    ),
    fwd,
  );
  compiles(fwd);
});

test('SnappyMail: its vacation filter is edited and switched here; its JSON follows, as SnappyMail reads it', () => {
  const src = fixture('rainloop/snappymail.sieve');
  const v = readVacation(src)!;
  const rule = vacationRule(src);
  const out = writeVacation(src, { ...v, days: 3, subject: 'Gone fishing', reason: 'Back on\nMonday.' });
  assertOnlyInside(src, out, rule.span.start, rule.span.end);
  assert.deepEqual(snappyFilters(out)[2], {
    ...snappyFilters(src)[2],
    ActionValue: 'Back on\nMonday.',
    ActionValueSecond: 'Gone fishing',
    ActionValueThird: '3',
  });
  // The code is SnappyMail's for that JSON (its message as one quoted string), and not diverged.
  assert.match(
    out,
    /\*\/\r\n\r\nvacation :days 3 :addresses \["me@example\.com"\] :subject "Gone fishing" "Back on\nMonday\.";\r\n\r\n\/\* END:FILTER \*\/\r\n$/,
  );
  assert.equal(vacationRule(out).diverged, undefined);
  assert.deepEqual(rainloopReader(out), rainloopReader(src));
  compiles(out);
  // Off in SnappyMail's style, the JSON says so; an edit while off keeps it off; on gives the bytes back.
  const off = writeVacation(src, { ...v, enabled: false });
  assert.match(off, /\/\* @Filter is disabled \r\nvacation :days 7 [^\r\n]*;\r\n\*\//);
  assert.deepEqual(rainloopReader(off)[2], { name: 'Away', id: 'h7d1s9j3f5g0', enabled: false });
  const offEdited = writeVacation(off, { ...v, enabled: false, days: 2 });
  assert.deepEqual(rainloopReader(offEdited)[2]!.enabled, false);
  assert.equal(snappyFilters(offEdited)[2]!['ActionValueThird'], '2');
  assert.equal(vacationRule(offEdited).diverged, undefined);
  assert.equal(writeVacation(off, v), src);
  for (const s of [off, offEdited]) compiles(s);
});

test('SnappyMail: settings its filter cannot hold are refused; a new one without dates is its filter', () => {
  const src = fixture('rainloop/snappymail.sieve');
  const v = readVacation(src)!;
  const problems = (s: Partial<VacationInput>): string[] =>
    checkVacation({ ...v, ...s }, v).map((p) => `${p.field}: ${p.message}`);
  assert.deepEqual(problems({}), []);
  assert.deepEqual(problems({ start: '2024-07-01' }), [
    "start: SnappyMail's vacation filter has no dates: leave the first and last day empty.",
  ]);
  assert.deepEqual(problems({ days: undefined }), [
    'days: SnappyMail always writes a period: give it in days.',
  ]);
  assert.deepEqual(problems({ from: 'me@example.com' }), [
    "from: SnappyMail's vacation filter has no From address: leave it empty.",
  ]);
  assert.deepEqual(problems({ subject: 'Two  spaces' }), [
    'subject: SnappyMail writes the subject on one line, trimmed, with single spaces: remove the others.',
  ]);
  assert.deepEqual(problems({ reason: 'Trailing line break\n' }), [
    'reason: SnappyMail trims the message: remove the spaces and line breaks at its start and end.',
  ]);
  assert.throws(() => writeVacation(src, { ...v, end: '2024-07-14' }), /has no dates/);
  // A script of SnappyMail's without a vacation filter gets one, first, after SnappyMail's header.
  const without = src.slice(0, src.indexOf('/*\r\nBEGIN:FILTER:h7d1s9j3f5g0')).replace(/\r\n$/, '');
  const added = writeVacation(without, undated(away));
  assert.equal(snappyFilters(added)[0]!['ActionType'], 'Vacation');
  assert.deepEqual(
    rainloopReader(added).map((r) => r.name),
    ['Out of office', 'Shop mail', 'Blocked'],
  );
  assert.ok(added.includes('# RAINLOOP:SIEVE\r\n\r\n/*\r\nBEGIN:FILTER:'), added);
  assert.ok(added.includes('/* END:FILTER */\r\n\r\n/*\r\nBEGIN:FILTER:m3k8q2x9p1a7'), added);
  assert.deepEqual(vacation(added), undated(away));
  assert.equal(vacationRule(added).diverged, undefined);
  compiles(added);
});

test('SnappyMail: a forward is its filter, to one address, its copy kept by "fileinto INBOX"', () => {
  const src = fixture('rainloop/snappymail.sieve');
  const out = writeForward(src, { enabled: true, addresses: ['a@example.org'], keepCopy: false });
  assert.deepEqual(
    snappyFilters(out).map((f) => [f['Name'], f['ActionType'], f['ActionValue'], f['Keep']]),
    [
      ['Forwarding', 'Forward', 'a@example.org', false],
      ['Shop mail', 'MoveTo', 'Shopping', false],
      ['Blocked', 'Discard', '', false],
      ['Away', 'Vacation', 'I am away until Monday.', false],
    ],
  );
  const f = readForward(out)!;
  assert.deepEqual([f.editable, f.product], [true, 'rainloop']);
  compiles(out);
  const moved = writeForward(out, { ...f, addresses: ['b@example.org'] });
  assert.equal(snappyFilters(moved)[0]!['ActionValue'], 'b@example.org');
  assert.match(moved, /\*\/\r\n\r\nredirect "b@example\.org";\r\n\r\n\/\* END:FILTER \*\//);
  assert.equal(readForward(moved)?.editable, true);
  // Keeping a copy is SnappyMail's Keep: `fileinto "INBOX";` before the redirect.
  const kept = writeForward(out, { ...f, keepCopy: true });
  assert.equal(snappyFilters(kept)[0]!['Keep'], true);
  assert.match(
    kept,
    /\*\/\r\n\r\nfileinto "INBOX";\r\nredirect "a@example\.org";\r\n\r\n\/\* END:FILTER \*\//,
  );
  assert.deepEqual(forward(kept), { enabled: true, addresses: ['a@example.org'], keepCopy: true });
  // Two bare actions, as SnappyMail's JSON writes them: editable here, not diverged.
  const k = readForward(kept)!;
  assert.deepEqual([k.editable, k.switchable, k.reasonNotEditable], [true, true, undefined]);
  assert.equal(allRules(readRules(kept).items)[0]!.diverged, undefined);
  const other = writeForward(kept, { ...k, addresses: ['c@example.org'] });
  assert.deepEqual(forward(other), { enabled: true, addresses: ['c@example.org'], keepCopy: true });
  assert.equal(writeForward(kept, { ...k, keepCopy: false }), out);
  assert.equal(writeForward(writeForward(kept, { ...k, enabled: false }), k), kept);
  compiles(kept);
  // Two addresses: refused with the reason, in the form's check too.
  assert.deepEqual(
    checkForward({ ...f, addresses: ['a@example.org', 'b@example.org'] }, f).map((p) => p.message),
    ['A SnappyMail filter forwards to one address.'],
  );
  assert.throws(
    () => writeForward(out, { ...f, addresses: ['a@example.org', 'b@example.org'] }),
    /forwards to one address/,
  );
});

test('a script without require keeps the names of its rules when a vacation rule is added', () => {
  const src = '# rule:[Lists]\nif header :contains "list-id" "x" { keep; }\n';
  const out = writeVacation(src, away);
  assert.deepEqual(
    allRules(readRules(out).items).map((r) => r.name),
    ['Out of office', 'Lists'],
  );
  assert.match(out, /^require \["relational", "date", "vacation"\];\n# rule:\[Out of office\]/);
  compiles(out);
  assert.equal(writeVacation('', away).split('\n')[0], 'require ["relational", "date", "vacation"];');
});

// --- refusals ------------------------------------------------------------------------------------

test('vacation settings are checked with messages that say what to do', () => {
  const bad = (s: Partial<VacationInput>): string[] =>
    checkVacation({ enabled: true, addresses: [], reason: 'x', ...s }).map((p) => `${p.field}: ${p.message}`);
  assert.deepEqual(bad({}), []);
  assert.deepEqual(bad({ days: 0 }), ['days: The period is a whole number of days from 1 to 365.']);
  assert.equal(bad({ days: VACATION_DAYS.max + 1 }).length, 1);
  assert.equal(bad({ days: 2.5 }).length, 1);
  assert.deepEqual(bad({ days: 365 }), []);
  assert.deepEqual(bad({ days: 1, seconds: 60 }), ['days: Give the period in days or in seconds, not both.']);
  assert.deepEqual(bad({ reason: ' \n ' }), [
    'reason: The message is empty: write the text people get back.',
  ]);
  assert.deepEqual(bad({ reason: 'a\0b' }), [
    'reason: The message holds a NUL character, which a Sieve string cannot.',
  ]);
  assert.deepEqual(bad({ start: '2024-02-30' }), [
    'start: The start date "2024-02-30" is not a date written YYYY-MM-DD.',
  ]);
  assert.deepEqual(bad({ end: '1.5.2024' }), [
    'end: The end date "1.5.2024" is not a date written YYYY-MM-DD.',
  ]);
  assert.deepEqual(bad({ start: '2024-05-02', end: '2024-05-01' }), [
    'end: The end date (2024-05-01) is before the start date (2024-05-02).',
  ]);
  assert.deepEqual(bad({ start: '2024-05-01', end: '2024-05-01' }), []);
  assert.deepEqual(bad({ from: 'Me <me@example.org>' }), []);
  assert.deepEqual(bad({ from: '"Doe, Jane" <jane@example.org>' }), []);
  assert.deepEqual(bad({ from: 'me' }), [
    'from: The From address needs an "@" and a domain, as name@example.org.',
  ]);
  assert.deepEqual(bad({ addresses: ['a@example.org, b@example.org'] }), [
    'addresses: Address 1 ("a@example.org, b@example.org") holds a comma: one address per entry.',
  ]);
  assert.deepEqual(bad({ addresses: ['a@example.org\nBcc: x@example.org'] }), [
    'addresses: Address 1 ("a@example.org\nBcc: x@example.org") holds a line break.',
  ]);
  // writeVacation refuses with every message, and writes nothing.
  assert.throws(
    () => writeVacation('', { enabled: true, addresses: [], reason: '', days: 0 }),
    (e: unknown) =>
      e instanceof RuleEditError &&
      /period is a whole number/.test(e.message) &&
      /message is empty/.test(e.message),
  );
});

test('what the script holds already is kept, never refused; only changed fields are checked', () => {
  const src = 'require "vacation";\nif true { vacation :days 0 :from "odd" "x"; }\n';
  const v = readVacation(src)!;
  assert.equal(v.days, 0);
  assert.deepEqual(checkVacation(v, v), []);
  const out = writeVacation(src, { ...v, subject: 'New' });
  assert.match(out, /vacation :days 0 :subject "New" :from "odd" "x";/);
  assert.throws(() => writeVacation(src, { ...v, days: 0.5 }), /whole number of days/);
});

// --- forwarding ----------------------------------------------------------------------------------

test('forwarding: added first, with :copy for a kept copy, read back, switched, edited', () => {
  const src = fixture('roundcube/managesieve.sieve');
  // "Forward to phone" forwards URGENT mail only: a filter, not the forwarding rule.
  assert.equal(readForward(src), null);
  const s: ForwardInput = {
    enabled: true,
    addresses: ['a@example.org', 'b.c+d@example.net'],
    keepCopy: true,
  };
  const out = writeForward(src, s);
  assert.deepEqual(forward(out), s);
  assert.ok(
    out.startsWith(
      'require ["fileinto","vacation","copy"];\n# rule:[Forwarding]\nif true\n{\n\tredirect :copy "a@example.org";\n\tredirect :copy "b.c+d@example.net";\n}\n# rule:[Newsletters]',
    ),
    out,
  );
  assertAddedOnly(src, out);
  compiles(out);
  const f = readForward(out)!;
  assert.match(f.warnings[0] ?? '', /1 other rule forwards some messages only/);
  // No copy: plain redirects; an address that stays keeps its spelling.
  const moved = writeForward(out, { enabled: true, addresses: ['b.c+d@example.net'], keepCopy: false });
  assert.ok(moved.includes('if true\n{\n\tredirect "b.c+d@example.net";\n}\n'), moved);
  assertOnlyInside(out, moved, itemSpan(out, 0).start, itemSpan(out, 0).end);
  const off = writeForward(moved, { enabled: false, addresses: ['b.c+d@example.net'], keepCopy: false });
  assert.ok(off.includes('if false # true\n'), off);
  assert.deepEqual(forward(off), { enabled: false, addresses: ['b.c+d@example.net'], keepCopy: false });
  assert.equal(writeForward(off, forward(moved)!), moved);
  for (const x of [moved, off]) compiles(x);
  // `require "copy"` is added when a copy is first kept.
  const plain = writeForward('', { enabled: true, addresses: ['x@example.org'], keepCopy: false });
  assert.ok(!required(plain).includes('copy'));
  assert.ok(
    required(writeForward(plain, { enabled: true, addresses: ['x@example.org'], keepCopy: true })).includes(
      'copy',
    ),
  );
});

test("forwarding: a rule's own keep, other actions and a declared forward with a condition stay", () => {
  const keepStyle = 'if true {\n    redirect "a@example.org";\n    keep;\n    stop;\n}\n';
  const f = readForward(keepStyle)!;
  assert.deepEqual(forward(keepStyle), { enabled: true, addresses: ['a@example.org'], keepCopy: true });
  assert.equal(f.name, null);
  const two = writeForward(keepStyle, { ...f, addresses: ['a@example.org', 'b@example.org'] });
  assert.equal(
    two,
    'if true {\n    redirect "a@example.org";\n    redirect "b@example.org";\n    keep;\n    stop;\n}\n',
  );
  const noCopy = writeForward(two, { ...f, addresses: ['a@example.org'], keepCopy: false });
  assert.equal(noCopy, 'if true {\n    redirect "a@example.org";\n    stop;\n}\n');
  const ox =
    '## Flag: autoforward|UniqueId:4|Rulename: Autoforward\nif header :contains "to" "me@example.org"\n{\n    redirect :copy "x@example.org" ;\n}\n';
  const o = readForward(ox)!;
  assert.equal(o.name, 'Autoforward');
  assert.equal(o.otherConditions, 'header :contains "to" "me@example.org"');
  const oxOut = writeForward(ox, { ...o, addresses: ['y@example.org'] });
  assert.ok(
    oxOut.startsWith(
      'require ["copy"];\n## Flag: autoforward|UniqueId:4|Rulename: Autoforward\nif header :contains "to" "me@example.org"\n{\n    redirect :copy "y@example.org";\n}',
    ),
    oxOut,
  );
  compiles(oxOut);
});

test('forwarding addresses are checked: one addr-spec each, no line breaks, commas or names', () => {
  const msgs = (addresses: string[]): string[] =>
    checkForward({ enabled: true, addresses, keepCopy: false }).map((p) => p.message);
  assert.deepEqual(msgs(['a@example.org', '"john doe"@example.org', 'x@[192.0.2.1]']), []);
  assert.deepEqual(msgs([]), ['Give at least one address to forward to.']);
  assert.deepEqual(msgs(['a@example.org, b@example.org']), [
    'Address 1 ("a@example.org, b@example.org") holds a comma: one address per entry.',
  ]);
  assert.deepEqual(msgs(['a@example.org\r\nBcc: b@example.org']), [
    'Address 1 ("a@example.org\r\nBcc: b@example.org") holds a line break.',
  ]);
  assert.deepEqual(msgs(['Jane <jane@example.org>']), [
    'Address 1 ("Jane <jane@example.org>") needs the address alone, as name@example.org (no name, no < >).',
  ]);
  assert.deepEqual(msgs(['jane']), ['Address 1 ("jane") needs an "@" and a domain, as name@example.org.']);
  assert.deepEqual(msgs([' a@example.org']), ['Address 1 (" a@example.org") starts or ends with a space.']);
  assert.deepEqual(msgs(['a..b@example.org']), [
    'Address 1 ("a..b@example.org") has an invalid part before the "@" ("a..b").',
  ]);
  assert.deepEqual(msgs(['a@example.org', 'A@example.org']), [
    'Address 2 ("A@example.org") is listed twice.',
  ]);
  assert.deepEqual(msgs(['a@x.org', 'b@x.org', 'c@x.org', 'd@x.org', 'e@x.org']), [
    `At most ${MAX_FORWARD_ADDRESSES} addresses: servers refuse more redirects for one message.`,
  ]);
  assert.throws(
    () => writeForward('', { enabled: true, addresses: ['nope'], keepCopy: false }),
    RuleEditError,
  );
});

test("the screens' limits are the engine's", () => {
  assert.equal(MAX_FORWARD_ADDRESSES, DEFAULT_LIMITS.maxRedirects);
  assert.deepEqual(VACATION_DAYS, { min: 1, max: 365 });
});
