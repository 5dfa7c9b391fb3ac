/**
 * The benchmark's filter script: 50 rules in the shape Roundcube's managesieve plugin writes
 * (a `# rule:[name]` comment, one `if` with an anyof/allof test list, `fileinto` and `stop`),
 * using only RFC 5228 and fileinto. The rules name the lists, senders and subjects the corpus
 * generator uses, so a realistic share of messages match early, late or never.
 */
import { KNOWN_SENDERS, LISTS } from './vocabulary.js';

interface Rule {
  readonly name: string;
  readonly test: string;
  readonly folder: string;
}

function quote(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function stringList(items: readonly string[]): string {
  return items.length === 1 ? quote(items[0] ?? '') : `[${items.map(quote).join(', ')}]`;
}

function anyof(tests: readonly string[]): string {
  return tests.length === 1 ? (tests[0] ?? 'false') : `anyof (${tests.join(', ')})`;
}

function baseRules(): Rule[] {
  const rules: Rule[] = [];
  rules.push({
    name: 'Spam',
    test: anyof(['exists "x-spam-flag"', 'header :contains "subject" ["***SPAM***", "[SPAM]"]']),
    folder: 'Junk',
  });
  // One rule per known list, as users click "filter messages like this" on each list.
  const folders = new Map<string, string[]>();
  for (const list of LISTS) {
    if (!list.folder) continue;
    folders.set(list.folder, [...(folders.get(list.folder) ?? []), list.id]);
  }
  for (const [folder, ids] of folders) {
    const first = ids[0] ?? '';
    if (ids.length > 1) {
      rules.push({
        name: folder,
        test: anyof(ids.map((id) => `header :contains "list-id" ${quote(id)}`)),
        folder,
      });
    } else if (folder === 'Lists/security') {
      rules.push({
        name: 'Security advisories',
        test: `allof (header :contains "list-id" ${quote(first)}, header :contains "subject" "[SECURITY]")`,
        folder,
      });
    } else if (folder === 'Lists/dev' || folder === 'Lists/users') {
      rules.push({
        name: folder,
        test: anyof([
          `header :contains "list-id" ${quote(first)}`,
          `address :is "to" ${quote(first.replace('.', '@'))}`,
        ]),
        folder,
      });
    } else {
      rules.push({ name: folder, test: `header :contains "list-id" ${quote(first)}`, folder });
    }
  }
  // Known automated senders, grouped by folder.
  const senders = new Map<string, string[]>();
  for (const sender of KNOWN_SENDERS)
    senders.set(sender.folder, [...(senders.get(sender.folder) ?? []), sender.address]);
  for (const [folder, addresses] of senders) {
    if (folder === 'Admin/Cron') {
      rules.push({
        name: 'Cron',
        test: `allof (address :is "from" ${stringList(addresses)}, header :contains "subject" "Cron")`,
        folder,
      });
    } else if (folder === 'Finance/Insurance') {
      rules.push({ name: 'Insurance', test: 'address :domain :is "from" "insurance.example"', folder });
    } else if (folder === 'Shopping') {
      rules.push({
        name: 'Shopping',
        test: anyof([
          'address :is "from" "orders@megastore.example"',
          'address :contains "from" "post.example"',
        ]),
        folder,
      });
    } else {
      rules.push({
        name: folder,
        test: anyof(addresses.map((a) => `address :is "from" ${quote(a)}`)),
        folder,
      });
    }
  }
  rules.push(
    {
      name: 'Rechnungen',
      test: 'header :contains "subject" ["Rechnung", "Zahlungserinnerung", "Bestellbestätigung"]',
      folder: 'Finance/DE',
    },
    {
      name: 'Meeting minutes',
      test: anyof(['header :contains "subject" "議事録"', 'header :contains "subject" "Minutes of"']),
      folder: 'Meetings',
    },
    { name: 'Russian friends', test: 'header :contains "subject" "Привет"', folder: 'Friends' },
    {
      name: 'Invoices',
      test: 'header :contains "subject" ["invoice", "payment"]',
      folder: 'Finance/Invoices',
    },
    { name: 'Patches', test: 'header :contains "subject" "[PATCH"', folder: 'Patches' },
    {
      name: 'Auto-replies',
      test: anyof([
        'header :contains "subject" "Out of office"',
        'header :contains "auto-submitted" "auto-replied"',
      ]),
      folder: 'Auto-replies',
    },
    { name: 'Birthdays', test: 'header :contains "subject" "birthday"', folder: 'Family' },
    { name: 'Urgent', test: 'header :contains "subject" ["urgent", "asap"]', folder: 'Important' },
    {
      name: 'University',
      test: 'address :domain :is "from" ["university.example.edu", "school.example.edu"]',
      folder: 'University',
    },
    { name: 'Crypto spam', test: 'address :contains "from" "crypto-offers"', folder: 'Junk' },
    { name: 'Pill spam', test: 'address :domain :is "from" "cheap-pills.example"', folder: 'Junk' },
    { name: 'Family', test: 'address :domain :is ["from", "cc"] "family.example"', folder: 'Family' },
    { name: 'French team', test: 'header :contains "subject" "Réunion"', folder: 'Work/FR' },
    { name: 'Boss', test: 'address :is ["to", "cc"] "boss@acme.example"', folder: 'Important' },
    { name: 'Trips', test: 'header :contains "subject" ["trip", "itinerary", "Holiday"]', folder: 'Travel' },
    {
      name: 'Offers',
      test: 'header :contains "subject" ["Ofertas", "offer", "% off"]',
      folder: 'Newsletters',
    },
    { name: 'Bulk', test: 'header :is "precedence" ["bulk", "list", "junk"]', folder: 'Bulk' },
    { name: 'Large messages', test: 'size :over 100K', folder: 'Large' },
    {
      name: 'Work',
      test: 'allof (header :contains "to" "user@home.example", address :domain :is "from" "acme.example", not header :contains "subject" "lunch")',
      folder: 'Work',
    },
    {
      name: 'Bank notices',
      test: 'allof (address :domain :is "from" "bank.example", header :contains "subject" "alert")',
      folder: 'Finance/Alerts',
    },
    { name: 'No message id', test: 'not exists "message-id"', folder: 'Suspicious' },
  );
  return rules;
}

function render(rules: readonly Rule[]): string {
  const lines = ['require ["fileinto"];'];
  for (const rule of rules) {
    lines.push(
      `# rule:[${rule.name}]`,
      `if ${rule.test}`,
      '{',
      `\tfileinto ${quote(rule.folder)};`,
      '\tstop;',
      '}',
    );
  }
  return lines.join('\n') + '\n';
}

/** The 50-rule script. */
export function rulesScript(): string {
  const rules = baseRules();
  if (rules.length !== 50) throw new Error(`the benchmark script should have 50 rules, has ${rules.length}`);
  return render(rules);
}

/** A large script for compile timing: the 50 rules repeated `copies` times with distinct names and folders. */
export function largeRulesScript(copies: number): string {
  const all: Rule[] = [];
  for (let copy = 0; copy < copies; copy++) {
    for (const rule of baseRules())
      all.push({ name: `${rule.name} ${copy}`, test: rule.test, folder: `${rule.folder}/${copy}` });
  }
  return render(all);
}

/**
 * The second benchmark case (issue 4, "Speed"): the 50 rules behind a prelude that uses the
 * extensions most filters add — variables, regex, date and body :text — on every message, and a
 * tail that files by what the prelude found. Every test states its comparator where Pigeonhole's
 * default differs from sievert's (the string test), so both engines file each message alike.
 */
export function extensionsScript(): string {
  const prelude = [
    'require ["fileinto", "variables", "body", "regex", "date", "relational", "comparator-i;ascii-numeric"];',
    '# rule:[list name from List-Id]',
    'if header :regex "list-id" "<([a-z0-9-]+)[.][^>]*>" {',
    '\tset :lower "list" "${1}";',
    '}',
    '# rule:[weekend]',
    'if date :is "date" "weekday" ["0", "6"] {',
    '\tset "weekend" "yes";',
    '}',
    '# rule:[bulk by body text]',
    'if body :text :contains ["unsubscribe", "newsletter"] {',
    '\tset "bulk" "yes";',
    '}',
    '# rule:[very old mail]',
    'if date :value "lt" :comparator "i;ascii-numeric" "date" "year" "2000" {',
    '\tfileinto "Old";',
    '\tstop;',
    '}',
    '# rule:[orders and parcels by number]',
    'if header :regex "subject" "(order|parcel) ([0-9]+)" {',
    '\tset :lower "kind" "${1}";',
    '\tfileinto "Shopping/${kind}";',
    '\tstop;',
    '}',
  ];
  const rules = render(baseRules()).replace(/^require [^\n]*\n/, '');
  const tail = [
    '# rule:[weekday bulk]',
    'if allof (string :comparator "i;octet" :is "${bulk}" "yes", not string :comparator "i;octet" :is "${weekend}" "yes") {',
    '\tfileinto "Bulk/weekday";',
    '\tstop;',
    '}',
    '# rule:[other lists]',
    'if not string :comparator "i;octet" :is "${list}" "" {',
    '\tfileinto "Lists/other/${list}";',
    '}',
  ];
  return [...prelude, rules, ...tail].join('\n') + '\n';
}
