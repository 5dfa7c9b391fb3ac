import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createAuthenticator,
  type AuthContext,
  type AuthenticatorOptions,
  type AuthExchange,
  type AuthStep,
  type TokenVerdict,
  type TokenVerifier,
  type UserEntry,
  type UserSource,
} from '../../../src/auth/index.js';
import { parseCidr } from '../../../src/net/index.js';
import { scramClient, text } from './helpers.js';

function source(entries: Record<string, string>): UserSource & { lookups: string[] } {
  const lookups: string[] = [];
  return {
    lookups,
    lookup(name: string): Promise<UserEntry | undefined> {
      lookups.push(name);
      const password = entries[name];
      return Promise.resolve(password === undefined ? undefined : { name, password, quota: {} });
    },
  };
}

const TLS: AuthContext = { secure: true, remoteAddress: '127.0.0.1' };
const CLEAR: AuthContext = { secure: false, remoteAddress: '127.0.0.1' };
const b = (s: string) => Buffer.from(s, 'utf8');
const plain = (authzid: string, authcid: string, pw: string) => b(`${authzid}\0${authcid}\0${pw}`);

const SCRAM_SHA256_SECRET =
  '{SCRAM-SHA-256}4096,GtyZuijA8b9Eh/FcQInVBQ==,EamDe8ATsfQtjCfatftHPKETk1rdzJ98sebSS/ECp2U=,gsPPiNzSqPAAsMI10kVnjQ07iM9yqUqNgJ2fRDdaoro=';

function auth(extra: Partial<AuthenticatorOptions> = {}) {
  return createAuthenticator({
    users: source({
      alice: '{PLAIN}wonderland',
      bob: '{SHA256-CRYPT}$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5',
      jösé: 'pässwörd',
      carol: SCRAM_SHA256_SECRET,
      broken: '{SHA512-CRYPT}$6$oops',
      nopass: '',
    }),
    masters: source({ admin: '{PLAIN}master-secret' }),
    plaintextWithoutTls: false,
    scramSecret: Buffer.alloc(32, 1),
    ...extra,
  });
}

async function run(ex: AuthExchange | undefined, ...responses: (Buffer | undefined)[]): Promise<AuthStep[]> {
  assert.ok(ex, 'mechanism not available');
  const steps: AuthStep[] = [];
  for (const r of responses) steps.push(await ex.step(r));
  return steps;
}

async function one(ex: AuthExchange | undefined, response: Buffer): Promise<AuthStep> {
  return (await run(ex, response))[0]!;
}

/** A step with its user entry reduced to the entry's name, for comparing. */
function named(step: AuthStep): Record<string, unknown> {
  return step.kind === 'success' && step.entry ? { ...step, entry: step.entry.name } : { ...step };
}

test('cleartext mechanisms are offered and accepted only with TLS, SCRAM always', () => {
  const a = auth();
  assert.deepEqual(a.mechanisms(TLS), ['PLAIN', 'LOGIN', 'SCRAM-SHA-1', 'SCRAM-SHA-256']);
  assert.deepEqual(a.mechanisms(CLEAR), ['SCRAM-SHA-1', 'SCRAM-SHA-256']);
  assert.equal(a.start('PLAIN', CLEAR), undefined);
  assert.equal(a.start('LOGIN', CLEAR), undefined);
  assert.ok(a.start('SCRAM-SHA-256', CLEAR));
  assert.ok(a.start('plain', TLS), 'mechanism names are case-insensitive');
  assert.equal(a.start('CRAM-MD5', TLS), undefined);
  const open = auth({ plaintextWithoutTls: true });
  assert.deepEqual(open.mechanisms(CLEAR), ['PLAIN', 'LOGIN', 'SCRAM-SHA-1', 'SCRAM-SHA-256']);
  assert.ok(open.start('PLAIN', CLEAR));
});

test('the mechanism list can be chosen, and OAuth mechanisms need a verifier', () => {
  assert.deepEqual(auth({ mechanisms: ['SCRAM-SHA-256', 'PLAIN'] }).mechanisms(TLS), [
    'SCRAM-SHA-256',
    'PLAIN',
  ]);
  assert.throws(() => auth({ mechanisms: ['OAUTHBEARER'] }), /OAUTHBEARER needs an OAuth token verifier/);
  assert.throws(() => auth({ mechanisms: ['NTLM' as never] }), /unknown mechanism NTLM/);
});

