import assert from 'node:assert/strict';
import {
  constants,
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  type KeyObject,
} from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  createAuthenticator,
  createOAuthVerifier,
  type JwtAlgorithm,
  type OAuthOptions,
} from '../../../src/auth/index.js';

const dir = mkdtempSync(join(tmpdir(), 'sievert-oauth-'));
const NOW = 1_700_000_000_000;
const nowS = NOW / 1000;

interface Signer {
  alg: JwtAlgorithm;
  kid: string;
  privateKey: KeyObject;
  jwk: Record<string, unknown>;
}

function signer(alg: JwtAlgorithm, kid: string): Signer {
  // The keys come out as PEM and are read back: node 20 can deadlock when a KeyObject made by
  // generateKeyPairSync is exported as JWK while a garbage collection frees the key-generation
  // job that shares its data (seen as a test process hanging in ExportJWK under ~KeyGenJob).
  const publicKeyEncoding = { type: 'spki', format: 'pem' } as const;
  const privateKeyEncoding = { type: 'pkcs8', format: 'pem' } as const;
  const pair =
    alg.startsWith('RS') || alg.startsWith('PS')
      ? generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding, privateKeyEncoding })
      : alg === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256', publicKeyEncoding, privateKeyEncoding })
        : alg === 'ES384'
          ? generateKeyPairSync('ec', { namedCurve: 'P-384', publicKeyEncoding, privateKeyEncoding })
          : generateKeyPairSync('ed25519', { publicKeyEncoding, privateKeyEncoding });
  return {
    alg,
    kid,
    privateKey: createPrivateKey(pair.privateKey),
    jwk: { ...createPublicKey(pair.publicKey).export({ format: 'jwk' }), kid, use: 'sig' },
  };
}

const b64u = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

function jwt(
  s: Signer | { alg: JwtAlgorithm; secret: string },
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): string {
  const h = b64u({ alg: s.alg, typ: 'JWT', ...('kid' in s ? { kid: s.kid } : {}), ...header });
  const data = `${h}.${b64u(claims)}`;
  let sig: Buffer;
  if ('secret' in s)
    sig = createHmac(`sha${s.alg.slice(2)}`, s.secret)
      .update(data)
      .digest();
  else if (s.alg.startsWith('RS')) sig = sign(`sha${s.alg.slice(2)}`, Buffer.from(data), s.privateKey);
  else if (s.alg.startsWith('PS'))
    sig = sign(`sha${s.alg.slice(2)}`, Buffer.from(data), {
      key: s.privateKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
    });
  else if (s.alg.startsWith('ES'))
    sig = sign(`sha${s.alg.slice(2)}`, Buffer.from(data), { key: s.privateKey, dsaEncoding: 'ieee-p1363' });
  else sig = sign(null, Buffer.from(data), s.privateKey);
  return `${data}.${sig.toString('base64url')}`;
}

const claims = (extra: Record<string, unknown> = {}) => ({
  iss: 'https://issuer.example',
  aud: 'sievert',
  sub: 'u-123',
  email: 'alice@example.org',
  exp: nowS + 600,
  ...extra,
});

const signers = (['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'] as const).map((a) =>
  signer(a, `k-${a}`),
);
const rs = signers[0]!;
const jwksFile = join(dir, 'jwks.json');
writeFileSync(jwksFile, JSON.stringify({ keys: signers.map((s) => s.jwk) }));

function verifier(extra: Partial<OAuthOptions> = {}) {
  return createOAuthVerifier({
    jwks: jwksFile,
    issuer: 'https://issuer.example',
    audience: 'sievert',
    now: () => NOW,
    ...extra,
  });
}

// A local issuer: a JWK Set and an introspection endpoint.
let server: Server;
let base = '';
let jwksHits = 0;
let introspectionHits = 0;
let jwksBody: unknown = { keys: [rs.jwk] };
let introspectionStatus = 200;
const requests: { auth?: string; body: string }[] = [];

async function body(req: IncomingMessage): Promise<string> {
  let s = '';
  for await (const c of req) s += String(c);
  return s;
}

