// Edits, dialect detection and bad input, one behaviour each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  addAction,
  addCondition,
  addRule,
  allRules,
  detect,
  moveRule,
  parseSyntax,
  readRules,
  removeAction,
  rename,
  RuleEditError,
  setEnabled,
  setPurpose,
} from '../../../src/rules/index.js';
import { compile } from '../../../src/sieve/index.js';
import { rainloopReader } from './corpus.js';

const fixture = (name: string): string => readFileSync(`test/fixtures/rules/${name}`, 'utf8');

test('detection returns each convention with the lines that show it, several in one script', () => {
  const ev = detect(parseSyntax(fixture('none/mixed.sieve')));
  assert.deepEqual(
    ev.map((e) => [e.dialect, e.line]),
    [
      ['roundcube', 2],
      ['open-xchange', 7],
      ['critical-path', 12],
    ],
  );
  const doc = readRules(fixture('none/mixed.sieve'));
  assert.deepEqual(
    allRules(doc.items).map((r) => [r.name, r.dialect]),
    [
      ['From Roundcube', 'roundcube'],
      ['From OX', 'open-xchange'],
      ['From CP', 'critical-path'],
    ],
  );
  assert.equal(readRules('if true { keep; }').dialect, 'roundcube');
});

test('reorder moves a rule with its metadata, and refuses to take a branch out of an if/elsif chain', () => {
  const src = fixture('roundcube/managesieve.sieve');
  const moved = moveRule(src, 'Out of office', 'Newsletters');
  assert.deepEqual(
    allRules(readRules(moved).items).map((r) => r.name),
    ['Out of office', 'Newsletters', 'Forward to phone', 'Old filter'],
  );
  assert.equal(moved.length, src.length);
  assert.equal(moveRule(moved, 'Out of office', null), src);
  const chain = 'if header :is "a" "1" { keep; }\nelsif header :is "a" "2" { discard; }\nif true { stop; }\n';
  assert.throws(
    () => moveRule(chain, 1, null),
    (e: unknown) => e instanceof RuleEditError && /elsif.*chain at line 1/.test(e.message),
  );
  assert.throws(() => moveRule(chain, 2, 1), /chain/);
  assert.equal(
    moveRule(chain, 2, 0),
    'if true { stop; }\nif header :is "a" "1" { keep; }\nelsif header :is "a" "2" { discard; }\n',
  );
});

test("a new rule is written in the script's convention and require gains what it needs", () => {
  const src = fixture('open-xchange/mailfilter.sieve');
  const out = addRule(src, {
    name: 'Archive',
    condition: {
      type: 'header',
      match: 'contains',
      headers: [{ value: 'subject' }],
      keys: [{ value: 'report' }],
    },
    actions: [{ type: 'fileinto', mailbox: { value: 'Reports' }, copy: true }],
  });
  assert.ok(out.startsWith(src.replace('"vacation" ]', '"vacation" , "copy" ]')), out);
  assert.match(
    out,
    /## Flag: \|UniqueId:3\|Rulename: Archive\nif header :contains "subject" "report" \{\n {4}fileinto :copy "Reports";\n\}\n$/,
  );
  assert.ok(compile(out).program);
  const fresh = addRule('', { name: 'x', condition: null, actions: [{ type: 'discard' }], enabled: false });
  assert.equal(fresh, '# rule:[x]\nif false # true\n{\n\tdiscard;\n}\n');
});

test('disabling never writes `if false #` around a text: string, nor a bracket comment', () => {
  const src =
    'require "vacation";\n# rule:[Away]\nif header :contains "subject" text:\nabc\n.\n\n{\n\tvacation "x";\n}\n';
  const off = setEnabled(src, 'Away', false);
  assert.match(off, /^if allof \(false, header :contains "subject" text:\nabc\n\.\n\)/m);
  assert.ok(compile(off).program);
  assert.equal(setEnabled(off, 'Away', true), src);
  const plain = setEnabled('if header :is "a" "b" { keep; }\n', 0, false);
  assert.equal(plain, 'if allof (false, header :is "a" "b") { keep; }\n');
  assert.doesNotMatch(plain, /\/\*/);
});

test('Open-Xchange rules switch off with #<!--> on every line and back', () => {
  const src = fixture('open-xchange/mailfilter.sieve');
  const off = setEnabled(src, 'Boss', false);
  assert.match(
    off,
    /## Flag: \|UniqueId:0\|Rulename: Boss\n#<!-->if header :contains "from" "boss@example.com"\n#<!-->\{\n#<!--> {4}fileinto "INBOX\/Boss" ;\n#<!-->\}\n/,
  );
  assert.equal(setEnabled(off, 'Boss', true), src);
  assert.match(
    setEnabled(src, 'Old newsletters', true),
    /Rulename: Old newsletters\nif header :contains "subject" "newsletter"\n\{\n {4}discard ;\n\}\n/,
  );
});

test('RainLoop: the JSON is the truth; a rule whose code disagrees is diverged and never rewritten', () => {
  const src = fixture('rainloop/diverged.sieve');
  const [rule] = allRules(readRules(src).items);
  assert.equal(rule!.diverged, 'the JSON moves to "Receipts" but the code to "Archive"');
  const renamed = rename(src, 'Receipts', 'Bills');
  assert.deepEqual(rainloopReader(renamed), [{ name: 'Bills', id: 'z9', enabled: true }]);
  assert.ok(renamed.includes('fileinto "Archive";'));
  assert.equal(allRules(readRules(renamed).items)[0]!.diverged, rule!.diverged);
  const off = setEnabled(fixture('rainloop/snappymail.sieve'), 'Shop mail', false);
  assert.deepEqual(rainloopReader(off)[0], { name: 'Shop mail', id: 'a1b2c3', enabled: false });
  assert.equal(allRules(readRules(off).items)[0]!.diverged, undefined);
});

