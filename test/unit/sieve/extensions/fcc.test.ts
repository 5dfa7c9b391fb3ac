// RFC 8580: fcc on vacation and notify. Those commands belong to other extensions; here stand-ins
// with the same names call validateFcc/fccOptions the way they are meant to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Engine,
  ALL_EXTENSIONS,
  parseMessage,
  type ExtensionDefinition,
} from '../../../../src/sieve/index.js';
import { fccOptions, validateFcc, type FccJson } from '../../../../src/sieve/extensions/fcc/index.js';
import { actions as helperActions, DEFAULT_MESSAGE, errorCodes as helperErrorCodes } from '../helpers.js';

const standIn: ExtensionDefinition = {
  name: 'vacation',
  aliases: ['enotify'],
  setup(r) {
    for (const name of ['vacation', 'notify']) {
      r.command({
        name,
        positional: [{ name: 'reason', type: 'string' }],
        tests: 'none',
        block: 'none',
        validate: validateFcc,
        compile(cc, cmd) {
          const fcc = fccOptions(cc, cmd);
          return (ctx) => {
            captured = fcc ? fcc(ctx) : null;
            return false;
          };
        },
      });
    }
  },
};
const engine = new Engine({
  extensions: [...ALL_EXTENSIONS.filter((e) => e.name !== 'vacation' && e.name !== 'enotify'), standIn],
});

function compileErrors(source: string): string[] {
  return engine
    .compile(source)
    .diagnostics.filter((d) => d.severity === 'error')
    .map((d) => d.code);
}

/** The fcc field the last vacation or notify of the script computed. */
let captured: FccJson | null = null;

function fccOf(source: string, host = {}): FccJson | null {
  const { program, diagnostics } = engine.compile(source);
  if (!program) throw new Error(diagnostics.map((d) => d.message).join('; '));
  captured = null;
  const r = engine.run(program, {
    message: parseMessage(new TextEncoder().encode(DEFAULT_MESSAGE)),
    envelope: { from: 'a@example.com', to: 'b@example.org' },
    host,
  });
  if (r.error) throw new Error(r.error.message);
  return captured;
}

test('§3: :fcc needs require "fcc"', () => {
  assert.deepEqual(compileErrors('require "vacation"; vacation :fcc "Sent" "away";'), ['require.missing']);
  assert.deepEqual(compileErrors('require ["vacation", "fcc"]; vacation :fcc "Sent" "away";'), []);
  assert.deepEqual(compileErrors('require ["enotify", "fcc"]; notify :fcc "Sent" "x";'), []);
});

test('§3: :create, :flags, :specialuse and :mailboxid only come with :fcc', () => {
  assert.deepEqual(compileErrors('require ["vacation", "fcc", "mailbox"]; vacation :create "away";'), [
    'fcc.missing',
  ]);
  assert.deepEqual(
    compileErrors('require ["vacation", "fcc", "special-use"]; vacation :specialuse "\\\\Sent" "away";'),
    ['fcc.missing'],
  );
  assert.deepEqual(
    compileErrors('require ["vacation", "fcc", "mailboxid"]; vacation :mailboxid "F1" "away";'),
    ['fcc.missing'],
  );
});

test('§3: each companion needs its own extension', () => {
  assert.deepEqual(compileErrors('require ["vacation", "fcc"]; vacation :fcc "Sent" :create "away";'), [
    'require.missing',
  ]);
  assert.deepEqual(
    compileErrors('require ["vacation", "fcc"]; vacation :fcc "Sent" :flags "\\\\Seen" "away";'),
    ['require.missing'],
  );
  assert.deepEqual(
    compileErrors(
      'require ["vacation", "fcc", "special-use"]; vacation :fcc "Sent" :specialuse "Sent" "away";',
    ),
    ['special-use.invalid-flag'],
  );
  assert.deepEqual(compileErrors('require ["vacation", "fcc"]; vacation :fcc "" "away";'), [
    'fcc.empty-mailbox',
  ]);
});

const hasImap4flags = ALL_EXTENSIONS.some((e) => e.name === 'imap4flags');

