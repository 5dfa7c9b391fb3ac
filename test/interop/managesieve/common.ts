import { connect } from 'node:net';

/** A passwd-file line: `user:{SCHEME}hash::::::extra fields` (Dovecot's passwd-file format). */
export interface PasswdUser {
  user: string;
  /** The hash with its scheme prefix, e.g. `{PLAIN}secret` or `{SHA512-CRYPT}$6$…`. */
  password: string;
  /** Userdb extra fields, e.g. `userdb_sieve_quota_max_scripts=3`. */
  extra?: string;
}

export function passwdFile(users: readonly PasswdUser[]): string {
  return users.map((u) => `${u.user}:${u.password}::::::${u.extra ?? ''}`).join('\n') + '\n';
}

/** Resolves once 127.0.0.1:`port` accepts a connection. */
export async function waitForPort(port: number, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    const ok = await new Promise<boolean>((done) => {
      const s = connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        done(true);
      });
      s.once('error', () => done(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listened on 127.0.0.1:${port} within ${deadlineMs} ms`);
}