before(async () => {
  server = createServer((req, res) => {
    void (async () => {
      if (req.url === '/jwks') {
        jwksHits++;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwksBody));
        return;
      }
      if (req.url === '/introspect' && req.method === 'POST') {
        introspectionHits++;
        const text = await body(req);
        requests.push({
          ...(req.headers.authorization ? { auth: req.headers.authorization } : {}),
          body: text,
        });
        const token = new URLSearchParams(text).get('token');
        if (introspectionStatus !== 200) return res.writeHead(introspectionStatus).end();
        const answers: Record<string, unknown> = {
          opaque1: {
            active: true,
            username: 'bob',
            exp: nowS + 3600,
            aud: 'sievert',
            iss: 'https://issuer.example',
          },
          opaque2: {
            active: true,
            sub: 'carol',
            exp: nowS + 3600,
            aud: ['other', 'sievert'],
            iss: 'https://issuer.example',
          },
          revoked: { active: false },
          wrongaud: { active: true, username: 'bob', aud: 'other', iss: 'https://issuer.example' },
        };
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify(answers[token ?? ''] ?? { active: false }));
        return;
      }
      res.writeHead(404).end();
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

test('a JWT signed with each supported algorithm verifies against the JWK Set file', async () => {
  const v = verifier();
  for (const s of signers) {
    assert.deepEqual(
      await v.verify(jwt(s, claims())),
      { ok: true, user: 'alice@example.org', expiresAt: (nowS + 600) * 1000 },
      s.alg,
    );
  }
});

test('HS256 with the configured secret; without one an HS token is refused', async () => {
  const v = verifier({ hmacSecret: 'shared-secret' });
  assert.equal((await v.verify(jwt({ alg: 'HS256', secret: 'shared-secret' }, claims()))).ok, true);
  const wrong = await v.verify(jwt({ alg: 'HS256', secret: 'other' }, claims()));
  assert.deepEqual(wrong, { ok: false, reason: 'invalid', message: 'bad JWT signature' });
  const none = await verifier().verify(jwt({ alg: 'HS256', secret: 'shared-secret' }, claims()));
  assert.equal(none.ok, false);
});

test('expiry and not-before are checked with the leeway', async () => {
  const v = verifier({ leewaySeconds: 60 });
  assert.equal((await v.verify(jwt(rs, claims({ exp: nowS - 60 })))).ok, true, 'within the leeway');
  assert.deepEqual(await v.verify(jwt(rs, claims({ exp: nowS - 61 }))), {
    ok: false,
    reason: 'invalid',
    message: 'token expired',
  });
  assert.equal((await v.verify(jwt(rs, claims({ nbf: nowS + 60 })))).ok, true);
  assert.deepEqual(await v.verify(jwt(rs, claims({ nbf: nowS + 61 }))), {
    ok: false,
    reason: 'invalid',
    message: 'token not yet valid',
  });
  const { exp: _exp, ...noExp } = claims();
  assert.deepEqual(await v.verify(jwt(rs, noExp)), {
    ok: false,
    reason: 'invalid',
    message: 'JWT has no exp claim',
  });
});

test('issuer and audience are checked when configured', async () => {
  const v = verifier();
  const aud = await v.verify(jwt(rs, claims({ aud: 'other' })));
  assert.equal(!aud.ok && aud.message, 'token audience is not accepted');
  assert.equal((await v.verify(jwt(rs, claims({ aud: ['other', 'sievert'] })))).ok, true);
  const iss = await v.verify(jwt(rs, claims({ iss: 'https://evil.example' })));
  assert.equal(!iss.ok && iss.message, 'token issuer is not accepted');
  assert.equal(
    (
      await verifier({ audience: undefined, issuer: undefined }).verify(
        jwt(rs, claims({ aud: 'x', iss: 'y' })),
      )
    ).ok,
    true,
  );
});

test('a wrong key, an unknown key id, alg none and a tampered payload are refused', async () => {
  const v = verifier();
  const impostor = { ...signer('RS256', rs.kid) };
  assert.deepEqual(await v.verify(jwt(impostor, claims())), {
    ok: false,
    reason: 'invalid',
    message: 'bad JWT signature',
  });
  assert.deepEqual(await v.verify(jwt(signer('RS256', 'k-new'), claims())), {
    ok: false,
    reason: 'invalid',
    message: 'unknown key id k-new',
  });
  const noneToken = `${b64u({ alg: 'none' })}.${b64u(claims())}.`;
  assert.equal((await v.verify(noneToken)).ok, false);
  const [h, , s] = jwt(rs, claims()).split('.');
  assert.equal((await v.verify(`${h}.${b64u(claims({ email: 'mallory@example.org' }))}.${s}`)).ok, false);
  // An RSA key cannot verify an ES256 token even under the RSA key's id.
  const es = signers.find((x) => x.alg === 'ES256')!;
  assert.equal((await v.verify(jwt(es, claims(), { kid: rs.kid }))).ok, false);
  assert.equal((await v.verify('not-a-jwt')).ok, false);
  assert.equal((await verifier({ algorithms: ['ES256'] }).verify(jwt(rs, claims()))).ok, false);
});

test('the user comes from email, preferred_username or sub, or the configured claim', async () => {
  const v = verifier();
  const { email: _e, ...noEmail } = claims({ preferred_username: 'alice' });
  const pu = await v.verify(jwt(rs, noEmail));
  assert.equal(pu.ok && pu.user, 'alice');
  const { email: _e2, ...subOnly } = claims();
  const r = await v.verify(jwt(rs, subOnly));
  assert.equal(r.ok && r.user, 'u-123');
  const byClaim = await verifier({ userClaim: 'upn' }).verify(jwt(rs, claims({ upn: 'ALICE' })));
  assert.equal(byClaim.ok && byClaim.user, 'ALICE');
  const missing = await verifier({ userClaim: 'upn' }).verify(jwt(rs, claims()));
  assert.equal(missing.ok, false);
});

test('a JWK Set URL is fetched once per TTL, and again (rate-limited) for an unknown key id', async () => {
  let now = NOW;
  jwksHits = 0;
  jwksBody = { keys: [rs.jwk] };
  const v = verifier({ jwks: `${base}/jwks`, now: () => now, jwksCacheSeconds: 300 });
  assert.equal((await v.verify(jwt(rs, claims({ jti: 1 })))).ok, true);
  assert.equal((await v.verify(jwt(rs, claims({ jti: 2 })))).ok, true);
  assert.equal(jwksHits, 1);
  // Key rotation: the issuer publishes a new key.
  const next = signer('ES256', 'k-rotated');
  jwksBody = { keys: [rs.jwk, next.jwk] };
  assert.equal((await v.verify(jwt(next, claims()))).ok, false, 'within 30 s of the last fetch');
  assert.equal(jwksHits, 1);
  now += 30_000;
  assert.equal((await v.verify(jwt(next, claims({ jti: 3 })))).ok, true);
  assert.equal(jwksHits, 2);
  now += 300_000;
  assert.equal((await v.verify(jwt(rs, claims({ jti: 4, exp: now / 1000 + 60 })))).ok, true);
  assert.equal(jwksHits, 3, 'read again after the TTL');
});

test('an unreachable JWK Set is unavailable; once fetched, its keys outlive an outage', async () => {
  const down = verifier({ jwks: 'http://127.0.0.1:1/jwks' });
  const r = await down.verify(jwt(rs, claims()));
  assert.equal(!r.ok && r.reason, 'unavailable');
  const missing = await verifier({ jwks: join(dir, 'missing.json') }).verify(jwt(rs, claims()));
  assert.equal(!missing.ok && missing.reason, 'unavailable');

  let now = NOW;
  let fail = false;
  const errors: Error[] = [];
  const v = verifier({
    jwks: 'https://issuer.example/jwks',
    now: () => now,
    onError: (e) => errors.push(e),
    fetch: () =>
      fail
        ? Promise.reject(new Error('connection refused'))
        : Promise.resolve(new Response(JSON.stringify({ keys: [rs.jwk] }), { status: 200 })),
  });
  assert.equal((await v.verify(jwt(rs, claims({ jti: 1 })))).ok, true);
  fail = true;
  now += 600_000;
  assert.equal((await v.verify(jwt(rs, claims({ jti: 2, exp: now / 1000 + 60 })))).ok, true);
  assert.equal(errors.length, 1);
});

test('RFC 7662 introspection: client credentials, active tokens, the user, and failures', async () => {
  requests.length = 0;
  introspectionStatus = 200;
  const v = createOAuthVerifier({
    introspection: { url: `${base}/introspect`, clientId: 'sievert', clientSecret: 's3cr:t' },
    audience: 'sievert',
    issuer: 'https://issuer.example',
    now: () => NOW,
  });
  assert.deepEqual(await v.verify('opaque1'), { ok: true, user: 'bob', expiresAt: NOW + 60_000 });
  assert.equal(requests[0]!.auth, `Basic ${Buffer.from('sievert:s3cr%3At').toString('base64')}`);
  assert.equal(new URLSearchParams(requests[0]!.body).get('token'), 'opaque1');
  const carol = await v.verify('opaque2');
  assert.equal(carol.ok && carol.user, 'carol');
  assert.deepEqual(await v.verify('revoked'), {
    ok: false,
    reason: 'invalid',
    message: 'token is not active',
  });
  assert.equal((await v.verify('wrongaud')).ok, false);
  introspectionStatus = 500;
  const down = await v.verify('something-new');
  assert.equal(!down.ok && down.reason, 'unavailable');
  introspectionStatus = 200;
});

test('good answers are cached by token until they expire, in a bounded cache', async () => {
  let now = NOW;
  introspectionHits = 0;
  const v = createOAuthVerifier({
    introspection: { url: `${base}/introspect` },
    introspectionCacheSeconds: 60,
    cacheSize: 1,
    now: () => now,
  });
  await v.verify('opaque1');
  await v.verify('opaque1');
  assert.equal(introspectionHits, 1);
  now += 60_000;
  await v.verify('opaque1');
  assert.equal(introspectionHits, 2, 'asked again after introspectionCacheSeconds');
  await v.verify('opaque2');
  await v.verify('opaque1');
  assert.equal(introspectionHits, 4, 'the cache holds one token');
  await v.verify('revoked');
  await v.verify('revoked');
  assert.equal(introspectionHits, 6, 'refusals are not cached');
});

test('options are checked when the verifier is made', () => {
  assert.throws(() => createOAuthVerifier({}), /configure jwks, hmac_secret or introspection/);
  assert.throws(
    () => createOAuthVerifier({ jwks: jwksFile, algorithms: ['none' as JwtAlgorithm] }),
    /unknown algorithm none/,
  );
  assert.throws(
    () => createOAuthVerifier({ introspection: { url: 'ftp://x' } }),
    /oauth\.introspection\.url/,
  );
});

test('OAUTHBEARER end to end through the authenticator with a JWT', async () => {
  const a = createAuthenticator({
    users: { lookup: () => Promise.resolve(undefined) },
    plaintextWithoutTls: false,
    oauth: verifier(),
  });
  const ctx = { secure: true, remoteAddress: '127.0.0.1' };
  const ok = await a
    .start('OAUTHBEARER', ctx)!
    .step(Buffer.from(`n,a=alice@example.org,\x01auth=Bearer ${jwt(rs, claims())}\x01\x01`));
  assert.deepEqual(ok, {
    kind: 'success',
    user: 'alice@example.org',
    authcid: 'alice@example.org',
    master: false,
  });
  const ex = a.start('OAUTHBEARER', ctx)!;
  const challenge = await ex.step(
    Buffer.from(`n,,\x01auth=Bearer ${jwt(rs, claims({ exp: nowS - 3600 }))}\x01\x01`),
  );
  assert.equal(challenge.kind, 'challenge');
  const final = await ex.step(Buffer.from('\x01'));
  assert.equal(final.kind === 'failure' && final.reason, 'credentials');
});

test('a token service that does not answer within timeoutMs is unavailable', async () => {
  let signal: AbortSignal | undefined;
  const v = createOAuthVerifier({
    introspection: { url: 'https://issuer.example/introspect' },
    timeoutMs: 20,
    fetch: (_url, init) =>
      new Promise<Response>((_resolve, reject) => {
        signal = init?.signal ?? undefined;
        signal?.addEventListener('abort', () => reject(new Error('aborted')));
      }),
  });
  const r = await v.verify('opaque1');
  assert.equal(!r.ok && r.reason, 'unavailable');
  assert.equal(signal?.aborted, true);
});