test(
  'fccOptions gives the fcc field: mailbox, create, flags',
  { skip: !hasImap4flags && 'no imap4flags yet' },
  () => {
    const s =
      'require ["vacation", "fcc", "mailbox", "imap4flags"];\nvacation :fcc "Sent" :create :flags ["\\\\Seen \\\\Flagged", "\\\\seen"] "away";';
    assert.deepEqual(fccOf(s), { mailbox: 'Sent', create: true, flags: ['\\Flagged', '\\Seen'] });
  },
);

test('RFC 8579/9042 with fcc: :mailboxid, then :specialuse, then the name', () => {
  const host = {
    mailboxById: (id: string) => (id === 'Fsent' ? 'Sent Items' : null),
    specialUseMailbox: (f: string) => (f === '\\Sent' ? 'Sent Messages' : null),
  };
  const r = 'require ["enotify", "fcc", "special-use", "mailboxid"];\n';
  assert.deepEqual(fccOf(`${r}notify :fcc "Sent" :specialuse "\\\\Sent" :mailboxid "Fsent" "x";`, host), {
    mailbox: 'Sent Items',
    create: false,
    flags: [],
    specialuse: '\\Sent',
    mailboxid: 'Fsent',
  });
  assert.deepEqual(
    fccOf(`${r}notify :fcc "Sent" :specialuse "\\\\Sent" "x";`, host)?.mailbox,
    'Sent Messages',
  );
  assert.deepEqual(fccOf(`${r}notify :fcc "Sent" "x";`, host)?.mailbox, 'Sent');
});

test('fccOptions gives create and the named mailbox', () => {
  assert.deepEqual(fccOf('require ["vacation", "fcc", "mailbox"];\nvacation :fcc "Sent" :create "away";'), {
    mailbox: 'Sent',
    create: true,
    flags: [],
  });
});

test('without :fcc there is no fcc field', () => {
  assert.equal(fccOf('require "vacation";\nvacation "away";'), null);
});

// The real vacation (RFC 5230) and notify (RFC 5435) commands, as the default engine has them.
const real = {
  actions: (source: string): Record<string, unknown>[] => helperActions(source),
  errors: (source: string): string[] => helperErrorCodes(source),
};

test('§4: vacation takes :fcc; the reply copy goes to the named mailbox (RFC 8580 §4 example)', () => {
  const acts = real.actions(
    'require ["vacation", "fcc"];\n' +
      'vacation :days 7 :from "hemingway@example.com" :fcc "INBOX.Sent" "Gone Fishin\'";',
  );
  const vacation = acts.find((a) => a.type === 'vacation');
  assert.deepEqual(vacation?.fcc, { mailbox: 'INBOX.Sent', create: false, flags: [] });
});

test('§5: notify takes :fcc, with :create and :flags', () => {
  const acts = real.actions(
    'require ["enotify", "fcc", "mailbox", "imap4flags"];\n' +
      'notify :fcc "Sent" :create :flags ["\\\\Seen", "$Notified"] :message "You got mail" "mailto:ken@example.com";',
  );
  const notify = acts.find((a) => a.type === 'notify');
  assert.deepEqual(notify?.fcc, { mailbox: 'Sent', create: true, flags: ['$Notified', '\\Seen'] });
});

test('§4, §5: without :fcc the vacation and notify actions have no fcc field', () => {
  const acts = real.actions(
    'require ["vacation", "enotify"];\nvacation "away";\nnotify "mailto:ken@example.com";',
  );
  for (const a of acts) assert.equal('fcc' in a, false, JSON.stringify(a));
});

test('§3 on the real commands: :fcc needs require "fcc"; companions need :fcc; no empty mailbox', () => {
  assert.deepEqual(real.errors('require "vacation";\nvacation :fcc "Sent" "away";'), ['require.missing']);
  assert.deepEqual(
    real.errors('require ["enotify", "fcc", "mailbox"];\nnotify :create "mailto:a@example.com";'),
    ['fcc.missing'],
  );
  assert.deepEqual(real.errors('require ["vacation", "fcc"];\nvacation :fcc "" "away";'), [
    'fcc.empty-mailbox',
  ]);
  assert.deepEqual(
    real.errors('require ["vacation", "fcc"];\nvacation :fcc "Sent" :flags "\\\\Seen" "away";'),
    ['require.missing'],
  );
});
