// Edits, dialect detection and bad input, one behaviour each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  addAction,
  addCondition,
  addRule,
  allRules,
  convert,
  detect,
  ensureRequire,
  moveRule,
  parseSyntax,
  readRules,
  removeAction,
  removeCondition,
  removeRule,
  rename,
  resolveDiverged,
  RuleEditError,
  setEnabled,
  setPurpose,
  updateRule,
  type Chain,
  type Item,
  type Region,
} from '../../../src/rules/index.js';
import { compile } from '../../../src/sieve/index.js';
import {
  editableNamed,
  fastmailReader,
  fixtures,
  ispconfigReader,
  nextcloudReader,
  rainloopReader,
  roundcubeReader,
} from './corpus.js';

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

test('a plain `if false` reads as off with its test gone; switching it on writes `if true`', () => {
  const src = '# rule:[Paused]\nif false {\n\tkeep;\n}\n';
  const [rule] = allRules(readRules(src).items);
  assert.equal(rule?.enabled, false);
  assert.equal(rule?.disabledBy, 'false');
  assert.deepEqual(rule?.condition, { type: 'true' });
  assert.equal(rule?.editable, true);
  assert.equal(setEnabled(src, 'Paused', true), '# rule:[Paused]\nif true {\n\tkeep;\n}\n');
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
  // Renaming touches the JSON's name only: allowed, the rule stays diverged.
  const renamed = rename(src, 'Receipts', 'Bills');
  assert.deepEqual(rainloopReader(renamed), [{ name: 'Bills', id: 'z9', enabled: true }]);
  assert.ok(renamed.includes('fileinto "Archive";'));
  assert.equal(allRules(readRules(renamed).items)[0]!.diverged, rule!.diverged);
  // Anything else would pick a side silently: refused, with what to do.
  const refused = (e: unknown): boolean =>
    e instanceof RuleEditError &&
    /diverged \(the JSON moves to "Receipts"[^)]*\).*resolveDiverged/.test(e.message);
  assert.throws(() => setEnabled(src, 0, false), refused);
  assert.throws(() => addAction(src, 0, { type: 'keep' }), refused);
  // Taking a side: the JSON (SnappyMail writes the code from it) or the code (the JSON follows).
  const json = resolveDiverged(src, 0, 'json');
  assert.match(json, /\{\r\n {4}addflag "\\\\Seen";\r\n {4}fileinto "Receipts";\r\n {4}stop;\r\n\}/);
  assert.equal(allRules(readRules(json).items)[0]!.diverged, undefined);
  const code = resolveDiverged(src, 0, 'code');
  assert.ok(code.includes('fileinto "Archive";'));
  const again = allRules(readRules(code).items)[0]!;
  assert.equal(again.diverged, undefined);
  assert.equal(again.metadata?.fields['ActionValue'], 'Archive');
  // The JSON keeps its own types ("1" for true in RainLoop's older writer).
  assert.equal(again.metadata?.fields['Enabled'], '1');
  const edited = updateRule(
    src,
    0,
    { actions: [{ type: 'fileinto', mailbox: { value: 'Paid' } }] },
    { take: 'code' },
  );
  assert.equal(allRules(readRules(edited).items)[0]!.metadata?.fields['ActionValue'], 'Paid');
  assert.equal(resolveDiverged(json, 0, 'code'), json);
});

/** A SnappyMail filter block as SnappyMail lays it out: its JSON in 74-character base64 lines. */
function snappyBlock(json: Record<string, unknown>, code: string): string {
  const b64 = Buffer.from(JSON.stringify(json))
    .toString('base64')
    .match(/.{1,74}/g)!;
  return [
    '/*',
    `BEGIN:FILTER:${String(json['ID'])}`,
    'BEGIN:HEADER',
    ...b64,
    'END:HEADER',
    '*/',
    code,
    '/* END:FILTER */',
  ]
    .join('\r\n')
    .concat('\r\n');
}