test('PLAIN: the right password succeeds; a wrong one and an unknown user fail alike', async () => {
  const a = auth();
  // The step carries the entry it read (the caller needs its quota without a second lookup).
  assert.deepEqual(named(await one(a.start('PLAIN', TLS), plain('', 'alice', 'wonderland'))), {
    kind: 'success',
    user: 'alice',
    authcid: 'alice',
    master: false,
    entry: 'alice',
  });
  assert.deepEqual(named(await one(a.start('PLAIN', TLS), plain('alice', 'alice', 'wonderland'))), {
    kind: 'success',
    user: 'alice',
    authcid: 'alice',
    master: false,
    entry: 'alice',
  });
  assert.equal((await one(a.start('PLAIN', TLS), plain('', 'bob', 'Hello world!'))).kind, 'success');
  assert.equal((await one(a.start('PLAIN', TLS), plain('', 'jösé', 'pässwörd'))).kind, 'success');
  const wrong = await one(a.start('PLAIN', TLS), plain('', 'alice', 'Wonderland'));
  const unknown = await one(a.start('PLAIN', TLS), plain('', 'nobody', 'wonderland'));
  assert.deepEqual(wrong, { kind: 'failure', reason: 'credentials', message: 'Authentication failed' });
  assert.deepEqual(unknown, wrong);
  assert.deepEqual(await one(a.start('PLAIN', TLS), plain('', 'nopass', '')), wrong);
});

test('PLAIN without an initial response gets an empty challenge first', async () => {
  const steps = await run(auth().start('PLAIN', TLS), undefined, plain('', 'alice', 'wonderland'));
  assert.deepEqual(steps[0], { kind: 'challenge', data: Buffer.alloc(0) });
  assert.equal(steps[1]!.kind, 'success');
});

test('malformed PLAIN data and non-UTF-8 names are malformed', async () => {
  const a = auth();
  const s1 = await one(a.start('PLAIN', TLS), b('alice\0wonderland'));
  assert.equal(s1.kind === 'failure' && s1.reason, 'malformed');
  const s2 = await one(a.start('PLAIN', TLS), Buffer.from([0, 0xff, 0xfe, 0, 0x61]));
  assert.equal(s2.kind === 'failure' && s2.reason, 'malformed');
});

test('master users: PLAIN authzid names the user, the master password logs in as them', async () => {
  const a = auth();
  assert.deepEqual(named(await one(a.start('PLAIN', TLS), plain('alice', 'admin', 'master-secret'))), {
    kind: 'success',
    user: 'alice',
    authcid: 'admin',
    master: true,
    entry: 'alice',
  });
  const wrongPw = await one(a.start('PLAIN', TLS), plain('alice', 'admin', 'wonderland'));
  assert.equal(wrongPw.kind === 'failure' && wrongPw.reason, 'credentials');
  const noTarget = await one(a.start('PLAIN', TLS), plain('nobody', 'admin', 'master-secret'));
  assert.equal(noTarget.kind === 'failure' && noTarget.reason, 'authz');
});

test('a user who is not a master may not name another authzid', async () => {
  const a = auth();
  const s = await one(a.start('PLAIN', TLS), plain('bob', 'alice', 'wonderland'));
  assert.equal(s.kind === 'failure' && s.reason, 'authz');
  const wrong = await one(a.start('PLAIN', TLS), plain('bob', 'alice', 'nope'));
  assert.equal(wrong.kind === 'failure' && wrong.reason, 'credentials');
  const noMasters = createAuthenticator({ users: source({ alice: 'x' }), plaintextWithoutTls: true });
  const s2 = await one(noMasters.start('PLAIN', TLS), plain('bob', 'alice', 'x'));
  assert.equal(s2.kind === 'failure' && s2.reason, 'authz');
});

