import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import type { AuthExchange, AuthStep } from '../../../src/auth/index.js';

/** The client side of SCRAM (RFC 5802 §3), enough to drive the server in tests. */
export async function scramClient(
  exchange: AuthExchange,
  opts: { hash: 'sha1' | 'sha256'; user: string; password: string; authzid?: string; clientNonce?: string },
): Promise<{ serverFirst: string; final: AuthStep; serverSignatureOk: boolean }> {
  const gs2 = `n,${opts.authzid ? `a=${opts.authzid}` : ''},`;
  const bare = `n=${opts.user},r=${opts.clientNonce ?? 'rOprNGfwEbeRWgbNEkqO'}`;
  const first = await exchange.step(Buffer.from(gs2 + bare));
  if (first.kind !== 'challenge') return { serverFirst: '', final: first, serverSignatureOk: false };
  const serverFirst = first.data.toString('utf8');
  const attrs = Object.fromEntries(serverFirst.split(',').map((a) => [a[0], a.slice(2)])) as Record<
    string,
    string
  >;
  const salted = pbkdf2Sync(
    opts.password,
    Buffer.from(attrs.s!, 'base64'),
    Number(attrs.i),
    opts.hash === 'sha1' ? 20 : 32,
    opts.hash,
  );
  const clientKey = createHmac(opts.hash, salted).update('Client Key').digest();
  const storedKey = createHash(opts.hash).update(clientKey).digest();
  const withoutProof = `c=${Buffer.from(gs2).toString('base64')},r=${attrs.r}`;
  const authMessage = `${bare},${serverFirst},${withoutProof}`;
  const sig = createHmac(opts.hash, storedKey).update(authMessage).digest();
  const proof = Buffer.from(clientKey.map((b, i) => b ^ sig[i]!));
  const final = await exchange.step(Buffer.from(`${withoutProof},p=${proof.toString('base64')}`));
  const serverKey = createHmac(opts.hash, salted).update('Server Key').digest();
  const expected = `v=${createHmac(opts.hash, serverKey).update(authMessage).digest('base64')}`;
  const serverSignatureOk = final.kind === 'success' && final.data?.toString('utf8') === expected;
  return { serverFirst, final, serverSignatureOk };
}

export function text(step: AuthStep): string {
  return step.kind === 'challenge' ? step.data.toString('utf8') : JSON.stringify(step);
}