test('RainLoop: a filter without conditions and with several actions reads as its JSON, not diverged', () => {
  const filter = (id: string, name: string, fields: Record<string, unknown>): Record<string, unknown> => ({
    ID: id,
    Enabled: true,
    Name: name,
    Conditions: [],
    ConditionsType: 'Any',
    ActionType: 'MoveTo',
    ActionValue: '',
    ActionValueSecond: '',
    ActionValueThird: '',
    ActionValueFourth: '',
    Keep: false,
    Stop: false,
    MarkAsRead: false,
    ...fields,
  });
  const src = [
    'require ["fileinto"];\r\n',
    '# This is SnappyMail sieve script.',
    "# Please don't change anything here.",
    '# RAINLOOP:SIEVE\r\n',
    // A forward that keeps a copy: SnappyMail's Keep is `fileinto "INBOX";` before the redirect.
    snappyBlock(
      filter('f1', 'Copy to phone', { ActionType: 'Forward', ActionValue: 'phone@example.org', Keep: true }),
      '\r\nfileinto "INBOX";\r\nredirect "phone@example.org";\r\n',
    ),
    // Move, then stop.
    snappyBlock(
      filter('f2', 'Archive all', { ActionValue: 'Archive', Stop: true }),
      '\r\nfileinto "Archive";\r\nstop;\r\n',
    ),
    // Off: SnappyMail's bracket comment around both actions.
    snappyBlock(
      filter('f3', 'Old archive', { Enabled: false, ActionValue: 'Old', Stop: true }),
      '/* @Filter is disabled \r\nfileinto "Old";\r\nstop;\r\n*/',
    ),
    // The JSON forwards to another address than the code: that one is diverged.
    snappyBlock(
      filter('f4', 'Other phone', { ActionType: 'Forward', ActionValue: 'a@example.org', Keep: true }),
      '\r\nfileinto "INBOX";\r\nredirect "b@example.org";\r\n',
    ),
  ].join('\r\n');
  assert.ok(compile(src).program);
  const rules = allRules(readRules(src).items);
  assert.deepEqual(
    rules.map((r) => [r.name, r.enabled, r.editable, r.diverged, r.actions.map((a) => a.type)]),
    [
      ['Copy to phone', true, true, undefined, ['fileinto', 'redirect']],
      ['Archive all', true, true, undefined, ['fileinto', 'stop']],
      ['Old archive', false, true, undefined, ['fileinto', 'stop']],
      [
        'Other phone',
        true,
        true,
        'the JSON forwards to "a@example.org" but the code to "b@example.org"',
        ['fileinto', 'redirect'],
      ],
    ],
  );
  // Not diverged, so edits are not refused; the JSON follows as SnappyMail reads it.
  const off = setEnabled(src, 'Copy to phone', false);
  assert.deepEqual(rainloopReader(off)[0], { name: 'Copy to phone', id: 'f1', enabled: false });
  assert.equal(setEnabled(off, 'Copy to phone', true), src);
  const moved = updateRule(src, 'Archive all', {
    actions: [{ type: 'fileinto', mailbox: { value: 'Archive/2024' } }, { type: 'stop' }],
  });
  assert.equal(allRules(readRules(moved).items)[1]!.metadata?.fields['ActionValue'], 'Archive/2024');
  assert.equal(allRules(readRules(moved).items)[1]!.diverged, undefined);
});

