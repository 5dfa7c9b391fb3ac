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