test('names with ], |, */ and non-ASCII are kept; a line break in a name is refused with the reason', () => {
  const src = fixture('roundcube/crlf-names.sieve');
  assert.deepEqual(
    allRules(readRules(src).items).map((r) => r.name),
    ['Bills [paid]', 'a|b */ c', 'Grüße'],
  );
  const ox = rename(fixture('open-xchange/mailfilter.sieve'), 'Boss', 'a|b]c */');
  assert.equal(allRules(readRules(ox).items)[0]!.name, 'a|b]c */');
  const lineBreak = (convention: string) => (e: unknown) =>
    e instanceof RuleEditError && new RegExp(`cannot hold a line break in the ${convention}`).test(e.message);
  assert.throws(() => rename(src, 'Grüße', 'two\nlines'), lineBreak('Roundcube'));
  // Names written by a convention's metadata lines (a rule that had none, a new rule) too.
  assert.throws(() => rename('if true { keep; }\n', 0, 'two\rlines'), lineBreak('Roundcube'));
  assert.throws(
    () =>
      addRule('', { name: 'a\nb', condition: null, actions: [{ type: 'keep' }] }, { dialect: 'rule-block' }),
    lineBreak('rule block'),
  );
});

test('Zimbra disabled_if is read as off with a warning; switching it on writes a standard if', () => {
  const src = fixture('zimbra/zimbra.sieve');
  const old = allRules(readRules(src).items)[1]!;
  assert.equal(old.enabled, false);
  assert.equal(old.disabledBy, 'disabled_if');
  assert.match(old.warnings?.[0] ?? '', /other servers reject/);
  assert.match(
    setEnabled(src, 'Old rule', true),
    /\nif anyof \(header :contains \["from"\] "old@example.com"\)/,
  );
});

test("conditions and actions: add and remove, keeping the rule's layout and string spellings", () => {
  const src = fixture('roundcube/managesieve.sieve');
  const more = addCondition(src, 'Forward to phone', { type: 'size', over: false, limit: '1M' });
  assert.match(
    more,
    /# rule:\[Forward to phone\]\nif allof \(header :contains "subject" "URGENT", size :under 1M\)\n\{\n\tredirect :copy "phone@example.net";\n\}/,
  );
  const fewer = removeAction(src, 'Newsletters', 1);
  assert.match(fewer, /\{\n\tfileinto "INBOX.Newsletters";\n\}\n# rule:\[Forward/);
  const flagged = addAction(src, 'Newsletters', { type: 'addflag', flags: [{ value: '\\Seen' }] }, 0);
  assert.match(flagged, /\{\n\taddflag "\\\\Seen";\n\tfileinto/);
  assert.match(flagged, /^require \["fileinto","vacation","copy","imap4flags"\];/);
  assert.ok(compile(flagged).program);
  assert.throws(
    () => addAction(fixture('none/hand-written.sieve'), 3, { type: 'stop' }),
    /raw \(variables\)/,
  );
});

test('purpose is written where the convention has a place for it', () => {
  const ox = setPurpose(fixture('open-xchange/mailfilter.sieve'), 'Boss', 'forward');
  assert.match(ox, /## Flag: autoforward\|UniqueId:0\|Rulename: Boss/);
  assert.equal(allRules(readRules(ox).items)[0]!.purpose, 'forward');
  const rb = setPurpose(fixture('rule-block/draft.sieve'), 'Spam', 'filter');
  assert.match(rb, /#RULE: \$Name="Spam" \$Type="filter" \$Version=1 \$Lz=1 \$Order=1 \$X-Vendor=abc/);
  assert.throws(
    () => setPurpose(fixture('roundcube/managesieve.sieve'), 'Newsletters', 'spam'),
    /first action/,
  );
});

test('rule blocks keep every $Key=Value, unknown keys included', () => {
  const src = fixture('rule-block/draft.sieve');
  const out = rename(src, 'Spam', 'Junk "mail"');
  assert.match(
    out,
    /#RULE: \$Name="Junk \\"mail\\"" \$Type="spam" \$Version=1 \$Lz=1 \$Order=1 \$X-Vendor=abc\n/,
  );
  assert.deepEqual(allRules(readRules(out).items)[0]!.metadata?.fields, {
    $Name: '"Junk \\"mail\\""',
    $Type: '"spam"',
    $Version: '1',
    $Lz: '1',
    $Order: '1',
    '$X-Vendor': 'abc',
  });
});

test('regions of products keep their rules in place: Nextcloud, ISPConfig, Fastmail', () => {
  const nc = readRules(fixture('nextcloud/mail.sieve'));
  const region = nc.items.find((i) => i.kind === 'region');
  assert.ok(region && region.kind === 'region');
  assert.deepEqual(
    allRules(region.items).map((r) => [r.name, r.enabled]),
    [
      ['Work', true],
      ['Paused', false],
    ],
  );
  const isp = readRules(fixture('ispconfig/mailuser.sieve'));
  assert.deepEqual(
    isp.items.filter((i) => i.kind === 'region').map((i) => (i as { label: string }).label),
    ['ISPConfig filter 3', 'ISPConfig filter 7'],
  );
  const fm = readRules(fixture('fastmail/fastmail.sieve'));
  assert.deepEqual(
    fm.items
      .filter((i) => i.kind === 'region')
      .map((i) => [(i as { label: string }).label, (i as { editable: boolean }).editable]),
    [
      ['Fastmail: 1. Sieve generated for blocked senders', false],
      ['Fastmail: 2. Sieve generated for organise rules', false],
      ['Lists', true],
    ],
  );
});
