/**
 * A throwaway PostgreSQL 15 cluster for tests: initdb as the postgres user in a scratch
 * directory, trust authentication, loopback only, stopped with `pg_ctl -m fast stop`.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../programs.js';

const bin = '/usr/lib/postgresql/15/bin';

export interface PostgresCluster {
  port: number;
  /** A URL for `database` as the postgres superuser (trust authentication ignores the password). */
  url(database: string, password?: string): string;
  /** Runs SQL with psql against the `postgres` database. */
  psql(sql: string): string;
  /** Stops the cluster (idempotent); the directory stays until `remove`. */
  stop(): void;
  remove(): void;
}

const idOf = (flag: '-u' | '-g'): number =>
  Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());

export async function startPostgres(): Promise<PostgresCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'sievert-pg-'));
  chownSync(dir, idOf('-u'), idOf('-g'));
  const port = await freePort();
  const asPostgres = (cmd: string, args: string[]): string =>
    execFileSync('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], {
      encoding: 'utf8',
      stdio: 'pipe',
    });
  asPostgres('initdb', ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres']);
  asPostgres('pg_ctl', [
    '-D',
    join(dir, 'data'),
    '-l',
    join(dir, 'log'),
    '-o',
    // fsync off: the cluster is thrown away after the run; PostgreSQL's own durability is not under test.
    `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c fsync=off`,
    '-w',
    'start',
  ]);
  let running = true;
  const stop = (): void => {
    if (running) asPostgres('pg_ctl', ['-D', join(dir, 'data'), '-m', 'fast', 'stop']);
    running = false;
  };
  return {
    port,
    url: (database, password) =>
      `postgres://postgres${password === undefined ? '' : `:${password}`}@127.0.0.1:${port}/${database}`,
    psql: (sql) =>
      execFileSync(
        join(bin, 'psql'),
        ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-Atc', sql],
        {
          encoding: 'utf8',
          stdio: 'pipe',
        },
      ),
    stop,
    remove() {
      stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
