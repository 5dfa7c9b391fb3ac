import type {
  AuthContext,
  AuthExchange,
  AuthMechanism,
  AuthStep,
  Authenticator,
} from '../../../src/auth/types.js';
import { decodePlain } from '../../../src/net/index.js';

/**
 * A tiny Authenticator for protocol tests: PLAIN and LOGIN against a map of passwords
 * (cleartext mechanisms only with TLS unless `plaintextWithoutTls`), and a SCRAM-SHA-256
 * stand-in that answers any client-first with a challenge and any client-final with success
 * and server-final data, so the `OK (SASL "…")` path can be tested.
 */
export class FakeAuthenticator implements Authenticator {
  /** Makes every exchange fail like a user database that is down. */
  unavailable = false;
  /** The responses each exchange received, to check what reached the authenticator. */
  readonly received: (Buffer | undefined)[] = [];

  constructor(
    private readonly passwords: Map<string, string>,
    private readonly plaintextWithoutTls = false,
  ) {}

  mechanisms(ctx: AuthContext): AuthMechanism[] {
    const cleartext = ctx.secure || this.plaintextWithoutTls;
    return cleartext ? ['PLAIN', 'LOGIN', 'SCRAM-SHA-256'] : ['SCRAM-SHA-256'];
  }

  start(mechanism: string, ctx: AuthContext): AuthExchange | undefined {
    if (!(this.mechanisms(ctx) as string[]).includes(mechanism)) return undefined;
    const steps = this.exchange(mechanism);
    return {
      step: (response) => {
        this.received.push(response);
        if (this.unavailable)
          return Promise.resolve({
            kind: 'failure',
            reason: 'unavailable',
            message: 'User database unavailable.',
          });
        return Promise.resolve(steps(response));
      },
    };
  }

  private verify(user: string, password: string): AuthStep {
    if (this.passwords.get(user) === password) return { kind: 'success', user, authcid: user, master: false };
    return { kind: 'failure', reason: 'credentials', message: `wrong password for ${user}` };
  }

  private exchange(mechanism: string): (r: Buffer | undefined) => AuthStep {
    const malformed: AuthStep = {
      kind: 'failure',
      reason: 'malformed',
      message: 'Malformed PLAIN response.',
    };
    if (mechanism === 'PLAIN') {
      return (r) => {
        if (r === undefined) return { kind: 'challenge', data: Buffer.alloc(0) };
        const c = decodePlain(r);
        return c ? this.verify(c.authcid, c.secret) : malformed;
      };
    }
    if (mechanism === 'LOGIN') {
      let user: string | undefined;
      return (r) => {
        if (r === undefined) return { kind: 'challenge', data: Buffer.from('Username:') };
        if (user === undefined) {
          user = r.toString();
          return { kind: 'challenge', data: Buffer.from('Password:') };
        }
        return this.verify(user, r.toString());
      };
    }
    let round = 0;
    return (r) => {
      round++;
      if (round === 1) return { kind: 'challenge', data: Buffer.from(`r=server-nonce,s=c2FsdA==,i=4096`) };
      const final = r?.toString() ?? '';
      const m = /^c=biws,r=server-nonce,p=(.*)$/.exec(final);
      if (!m || this.passwords.get('scram') !== m[1])
        return { kind: 'failure', reason: 'credentials', message: 'bad proof' };
      return {
        kind: 'success',
        user: 'scram',
        authcid: 'scram',
        master: false,
        data: Buffer.from('v=server-signature'),
      };
    };
  }
}