test('RainLoop: switched off as SnappyMail does, in a bracket comment, unless the code holds "*/"', () => {
  const src = fixture('rainloop/snappymail.sieve');
  const off = setEnabled(src, 'Shop mail', false);
  assert.deepEqual(rainloopReader(off)[0], { name: 'Shop mail', id: 'm3k8q2x9p1a7', enabled: false });
  assert.match(
    off,
    /END:HEADER\r\n\*\/\r\n\/\* @Filter is disabled \r\nif header :contains \["From"\] "shop\.example"\r\n\{\r\n {4}fileinto "Shopping";\r\n {4}stop;\r\n\}\r\n\*\/\r\n\/\* END:FILTER \*\/\r\n/,
  );
  assert.equal(allRules(readRules(off).items)[0]!.disabledBy, 'bracket-comment');
  assert.equal(setEnabled(off, 'Shop mail', true), src);
  // A filter without conditions is bare actions; it switches the same way.
  const away = setEnabled(src, 'Away', false);
  assert.match(away, /\/\* @Filter is disabled \r\nvacation :days 7 [^\r\n]*;\r\n\*\//);
  assert.equal(setEnabled(away, 'Away', true), src);
  // Bracket comments do not nest: with "*/" in the code, `allof (false, …)`, and the JSON says off.
  const star = updateRule(src, 'Shop mail', {
    actions: [{ type: 'fileinto', mailbox: { value: 'a */ b' } }, { type: 'stop' }],
  });
  const starOff = setEnabled(star, 'Shop mail', false);
  assert.match(starOff, /if allof \(false, header :contains \["From"\] "shop\.example"\)/);
  assert.deepEqual(rainloopReader(starOff)[0]!.enabled, false);
  assert.ok(compile(starOff).program);
  assert.equal(allRules(readRules(starOff).items)[0]!.diverged, undefined);
});

test('RainLoop: an edit rewrites the JSON to match, and the code is what SnappyMail writes', () => {
  const src = fixture('rainloop/snappymail.sieve');
  const out = updateRule(src, 'Shop mail', {
    condition: {
      type: 'anyof',
      tests: [
        {
          type: 'header',
          match: 'contains',
          headers: [{ value: 'From' }],
          keys: [{ value: 'shop.example' }],
        },
        { type: 'header', match: 'is', headers: [{ value: 'X-Shop' }], keys: [{ value: 'yes' }] },
      ],
    },
  });
  const rule = allRules(readRules(out).items)[0]!;
  assert.equal(rule.diverged, undefined);
  assert.equal(
    rule.metadata?.fields['Conditions'],
    JSON.stringify([
      { Field: 'From', Type: 'Contains', Value: 'shop.example', ValueSecond: '' },
      { Field: 'Header', Type: 'EqualTo', Value: 'yes', ValueSecond: 'X-Shop' },
    ]),
  );
  assert.match(
    out,
    /\r\n\r\nif anyof\(\r\n {4}header :contains \["From"\] "shop\.example",\r\n {4}header :is \["X-Shop"\] "yes"\r\n\)\r\n\{\r\n/,
  );
  // Only that filter's bytes changed.
  const second = src.indexOf('/*\r\nBEGIN:FILTER:c5n0v4r6t2w8');
  assert.ok(out.endsWith(src.slice(second)));
  // A filter that is off stays off, in SnappyMail's style.
  const blocked = updateRule(src, 'Blocked', { actions: [{ type: 'discard' }] });
  const b = allRules(readRules(blocked).items)[1]!;
  assert.deepEqual([b.enabled, b.disabledBy, b.diverged], [false, 'bracket-comment', undefined]);
  assert.match(blocked, /\/\* @Filter is disabled \r\nif anyof\([^]*\{\r\n {4}discard;\r\n\}\r\n\*\//);
  assert.equal(rainloopReader(blocked)[1]!.enabled, false);
  // What SnappyMail's filters cannot hold is refused, with the reason.
  assert.throws(
    () =>
      updateRule(src, 'Shop mail', {
        actions: [{ type: 'redirect', address: { value: 'a@b.c' }, copy: true }],
      }),
    /SnappyMail's filters cannot hold redirect :copy/,
  );
});

test('RainLoop: a new filter is written byte for byte as SnappyMail writes it', () => {
  const src = fixture('rainloop/snappymail.sieve');
  const shop = {
    name: 'Shop mail',
    condition: {
      type: 'header',
      match: 'contains',
      headers: [{ value: 'From' }],
      keys: [{ value: 'shop.example' }],
    },
    actions: [{ type: 'fileinto', mailbox: { value: 'Shopping' } }, { type: 'stop' }],
  } as const;
  const out = addRule('require ["fileinto"];\r\n', shop, { dialect: 'rainloop' });
  const id = allRules(readRules(out).items)[0]!.ids['rainloop']!;
  const block = (s: string): string =>
    s.slice(s.indexOf('/*\r\nBEGIN:FILTER:'), s.indexOf('/* END:FILTER */') + 16);
  const expected = block(src).replace('m3k8q2x9p1a7', id);
  // The JSON holds the id too: compare it decoded.
  const json = (s: string): unknown =>
    JSON.parse(
      Buffer.from(
        /BEGIN:HEADER\r\n([\s\S]*?)END:HEADER/.exec(s)![1]!.replace(/\s+/g, ''),
        'base64',
      ).toString(),
    );
  assert.deepEqual(json(block(out)), { ...(json(block(src)) as object), ID: id });
  assert.equal(
    block(out).replace(/BEGIN:HEADER[\s\S]*END:HEADER/, ''),
    expected.replace(/BEGIN:HEADER[\s\S]*END:HEADER/, ''),
  );
  assert.match(
    out,
    /^require \["fileinto"\];\r\n\r\n# This is SnappyMail sieve script\.\r\n# Please don't change anything here\.\r\n# RAINLOOP:SIEVE\r\n\r\n\/\*/,
  );
  // A rule SnappyMail cannot hold goes in Roundcube's convention, unless RainLoop's was asked for.
  const forward = {
    name: 'Fwd',
    condition: null,
    actions: [{ type: 'redirect', address: { value: 'a@b.c' }, copy: true }],
  } as const;
  assert.match(
    addRule(src, forward),
    /# rule:\[Fwd\]\r\nif true\r\n\{\r\n\tredirect :copy "a@b\.c";\r\n\}\r\n$/,
  );
  assert.throws(() => addRule(src, forward, { dialect: 'rainloop' }), /cannot hold redirect :copy/);
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

test('rule numbers, condition and action indexes end at the last one; a rule keeps one action', () => {
  const src = '# rule:[One]\nif allof (size :over 1M, exists "x") {\n\tdiscard;\n}\n';
  assert.equal(allRules(readRules(src).items).length, 1);
  assert.throws(() => setEnabled(src, 1, false), /there is no rule number 1 \(the script has 1\)/);
  assert.ok(setEnabled(src, 0, false).includes('allof (false, size'));
  assert.throws(() => removeCondition(src, 'One', 2), /the rule has no condition number 2/);
  assert.match(removeCondition(src, 'One', 1), /^if size :over 1M \{$/m);
  assert.throws(() => removeAction(src, 'One', 1), /the rule has no action number 1/);
  assert.throws(() => removeAction(src, 'One', 0), /a rule needs at least one action/);
  assert.throws(() => updateRule(src, 'One', { actions: [] }), /a rule needs at least one action/);
});

test("a new require line takes the script's line end, above the first rule's metadata", () => {
  const crlf = '# rule:[A]\r\nif true {\r\n\tkeep;\r\n}\r\n';
  assert.equal(ensureRequire(crlf, ['fileinto']), 'require ["fileinto"];\r\n' + crlf);
  // The first line end counts: a script that starts with LF lines gets an LF one.
  const mixed = '# rule:[A]\nif true {\r\n\tkeep;\r\n}\r\n';
  assert.equal(ensureRequire(mixed, ['fileinto']), 'require ["fileinto"];\n' + mixed);
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
  const filters = nc.items.filter((i) => i.kind === 'region')[1];
  assert.ok(filters && filters.kind === 'region');
  assert.deepEqual(
    allRules(filters.items).map((r) => [r.name, r.enabled, r.ids['nextcloud'], r.editable]),
    [
      ['Work', true, '0', true],
      ['Paused', false, '1', false],
      ['Reports', true, '2', true],
    ],
  );
  const isp = readRules(fixture('ispconfig/mailuser.sieve'));
  assert.deepEqual(
    isp.items.filter((i) => i.kind === 'region').map((i) => (i as { label: string }).label),
    ['ISPConfig filter 3', 'ISPConfig filter 7', 'ISPConfig filter 12'],
  );
  assert.deepEqual(
    allRules(isp.items).map((r) => r.ids['ispconfig']),
    ['3', '7', '12'],
  );
  const fm = readRules(fixture('fastmail/fastmail.sieve'));
  assert.deepEqual(
    fm.items
      .filter((i) => i.kind === 'region')
      .map((i) => [(i as { label: string }).label, (i as { editable: boolean }).editable]),
    [
      ['Fastmail: 1. Sieve generated for save-on-SMTP identities', false],
      ['Fastmail: 2. Sieve generated for discard rules', false],
      ['Fastmail: 3. Sieve generated for spam protection', false],
      ['Fastmail: 4. Sieve generated for forwarding rules', false],
      ['Fastmail: 5. Sieve generated for vacation responses', false],
      ['Fastmail: 7. Sieve generated for organise rules', false],
      ['Fastmail: 8. Sieve generated for fetch mail filing', false],
      ['Lists', true],
      ['Two rules', true],
    ],
  );
  // The newer layout: sections closed by `### }}}`; the user's code after them is no section's.
  const sections = readRules(fixture('fastmail/sections.sieve'));
  assert.deepEqual(
    sections.items.filter((i) => i.kind === 'region').map((i) => (i as { label: string }).label),
    [
      'Fastmail: Sieve generated for save-on-SMTP identities',
      'Fastmail: Sieve generated for blocked senders',
      'Fastmail: Sieve generated for spam protection',
      'Fastmail: Execute spam filing',
    ],
  );
  const last = allRules(sections.items).pop()!;
  assert.equal(last.editable, true);
  assert.equal(sections.items[sections.items.length - 1], last);
});

test('Nextcloud: rename, switch and edit write its JSON line and its code as Nextcloud does', () => {
  const src = fixture('nextcloud/mail.sieve');
  type Entry = { name: string; enable: boolean; tests: unknown; actions: unknown };
  const json = (s: string): Entry[] =>
    nextcloudReader(s).length ? (JSON.parse(/^# FILTER: (.*)$/m.exec(s)![1]!) as Entry[]) : [];
  const renamed = rename(src, 'Work', 'Job');
  assert.equal(json(renamed)[0]!.name, 'Job');
  assert.match(renamed, /\r\n# Job\r\nif address :contains :all "From"/);
  // Off: Nextcloud writes no code for it; the JSON says so. On: its code comes back.
  const off = setEnabled(src, 'Work', false);
  assert.doesNotMatch(off, /# Work|"work\.example"\] \{/);
  assert.deepEqual(
    nextcloudReader(off).map((f) => [f.name, f.enabled]),
    [
      ['Work', false],
      ['Paused', false],
      ['Reports', true],
    ],
  );
  assert.equal(setEnabled(off, 'Work', true), src);
  const paused = setEnabled(src, 'Paused', true);
  assert.match(
    paused,
    /\}\r\n# Paused\r\nif header :is "Subject" \["x"\] \{\r\n\taddflag "\$important";\r\n\}\r\n# Reports/,
  );
  assert.equal(allRules(readRules(paused).items).find((r) => r.name === 'Paused')!.diverged, undefined);
  // An edit: the JSON gets Nextcloud's fields, the code is Nextcloud's; its labels stay when
  // the actions do not change.
  const edited = updateRule(src, 'Reports', {
    condition: {
      type: 'header',
      match: 'contains',
      headers: [{ value: 'Subject' }],
      keys: [{ value: 'report' }],
    },
  });
  assert.deepEqual(json(edited)[2]!.tests, [{ operator: 'contains', values: ['report'], field: 'subject' }]);
  assert.deepEqual(json(edited)[2]!.actions, json(src)[2]!.actions);
  assert.match(
    edited,
    /# Reports\r\nif header :contains "Subject" \["report"\] \{\r\n\taddflag "\$to_read";\r\n\tstop;\r\n\}/,
  );
  assert.ok(compile(edited).program);
  assert.throws(
    () => updateRule(src, 'Work', { actions: [{ type: 'redirect', address: { value: 'a@b.c' } }] }),
    /Nextcloud Mail's filters cannot hold the action "redirect"/,
  );
  // Text outside the fences stays the user's.
  for (const out of [renamed, off, paused, edited])
    assert.ok(out.includes('# my own rule, outside the fences\r\nif header :contains "subject" "[ml]" {'));
});

test('Nextcloud: a new filter goes into its region, a conversion moves only the rules at the end', () => {
  const src = fixture('nextcloud/mail.sieve');
  const rule = {
    name: 'Bills/2024 ünï',
    condition: {
      type: 'address',
      match: 'is',
      headers: [{ value: 'from' }],
      keys: [{ value: 'bank@example.com' }],
    },
    actions: [{ type: 'fileinto', mailbox: { value: 'Bills' } }],
  } as const;
  const out = addRule(src, rule);
  // PHP's json_encode: "/" and non-ASCII escaped.
  assert.match(
    out,
    /\{"name":"Bills\\\/2024 \\u00fcn\\u00ef","enable":true,"operator":"allof","tests":\[\{"operator":"is","values":\["bank@example\.com"\],"field":"from"\}\],"actions":\[\{"type":"fileinto","mailbox":"Bills"\}\],"priority":40\}\]\r\n/,
  );
  assert.match(
    out,
    /\tstop;\r\n\}\r\n# Bills\/2024 ünï\r\nif address :is :all "From" \["bank@example\.com"\] \{\r\n\tfileinto "Bills";\r\n\}\r\n### Nextcloud Mail: Filters/,
  );
  assert.deepEqual(nextcloudReader(out).pop(), { name: 'Bills/2024 ünï', id: '3', enabled: true });
  // A script without Nextcloud's region gets one at its end; a later rule that Nextcloud cannot
  // hold keeps the earlier ones where they are (moving them would change the order rules run in).
  const kept: string[] = [];
  const mixed =
    'require ["fileinto"];\n# rule:[A]\nif header :is "subject" "a"\n{\n\tfileinto "A";\n}\n# rule:[B]\nif header :is "subject" "b"\n{\n\tfileinto "B";\n}\n';
  const moved = convert(mixed, 'nextcloud', { onKept: (r) => kept.push(r.name!) });
  assert.deepEqual(kept, []);
  assert.equal(
    moved,
    'require ["fileinto"];\n### Nextcloud Mail: Filters ### DON\'T EDIT ###\n# FILTER: [{"name":"A","enable":true,"operator":"allof","tests":[{"operator":"is","values":["a"],"field":"subject"}],"actions":[{"type":"fileinto","mailbox":"A"}],"priority":10},{"name":"B","enable":true,"operator":"allof","tests":[{"operator":"is","values":["b"],"field":"subject"}],"actions":[{"type":"fileinto","mailbox":"B"}],"priority":20}]\n# A\nif header :is "Subject" ["a"] {\n\tfileinto "A";\n}\n# B\nif header :is "Subject" ["b"] {\n\tfileinto "B";\n}\n### Nextcloud Mail: Filters ### DON\'T EDIT ###\n',
  );
  const blocked = mixed.replace('fileinto "B";', 'redirect :copy "b@example.com";');
  const reasons: string[] = [];
  assert.equal(
    convert(blocked, 'nextcloud', { onKept: (r, why) => reasons.push(`${r.name}: ${why}`) }),
    blocked,
  );
  assert.deepEqual(reasons, [
    'A: Nextcloud Mail runs its filters after the rest of the script, and "B" after it stays where it is: moving the rule there would change the order rules run in',
    'B: Nextcloud Mail\'s filters cannot hold the action "redirect"',
  ]);
});

test('Nextcloud: a filter region whose JSON does not parse is refused, not overwritten', () => {
  const src = fixture('nextcloud/mail.sieve').replace(/^# FILTER: \[/m, '# FILTER: [oops');
  const rule = {
    name: 'New',
    condition: { type: 'header', match: 'is', headers: [{ value: 'Subject' }], keys: [{ value: 'x' }] },
    actions: [{ type: 'fileinto', mailbox: { value: 'X' } }],
  } as const;
  assert.throws(() => addRule(src, rule), /the Nextcloud Mail JSON at line 8 does not parse/);
});

test('Nextcloud: a label is the keyword Nextcloud Mail writes: modified UTF-7, lower case, 63 octets', () => {
  const src = fixture('nextcloud/mail.sieve');
  const on = (label: string): string =>
    setEnabled(src.replace('"flag":"Important"', `"flag":${JSON.stringify(label)}`), 'Paused', true);
  assert.match(on('Wichtig & ä'), /\taddflag "\$wichtig_&-_&aoq-";\r\n/);
  assert.match(on('A'.repeat(70)), new RegExp(`\\taddflag "\\$${'a'.repeat(63)}";\\r\\n`));
  // A lone surrogate (a JSON escape PHP's json_decode refuses) has no UTF-7 form: U+FFFD stands in.
  assert.match(on('x\ud800'), /\taddflag "\$x&,,0-";\r\n/);
});

test('Nextcloud: its vacation responder switches off and on as Nextcloud writes it', () => {
  const src = fixture('nextcloud/vacation.sieve');
  const doc = readRules(src);
  const vacation = allRules(doc.items).find((r) => r.ids['nextcloud'] === 'vacation')!;
  assert.equal(vacation.purpose, 'vacation');
  const index = allRules(doc.items).indexOf(vacation);
  const off = setEnabled(src, index, false);
  assert.match(
    off,
    /# DATA: \{"version":1,"enabled":false,"messageHtml":false,"subject":"Out of office","message":"I am away until July 15\."\}\r\n### Nextcloud/,
  );
  assert.doesNotMatch(off, /vacation :days/);
  // Its require lines stay: promise 6.
  assert.ok(off.startsWith(src.slice(0, src.indexOf('# rule:[Spam]'))));
  const offRule = allRules(readRules(off).items)[index]!;
  assert.deepEqual([offRule.enabled, offRule.ids['nextcloud']], [false, 'vacation']);
  // On again needs a start date, which Nextcloud dropped: refused with the reason.
  assert.throws(() => setEnabled(off, index, true), /needs a start date/);
  // Dates and texts are edited through the rule; the JSON follows.
  const moved = updateRule(src, index, {
    condition: {
      type: 'currentdate',
      match: 'value',
      relation: { value: 'ge' },
      datePart: { value: 'iso8601' },
      keys: [{ value: '2024-08-01T00:00:00Z' }],
    },
  });
  assert.match(moved, /"start":"2024-08-01T00:00:00\+00:00","subject"/);
  assert.doesNotMatch(moved, /"end":/);
  assert.match(
    moved,
    /\r\nif currentdate :value "ge" "iso8601" "2024-08-01T00:00:00Z" \{\r\n\tvacation :days 4 :subject "Out of office" :addresses \["me@example\.com"\] "I am away until July 15\.";\r\n\}\r\n/,
  );
  assert.ok(compile(moved).program);
  assert.throws(
    () => updateRule(src, index, { actions: [{ type: 'vacation', days: '7', reason: { value: 'x' } }] }),
    /every 4 days/,
  );
});

test('Fastmail: user blocks are renamed on both marker lines; generated sections are read only', () => {
  const src = fixture('fastmail/fastmail.sieve');
  const out = rename(src, 'Lists', "Mailing 'lists'");
  assert.match(
    out,
    /# Start user advanced sieve block 'Mailing 'lists'' \{\{\{\nif header :contains "list-id"/,
  );
  assert.match(out, /\n# \}\}\} End user advanced sieve block 'Mailing 'lists''\n/);
  assert.deepEqual(fastmailReader(out)[0], { name: "Mailing 'lists'", enabled: true });
  const rules = allRules(readRules(src).items);
  const generated = rules.findIndex((r) => r.dialect === 'fastmail' && !r.editable);
  const readOnly =
    /generated by Fastmail \(2\. Sieve generated for discard rules\): change it in Fastmail's settings/;
  assert.throws(() => setEnabled(src, generated, false), readOnly);
  assert.throws(() => rename(src, generated, 'x'), readOnly);
  assert.throws(() => updateRule(src, generated, { actions: [{ type: 'keep' }] }), readOnly);
  // A block holding two rules names the block, not its rules.
  const two = rules.findIndex((r) => r.ids['fastmail'] === 'Two rules');
  assert.throws(() => rename(src, two, 'x'), /inside "Two rules" with other code: Fastmail names that part/);
  // A block moves with its rule.
  const moved = moveRule(src, 'Lists', null);
  assert.match(
    moved,
    /# \}\}\} End user advanced sieve block 'Two rules'\n\n# Start user advanced sieve block 'Lists' \{\{\{\n/,
  );
  assert.equal(moved.length, src.length);
  // New rules and conversions are user blocks.
  const added = addRule(src, {
    name: 'Big',
    condition: { type: 'size', over: true, limit: '5M' },
    actions: [{ type: 'discard' }],
  });
  assert.match(
    added,
    /\n# Start user advanced sieve block 'Big' \{\{\{\nif size :over 5M \{\n {4}discard;\n\}\n# \}\}\} End user advanced sieve block 'Big'\n$/,
  );
});

test('ISPConfig: blocks by FILTER_ID; new ids continue after the highest; names on a line inside', () => {
  const src = fixture('ispconfig/mailuser.sieve');
  const added = addRule(src, {
    name: 'Lists',
    condition: { type: 'header', match: 'contains', headers: [{ value: 'list-id' }], keys: [{ value: 'x' }] },
    actions: [{ type: 'fileinto', mailbox: { value: 'Lists' } }],
  });
  assert.ok(
    added.endsWith(
      '### END FILTER_ID:12\n### BEGIN FILTER_ID:13\n# Lists\nif header :contains "list-id" "x" {\n    fileinto "Lists";\n}\n### END FILTER_ID:13\n',
    ),
  );
  assert.deepEqual(ispconfigReader(added).pop(), { name: 'Lists', id: '13', enabled: true });
  // ISPConfig's own blocks hold no name: renaming writes the line inside the block.
  const named = rename(src, 1, 'Big mail');
  assert.match(named, /### BEGIN FILTER_ID:7\n# Big mail\nif size :over 5m \{/);
  assert.equal(allRules(readRules(named).items)[1]!.name, 'Big mail');
  const off = setEnabled(named, 'Big mail', false);
  assert.match(off, /# Big mail\nif allof \(false, size :over 5m\) \{/);
  assert.deepEqual(ispconfigReader(off)[1], { name: 'Big mail', id: '7', enabled: false });
});

test('Tine: read only, every edit refused with the reason; its serialized rules stay byte-exact', () => {
  const src = fixture('tine/felamimail.sieve');
  const rules = allRules(readRules(src).items);
  assert.deepEqual(
    rules.map((r) => [r.dialect, r.editable]),
    [
      ['tine', false],
      ['tine', false],
    ],
  );
  const tine = /Tine \(Felamimail\) rules are edited in Tine: it reads only its own serialized rule data/;
  assert.throws(() => setEnabled(src, 0, false), tine);
  assert.throws(() => rename(src, 0, 'x'), tine);
  assert.throws(() => updateRule(src, 0, { actions: [{ type: 'keep' }] }), tine);
  assert.throws(() => convert(src, 'tine'), /sievert does not write the Tine \(Felamimail\) convention/);
  // Its rules have no names: a conversion leaves the script as it is.
  assert.equal(convert(src, 'roundcube'), src);
});

test('Zimbra: convert turns disabled_if into the standard disabled form of the target', () => {
  const src = fixture('zimbra/zimbra.sieve').replace(', "tag", "flag"', '');
  assert.equal(compile(src).program, null);
  for (const [to, form] of [
    [
      'roundcube',
      /# rule:\[Old rule\]\nif allof \(false, anyof \(header :contains \["from"\] "old@example\.com"\)\) \{/,
    ],
    [
      'open-xchange',
      /## Flag: \|UniqueId:1\|Rulename: Old rule\n#<!-->if anyof \(header :contains \["from"\] "old@example\.com"\) \{/,
    ],
    ['rule-block', /#BEGINFILTER\nif allof \(false, anyof/],
  ] as const) {
    const out = convert(src, to, { date: 'x' });
    assert.match(out, form);
    assert.doesNotMatch(out, /disabled_if/);
    const old = allRules(readRules(out).items).find((r) => r.name === 'Old rule')!;
    assert.deepEqual([old.enabled, old.warnings], [false, undefined]);
    assert.ok(compile(out).program, `${to}: ${JSON.stringify(compile(out).diagnostics)}`);
  }
});

// --- removeRule --------------------------------------------------------------------------------

/** The require entries of a script, fenced ones included. */
function requires(source: string): string[] {
  const of = (items: readonly Item[]): string[] =>
    items.flatMap((i) => (i.kind === 'require' ? i.values : i.kind === 'region' ? of(i.items) : []));
  return of(readRules(source).items);
}

test('removeRule: only the rule and its metadata lines go, in every fixture; require stays; it compiles', () => {
  let removed = 0;
  for (const f of fixtures()) {
    const items = readRules(f.source).items;
    allRules(items).forEach((rule, ref) => {
      // Rules products keep as data, and branches after a chain's first, have tests of their own.
      if (rule.dialect === 'nextcloud' || rule.dialect === 'rainloop' || rule.dialect === 'tine') return;
      if (rule.branch !== undefined && rule.branch !== 'if') return;
      const region = items.find(
        (i): i is Region =>
          i.kind === 'region' && i.span.start <= rule.span.start && rule.span.end <= i.span.end,
      );
      if (region && !region.editable) {
        assert.throws(() => removeRule(f.source, ref), RuleEditError, `${f.name} #${ref}`);
        return;
      }
      const chain = items.find((i): i is Chain => i.kind === 'chain' && i.branches[0] === rule);
      const { start, end } = chain ? chain.span : rule.span;
      const out = removeRule(f.source, ref);
      assert.equal(out, f.source.slice(0, start) + f.source.slice(end), `${f.name} #${ref}`);
      assert.deepEqual(requires(out), requires(f.source), `${f.name} #${ref}`);
      if (compile(f.source).program) assert.ok(compile(out).program, `${f.name} #${ref}: does not compile`);
      assert.equal(
        allRules(readRules(out).items).length,
        allRules(items).length - (chain?.branches.length ?? 1),
      );
      removed++;
    });
  }
  assert.ok(removed >= 25, String(removed));
});

test('removeRule: by name; the vendor still reads the other rules with their names and states', () => {
  const rc = fixture('roundcube/managesieve.sieve');
  const out = removeRule(rc, 'Forward to phone');
  assert.deepEqual(
    roundcubeReader(out),
    roundcubeReader(rc).filter((r) => r.name !== 'Forward to phone'),
  );
  // `copy` stays in require though nothing uses it now: entries are never dropped.
  assert.ok(out.startsWith('require ["fileinto","vacation","copy"];\n# rule:[Newsletters]'));
  assert.throws(() => removeRule(rc, 'Nope'), /no rule is named "Nope"/);
  for (const { rule, ref } of editableNamed(fixture('open-xchange/mailfilter.sieve'))) {
    const ox = removeRule(fixture('open-xchange/mailfilter.sieve'), ref);
    assert.ok(!allRules(readRules(ox).items).some((r) => r.name === rule.name), rule.name ?? '');
  }
});

test('removeRule: a chain goes whole by its first rule; one later branch alone is refused', () => {
  const src =
    'require ["fileinto"];\n# rule:[Lists]\nif header :contains "list-id" "a" {\n    fileinto "A";\n}\nelsif header :contains "list-id" "b" {\n    fileinto "B";\n}\nelse {\n    keep;\n}\n# rule:[Last]\nif true {\n    stop;\n}\n';
  assert.equal(removeRule(src, 'Lists'), 'require ["fileinto"];\n# rule:[Last]\nif true {\n    stop;\n}\n');
  for (const [ref, branch] of [
    [1, 'elsif'],
    [2, 'else'],
  ] as const) {
    assert.throws(
      () => removeRule(src, ref),
      (e: unknown) =>
        e instanceof RuleEditError &&
        e.message.startsWith(
          `the rule is an "${branch}" branch of the if/elsif chain at line 2: deleting it alone would change which messages the other branches see`,
        ),
    );
  }
});

test('removeRule: a RainLoop filter goes with its JSON block and one blank line, as SnappyMail lays them out', () => {
  const src = fixture('rainloop/snappymail.sieve');
  const block = (id: string): string => {
    const at = src.indexOf(`/*\r\nBEGIN:FILTER:${id}`);
    return src.slice(at, src.indexOf('/* END:FILTER */\r\n', at) + 18);
  };
  const middle = removeRule(src, 'Blocked');
  assert.equal(middle, src.replace(block('c5n0v4r6t2w8') + '\r\n', ''));
  assert.deepEqual(
    rainloopReader(middle).map((r) => r.name),
    ['Shop mail', 'Away'],
  );
  const last = removeRule(src, 'Away');
  assert.equal(last, src.replace('\r\n' + block('h7d1s9j3f5g0'), ''));
  assert.ok(last.endsWith('*/\r\n/* END:FILTER */\r\n'));
  const first = removeRule(src, 'Shop mail');
  assert.ok(first.includes('# RAINLOOP:SIEVE\r\n\r\n/*\r\nBEGIN:FILTER:c5n0v4r6t2w8'));
  for (const out of [middle, last, first]) {
    assert.ok(compile(out).program);
    assert.ok(allRules(readRules(out).items).every((r) => r.diverged === undefined));
    assert.deepEqual(requires(out), ['fileinto', 'vacation']);
  }
});

test('removeRule: a Nextcloud filter leaves its JSON too; its responder goes with its region', () => {
  const src = fixture('nextcloud/mail.sieve');
  type Entry = { name: string; priority: number };
  const json = (s: string): Entry[] => JSON.parse(/^# FILTER: (.*)$/m.exec(s)![1]!) as Entry[];
  const work = removeRule(src, 'Work');
  assert.deepEqual(nextcloudReader(work), [
    { name: 'Paused', id: '0', enabled: false },
    { name: 'Reports', id: '1', enabled: true },
  ]);
  assert.doesNotMatch(work, /# Work|"work\.example"\] \{/);
  assert.deepEqual(
    json(work).map((e) => [e.name, e.priority]),
    [
      ['Paused', 20],
      ['Reports', 30],
    ],
  );
  // A filter that is off has no code: its entry goes.
  const paused = removeRule(src, 'Paused');
  assert.deepEqual(
    nextcloudReader(paused).map((r) => r.name),
    ['Work', 'Reports'],
  );
  assert.equal(paused.replace(/^# FILTER: .*$/m, ''), src.replace(/^# FILTER: .*$/m, ''));
  const none = removeRule(removeRule(paused, 'Work'), 'Reports');
  assert.match(none, /^# FILTER: \[\]\r$/m);
  assert.deepEqual(nextcloudReader(none), []);
  for (const out of [work, paused, none]) {
    assert.ok(compile(out).program);
    assert.ok(allRules(readRules(out).items).every((r) => r.diverged === undefined));
    assert.ok(out.includes('# my own rule, outside the fences\r\nif header :contains "subject" "[ml]" {'));
  }
  // The vacation responder: its region goes; the fenced require lines stay.
  const vac = fixture('nextcloud/vacation.sieve');
  const ref = allRules(readRules(vac).items).findIndex((r) => r.ids['nextcloud'] === 'vacation');
  const gone = removeRule(vac, ref);
  assert.equal(gone, vac.slice(0, vac.indexOf('}\r\n### Nextcloud Mail: Vacation Responder') + 3));
  assert.doesNotMatch(gone, /# DATA:/);
  assert.deepEqual(requires(gone), requires(vac));
  assert.ok(compile(gone).program);
});

test('removeRule: Fastmail and ISPConfig blocks of one rule go whole; generated sections and Tine refuse', () => {
  const fm = fixture('fastmail/fastmail.sieve');
  const lists = removeRule(fm, 'Lists');
  assert.deepEqual(
    fastmailReader(lists).map((r) => r.name),
    ['Two rules'],
  );
  assert.doesNotMatch(lists, /block 'Lists'/);
  // A rule of a block holding two: the block stays, with the other one.
  const two = allRules(readRules(fm).items).findIndex((r) => r.condition?.type === 'size');
  assert.deepEqual(
    fastmailReader(removeRule(fm, two)).map((r) => r.name),
    ['Lists', 'Two rules'],
  );
  const generated = allRules(readRules(fm).items).findIndex((r) => !r.editable);
  assert.throws(
    () => removeRule(fm, generated),
    /is in "Fastmail: 2\. Sieve generated for discard rules", which Fastmail writes itself: delete it there/,
  );
  const isp = fixture('ispconfig/mailuser.sieve');
  assert.deepEqual(
    ispconfigReader(removeRule(isp, 1)).map((r) => r.id),
    ['3', '12'],
  );
  assert.throws(() => removeRule(fixture('tine/felamimail.sieve'), 0), /deleted in Tine/);
});
