import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ManageSieveClient,
  requireOk,
  type ManageSieveClientOptions,
  type ManageSieveReply,
} from '../../../src/managesieve/client.js';
import type { PasswdUser } from './common.js';

/**
 * One RFC 5804 protocol suite, run against Dovecot's managesieved and against `sievert serve`
 * (protocol.test.ts). Where Dovecot deviates from the RFC, the test says so and asserts what
 * Dovecot does for Dovecot and what the RFC asks for sievert, through the `expect` table.
 *
 * Both servers run with STARTTLS, plaintext SASL refused before TLS, `max_script_size` 1M, and
 * the users below (each test has a user of its own, so tests do not see each other's scripts).
 */

export const PASSWORD = 'secret';
export const MAX_SCRIPT_SIZE = '1M';
const MAX_SCRIPT_OCTETS = 1024 * 1024;

const TEST_USERS = [
  'greeting',
  'auth',
  'put',
  'check',
  'active',
  'get',
  'delete',
  'rename',
  'space',
  'names',
  'empty',
  'pipeline',
  'owner',
  'unauth',
  'unauth2',
  'literal',
] as const;
type TestUser = (typeof TEST_USERS)[number] | 'quota';

const address = (u: TestUser): string => `${u}@example.com`;

/** The passwd-file both servers read; `quota` may keep two scripts (a userdb extra field). */
export const SUITE_USERS: PasswdUser[] = [
  ...TEST_USERS.map((u) => ({ user: address(u), password: `{PLAIN}${PASSWORD}` })),
  { user: address('quota'), password: `{PLAIN}${PASSWORD}`, extra: 'userdb_sieve_quota_max_scripts=2' },
];

/** What each server does where they differ; `true`/the first value is what RFC 5804 asks. */
export interface Expectations {
  /** RFC 5804 §1.7: OWNER (the logged-in user) in the capability block after login. Dovecot never sends it. */
  owner: boolean;
  /** RFC 5804 §2.14.1 UNAUTHENTICATE. Dovecot has no such command. */
  unauthenticate: boolean;
  /**
   * SASL PLAIN refused before STARTTLS with `NO (ENCRYPT-NEEDED)` (RFC 5804 §2.1) and not
   * advertised. Dovecot counts a loopback connection as secure and accepts it.
   */
  encryptBeforePlaintext: boolean;
  /**
   * Bytes a client pipelines after STARTTLS, before the handshake, are discarded (RFC 5804
   * §2.2, the STARTTLS command injection of RFC 3207 §6 / CVE-2011-0411 class). Dovecot hands
   * them to its TLS layer and the handshake fails.
   */
  discardsPipelinedAfterStartTls: boolean;
  /** An empty script is refused by PUTSCRIPT. Dovecot stores it. */
  refusesEmptyScript: boolean;
  /**
   * A name of 128 characters of 2-octet UTF-8 (256 octets), which RFC 5804 §1.6 requires a
   * server to allow. Dovecot fails on it with `NO (TRYLATER)` "Internal error" (its file
   * names are limited to about 220 octets).
   */
  longUtf8Name: 'OK' | 'TRYLATER';
  /** A 129-character name is refused (a name is never truncated). Dovecot accepts it. */
  refusesOverlongName: boolean;
  /**
   * Before login, a command carrying a literal is refused and the literal's octets are skipped.
   * Dovecot refuses PUTSCRIPT and then parses the literal's body as commands and runs them.
   */
  skipsRefusedLiteral: boolean;
}

export const DOVECOT_EXPECTATIONS: Expectations = {
  owner: false,
  unauthenticate: false,
  encryptBeforePlaintext: false,
  discardsPipelinedAfterStartTls: false,
  refusesEmptyScript: false,
  longUtf8Name: 'TRYLATER',
  refusesOverlongName: false,
  skipsRefusedLiteral: false,
};

export const SIEVERT_EXPECTATIONS: Expectations = {
  owner: true,
  unauthenticate: true,
  encryptBeforePlaintext: true,
  discardsPipelinedAfterStartTls: true,
  refusesEmptyScript: true,
  longUtf8Name: 'OK',
  refusesOverlongName: true,
  skipsRefusedLiteral: true,
};

export interface ServerUnderTest {
  port: number;
  /** The test CA that signed the server's certificate for `localhost`. */
  ca: Buffer;
  expect: Expectations;
}

