// The seven promises of the rules layer (../shared/specs/rules.md), over the corpus.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addRule,
  allRules,
  convert,
  parseSyntax,
  print,
  readRules,
  rename,
  setEnabled,
  updateRule,
  WRITABLE_DIALECTS,
  type Item,
  type Rule,
} from '../../../src/rules/index.js';
import { compile } from '../../../src/sieve/index.js';
import {
  bigScript,
  converted,
  editableNamed,
  fixtures,
  NEW_RULES,
  VENDOR_READERS,
  writtenScripts,
  type VendorRule,
} from './corpus.js';

const corpus = fixtures();
const compiles = (s: string): boolean => compile(s).program !== null;

/**
 * Where an edit of a rule may change bytes: the rule's span, and for a Nextcloud rule also its
 * region's JSON line above it (one line holds every filter).
 */
function editRange(source: string, rule: Rule): [number, number] {
  if (rule.dialect !== 'nextcloud') return [rule.span.start, rule.span.end];
  const json = Math.max(
    source.lastIndexOf('\n# FILTER: ', rule.span.start),
    source.lastIndexOf('\n# DATA: ', rule.span.start),
  );
  return [json + 1, rule.span.end];
}

/** `after` differs from `before` only inside [start, end) of `before` (and in the require line). */
function assertOnlyInside(before: string, after: string, start: number, end: number, label: string): void {
  const strip = (s: string): string => s.replace(/^require [^;]*;/m, 'require;');
  const b = strip(before);
  const a = strip(after);
  const shift = before.length - b.length;
  const s = Math.max(0, start - shift);
  const e = Math.max(0, end - shift);
  assert.ok(a.startsWith(b.slice(0, s)), `${label}: bytes before the rule changed`);
  assert.ok(a.endsWith(b.slice(e)), `${label}: bytes after the rule changed`);
}

test('the corpus has both line endings, every dialect folder and scripts in no convention', () => {
  assert.ok(corpus.some((f) => f.source.includes('\r\n')));
  assert.ok(corpus.some((f) => /[^\r]\n/.test(f.source)));
  const dirs = new Set(corpus.map((f) => f.name.split('/')[0]));
  for (const d of [
    'roundcube',
    'rule-block',
    'open-xchange',
    'rainloop',
    'nextcloud',
    'ingo',
    'ispconfig',
    'fastmail',
    'critical-path',
    'tine',
    'zimbra',
    'none',
  ]) {
    assert.ok(dirs.has(d), d);
  }
});

test('1. identity: printing the tree gives the bytes, for every fixture and every prefix of it', () => {
  for (const f of corpus) {
    assert.equal(print(parseSyntax(f.source)), f.source, f.name);
    for (let i = 0; i < f.source.length; i += 7) {
      const cut = f.source.slice(0, i);
      assert.equal(print(parseSyntax(cut)), cut, `${f.name} cut at ${i}`);
      readRules(cut);
    }
  }
  const odd = [
    '\uFEFFkeep;',
    'keep;\r',
    'if true { keep; } /* open',
    '"unterminated',
    'text:\n.\n',
    '#',
    'x\u0000y',
    'keep;\r\r\n',
  ];
  for (const s of odd) assert.equal(print(parseSyntax(s)), s, JSON.stringify(s));
});

