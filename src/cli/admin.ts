// sievert user … and sievert script …: administration on the same store as a running server.
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { createEngine, formatDiagnostic } from '../sieve/index.js';
import { loadServeConfig, type ServeConfig } from '../serve/config.js';
import { openStore, StoreError, UNLIMITED, type Quota, type ScriptStore } from '../store/index.js';
import {
  hashPassword,
  isPasswordScheme,
  PASSWORD_SCHEMES,
  PasswordHashError,
  type PasswordScheme,
} from '../auth/index.js';
import { EXIT_CONFIG, loadOrReport, parseSize } from '../config/index.js';
import { readScriptFile } from './io.js';
import { readFileSync } from 'node:fs';
import { checkScriptBytes, checkScriptName, DEFAULT_MAX_NAME_CHARACTERS } from '../managesieve/index.js';

export interface AdminOptions {
  config?: string;
}

/** A mistake the operator can correct, reported without a stack trace; `status` is the exit code. */
class AdminError extends Error {
  constructor(
    message: string,
    readonly status: 1 | 2 = 1,
  ) {
    super(message);
  }
}

/** Runs `body`; maps the errors an operator can act on to a message and an exit code. */
async function reported(body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof StoreError) return failed(`${e.message} (${e.code})`, 1);
    if (e instanceof AdminError) return failed(e.message, e.status);
    if (e instanceof PasswordHashError) return failed(e.message, 1);
    throw e;
  }
}

function failed(message: string, status: number): number {
  process.stderr.write(`error: ${message}\n`);
  return status;
}

/** Runs `body` with the configured store open (see `reported` for its errors). */
async function withStore(
  opts: AdminOptions,
  body: (store: ScriptStore, config: ServeConfig) => Promise<number>,
): Promise<number> {
  const config = loadOrReport(() => loadServeConfig(opts.config));
  if (config === undefined) return EXIT_CONFIG;
  let store: ScriptStore;
  try {
    store = await openStore(config.storeUrl);
  } catch (e) {
    return failed(`cannot open the store: ${(e as Error).message}`, 1);
  }
  try {
    return await reported(() => body(store, config));
  } finally {
    await store.close();
  }
}

/** A password from a terminal (asked twice, not echoed) or the first line of standard input. */
async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    const text = readFileSync(0, 'utf8');
    return text.split(/\r?\n/)[0] ?? '';
  }
  const ask = async (prompt: string): Promise<string> => {
    process.stderr.write(prompt);
    const muted = new Writable({ write: (_c, _e, cb) => cb() });
    const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
    const answer = await new Promise<string>((resolve) => rl.question('', resolve));
    rl.close();
    process.stderr.write('\n');
    return answer;
  };
  const first = await ask('Password: ');
  const again = await ask('Again: ');
  if (first !== again) throw new AdminError('the passwords differ');
  return first;
}

export interface UserAddOptions extends AdminOptions {
  scheme?: string;
  maxScripts?: string;
  maxScriptSize?: string;
  maxStorage?: string;
}

/** The --scheme option, checked before the password is asked for. */
function schemeOption(s: string | undefined): PasswordScheme | undefined {
  if (s === undefined) return undefined;
  const upper = s.toUpperCase();
  if (!isPasswordScheme(upper)) {
    throw new AdminError(
      `--scheme: expected one of ${PASSWORD_SCHEMES.join(', ')}, got ${JSON.stringify(s)}`,
      2,
    );
  }
  return upper;
}

/** The per-user quota options, or what is wrong with one of them. */
function quotaOptions(opts: UserAddOptions): Partial<Quota> | string {
  const quota: Partial<Quota> = {};
  if (opts.maxScripts !== undefined) {
    const n = Number(opts.maxScripts);
    if (!/^\d+$/.test(opts.maxScripts) || !Number.isSafeInteger(n))
      return `--max-scripts: expected a number of scripts, got ${JSON.stringify(opts.maxScripts)}`;
    quota.maxScripts = n;
  }
  for (const [key, flag, v] of [
    ['maxScriptSize', '--max-script-size', opts.maxScriptSize],
    ['maxStorage', '--max-storage', opts.maxStorage],
  ] as const) {
    if (v === undefined) continue;
    const n = parseSize(v);
    if (n === undefined)
      return `${flag}: expected a size such as "512", "20K" or "1M", got ${JSON.stringify(v)}`;
    quota[key] = n;
  }
  return quota;
}

function usersFromFile(config: ServeConfig): boolean {
  if (config.auth.passwdFile === undefined) return false;
  process.stderr.write(
    `error: users come from auth.passwd_file (${config.auth.passwdFile}); edit that file ` +
      '(`sievert user hash` prints a password hash for it)\n',
  );
  return true;
}