test('LOGIN asks for the user name and the password', async () => {
  const steps = await run(auth().start('LOGIN', TLS), undefined, b('alice'), b('wonderland'));
  assert.deepEqual(steps[0], { kind: 'challenge', data: b('Username:') });
  assert.deepEqual(steps[1], { kind: 'challenge', data: b('Password:') });
  assert.equal(steps[2]!.kind === 'success' && steps[2]!.user, 'alice');
  const withInitial = await run(auth().start('LOGIN', TLS), b('alice'), b('nope'));
  assert.deepEqual(withInitial[0], { kind: 'challenge', data: b('Password:') });
  assert.equal(withInitial[1]!.kind === 'failure' && withInitial[1]!.reason, 'credentials');
});

test('a failing user source or a malformed stored hash is unavailable, reported without the password', async () => {
  const reports: string[] = [];
  const failing: UserSource = {
    lookup: () => Promise.reject(new Error('database is down')),
  };
  const a = createAuthenticator({
    users: failing,
    plaintextWithoutTls: false,
    onError: (e, c) => reports.push(`${c.mechanism} ${c.user} ${e.message}`),
  });
  const s = await one(a.start('PLAIN', TLS), plain('', 'alice', 'hunter2'));
  assert.deepEqual(s, {
    kind: 'failure',
    reason: 'unavailable',
    message: 'Authentication service unavailable, try again later',
  });
  const b2: string[] = [];
  const broken = auth({ onError: (e, c) => b2.push(`${c.user} ${e.message}`) });
  const s2 = await one(broken.start('PLAIN', TLS), plain('', 'broken', 'hunter2'));
  assert.equal(s2.kind === 'failure' && s2.reason, 'unavailable');
  assert.equal(reports.length, 1);
  assert.match(reports[0]!, /^PLAIN alice database is down$/);
  assert.match(b2[0]!, /^broken malformed SHA512-CRYPT hash/);
  assert.ok(![...reports, ...b2].some((r) => r.includes('hunter2')));
});

test('SCRAM-SHA-256 and SCRAM-SHA-1 from a PLAIN password, without TLS, with the server proof', async () => {
  for (const [m, hash] of [
    ['SCRAM-SHA-256', 'sha256'],
    ['SCRAM-SHA-1', 'sha1'],
  ] as const) {
    const r = await scramClient(auth().start(m, CLEAR)!, { hash, user: 'alice', password: 'wonderland' });
    assert.deepEqual(
      { ...named(r.final), data: undefined },
      {
        kind: 'success',
        user: 'alice',
        authcid: 'alice',
        master: false,
        data: undefined,
        entry: 'alice',
      },
    );
    assert.ok(r.serverSignatureOk, `${m}: v= proves the server knows the keys`);
    const bad = await scramClient(auth().start(m, CLEAR)!, { hash, user: 'alice', password: 'nope' });
    assert.equal(bad.final.kind === 'failure' && bad.final.reason, 'credentials');
  }
});

test('SCRAM: the salt of a PLAIN-stored user is stable for a given secret; unknown users get one too', async () => {
  const salt = async (user: string) => {
    const s = await auth()
      .start('SCRAM-SHA-256', CLEAR)!
      .step(b(`n,,n=${user},r=abc`));
    return s.kind === 'challenge' ? /,s=([^,]+),i=4096$/.exec(s.data.toString())?.[1] : undefined;
  };
  const alice = await salt('alice');
  assert.ok(alice);
  assert.equal(await salt('alice'), alice);
  const nobody = await salt('nobody');
  assert.ok(nobody);
  assert.notEqual(nobody, alice);
});

