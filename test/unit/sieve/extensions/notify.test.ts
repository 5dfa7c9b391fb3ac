// The deprecated notify extension (draft-martin-sieve-notify-01), as Roundcube's managesieve
// plugin still writes it: notify with :method "mailto", :options (the recipients), :id,
// :low/:normal/:high and :message with $from$, $env-from$, $subject$, $text$ and $text[n]$;
// denotify. It produces enotify's mailto notification action, so delivery sends it unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  notifyMessages,
  parseMessage,
  type ActionJson,
  type ActionJsonTypes,
} from '../../../../src/sieve/index.js';
import { actions, errorCodes, errors, runScript } from '../helpers.js';
import { warningCodes } from './with-host.js';

type Notify = ActionJsonTypes['notify'];
const R = 'require "notify";\n';
const notifies = (a: ActionJson[]): Notify[] => a.flatMap((x) => (x.type === 'notify' ? [x] : []));
const recipients = (a: ActionJson[]): string[][] => notifies(a).map((n) => n.mailto?.to ?? []);

const MESSAGE = [
  'From: Stephan <stephan@example.org>',
  'To: nico@frop.example.org',
  'Subject: Frop!',
  '',
  'Klutsefluts.',
  '',
].join('\r\n');
const ENVELOPE = { from: 'sender@example.com', to: 'nico@frop.example.org' };

test('notify sends a mailto notification to each :options address; the implicit keep stays', () => {
  const a = actions(`${R}notify :method "mailto" :options ["a@example.com", "b@example.org"];`, MESSAGE);
  assert.equal(a.length, 2);
  const n = notifies(a)[0]!;
  assert.equal(n.method, 'mailto:a@example.com,b@example.org');
  assert.deepEqual(n.mailto?.to, ['a@example.com', 'b@example.org']);
  assert.deepEqual(n.mailto?.cc, []);
  assert.equal(n.from, null);
  assert.deepEqual(a[1], { type: 'keep', flags: [] });
});

test('the default message is "$from$: $subject$"', () => {
  const n = notifies(actions(`${R}notify :options "a@example.com";`, MESSAGE))[0]!;
  assert.equal(n.message, 'Stephan <stephan@example.org>: Frop!');
});

test('substitutions: $from$, $env-from$, $subject$, $text$, $text[n]$, case-insensitively', () => {
  const n = notifies(
    actions(
      `${R}notify :options "a@example.com" :message "$FROM$ / $env-from$ / $Subject$ / $text[4]$ / $text$ / $foo$ $";`,
      MESSAGE,
      ENVELOPE,
    ),
  )[0]!;
  assert.equal(
    n.message,
    'Stephan <stephan@example.org> / sender@example.com / Frop! / Klut / Klutsefluts.\r\n / $foo$ $',
  );
  // A missing header gives nothing; a malformed $text[…]$ stays as written.
  const bare = notifies(
    actions(`${R}notify :options "a@example.com" :message "$from$|$text[x]$";`, 'To: x@y.z\r\n\r\nhi'),
  )[0]!;
  assert.equal(bare.message, '|$text[x]$');
});

test('$text$ is the text of the text parts of a MIME message', () => {
  const mime = [
    'From: a@example.com',
    'Content-Type: multipart/mixed; boundary=b',
    '',
    '--b',
    'Content-Type: application/sieve',
    '',
    'keep;',
    '--b',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'Fri=C3=ABp!',
    '--b--',
    '',
  ].join('\r\n');
  const n = notifies(actions(`${R}notify :options "a@example.com" :message "[$text$]";`, mime))[0]!;
  assert.equal(n.message, '[Friëp!]');
});

test(':low, :normal and :high set the importance; the default is :normal', () => {
  const imp = (tag: string) =>
    notifies(actions(`${R}notify ${tag} :options "a@example.com";`))[0]!.importance;
  assert.equal(imp(':high'), '1');
  assert.equal(imp(':normal'), '2');
  assert.equal(imp(':low'), '3');
  assert.equal(imp(''), '2');
  assert.deepEqual(errorCodes(`${R}notify :low :high :options "a@example.com";`), [
    'argument.duplicate-group',
  ]);
});

test('a recipient notified already in this run is left out; a notify left with none is dropped', () => {
  const a = actions(
    `${R}notify :options ["a@example.com", "b@example.com", "A@example.com"];\n` +
      'notify :options ["a@example.com", "c@example.com"];\nnotify :options "B@example.com";',
  );
  assert.deepEqual(recipients(a), [['a@example.com', 'b@example.com'], ['c@example.com']]);
});