/** A script with CRLF and LF line ends, UTF-8, quotes and backslashes: returned octet for octet. */
export const SAMPLE_SCRIPT = Buffer.from(
  [
    'require ["fileinto", "vacation"];\r\n',
    '# Grüße, "quotes" and a backslash \\\r\n',
    'if header :contains "subject" ["[spam]", "Ärger"] {\r\n',
    '    fileinto "Junk";\n',
    '    stop;\r\n',
    '}\r\n',
    'vacation :days 7 "Bin im Urlaub – bis Montag.";\r\n',
  ].join(''),
  'utf8',
);
const INVALID_SCRIPT = 'keep;\r\nfileinto "x";\r\n';
const WARNING_SCRIPT = 'require "imap4flags";\r\naddflag "\\\\Bogus";\r\n';

const names = (r: { scripts: { name: string; active: boolean }[] }): string[] =>
  r.scripts.map((s) => (s.active ? `${s.name} ACTIVE` : s.name)).sort();

/** Registers the suite's tests in the current describe(); `server()` is read when each test runs. */
export function protocolSuite(server: () => ServerUnderTest): void {
  const open: ManageSieveClient[] = [];
  const options = (tls: ManageSieveClientOptions['tls'] = 'starttls'): ManageSieveClientOptions => ({
    host: '127.0.0.1',
    port: server().port,
    tls,
    tlsOptions: { ca: server().ca, servername: 'localhost' },
    timeoutMs: 5000,
  });
  const connect = async (tls: ManageSieveClientOptions['tls'] = 'starttls'): Promise<ManageSieveClient> => {
    const c = await ManageSieveClient.connect(options(tls));
    open.push(c);
    return c;
  };
  const login = async (user: TestUser): Promise<ManageSieveClient> => {
    const c = await connect();
    requireOk('AUTHENTICATE', await c.authenticate(address(user), PASSWORD));
    return c;
  };
  const expect = (): Expectations => server().expect;
  const t = (name: string, fn: () => Promise<void>): void => {
    test(name, async () => {
      try {
        await fn();
      } finally {
        for (const c of open.splice(0)) c.close();
      }
    });
  };

  t('greeting: a capability block ending with OK; CAPABILITY repeats it', async () => {
    const c = await connect('plain');
    const caps = c.capabilities;
    assert.equal(c.greeting.status, 'OK');
    assert.ok(caps.implementation, 'IMPLEMENTATION');
    assert.ok(caps.sieve.includes('fileinto') && caps.sieve.includes('vacation'), caps.sieve.join(' '));
    assert.equal(caps.startTls, true, 'STARTTLS offered before TLS');
    assert.equal(caps.version, '1.0');
    // RFC 5804 §1.7: NOTIFY lists the enotify methods when enotify is offered.
    if (caps.sieve.includes('enotify')) assert.ok(caps.notify.includes('mailto'));
    assert.equal(caps.owner, undefined, 'no OWNER before login');
    // UNAUTHENTICATE is a command of the authenticated state: see the OWNER test.
    if (!expect().unauthenticate) assert.equal(caps.unauthenticate, false);
    assert.equal(caps.raw.has('SASL'), true, 'SASL is listed, even when empty');
    const again = await c.capability();
    assert.equal(again.status, 'OK');
    assert.deepEqual([...c.capabilities.raw], [...caps.raw]);
  });

  t('STARTTLS: the capability block again, unsolicited, without STARTTLS, with SASL PLAIN', async () => {
    const c = await connect('plain');
    c.send('STARTTLS\r\n');
    assert.equal((await c.readResponse()).status, 'OK');
    const block = await c.completeStartTls();
    assert.equal(block.status, 'OK');
    assert.equal(c.secure, true);
    assert.equal(c.capabilities.startTls, false);
    assert.ok(c.capabilities.sasl.includes('PLAIN'), c.capabilities.sasl.join(' '));
    assert.equal((await c.noop()).status, 'OK');
  });

  t('STARTTLS: a command pipelined before the handshake is discarded, never answered', async () => {
    const c = await connect('plain');
    c.send('STARTTLS\r\nNOOP "piped"\r\n');
    assert.equal((await c.readResponse()).status, 'OK');
    if (!expect().discardsPipelinedAfterStartTls) {
      // Dovecot: the plaintext NOOP is read as the start of the TLS handshake, which fails.
      await assert.rejects(c.completeStartTls());
      return;
    }
    assert.equal((await c.completeStartTls()).status, 'OK');
    const r = await c.noop('after');
    assert.deepEqual([r.code, r.codeData], ['TAG', ['after']]);
  });

  t('plaintext SASL before TLS', async () => {
    const c = await connect('plain');
    const r = await c.authenticate(address('auth'), PASSWORD);
    if (expect().encryptBeforePlaintext) {
      assert.deepEqual([r.status, r.code], ['NO', 'ENCRYPT-NEEDED']);
      assert.ok(!c.capabilities.sasl.includes('PLAIN'), 'PLAIN not offered before TLS');
    } else {
      // Dovecot: loopback counts as secure (disable_plaintext_auth applies to remote clients).
      assert.equal(r.status, 'OK');
    }
  });

  t(
    'AUTHENTICATE PLAIN: initial response quoted, as a literal, and after an empty challenge; LOGIN',
    async () => {
      for (const initialResponse of ['quoted', 'literal', 'none'] as const) {
        const c = await connect();
        const r = await c.authenticate(address('auth'), PASSWORD, { initialResponse });
        assert.equal(r.status, 'OK', `${initialResponse}: ${r.text}`);
        assert.equal((await c.listScripts()).status, 'OK');
      }
      const c = await connect();
      assert.equal((await c.authenticate(address('auth'), PASSWORD, { mechanism: 'LOGIN' })).status, 'OK');
    },
  );

  t('AUTHENTICATE: "*" aborts with NO; a wrong password gets NO; then a good login works', async () => {
    const c = await connect();
    c.send('AUTHENTICATE "PLAIN"\r\n');
    c.send('"*"\r\n');
    // The empty challenge (a string line) comes first; readResponse keeps it as data.
    const aborted = await c.readResponse();
    assert.equal(aborted.status, 'NO');
    const wrong = await c.authenticate(address('auth'), 'not the password');
    assert.equal(wrong.status, 'NO');
    assert.equal((await c.listScripts()).status, 'NO', 'not logged in');
    assert.equal((await c.authenticate(address('auth'), PASSWORD)).status, 'OK');
  });

  t('after login: OWNER (the logged-in user) and UNAUTHENTICATE in the capability block', async () => {
    const c = await login('owner');
    await c.capability();
    assert.equal(c.capabilities.owner, expect().owner ? address('owner') : undefined);
    // RFC 5804 §2.14.1: a server with UNAUTHENTICATE advertises it (at least once logged in).
    assert.equal(c.capabilities.unauthenticate, expect().unauthenticate);
    // RFC 5804 §1.7: no STARTTLS once secure; SASL may be empty after login.
    assert.equal(c.capabilities.startTls, false);
  });

  t('PUTSCRIPT: valid (OK), invalid (NO with the line number), with warnings (OK (WARNINGS))', async () => {
    const c = await login('put');
    assert.equal((await c.putScript('main', SAMPLE_SCRIPT)).status, 'OK');
    const bad = await c.putScript('bad', INVALID_SCRIPT);
    assert.equal(bad.status, 'NO');
    assert.match(bad.text ?? '', /line 2\b/, bad.text);
    const warned = await c.putScript('warned', WARNING_SCRIPT);
    assert.deepEqual([warned.status, warned.code], ['OK', 'WARNINGS']);
    assert.match(warned.text ?? '', /line 2\b/, warned.text);
    assert.deepEqual(names(await c.listScripts()), ['main', 'warned']);
    // A synchronizing literal {n} works too: clients never wait for a continuation (§1.3).
    assert.equal((await c.putScript('sync', 'keep;\r\n', 'sync-literal')).status, 'OK');
    assert.equal((await c.putScript('main', 'keep;\r\n')).status, 'OK', 'replacing');
    assert.deepEqual((await c.getScript('main')).content, Buffer.from('keep;\r\n'));
  });

  t('PUTSCRIPT over the size limit: NO (QUOTA/MAXSIZE)', async () => {
    const c = await login('put');
    const big = Buffer.alloc(MAX_SCRIPT_OCTETS + 1, '#');
    const r = await c.putScript('big', big);
    assert.deepEqual([r.status, r.code], ['NO', 'QUOTA/MAXSIZE']);
    assert.equal((await c.noop('still here')).status, 'OK');
  });

  t('CHECKSCRIPT: OK, NO with the line, OK (WARNINGS); nothing is stored', async () => {
    const c = await login('check');
    assert.equal((await c.checkScript(SAMPLE_SCRIPT)).status, 'OK');
    const bad = await c.checkScript(INVALID_SCRIPT);
    assert.equal(bad.status, 'NO');
    assert.match(bad.text ?? '', /line 2\b/, bad.text);
    const warned = await c.checkScript(WARNING_SCRIPT);
    assert.deepEqual([warned.status, warned.code], ['OK', 'WARNINGS']);
    assert.match(warned.text ?? '', /line 2\b/);
    assert.deepEqual(names(await c.listScripts()), []);
  });

  t('SETACTIVE: one active script; "" deactivates; a missing one is NO (NONEXISTENT)', async () => {
    const c = await login('active');
    requireOk('PUTSCRIPT', await c.putScript('one', 'keep;\r\n'));
    requireOk('PUTSCRIPT', await c.putScript('two', 'discard;\r\n'));
    assert.deepEqual(names(await c.listScripts()), ['one', 'two']);
    assert.equal((await c.setActive('one')).status, 'OK');
    assert.deepEqual(names(await c.listScripts()), ['one ACTIVE', 'two']);
    assert.equal((await c.setActive('two')).status, 'OK');
    assert.deepEqual(names(await c.listScripts()), ['one', 'two ACTIVE']);
    // Replacing the active script keeps it active.
    requireOk('PUTSCRIPT', await c.putScript('two', 'keep;\r\n'));
    assert.deepEqual(names(await c.listScripts()), ['one', 'two ACTIVE']);
    const missing = await c.setActive('three');
    assert.deepEqual([missing.status, missing.code], ['NO', 'NONEXISTENT']);
    assert.deepEqual(names(await c.listScripts()), ['one', 'two ACTIVE']);
    assert.equal((await c.setActive('')).status, 'OK');
    assert.deepEqual(names(await c.listScripts()), ['one', 'two']);
  });

  t('GETSCRIPT: the exact octets (CRLF, LF, UTF-8); a missing one is NO (NONEXISTENT)', async () => {
    const c = await login('get');
    requireOk('PUTSCRIPT', await c.putScript('sample', SAMPLE_SCRIPT));
    const got = await c.getScript('sample');
    assert.equal(got.status, 'OK');
    assert.deepEqual(got.content, SAMPLE_SCRIPT);
    const missing = await c.getScript('nope');
    assert.deepEqual([missing.status, missing.code], ['NO', 'NONEXISTENT']);
  });

  t('DELETESCRIPT: the active one is NO (ACTIVE); others go; a missing one is NO (NONEXISTENT)', async () => {
    const c = await login('delete');
    requireOk('PUTSCRIPT', await c.putScript('keepme', 'keep;\r\n'));
    requireOk('PUTSCRIPT', await c.putScript('dropme', 'keep;\r\n'));
    requireOk('SETACTIVE', await c.setActive('keepme'));
    const active = await c.deleteScript('keepme');
    assert.deepEqual([active.status, active.code], ['NO', 'ACTIVE']);
    assert.equal((await c.deleteScript('dropme')).status, 'OK');
    const missing = await c.deleteScript('dropme');
    assert.deepEqual([missing.status, missing.code], ['NO', 'NONEXISTENT']);
    assert.deepEqual(names(await c.listScripts()), ['keepme ACTIVE']);
  });

  t('RENAMESCRIPT: the active script stays active; ALREADYEXISTS; NONEXISTENT', async () => {
    const c = await login('rename');
    requireOk('PUTSCRIPT', await c.putScript('old', SAMPLE_SCRIPT));
    requireOk('PUTSCRIPT', await c.putScript('other', 'keep;\r\n'));
    requireOk('SETACTIVE', await c.setActive('old'));
    assert.equal((await c.renameScript('old', 'new')).status, 'OK');
    assert.deepEqual(names(await c.listScripts()), ['new ACTIVE', 'other']);
    assert.deepEqual((await c.getScript('new')).content, SAMPLE_SCRIPT);
    const exists = await c.renameScript('new', 'other');
    assert.deepEqual([exists.status, exists.code], ['NO', 'ALREADYEXISTS']);
    const missing = await c.renameScript('old', 'newer');
    assert.deepEqual([missing.status, missing.code], ['NO', 'NONEXISTENT']);
    assert.deepEqual(names(await c.listScripts()), ['new ACTIVE', 'other']);
  });

  t('HAVESPACE and quotas: QUOTA/MAXSIZE; QUOTA/MAXSCRIPTS from the passwd-file extra field', async () => {
    const s = await login('space');
    assert.equal((await s.haveSpace('small', 100)).status, 'OK');
    const size = await s.haveSpace('huge', 2 * MAX_SCRIPT_OCTETS);
    assert.deepEqual([size.status, size.code], ['NO', 'QUOTA/MAXSIZE']);
    const q = await login('quota');
    for (const n of ['a', 'b']) requireOk('PUTSCRIPT', await q.putScript(n, 'keep;\r\n'));
    const count = await q.haveSpace('c', 10);
    assert.deepEqual([count.status, count.code], ['NO', 'QUOTA/MAXSCRIPTS']);
    const put = await q.putScript('c', 'keep;\r\n');
    assert.deepEqual([put.status, put.code], ['NO', 'QUOTA/MAXSCRIPTS']);
    // Replacing an existing script never counts against the script count.
    assert.equal((await q.haveSpace('a', 10)).status, 'OK');
    assert.equal((await q.putScript('a', 'discard;\r\n')).status, 'OK');
    assert.deepEqual(names(await q.listScripts()), ['a', 'b']);
  });

  t('NOOP echoes its tag; unknown commands get NO', async () => {
    const c = await connect();
    const tagged = await c.noop('tag "with" quotes');
    assert.deepEqual([tagged.status, tagged.code, tagged.codeData], ['OK', 'TAG', ['tag "with" quotes']]);
    assert.equal((await c.noop()).status, 'OK');
    assert.equal((await c.call('FROBNICATE')).status, 'NO');
    assert.equal((await c.noop('alive')).status, 'OK');
  });

  t('pipelining: commands sent together are answered in order', async () => {
    const c = await login('pipeline');
    c.send(
      'NOOP "1"\r\nPUTSCRIPT "p" {7+}\r\nkeep;\r\n\r\nSETACTIVE "p"\r\nLISTSCRIPTS\r\nGETSCRIPT "p"\r\nNOOP "2"\r\n',
    );
    const replies: ManageSieveReply[] = [];
    for (let i = 0; i < 6; i++) replies.push(await c.readResponse());
    assert.deepEqual(
      replies.map((r) => r.status),
      ['OK', 'OK', 'OK', 'OK', 'OK', 'OK'],
    );
    assert.deepEqual(replies[0]!.codeData, ['1']);
    assert.deepEqual(replies[5]!.codeData, ['2']);
    assert.equal(replies[3]!.data.length, 1);
    assert.deepEqual(replies[4]!.data[0]![0]!.bytes, Buffer.from('keep;\r\n'));
  });

  t('script names: 128 characters of 2-octet UTF-8; 129 characters; control characters', async () => {
    const c = await login('names');
    const long = 'é'.repeat(128);
    const r = await c.putScript(long, 'keep;\r\n');
    if (expect().longUtf8Name === 'OK') {
      assert.equal(r.status, 'OK', r.text);
      assert.deepEqual(names(await c.listScripts()), [long]);
      assert.equal((await c.setActive(long)).status, 'OK');
      assert.deepEqual((await c.getScript(long)).content, Buffer.from('keep;\r\n'));
    } else {
      assert.deepEqual([r.status, r.code], ['NO', 'TRYLATER']);
    }
    const overlong = await c.putScript('a'.repeat(129), 'keep;\r\n');
    assert.equal(overlong.status, expect().refusesOverlongName ? 'NO' : 'OK');
    assert.equal((await c.putScript('a\u0001b', 'keep;\r\n')).status, 'NO');
    assert.equal((await c.putScript('line\u2028sep', 'keep;\r\n')).status, 'NO');
  });

  t('an empty script', async () => {
    const c = await login('empty');
    const r = await c.putScript('empty', '');
    assert.equal(r.status, expect().refusesEmptyScript ? 'NO' : 'OK', r.text);
  });

  t('UNAUTHENTICATE: back to the unauthenticated state, then a login as another user', async () => {
    const c = await login('unauth');
    requireOk('PUTSCRIPT', await c.putScript('mine', 'keep;\r\n'));
    const r = await c.unauthenticate();
    if (!expect().unauthenticate) {
      assert.equal(r.status, 'NO');
      return;
    }
    assert.equal(r.status, 'OK');
    assert.equal((await c.listScripts()).status, 'NO', 'logged out');
    assert.equal((await c.authenticate(address('unauth2'), PASSWORD)).status, 'OK');
    assert.deepEqual(names(await c.listScripts()), [], "the other user's scripts");
  });

  t('before login: the body of a refused literal is never run as commands', async () => {
    const c = await connect('plain');
    const body = 'NOOP "INJECTED"\r\n'.repeat(12_000);
    c.send(`PUTSCRIPT "x" {${body.length}+}\r\n${body}\r\nNOOP "after"\r\n`);
    const first = await c.readResponse();
    assert.notEqual(first.status, 'OK');
    const next = await c.readResponse();
    if (!expect().skipsRefusedLiteral) {
      // Dovecot answers NO to PUTSCRIPT, then runs the literal's lines.
      assert.deepEqual([next.code, next.codeData], ['TAG', ['INJECTED']]);
      return;
    }
    // The rule: NO (QUOTA/MAXSIZE) as soon as the literal's header is read.
    assert.deepEqual([first.status, first.code], ['NO', 'QUOTA/MAXSIZE'], first.text);
    assert.deepEqual([next.status, next.code, next.codeData], ['OK', 'TAG', ['after']]);
  });
}
