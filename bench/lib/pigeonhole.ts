/**
 * Pigeonhole's sieve-filter over the benchmark Maildir, with a private Dovecot configuration:
 * its own base/state dirs and log, the Maildir read-only, and the index and control files
 * (uidlist, header cache) in a scratch directory, so that "cold" means deleting that directory.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PigeonholeSetup {
  readonly dir: string;
  readonly config: string;
  readonly script: string;
  readonly indexDir: string;
  readonly controlDir: string;
  readonly owner: {
    readonly uid: number;
    readonly gid: number;
    readonly user: string;
    readonly group: string;
  };
}

function lookupId(flag: '-u' | '-g', name: string): number {
  return Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
}

/**
 * Writes the configuration. Dovecot refuses to access mail as root, so when the benchmark runs as
 * root the mail user is nobody/nogroup (the corpus is world-readable) and the scratch dirs belong
 * to it.
 */
export function setupPigeonhole(dir: string, maildir: string, scriptPath: string): PigeonholeSetup {
  const uid = process.getuid?.() ?? 0;
  const owner =
    uid === 0
      ? {
          uid: lookupId('-u', 'nobody'),
          gid: lookupId('-g', 'nobody'),
          user: 'nobody',
          group: groupName('nobody'),
        }
      : { uid, gid: process.getgid?.() ?? 0, user: String(uid), group: String(process.getgid?.() ?? 0) };
  const indexDir = join(dir, 'index');
  const controlDir = join(dir, 'control');
  const home = join(dir, 'home');
  for (const sub of [join(dir, 'run'), join(dir, 'state'), home]) mkdirSync(sub, { recursive: true });
  const script = join(home, 'rules-50.sieve');
  copyFileSync(scriptPath, script);
  chownSync(home, owner.uid, owner.gid);
  chownSync(script, owner.uid, owner.gid);
  const config = join(dir, 'dovecot.conf');
  writeFileSync(
    config,
    [
      `base_dir = ${join(dir, 'run')}`,
      `state_dir = ${join(dir, 'state')}`,
      `log_path = ${join(dir, 'dovecot.log')}`,
      'ssl = no',
      'protocols =',
      `mail_location = maildir:${maildir}:INDEX=${indexDir}:CONTROL=${controlDir}`,
      `mail_uid = ${owner.uid}`,
      `mail_gid = ${owner.gid}`,
      `first_valid_uid = ${Math.min(owner.uid, 500)}`,
      `mail_home = ${home}`,
      '',
    ].join('\n'),
  );
  const setup: PigeonholeSetup = { dir, config, script, indexDir, controlDir, owner };
  resetIndex(setup);
  return setup;
}

function groupName(user: string): string {
  return execFileSync('id', ['-gn', user], { encoding: 'utf8' }).trim();
}

/** Deletes the index and control files so that the next run starts cold. */
export function resetIndex(setup: PigeonholeSetup): void {
  for (const d of [setup.indexDir, setup.controlDir]) {
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d);
    chownSync(d, setup.owner.uid, setup.owner.gid);
  }
}

/** `-C` forces compilation on every run, as sievert compiles its script on every run. */
export function pigeonholeArgs(setup: PigeonholeSetup): string[] {
  return ['-c', setup.config, '-C', setup.script, 'INBOX'];
}

export interface FilterTally {
  readonly messages: number;
  /** Messages per destination folder (keep counts as INBOX). */
  readonly folders: ReadonlyMap<string, number>;
  /** Destinations per message, keyed by the generator's message number (in the Message-ID and the file name). */
  readonly destinations: ReadonlyMap<number, string>;
  readonly errors: number;
}

/** Adds `folder` to the message's destinations (sorted, comma-separated). */
export function addDestination(destinations: Map<number, string>, message: number, folder: string): void {
  if (message < 0) return;
  const previous = destinations.get(message);
  destinations.set(
    message,
    previous === undefined ? folder : [...previous.split(','), folder].sort().join(','),
  );
}

/** Tallies sieve-filter's dry-run report (">> Filtering message:" blocks, "store message in folder: X"). */
export function tallyPigeonhole(outputPath: string): FilterTally {
  const folders = new Map<string, number>();
  const destinations = new Map<number, string>();
  let messages = 0;
  let errors = 0;
  let current = -1;
  for (const line of readFileSync(outputPath, 'utf8').split('\n')) {
    if (line.startsWith('>> Filtering message:')) {
      messages++;
      current = -1;
    } else if (line.startsWith('  ID:')) {
      // The generator writes Message-IDs as <token.N@domain>.
      const match = /\.(\d+)@/.exec(line);
      current = match ? Number(match[1]) : -1;
    } else if (line.startsWith(' * store message in folder: ')) {
      const folder = line.slice(' * store message in folder: '.length).trim();
      folders.set(folder, (folders.get(folder) ?? 0) + 1);
      addDestination(destinations, current, folder);
    } else if (/\berror\b/i.test(line)) errors++;
  }
  return { messages, folders, destinations, errors };
}