test("at most 8 distinct recipients per notify (Pigeonhole's limit); the rest is left out", () => {
  const addresses = Array.from({ length: 10 }, (_, i) => `r${i + 1}@example.com`);
  // An address given twice counts once.
  const list = [addresses[0]!, ...addresses].map((a) => `"${a}"`).join(', ');
  assert.deepEqual(recipients(actions(`${R}notify :options [${list}];`)), [addresses.slice(0, 8)]);
});

test('denotify cancels the notifications whose :id matches, of any importance unless one is given', () => {
  const three =
    `${R}notify :options "a@example.com" :id "frop" :low;\n` +
    'notify :options "b@example.com" :id "noot" :high;\nnotify :options "c@example.com" :id "friep";\n';
  assert.deepEqual(recipients(actions(`${three}denotify;`)), []);
  assert.deepEqual(recipients(actions(`${three}denotify :is "noot";`)), [
    ['a@example.com'],
    ['c@example.com'],
  ]);
  assert.deepEqual(recipients(actions(`${three}denotify :matches "fr*";`)), [['b@example.com']]);
  assert.deepEqual(recipients(actions(`${three}denotify :matches "fr*" :low;`)), [
    ['b@example.com'],
    ['c@example.com'],
  ]);
  assert.deepEqual(recipients(actions(`${three}denotify :normal;`)), [['a@example.com'], ['b@example.com']]);
  // The id is compared octet by octet (i;octet), and a notify without :id has none to match.
  assert.equal(recipients(actions(`${three}denotify :is "FROP";`)).length, 3);
  assert.deepEqual(recipients(actions(`${R}notify :options "a@example.com";\ndenotify :matches "*";`)), [
    ['a@example.com'],
  ]);
  // Notifications added after denotify are not affected.
  assert.deepEqual(recipients(actions(`${R}denotify;\nnotify :options "a@example.com";`)), [
    ['a@example.com'],
  ]);
});

test('constant :options addresses and :method are checked at compile time', () => {
  assert.deepEqual(errorCodes(`${R}notify :options "";\nnotify :options "frop#frop.example.org";`), [
    'notify.invalid-address',
    'notify.invalid-address',
  ]);
  assert.deepEqual(errorCodes(`${R}notify :method "xmpp" :options "a@example.com";`), [
    'notify.invalid-method',
  ]);
  assert.deepEqual(errorCodes(`${R}notify :method "MailTo" :options "a@example.com";`), []);
  // Without :options there is nobody to notify: a warning, and no action.
  assert.deepEqual(warningCodes(`${R}notify :message "x";`), ['notify.no-recipients']);
  assert.deepEqual(notifies(actions(`${R}notify :message "x";`)), []);
});

test('an invalid address from a variable is a run-time error', () => {
  const r = runScript('require ["notify", "variables"];\nset "to" "nobody";\nnotify :options "${to}";');
  assert.equal(r.error?.kind, 'runtime');
  assert.match(r.error.message, /nobody/);
});

test("notify and enotify cannot be required together; the notify command is then enotify's", () => {
  const e = errors('require "enotify";\nrequire "notify";\n\nnotify :options "frop@frop.example.org";');
  assert.deepEqual(
    e.map((d) => [d.code, d.line]),
    [
      ['require.conflict', 2],
      ['argument.count', 4],
    ],
  );
  const ihave = errors(
    'require ["enotify", "ihave"];\nif ihave "notify" {\n  notify :options "frop@frop.example.org";\n}',
  );
  assert.deepEqual(
    ihave.map((d) => d.code),
    ['require.conflict', 'argument.count'],
  );
  // Each on its own is fine.
  assert.deepEqual(errorCodes('require "enotify";\nnotify "mailto:a@example.com";'), []);
  assert.deepEqual(errorCodes(`${R}notify :options "a@example.com";`), []);
  assert.deepEqual(errorCodes('denotify;'), ['require.missing']);
});

test("delivery builds the notification like enotify's: one message per recipient, the text as body", () => {
  const n = notifies(
    actions(`${R}notify :low :options ["a@example.com", "b@example.com"] :message "$subject$";`, MESSAGE),
  )[0]!;
  const mails = notifyMessages(n, parseMessage(new TextEncoder().encode(MESSAGE)), ENVELOPE, {
    userAddress: 'nico@frop.example.org',
    postmaster: 'postmaster@frop.example.org',
    messageId: () => '<id@example.org>',
  });
  assert.deepEqual(
    mails.map((m) => m.to),
    ['a@example.com', 'b@example.com'],
  );
  assert.match(mails[0]!.raw, /^To: a@example\.com, b@example\.com$/m);
  assert.match(mails[0]!.raw, /^Subject: \[SIEVE\] New mail notification$/m);
  assert.match(mails[0]!.raw, /^X-Priority: 5 \(Lowest\)$/m);
  assert.match(mails[0]!.raw, /\r\n\r\nFrop!\r\n$/);
});