test('SCRAM from a Dovecot {SCRAM-SHA-256} key; a key of the other hash or a one-way hash is too weak (AUTH-TOO-WEAK)', async () => {
  const ok = await scramClient(auth().start('SCRAM-SHA-256', CLEAR)!, {
    hash: 'sha256',
    user: 'carol',
    password: 'secret',
  });
  assert.equal(ok.final.kind, 'success');
  assert.ok(ok.serverSignatureOk);
  // Refused in answer to the client-first message, naming what would work.
  const other = await one(auth().start('SCRAM-SHA-1', CLEAR), b('n,,n=carol,r=abc'));
  assert.deepEqual(other, {
    kind: 'failure',
    reason: 'too-weak',
    message:
      "SCRAM-SHA-1 cannot be used with this account's stored password; log in with PLAIN, LOGIN or SCRAM-SHA-256",
  });
  const crypt = await one(auth().start('SCRAM-SHA-256', CLEAR), b('n,,n=bob,r=abc'));
  assert.deepEqual(crypt, {
    kind: 'failure',
    reason: 'too-weak',
    message: "SCRAM-SHA-256 cannot be used with this account's stored password; log in with PLAIN or LOGIN",
  });
  // Only the mechanisms offered are named.
  const scramOnly = await one(
    auth({ mechanisms: ['SCRAM-SHA-256'] }).start('SCRAM-SHA-256', CLEAR),
    b('n,,n=bob,r=abc'),
  );
  assert.equal(
    scramOnly.kind === 'failure' && scramOnly.message,
    "SCRAM-SHA-256 cannot be used with this account's stored password",
  );
  // A master user whose own hash cannot answer SCRAM is refused the same way.
  const cryptMaster = await one(
    auth({
      masters: source({ admin: '{SHA256-CRYPT}$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5' }),
    }).start('SCRAM-SHA-256', CLEAR),
    b('n,a=alice,n=admin,r=abc'),
  );
  assert.equal(cryptMaster.kind === 'failure' && cryptMaster.reason, 'too-weak');
  // An unknown user still gets a decoy exchange, failing at the proof like a wrong password.
  const unknown = await scramClient(auth().start('SCRAM-SHA-256', CLEAR)!, {
    hash: 'sha256',
    user: 'nobody',
    password: 'x',
  });
  assert.ok(unknown.serverFirst.startsWith('r='));
  assert.equal(unknown.final.kind === 'failure' && unknown.final.reason, 'credentials');
});

test('SCRAM with an authzid: a master user logs in as the user', async () => {
  const r = await scramClient(auth().start('SCRAM-SHA-256', CLEAR)!, {
    hash: 'sha256',
    user: 'admin',
    password: 'master-secret',
    authzid: 'alice',
  });
  assert.deepEqual(
    { ...named(r.final), data: undefined },
    {
      kind: 'success',
      user: 'alice',
      authcid: 'admin',
      master: true,
      data: undefined,
      entry: 'alice',
    },
  );
  const notMaster = await scramClient(auth().start('SCRAM-SHA-256', CLEAR)!, {
    hash: 'sha256',
    user: 'alice',
    password: 'wonderland',
    authzid: 'bob',
  });
  assert.equal(notMaster.final.kind, 'failure');
});

test('SCRAM looks the user up once: the entry that gave the keys is the one logged in', async () => {
  const users = source({ alice: '{PLAIN}wonderland' });
  const masters = source({ admin: '{PLAIN}master-secret' });
  const a = auth({ users, masters });
  const r = await scramClient(a.start('SCRAM-SHA-256', CLEAR)!, {
    hash: 'sha256',
    user: 'alice',
    password: 'wonderland',
  });
  assert.equal(r.final.kind, 'success');
  assert.deepEqual(users.lookups, ['alice']);
  // A master login: the master once, the user it acts as once.
  users.lookups.length = 0;
  const m = await scramClient(a.start('SCRAM-SHA-256', CLEAR)!, {
    hash: 'sha256',
    user: 'admin',
    password: 'master-secret',
    authzid: 'alice',
  });
  assert.equal(m.final.kind === 'success' && m.final.user, 'alice');
  assert.deepEqual(masters.lookups, ['admin']);
  assert.deepEqual(users.lookups, ['alice']);
});

test('EXTERNAL: offered with a client certificate when enabled; the authzid must be empty or match', async () => {
  const cert: AuthContext = { ...TLS, clientCertificateUser: 'alice' };
  assert.ok(!auth().mechanisms(cert).includes('EXTERNAL'), 'not enabled');
  const a = auth({ external: true });
  assert.ok(!a.mechanisms(TLS).includes('EXTERNAL'), 'no certificate');
  assert.equal(a.start('EXTERNAL', TLS), undefined);
  assert.ok(a.mechanisms(cert).includes('EXTERNAL'));
  assert.deepEqual(await one(a.start('EXTERNAL', cert), Buffer.alloc(0)), {
    kind: 'success',
    user: 'alice',
    authcid: 'alice',
    master: false,
  });
  assert.equal((await one(a.start('EXTERNAL', cert), b('alice'))).kind, 'success');
  const other = await one(a.start('EXTERNAL', cert), b('bob'));
  assert.equal(other.kind === 'failure' && other.reason, 'authz');
  const steps = await run(a.start('EXTERNAL', cert), undefined, Buffer.alloc(0));
  assert.deepEqual(steps[0], { kind: 'challenge', data: Buffer.alloc(0) });
  assert.equal(steps[1]!.kind, 'success');
});

