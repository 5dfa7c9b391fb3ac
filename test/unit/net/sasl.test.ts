import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeBase64,
  decodeOAuthBearer,
  decodePlain,
  decodeXOAuth2,
  encodePlain,
  identifierFromToken,
  serverSasl,
} from '../../../src/net/sasl.js';
import { ConnectionClosedError, LineTooLongError } from '../../../src/net/line-reader.js';

test('PLAIN: authzid, authcid, password; malformed forms refused', () => {
  assert.deepEqual(decodePlain(Buffer.from('bob\0master\0pw')), {
    mechanism: 'PLAIN',
    authzid: 'bob',
    authcid: 'master',
    secret: 'pw',
  });
  assert.equal(decodePlain(Buffer.from('\0\0pw')), undefined);
  assert.equal(decodePlain(Buffer.from('a\0b')), undefined);
  assert.equal(decodePlain(Buffer.from('a\0b\0c\0d')), undefined);
  assert.deepEqual(encodePlain('', 'u', 'p'), Buffer.from('\0u\0p'));
});

test('base64 as SASL carries it: = is empty, junk is refused', () => {
  assert.deepEqual(decodeBase64('='), Buffer.alloc(0));
  assert.equal(decodeBase64('AB$='), undefined);
  assert.equal(decodeBase64('QUJD'.slice(0, 3)), undefined);
  assert.equal(decodeBase64('QUJD')?.toString(), 'ABC');
});

test('OAUTHBEARER (RFC 7628) and XOAUTH2', () => {
  const ob = decodeOAuthBearer(Buffer.from('n,a=user=2Cx@example.com,\x01host=h\x01auth=Bearer t0k\x01\x01'));
  assert.equal(ob?.authzid, 'user,x@example.com');
  assert.equal(ob?.secret, 't0k');
  assert.equal(decodeOAuthBearer(Buffer.from('n,,\x01\x01')), undefined);
  const xo = decodeXOAuth2(Buffer.from('user=someone@example.com\x01auth=Bearer abc\x01\x01'));
  assert.equal(xo?.authcid, 'someone@example.com');
  assert.equal(xo?.secret, 'abc');
});

test('bearer token claims name the user when the exchange does not', () => {
  const jwt = (claims: object): string =>
    ['e30', Buffer.from(JSON.stringify(claims)).toString('base64url'), 'sig'].join('.');
  assert.equal(identifierFromToken(jwt({ sub: '123', email: 'a@example.com' })), 'a@example.com');
  assert.equal(identifierFromToken(jwt({ sub: '123', preferred_username: 'alice' })), 'alice');
  assert.equal(identifierFromToken(jwt({ sub: '123' })), '123');
  assert.equal(identifierFromToken('opaque-token'), undefined);
  assert.equal(identifierFromToken('a.!!!.c'), undefined);
});

test('serverSasl: LOGIN takes two rounds; * cancels; bad base64 stops', async () => {
  const b = (s: string): string => Buffer.from(s).toString('base64');
  const sent: string[] = [];
  const answers = [b('bob'), b('pw')];
  const r = await serverSasl('LOGIN', undefined, {
    challenge: (c) => sent.push(c),
    response: () => Promise.resolve(answers.shift()!),
  });
  assert.deepEqual(sent, [b('Username:'), b('Password:')]);
  assert.ok(r.ok && r.credentials.authcid === 'bob' && r.credentials.secret === 'pw');
  const cancelled = await serverSasl('PLAIN', undefined, {
    challenge: () => {},
    response: () => Promise.resolve('*'),
  });
  assert.deepEqual(cancelled, { ok: false, reason: 'cancelled', message: 'Authentication cancelled' });
  const bad = await serverSasl('PLAIN', 'not base64!', {
    challenge: () => {},
    response: () => Promise.resolve(''),
  });
  assert.equal(bad.ok, false);
});

test('serverSasl: a response the framing refuses ends the exchange as unreadable; a closed connection still throws', async () => {
  const tooLong = await serverSasl('PLAIN', undefined, {
    challenge: () => {},
    response: () => Promise.reject(new LineTooLongError(1024)),
  });
  assert.deepEqual(tooLong, { ok: false, reason: 'unreadable', message: 'line longer than 1024 bytes' });
  await assert.rejects(
    serverSasl('LOGIN', undefined, {
      challenge: () => {},
      response: () => Promise.reject(new ConnectionClosedError()),
    }),
    ConnectionClosedError,
  );
});
