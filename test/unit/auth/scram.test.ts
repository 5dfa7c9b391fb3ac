import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  deriveScramCredentials,
  ScramServer,
  scramSaltFor,
  type ScramCredentials,
  type ScramMechanism,
} from '../../../src/auth/index.js';
import { scramClient } from './helpers.js';

const secret = Buffer.alloc(32, 7);

function server(
  mechanism: ScramMechanism,
  creds: ScramCredentials | undefined | Error,
  serverNonce: string,
): ScramServer {
  return new ScramServer({
    mechanism,
    secret,
    nonce: () => serverNonce,
    credentials: (user) =>
      creds instanceof Error ? Promise.reject(creds) : Promise.resolve(user === 'user' ? creds : undefined),
  });
}

const b = (s: string) => Buffer.from(s, 'utf8');

/** A server for user `user` with the keys of the RFC examples' password "pencil" and salt. */
async function pencil(mechanism: ScramMechanism, serverNonce: string): Promise<ScramServer> {
  const salt = mechanism === 'SCRAM-SHA-1' ? 'QSXCR+Q6sek8bf92' : 'W22ZaJ0SNY7soEsUEjb6gQ==';
  const creds = await deriveScramCredentials(mechanism, 'pencil', Buffer.from(salt, 'base64'), 4096);
  return server(mechanism, creds, serverNonce);
}

test('RFC 5802 §5: the SCRAM-SHA-1 example exchange', async () => {
  const s = await pencil('SCRAM-SHA-1', '3rfcNHYJY1ZVvWVs7j');
  const first = await s.step(b('n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL'));
  assert.deepEqual(first, {
    kind: 'challenge',
    data: b('r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096'),
  });
  const final = await s.step(
    b('c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts='),
  );
  assert.deepEqual(final, {
    kind: 'success',
    user: 'user',
    authcid: 'user',
    master: false,
    data: b('v=rmF9pqV8S7suAoZWja4dJRkFsKQ='),
  });
});

test('RFC 7677 §3: the SCRAM-SHA-256 example exchange', async () => {
  const s = await pencil('SCRAM-SHA-256', '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0');
  const first = await s.step(b('n,,n=user,r=rOprNGfwEbeRWgbNEkqO'));
  assert.equal(
    first.kind === 'challenge' && first.data.toString(),
    'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  );
  const final = await s.step(
    b(
      'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
    ),
  );
  assert.equal(final.kind, 'success');
  assert.equal(
    final.kind === 'success' && final.data?.toString(),
    'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
  );
});

async function rfc7677(): Promise<ScramServer> {
  const s = await pencil('SCRAM-SHA-256', 'SERVER');
  await s.step(b('n,,n=user,r=rOprNGfwEbeRWgbNEkqO'));
  return s;
}

test('a wrong proof fails as wrong credentials', async () => {
  const s = await rfc7677();
  const final = await s.step(
    b(`c=biws,r=rOprNGfwEbeRWgbNEkqOSERVER,p=${Buffer.alloc(32, 1).toString('base64')}`),
  );
  assert.equal(final.kind === 'failure' && final.reason, 'credentials');
});

test('the client-final message must carry the gs2 header and the whole nonce', async () => {
  for (const msg of [
    `c=eSws,r=rOprNGfwEbeRWgbNEkqOSERVER,p=${Buffer.alloc(32).toString('base64')}`,
    `c=biws,r=rOprNGfwEbeRWgbNEkqO,p=${Buffer.alloc(32).toString('base64')}`,
    'c=biws,r=rOprNGfwEbeRWgbNEkqOSERVER',
  ]) {
    const s = await rfc7677();
    const final = await s.step(b(msg));
    assert.equal(final.kind === 'failure' && final.reason, 'malformed', msg);
  }
});

test('channel binding, mandatory extensions and malformed client-first messages are refused', async () => {
  const creds = await deriveScramCredentials('SCRAM-SHA-256', 'pencil', Buffer.alloc(16), 4096);
  for (const msg of [
    'p=tls-unique,,n=user,r=abc',
    'n,,m=ext,n=user,r=abc',
    'n,,n=,r=abc',
    'n,,n=us=er,r=abc',
    'n,,r=abc',
    'n,,n=user,r=a,b',
    'x,,n=user,r=abc',
  ]) {
    const step = await server('SCRAM-SHA-256', creds, 'S').step(b(msg));
    assert.equal(step.kind === 'failure' && step.reason, 'malformed', msg);
  }
  const cb = await server('SCRAM-SHA-256', creds, 'S').step(b('p=tls-unique,,n=user,r=abc'));
  assert.match(cb.kind === 'failure' ? cb.message : '', /Channel binding is not supported/);
});

test('without an initial response the server asks for it with an empty challenge', async () => {
  const s = await server('SCRAM-SHA-1', undefined, 'S').step(undefined);
  assert.deepEqual(s, { kind: 'challenge', data: Buffer.alloc(0) });
});

test('an unknown user gets a server-first message like a real one, with a stable salt, then fails', async () => {
  const s = server('SCRAM-SHA-256', undefined, 'S');
  const first = await s.step(b('n,,n=nobody,r=abc'));
  const salt = scramSaltFor(secret, 'SCRAM-SHA-256', 'nobody').toString('base64');
  assert.equal(first.kind === 'challenge' && first.data.toString(), `r=abcS,s=${salt},i=4096`);
  const final = await s.step(b(`c=biws,r=abcS,p=${Buffer.alloc(32).toString('base64')}`));
  assert.deepEqual(final, { kind: 'failure', reason: 'credentials', message: 'Authentication failed' });
});

test('a failing credential lookup is unavailable', async () => {
  const step = await server('SCRAM-SHA-1', new Error('db down'), 'S').step(b('n,,n=user,r=abc'));
  assert.equal(step.kind === 'failure' && step.reason, 'unavailable');
});

test('the user name escapes =2C and =3D are decoded', async () => {
  let seen = '';
  const s = new ScramServer({
    mechanism: 'SCRAM-SHA-1',
    secret,
    credentials: (user) => {
      seen = user;
      return Promise.resolve(undefined);
    },
  });
  await s.step(b('n,,n=a=2Cb=3Dc,r=abc'));
  assert.equal(seen, 'a,b=c');
});

test('without an authorize option, a valid proof with another authzid is refused', async () => {
  const login = (authzid?: string) =>
    pencil('SCRAM-SHA-256', 'S').then((s) =>
      scramClient(s, { hash: 'sha256', user: 'user', password: 'pencil', authzid }),
    );
  assert.deepEqual((await login('other')).final, {
    kind: 'failure',
    reason: 'authz',
    message: 'Not authorized to act as that user',
  });
  const self = await login('user');
  assert.equal(self.final.kind === 'success' && self.final.user, 'user');
  assert.ok(self.serverSignatureOk);
});
