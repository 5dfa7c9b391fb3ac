// RFC 5435 (enotify) with the mailto method (RFC 5436, URIs of RFC 6068).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ActionJson, ActionJsonTypes } from '../../../../src/sieve/index.js';
import { parseMailto } from '../../../../src/sieve/extensions/enotify/mailto.js';
import { encodeUrl } from '../../../../src/sieve/extensions/enotify/index.js';
import { createEngine, parseMessage } from '../../../../src/sieve/index.js';
import { actions, errorCodes, runScript } from '../helpers.js';
import { branch, hostActions } from './with-host.js';

type Notify = ActionJsonTypes['notify'];
const R = 'require ["enotify", "variables"];\n';
const notifies = (a: ActionJson[]): Notify[] => a.flatMap((x) => (x.type === 'notify' ? [x] : []));

test('§3.1: notify adds an action with its parameters and keeps the implicit keep (§7)', () => {
  const a = actions(
    `${R}notify :importance "1" :from "me@example.org" :options ["a=b"] :message "hi" "mailto:alm@example.com";`,
  );
  assert.equal(a.length, 2);
  const n = notifies(a)[0]!;
  assert.equal(n.method, 'mailto:alm@example.com');
  assert.equal(n.importance, '1');
  assert.equal(n.from, 'me@example.org');
  assert.deepEqual(n.options, ['a=b']);
  assert.equal(n.message, 'hi');
  assert.deepEqual(n.mailto?.to, ['alm@example.com']);
  assert.deepEqual(a[1], { type: 'keep', flags: [] });
  // §3.4: the default importance is "2"; §3.6: no :message means the method's default.
  const d = notifies(actions(`${R}notify "mailto:alm@example.com";`))[0]!;
  assert.equal(d.importance, '2');
  assert.equal(d.message, null);
});

test('§3.2, §3.4, §3.5: constant arguments are checked at compile time', () => {
  assert.deepEqual(errorCodes(`${R}notify :importance "4" "mailto:a@example.com";`), [
    'notify.invalid-importance',
  ]);
  assert.deepEqual(errorCodes(`${R}notify :options "novalue" "mailto:a@example.com";`), [
    'notify.invalid-option',
  ]);
  assert.deepEqual(errorCodes(`${R}notify "no scheme";`), ['notify.invalid-method']);
  assert.deepEqual(errorCodes(`${R}notify "mailto:x@@example.org";`), ['notify.invalid-method']);
  assert.deepEqual(errorCodes(`${R}notify :from "bad" "mailto:a@example.com";`), ['notify.invalid-from']);
});

test('§3.2: an unsupported method or an invalid URI from a variable is a run-time error', () => {
  const xmpp = runScript(`${R}notify "xmpp:tim@example.com";`);
  assert.equal(xmpp.error?.kind, 'runtime');
  assert.match(xmpp.error.message, /not supported/);
  const bad = runScript(`${R}set "u" "mailto:a@"; notify "\${u}";`);
  assert.equal(bad.error?.kind, 'runtime');
  const imp = runScript(`${R}set "i" "0"; notify :importance "\${i}" "mailto:a@example.com";`);
  assert.match(imp.error?.message ?? '', /importance/);
  // A method the host offers.
  const a = hostActions(`${R}notify "xmpp:tim@example.com";`, {
    notifyMethodAvailable: (u) => u.startsWith('xmpp:'),
  });
  assert.equal(notifies(a)[0]?.mailto, null);
});

test('RFC 6068 / RFC 5436: recipients, header fields, reserved fields, percent-encoding', () => {
  const u = parseMailto(
    'a@example.com,b@example.com?cc=c@example.com&to=d@example.com&subject=Hi%20there&body=x%26y&from=evil@example.org&X-Tag=1&reply-to=r1@example.org&reply-to=r2@example.org',
  );
  assert.ok(!('error' in u));
  assert.deepEqual(u.to, ['a@example.com', 'b@example.com', 'd@example.com']);
  assert.deepEqual(u.cc, ['c@example.com']);
  assert.equal(u.subject, 'Hi there');
  assert.equal(u.body, 'x&y');
  // From is reserved: a URI cannot forge the notification's origin.
  assert.deepEqual(u.headers, [
    { name: 'X-Tag', value: '1' },
    { name: 'reply-to', value: 'r1@example.org' },
  ]);
  assert.deepEqual(parseMailto(''), { to: [], cc: [], subject: null, body: null, headers: [] });
  assert.ok('error' in parseMailto('a@example.com?subject=%zz'));
  assert.ok('error' in parseMailto('a b@example.com'));
  assert.ok('error' in parseMailto('a@example.com?novalue'));
  assert.ok('error' in parseMailto('a@example.com?subject=a%0D%0AB: c'));
  // A recipient in To and Cc is notified once, as To.
  const dup = parseMailto('a@example.com?cc=A@example.com');
  assert.ok(!('error' in dup));
  assert.deepEqual([dup.to, dup.cc], [['a@example.com'], []]);
});