function fakeVerifier(verdicts: Record<string, TokenVerdict>): TokenVerifier {
  return {
    openidConfiguration: 'https://issuer.example/.well-known/openid-configuration',
    verify: (t) => Promise.resolve(verdicts[t] ?? { ok: false, reason: 'invalid', message: 'bad token' }),
  };
}

test('OAUTHBEARER and XOAUTH2: a good token logs its user in; both need TLS', async () => {
  const a = auth({ oauth: fakeVerifier({ good: { ok: true, user: 'alice' } }) });
  assert.deepEqual(a.mechanisms(TLS).slice(-2), ['OAUTHBEARER', 'XOAUTH2']);
  assert.ok(!a.mechanisms(CLEAR).includes('OAUTHBEARER'));
  const ob = await one(a.start('OAUTHBEARER', TLS), b('n,a=alice,\x01auth=Bearer good\x01\x01'));
  assert.deepEqual(ob, { kind: 'success', user: 'alice', authcid: 'alice', master: false });
  const anon = await one(a.start('OAUTHBEARER', TLS), b('n,,\x01auth=Bearer good\x01\x01'));
  assert.equal(anon.kind === 'success' && anon.user, 'alice');
  const x = await one(a.start('XOAUTH2', TLS), b('user=alice\x01auth=Bearer good\x01\x01'));
  assert.equal(x.kind === 'success' && x.user, 'alice');
});

test('OAUTHBEARER failure: an RFC 7628 §3.2.2 error challenge, then the failure', async () => {
  const a = auth({
    oauth: fakeVerifier({
      good: { ok: true, user: 'alice' },
      down: { ok: false, reason: 'unavailable', message: 'x' },
    }),
  });
  const steps = await run(a.start('OAUTHBEARER', TLS), b('n,,\x01auth=Bearer bad\x01\x01'), b('\x01'));
  assert.equal(steps[0]!.kind, 'challenge');
  assert.deepEqual(JSON.parse(text(steps[0]!)) as unknown, {
    status: 'invalid_token',
    'openid-configuration': 'https://issuer.example/.well-known/openid-configuration',
  });
  assert.equal(steps[1]!.kind === 'failure' && steps[1]!.reason, 'credentials');
  const mismatch = await run(
    a.start('OAUTHBEARER', TLS),
    b('n,a=bob,\x01auth=Bearer good\x01\x01'),
    b('\x01'),
  );
  assert.equal(mismatch[0]!.kind, 'challenge');
  assert.equal(mismatch[1]!.kind === 'failure' && mismatch[1]!.reason, 'authz');
  const xo = await run(a.start('XOAUTH2', TLS), b('user=alice\x01auth=Bearer bad\x01\x01'), Buffer.alloc(0));
  assert.deepEqual(JSON.parse(text(xo[0]!)) as unknown, {
    status: '401',
    schemes: 'bearer',
    'openid-configuration': 'https://issuer.example/.well-known/openid-configuration',
  });
  assert.equal(xo[1]!.kind === 'failure' && xo[1]!.reason, 'credentials');
  const down = await one(a.start('OAUTHBEARER', TLS), b('n,,\x01auth=Bearer down\x01\x01'));
  assert.equal(down.kind === 'failure' && down.reason, 'unavailable');
  const garbage = await one(a.start('OAUTHBEARER', TLS), b('garbage'));
  assert.equal(garbage.kind === 'failure' && garbage.reason, 'malformed');
});

/** A user source over full entries (login restrictions included). */
function entries(list: UserEntry[]): UserSource {
  const byName = new Map(list.map((e) => [e.name, e]));
  return { lookup: (name) => Promise.resolve(byName.get(name)) };
}

const net = (text: string) => parseCidr(text)!;

