import { runProgram } from '../programs.js';

export interface SieveConnectRun {
  port: number;
  /** The test CA: STARTTLS is verified against it, for the name "localhost". */
  caFile: string;
  user: string;
  /** Sent on stdin (`--passwordfd 0`). */
  password: string;
  /** Log in as this user with the credentials of `user` (a master login). */
  authzid?: string;
  /** The end of the command line: `['--exec', file]` (one command a line), `['--list']`. */
  args: readonly string[];
}

/**
 * sieve-connect (Perl) against 127.0.0.1: STARTTLS with certificate checks, no login without
 * TLS, AUTHENTICATE PLAIN. The server tests and the proxy tests both drive it.
 */
export function runSieveConnect(o: SieveConnectRun): Promise<{ code: number | null; out: string }> {
  return runProgram(
    'sieve-connect',
    [
      '--nosrv',
      '--server',
      '127.0.0.1',
      '--port',
      String(o.port),
      '--tlscafile',
      o.caFile,
      '--tlshostname',
      'localhost',
      '--noclearauth',
      '--authmech',
      'PLAIN',
      '--user',
      o.user,
      ...(o.authzid ? ['--authzid', o.authzid] : []),
      '--passwordfd',
      '0',
      ...o.args,
    ],
    `${o.password}\n`,
  );
}