test('1. identity on a 1 MB script, and an edit there touches only its rule', () => {
  const big = bigScript();
  assert.ok(big.length >= 1_000_000);
  assert.equal(print(parseSyntax(big)), big);
  const doc = readRules(big);
  const rules = allRules(doc.items);
  assert.ok(rules.length > 10_000);
  const last = rules[rules.length - 1]!;
  const off = setEnabled(big, rules.length - 1, false);
  assertOnlyInside(big, off, last.span.start, last.span.end, 'big');
  assert.match(off.slice(last.span.start), /^# rule:\[Rule \d+\]\r\nif false # header/);
});

test('syntax errors: the unparsable tail is one raw block, shown in its place', () => {
  const f = corpus.find((x) => x.name === 'none/syntax-error.sieve')!;
  const doc = readRules(f.source);
  const raw = doc.items.filter((i) => i.kind === 'raw');
  assert.equal(raw.length, 1);
  assert.match((raw[0] as { reason: string }).reason, /line 9, column 1: expected ";"/);
  assert.equal(f.source.slice(raw[0]!.span.start), (raw[0] as { text: string }).text);
  assert.equal(allRules(doc.items)[0]!.name, 'Good');
});

test('2. edit isolation: renaming or switching a rule changes only its bytes', () => {
  let checked = 0;
  for (const f of corpus) {
    for (const { rule: r, ref, switchable } of editableNamed(f.source)) {
      const [start, end] = editRange(f.source, r);
      assertOnlyInside(f.source, rename(f.source, ref, 'New name'), start, end, `${f.name} rename ${r.name}`);
      if (switchable)
        assertOnlyInside(
          f.source,
          setEnabled(f.source, ref, !r.enabled),
          start,
          end,
          `${f.name} switch ${r.name}`,
        );
      checked++;
    }
  }
  assert.ok(checked >= 25, `${checked} rules`);
});

test('2. edit isolation: a rule added in any writable convention leaves the rest of the script as it was', () => {
  const flat = (t: string): string =>
    t
      .replace(/^require [^;]*;/m, 'require;')
      .replace(/\s+/g, ' ')
      .trim();
  for (const f of corpus.filter((x) => !x.name.includes('syntax-error'))) {
    for (const [to, rule] of NEW_RULES) {
      const out = addRule(f.source, rule, { dialect: to });
      const added = allRules(readRules(out).items).find((r) => r.name === rule.name);
      assert.ok(added, `${f.name} + ${to}: the new rule reads back`);
      assert.equal(added.dialect, to, `${f.name} + ${to}`);
      assert.equal(added.diverged, undefined, `${f.name} + ${to}`);
      // Without the new rule (and the header or JSON entry its convention adds), the script is back.
      let rest = out.slice(0, added.span.start) + out.slice(added.span.end);
      let orig = f.source;
      if (to === 'rainloop' && !orig.includes('RAINLOOP:SIEVE'))
        rest = rest.replace(/# This is SnappyMail sieve script\.\r?\n.*\r?\n# RAINLOOP:SIEVE\r?\n/, '');
      if (to === 'nextcloud') {
        const json = (t: string): string => t.replace(/^# FILTER: .*$/m, '# FILTER:');
        rest = json(rest);
        orig = json(orig);
        if (!/^# FILTER: /m.test(f.source))
          rest = rest.replace(
            /### Nextcloud Mail: Filters ### DON'T EDIT ###\r?\n# FILTER:\r?\n### Nextcloud Mail: Filters ### DON'T EDIT ###\r?\n$/,
            '',
          );
      }
      assert.equal(flat(rest), flat(orig), `${f.name} + ${to}`);
    }
  }
});

test('3. idempotence: writing what we wrote changes nothing; off then on restores the bytes', () => {
  for (const f of corpus) {
    for (const { rule: r, ref, switchable } of editableNamed(f.source)) {
      const renamed = rename(f.source, ref, 'Same');
      assert.equal(rename(renamed, ref, 'Same'), renamed, `${f.name} rename twice`);
      if (!switchable) continue;
      const flipped = setEnabled(f.source, ref, !r.enabled);
      assert.equal(setEnabled(flipped, ref, !r.enabled), flipped, `${f.name} switch twice`);
      if (r.disabledBy !== 'false') {
        assert.equal(setEnabled(flipped, ref, r.enabled), f.source, `${f.name} switch back ${r.name}`);
      }
      if (r.editable && r.disabledBy !== 'ox-comment') {
        const same = updateRule(f.source, ref, { condition: r.condition, actions: r.actions });
        assert.deepEqual(
          strip(allRules(readRules(same).items)[ref]!),
          strip(r),
          `${f.name} rewrite of ${r.name} reads back the same`,
        );
      }
    }
    if (!f.name.includes('syntax-error')) {
      for (const to of WRITABLE_DIALECTS) {
        const once = convert(f.source, to, { date: 'x' });
        assert.equal(convert(once, to, { date: 'x' }), once, `${f.name} convert to ${to} twice`);
      }
    }
    for (const [to, rule] of f.name.includes('syntax-error') ? [] : NEW_RULES) {
      const out = addRule(f.source, rule, { dialect: to });
      const again = allRules(readRules(out).items).findIndex((r) => r.name === rule.name);
      assert.equal(rename(out, again, rule.name), out, `${f.name}: a new ${to} rule renamed to its name`);
      assert.equal(setEnabled(out, again, true), out, `${f.name}: a new ${to} rule switched on`);
    }
  }
});

function strip(r: { condition: unknown; actions: unknown; enabled: boolean; name: string | null }): unknown {
  return JSON.parse(JSON.stringify({ c: r.condition, a: r.actions, e: r.enabled, n: r.name }));
}

test('4. validity: every script the tests write compiles with sievert when its input did', () => {
  const ok = new Set(corpus.filter((f) => compiles(f.source)).map((f) => f.name));
  let checked = 0;
  for (const w of writtenScripts()) {
    if (!ok.has(w.from)) continue;
    const r = compile(w.script);
    assert.ok(r.program, `${w.label}:\n${JSON.stringify(r.diagnostics)}\n${w.script}`);
    checked++;
  }
  assert.ok(checked > 100, `${checked} scripts checked`);
});

test('5. vendor re-read: each product reads our output with the same names, ids and states', () => {
  let reread = 0;
  for (const f of corpus) {
    const doc = readRules(f.source);
    for (const { rule: r, ref, switchable } of editableNamed(f.source)) {
      const reader = VENDOR_READERS[r.dialect];
      if (!reader) continue;
      const before = reader(f.source);
      const at = before.findIndex((v) => v.name === r.name);
      assert.ok(at >= 0, `${f.name}: the ${r.dialect} reader finds ${r.name}`);
      assert.equal(before[at]!.enabled, r.enabled, `${f.name}: ${r.name} state as the product reads it`);
      if (before[at]!.id !== undefined)
        assert.equal(before[at]!.id, r.ids[r.dialect], `${f.name}: ${r.name} id as the product reads it`);
      const renamed = reader(rename(f.source, ref, 'Fresh name'));
      assert.deepEqual(renamed[at], { ...before[at]!, name: 'Fresh name' }, `${f.name}: rename ${r.name}`);
      if (switchable) {
        const flipped = reader(setEnabled(f.source, ref, !r.enabled));
        assert.deepEqual(flipped[at], { ...before[at]!, enabled: !r.enabled }, `${f.name}: switch ${r.name}`);
      }
      reread++;
    }
    if (f.name.includes('syntax-error')) continue;
    for (const [to, rule] of NEW_RULES) {
      const got = VENDOR_READERS[to]!(addRule(f.source, rule, { dialect: to }));
      assert.ok(
        got.some((v) => v.name === rule.name && v.enabled),
        `${f.name}: the ${to} reader finds the rule added in its convention`,
      );
    }
    const named = doc.items
      .flatMap((i) => (i.kind === 'rule' ? [i] : i.kind === 'chain' ? [i.branches[0]!] : []))
      .filter((r) => r.name !== null);
    for (const to of WRITABLE_DIALECTS) {
      const reader = VENDOR_READERS[to]!;
      const { script, kept } = converted(f.source, to);
      // Rules already in the target's product regions are not top-level rules: only the names of
      // these are compared (Ingo's `# NAME` line is any comment above a command, too).
      const names = new Set(named.map((r) => r.name));
      const got = reader(script).filter((v) => names.has(v.name));
      assert.deepEqual(
        got.map((v: VendorRule) => [v.name, v.enabled]),
        named.filter((r) => !kept.some((k) => k.span.start === r.span.start)).map((r) => [r.name, r.enabled]),
        `${f.name} converted to ${to}`,
      );
      // Rules the target cannot hold stay, readable as before.
      const after = allRules(readRules(script).items);
      for (const r of kept)
        assert.ok(
          after.some((x) => x.name === r.name && x.enabled === r.enabled),
          `${f.name} → ${to}: ${r.name} kept`,
        );
    }
  }
  assert.ok(reread >= 20, `${reread} rules re-read`);
});

test('6. nothing hidden: items cover the script in order; raw and comments keep their text', () => {
  for (const f of corpus) {
    const doc = readRules(f.source);
    let last = 0;
    const visit = (items: readonly Item[]): void => {
      for (const i of items) {
        assert.ok(
          i.span.start >= last || i.kind === 'rule',
          `${f.name}: item at line ${i.span.startLine} out of order`,
        );
        if (i.kind === 'raw' || i.kind === 'comment')
          assert.equal(f.source.slice(i.span.start, i.span.end), i.text);
        if (i.kind !== 'region' && i.kind !== 'chain') last = Math.max(last, i.span.end);
        if (i.kind === 'region') visit(i.items);
      }
    };
    visit(doc.items);
    // Every non-blank line is inside some item.
    const covered = new Uint8Array(f.source.length);
    const mark = (items: readonly Item[]): void => {
      for (const i of items) {
        covered.fill(1, i.span.start, i.span.end);
        if (i.kind === 'region') mark(i.items);
        if (i.kind === 'chain') mark(i.branches);
      }
    };
    mark(doc.items);
    for (let k = 0; k < f.source.length; k++) {
      if (!covered[k] && !/\s/.test(f.source[k]!))
        assert.fail(`${f.name}: offset ${k} (${JSON.stringify(f.source.slice(k, k + 20))}) is in no item`);
    }
  }
});

test('6. require entries are never dropped by an edit', () => {
  const caps = (s: string): string[] =>
    readRules(s)
      .items.flatMap((i) => (i.kind === 'require' ? i.values : []))
      .sort();
  for (const w of writtenScripts()) {
    const from = corpus.find((f) => f.name === w.from)!;
    for (const c of caps(from.source)) assert.ok(caps(w.script).includes(c), `${w.label} dropped ${c}`);
  }
});

test('7. editable only when model → script → model is stable; raw rules say why', () => {
  const f = corpus.find((x) => x.name === 'none/hand-written.sieve')!;
  const rules = allRules(readRules(f.source).items);
  assert.deepEqual(
    rules.map((r) => [r.editable, r.reason ?? null]),
    [
      [true, null],
      [true, null],
      [true, null],
      [false, 'variables'],
      [false, 'nested if'],
      [true, null],
    ],
  );
  assert.equal(readRules('if header :contains "a" "b" { # note\n keep; }').items[0]!.kind, 'rule');
  const commented = allRules(readRules('if header :contains "a" "b" { # note\n keep; }').items)[0]!;
  assert.equal(commented.reason, 'comments inside the rule');
  const unknown = allRules(
    readRules('require "mime";\nif header :mime :contains "a" "b" { keep; }').items,
  )[0]!;
  assert.match(unknown.reason ?? '', /:mime/);
});
