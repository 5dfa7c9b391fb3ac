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
import { DEFAULT_MESSAGE } from '../helpers.js';

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