test('§7: recipients already notified in this run are dropped; a notification left with none is dropped', () => {
  const n = notifies(
    actions(
      `${R}notify "mailto:a@example.com,b@example.com"; notify "mailto:b@example.com,c@example.com"; notify "mailto:A@example.com";`,
    ),
  );
  assert.equal(n.length, 2);
  assert.deepEqual(n[1]!.mailto?.to, ['c@example.com']);
});

test('§4: valid_notify_method is true only if every URI is supported and valid', () => {
  assert.equal(branch(['enotify'], 'valid_notify_method "mailto:a@example.com"'), true);
  assert.equal(branch(['enotify'], 'valid_notify_method ["mailto:a@example.com", "mailto:"]'), true);
  assert.equal(
    branch(['enotify'], 'valid_notify_method ["mailto:a@example.com", "xmpp:b@example.com"]'),
    false,
  );
  assert.equal(branch(['enotify'], 'valid_notify_method "mailto:a@"'), false);
  assert.equal(
    branch(['enotify'], 'valid_notify_method "xmpp:b@example.com"', { notifyMethodAvailable: () => true }),
    true,
  );
});

test('§5: notify_method_capability "online" is "maybe" for mailto; unknown items and methods are false', () => {
  assert.equal(branch(['enotify'], 'notify_method_capability "mailto:a@example.com" "Online" "maybe"'), true);
  assert.equal(branch(['enotify'], 'notify_method_capability "mailto:a@example.com" "online" "yes"'), false);
  assert.equal(
    branch(['enotify'], 'notify_method_capability :matches "mailto:a@example.com" "online" "m*"'),
    true,
  );
  assert.equal(branch(['enotify'], 'notify_method_capability "mailto:a@example.com" "busy" "maybe"'), false);
  assert.equal(branch(['enotify'], 'notify_method_capability "xmpp:a@example.com" "online" "maybe"'), false);
  assert.equal(branch(['enotify'], 'notify_method_capability "mailto:a@" "online" "maybe"'), false);
});

test('§6: :encodeurl percent-encodes everything outside the unreserved set, at precedence 15', () => {
  assert.equal(encodeUrl('Safe body&evil=evilbody'), 'Safe%20body%26evil%3Devilbody');
  assert.equal(encodeUrl('a-b._~é*!'), 'a-b._~%C3%A9%2A%21');
  const filed = (s: string) =>
    (actions(`require ["enotify", "variables", "fileinto"]; ${s}`)[0] as { mailbox: string }).mailbox;
  assert.equal(filed('set :encodeurl "v" "a b"; fileinto "${v}";'), 'a%20b');
  // :upper (40) applies before :encodeurl (15), :length (10) after it.
  assert.equal(filed('set :upper :encodeurl "v" "é"; fileinto "${v}";'), '%C3%89');
  assert.equal(filed('set :length :encodeurl "v" "a b"; fileinto "${v}";'), '5');
  assert.deepEqual(errorCodes('require ["variables"]; set :encodeurl "v" "a";'), ['require.missing']);
});

test('§6 :encodeurl at the variable size limit: the value is cut between escapes, never inside one', () => {
  const engine = createEngine({ limits: { maxVariableSize: 10 } });
  const filed = (s: string): string => {
    const p = engine.compile(`require ["enotify", "variables", "fileinto"]; ${s}`).program!;
    const r = engine.run(p, {
      message: parseMessage(new Uint8Array()),
      envelope: { from: null, to: 'x@y.z' },
    });
    return (r.actions[0] as { mailbox: string }).mailbox;
  };
  assert.equal(filed('set :encodeurl "v" "@@@@@@"; fileinto "${v}";'), '%40%40%40');
  assert.equal(filed('set :encodeurl "v" "0@@@@@@"; fileinto "${v}";'), '0%40%40%40');
  assert.equal(filed('set :encodeurl "v" "00@@@@@@"; fileinto "${v}";'), '00%40%40');
  // A multi-octet character goes whole or not at all.
  assert.equal(filed('set :encodeurl "v" "aéé"; fileinto "${v}";'), 'a%C3%A9');
  // Without :encodeurl the cut is at a character.
  assert.equal(filed('set "v" "%40%40%40%40"; fileinto "${v}";'), '%40%40%40%');
});