export function userCommand(action: string, args: string[], opts: UserAddOptions): Promise<number> {
  if (action === 'hash') {
    return reported(async () => {
      const scheme = schemeOption(opts.scheme);
      process.stdout.write((await hashPassword(await readPassword(), scheme)) + '\n');
      return 0;
    });
  }
  return withStore(opts, async (store, config) => {
    const [name] = args;
    switch (action) {
      case 'list':
        for (const u of await store.listUsers()) process.stdout.write(u + '\n');
        return 0;
      case 'add': {
        if (usersFromFile(config)) return 1;
        if (!name) return usage('sievert user add USER');
        const quota = quotaOptions(opts);
        if (typeof quota === 'string') return usage(`sievert user add USER: ${quota}`);
        const scheme = schemeOption(opts.scheme);
        const password = await hashPassword(await readPassword(), scheme);
        await store.addUser({ name, password, quota });
        process.stdout.write(`user ${name} added\n`);
        return 0;
      }
      case 'passwd': {
        if (usersFromFile(config)) return 1;
        if (!name) return usage('sievert user passwd USER');
        const scheme = schemeOption(opts.scheme);
        await store.setPassword(name, await hashPassword(await readPassword(), scheme));
        process.stdout.write(`password of ${name} changed\n`);
        return 0;
      }
      case 'del':
        if (usersFromFile(config)) return 1;
        if (!name) return usage('sievert user del USER');
        await store.deleteUser(name);
        process.stdout.write(`user ${name} deleted, with their scripts\n`);
        return 0;
      default:
        return usage('sievert user add|passwd|del|list|hash');
    }
  });
}

function usage(text: string): number {
  process.stderr.write(`usage: ${text}\n`);
  return 2;
}

export interface ScriptPutOptions extends AdminOptions {
  activate?: boolean;
}

export function scriptCommand(action: string, args: string[], opts: ScriptPutOptions): Promise<number> {
  return withStore(opts, async (store) => {
    const [user, name, file] = args;
    if (!user) return usage('sievert script put|get|list|activate|delete USER [NAME [FILE]]');
    switch (action) {
      case 'list':
        for (const s of await store.listScripts(user))
          process.stdout.write(`${s.name}${s.active ? '\tactive' : ''}\n`);
        return 0;
      case 'put': {
        if (name === undefined || !file) return usage('sievert script put USER NAME FILE');
        // The same checks as PUTSCRIPT: the name's rules, then the script's (checkScriptBytes).
        const checkedName = checkScriptName(Buffer.from(name, 'utf8'), DEFAULT_MAX_NAME_CHARACTERS);
        if (!checkedName.ok) return failed(checkedName.message, 1);
        let script: Buffer;
        try {
          script = readScriptFile(file);
        } catch (e) {
          return failed(`cannot read ${file}: ${(e as Error).message}`, 1);
        }
        // The octets checked are the octets stored.
        const checked = checkScriptBytes(script, createEngine());
        if (checked.kind === 'empty')
          return failed(`${file} is empty; an empty script is refused (RFC 5804 §2.6)`, 1);
        if (checked.kind === 'not-utf8') {
          const at = `${file}:${checked.line}:${checked.column}`;
          process.stderr.write(`${at}: error: the script is not valid UTF-8 (RFC 5228 §1.1)\n`);
          return 1;
        }
        for (const d of checked.diagnostics) process.stderr.write(formatDiagnostic(file, d) + '\n');
        if (checked.diagnostics.some((d) => d.severity === 'error')) return 1;
        // Administrators are not held to the users' quotas.
        await store.putScript(user, name, script, UNLIMITED);
        if (opts.activate) await store.setActive(user, name);
        process.stdout.write(`script ${name} stored for ${user}${opts.activate ? ' and activated' : ''}\n`);
        return 0;
      }
      case 'get': {
        if (!name) return usage('sievert script get USER NAME');
        const content = await store.getScript(user, name);
        if (!content) throw new StoreError('NONEXISTENT', `${user} has no script ${JSON.stringify(name)}`);
        process.stdout.write(content);
        return 0;
      }
      case 'activate':
        // `sievert script activate USER` with no name deactivates (SETACTIVE "").
        await store.setActive(user, name ?? null);
        process.stdout.write(
          name ? `script ${name} is active for ${user}\n` : `no script is active for ${user}\n`,
        );
        return 0;
      case 'delete':
        if (!name) return usage('sievert script delete USER NAME');
        await store.deleteScript(user, name);
        process.stdout.write(`script ${name} of ${user} deleted\n`);
        return 0;
      default:
        return usage('sievert script put|get|list|activate|delete USER [NAME [FILE]]');
    }
  });
}