function restricted(masters: UserEntry[] = []) {
  return createAuthenticator({
    users: entries([
      { name: 'off', password: '{PLAIN}pw', quota: {}, login: { disabled: 'Moved to imap2' } },
      { name: 'lan', password: '{PLAIN}pw', quota: {}, login: { allowNets: [net('10.0.0.0/8')] } },
      {
        name: 'here',
        password: '{PLAIN}pw',
        quota: {},
        login: { allowNets: [net('10.0.0.0/8'), net('127.0.0.1')] },
      },
      { name: 'free', password: '{PLAIN}pw', quota: {} },
    ]),
    masters: entries(masters),
    plaintextWithoutTls: true,
    scramSecret: Buffer.alloc(32, 1),
  });
}

const DISABLED = { kind: 'failure', reason: 'disabled', message: 'Moved to imap2' };
const FAILED = { kind: 'failure', reason: 'credentials', message: 'Authentication failed' };

test('nologin: the right password gets the reason; a wrong one gets the usual failure (PLAIN and SCRAM)', async () => {
  const a = restricted();
  assert.deepEqual(await one(a.start('PLAIN', TLS), plain('', 'off', 'pw')), DISABLED);
  assert.deepEqual(await one(a.start('PLAIN', TLS), plain('', 'off', 'wrong')), FAILED);
  const scram = await scramClient(a.start('SCRAM-SHA-256', TLS)!, {
    hash: 'sha256',
    user: 'off',
    password: 'pw',
  });
  assert.deepEqual(scram.final, DISABLED);
  const wrong = await scramClient(a.start('SCRAM-SHA-256', TLS)!, {
    hash: 'sha256',
    user: 'off',
    password: 'x',
  });
  assert.deepEqual(wrong.final, FAILED);
});

test('allow_nets: a client outside the networks gets the answer a wrong password gets, after the password check', async () => {
  const a = restricted();
  const from = (remoteAddress: string): AuthContext => ({ secure: true, remoteAddress });
  assert.deepEqual(await one(a.start('PLAIN', from('127.0.0.1')), plain('', 'lan', 'pw')), FAILED);
  assert.equal((await one(a.start('PLAIN', from('10.9.8.7')), plain('', 'lan', 'pw'))).kind, 'success');
  // IPv4-mapped IPv6 addresses are their IPv4 address.
  assert.equal(
    (await one(a.start('PLAIN', from('::ffff:10.9.8.7')), plain('', 'lan', 'pw'))).kind,
    'success',
  );
  assert.equal((await one(a.start('PLAIN', from('127.0.0.1')), plain('', 'here', 'pw'))).kind, 'success');
  assert.deepEqual(await one(a.start('PLAIN', from('127.0.0.2')), plain('', 'here', 'pw')), FAILED);
  const scramOut = await scramClient(a.start('SCRAM-SHA-256', from('127.0.0.1'))!, {
    hash: 'sha256',
    user: 'lan',
    password: 'pw',
  });
  assert.deepEqual(scramOut.final, FAILED);
  const scramIn = await scramClient(a.start('SCRAM-SHA-256', from('10.1.1.1'))!, {
    hash: 'sha256',
    user: 'lan',
    password: 'pw',
  });
  assert.equal(scramIn.final.kind, 'success');
});

test("master users: the master's restrictions and the target user's both apply", async () => {
  const a = restricted([
    { name: 'admin', password: '{PLAIN}m', quota: {} },
    { name: 'lanadmin', password: '{PLAIN}m', quota: {}, login: { allowNets: [net('10.0.0.0/8')] } },
  ]);
  assert.deepEqual(await one(a.start('PLAIN', TLS), plain('off', 'admin', 'm')), DISABLED);
  assert.deepEqual(await one(a.start('PLAIN', TLS), plain('lan', 'admin', 'm')), FAILED);
  assert.equal((await one(a.start('PLAIN', TLS), plain('free', 'admin', 'm'))).kind, 'success');
  assert.deepEqual(await one(a.start('PLAIN', TLS), plain('free', 'lanadmin', 'm')), FAILED);
  const scram = await scramClient(a.start('SCRAM-SHA-256', TLS)!, {
    hash: 'sha256',
    user: 'admin',
    password: 'm',
    authzid: 'off',
  });
  assert.deepEqual(scram.final, DISABLED);
});
