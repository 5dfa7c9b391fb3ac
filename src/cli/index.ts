// The `sievert` command.
import { Command, CommanderError } from 'commander';
// Loaded on use: the store and password hashing are not needed to check or filter scripts.
import type { ScriptPutOptions, UserAddOptions } from './admin.js';
import { checkCommand } from './check.js';
import { filterCommand, type FilterOptions } from './filter.js';
import { testCommand, type TestOptions } from './test.js';
import { testsuiteCommand } from './testsuite.js';
import { createEngine } from '../sieve/index.js';
import { VERSION } from '../version.js';

/** Runs the CLI with the given arguments; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = new Command()
    .name('sievert')
    .description('Sieve mail filtering: check, test and run Sieve scripts (RFC 5228)')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) })
    // RFC 5804 §1.7: the SIEVE capability is the space-separated list of the extensions.
    .option('--capabilities', 'print the Sieve extensions this engine supports, space-separated')
    .action((opts: { capabilities?: boolean }) => {
      if (!opts.capabilities) program.help({ error: true });
      process.stdout.write(createEngine().capabilities().join(' ') + '\n');
    });

  program
    .command('check')
    .description('compile scripts and print their diagnostics (exit 0 when all compile)')
    .argument('<file...>', 'Sieve scripts')
    .option('--json', 'print the diagnostics as JSON')
    .action((files: string[], opts: { json?: boolean }) => {
      code = checkCommand(files, opts);
    });

  program
    .command('test')
    .description('dry-run a script against a message and list the actions it would perform')
    .argument('<script>', 'Sieve script')
    .argument('<message>', 'RFC 5322 message file')
    .option('--from <address>', 'envelope sender ("" for the null sender)')
    .option('--to <address>', 'envelope recipient')
    .option('--json', 'print one JSON line: {"actions": [...], "error": ...}')
    .option('--trace', 'print each command and test as it is evaluated')
    .option('--personal-dir <dir>', "where include :personal reads NAME.sieve (default: the script's folder)")
    .option('--global-dir <dir>', 'where include :global reads NAME.sieve (default: sieve.global_dir)')
    .option(
      '-c, --config <file>',
      'a `sievert serve` configuration: its [sieve] settings apply (docs/serve.md)',
    )
    .action(async (script: string, message: string, opts: TestOptions) => {
      code = await testCommand(script, message, opts);
    });

  program
    .command('testsuite')
    .description('run Pigeonhole test-suite files (.svtest) and report each test (exit 0 when all pass)')
    .argument('<file...>', '.svtest files')
    .option('--expect-fail', 'every test in the files is expected to fail')
    .action((files: string[], opts: { expectFail?: boolean }) => {
      code = testsuiteCommand(files, opts);
    });

  program
    .command('filter')
    .description('dry-run a script over every message of a Maildir or mbox and report the actions')
    .argument('<script>', 'Sieve script')
    .argument('<path>', 'Maildir folder (with cur/ and new/) or mbox file')
    .option('--json', 'one JSON line per message, then a summary line')
    .option('--to <address>', 'envelope recipient', 'recipient@localhost')
    .option('--no-cache', 'read every message file; do not use or write the header cache')
    .option('--cache-dir <dir>', 'where the Maildir header cache is kept (default ~/.cache/sievert/filter)')
    .action(async (script: string, path: string, opts: FilterOptions) => {
      code = await filterCommand(script, path, opts);
    });

  program
    .command('rules')
    .description(
      'filter rules as editors see them: list|show|roundtrip|set-enabled|rename|convert (docs/rules.md)',
    )
    .argument(
      '<action>',
      'list|show|roundtrip FILE, set-enabled FILE NAME on|off, rename FILE OLD NEW, convert FILE',
    )
    .argument('[args...]')
    .option('--json', 'list, show: print JSON')
    .option('--to <dialect>', 'convert: the convention to write (roundcube, rule-block, open-xchange, …)')
    .option('--in-place', 'set-enabled, rename, convert: replace the file instead of printing the result')
    .action(
      async (action: string, args: string[], opts: { json?: boolean; to?: string; inPlace?: boolean }) => {
        code = (await import('./rules.js')).rulesCommand(action, args, opts);
      },
    );

  program
    .command('proxy')
    .description('run the IMAP/POP3/ManageSieve/submission proxy')
    .allowUnknownOption()
    .helpOption(false)
    .argument('[args...]')
    .action(async (args: string[]) => {
      const { proxyCommand } = await import('../proxy/index.js');
      code = await proxyCommand(args);
    });

  program
    .command('serve')
    .description('run the ManageSieve server on the script store (embedded defaults in ./sievert-data)')
    .option('-c, --config <file>', 'TOML configuration (docs/serve.md)')
    .option('--check', 'only validate the configuration')
    .action(async (opts: { config?: string; check?: boolean }) => {
      const { serveCommand } = await import('../serve/index.js');
      code = await serveCommand(opts);
    });

  program
    .command('deliver')
    .description('deliver a message from standard input to a user, running their scripts (like dovecot-lda)')
    .requiredOption('-u, --user <user>', 'the recipient: an address or a user name')
    .option('-f, --from <address>', 'the envelope sender (default: the Return-Path field, else <>)')
    .option('-c, --config <file>', 'TOML configuration (docs/serve.md)')
    .action(async (opts: { user: string; from?: string; config?: string }) => {
      const { deliverCommand } = await import('./deliver.js');
      code = await deliverCommand(opts);
    });

  const user = program
    .command('user')
    .description("manage the store's own users (when auth.passwd_file is not used)");
  user
    .command('add')
    .description('add a user; the password is read from the terminal or standard input')
    .argument('<user>')
    .option('-c, --config <file>', 'TOML configuration')
    .option('--scheme <scheme>', 'password scheme (default ARGON2ID)')
    .option('--max-scripts <n>', 'per-user quota: number of scripts')
    .option('--max-script-size <size>', 'per-user quota: octets per script ("64K")')
    .option('--max-storage <size>', 'per-user quota: octets in all ("1M")')
    .action(async (name: string, opts: UserAddOptions) => {
      code = await (await import('./admin.js')).userCommand('add', [name], opts);
    });
  user
    .command('passwd')
    .description('change a password (read from the terminal or standard input)')
    .argument('<user>')
    .option('-c, --config <file>', 'TOML configuration')
    .option('--scheme <scheme>', 'password scheme (default ARGON2ID)')
    .action(async (name: string, opts: UserAddOptions) => {
      code = await (await import('./admin.js')).userCommand('passwd', [name], opts);
    });
  user
    .command('del')
    .description('delete a user and their scripts')
    .argument('<user>')
    .option('-c, --config <file>', 'TOML configuration')
    .action(async (name: string, opts: UserAddOptions) => {
      code = await (await import('./admin.js')).userCommand('del', [name], opts);
    });
  user
    .command('list')
    .description('list the users')
    .option('-c, --config <file>', 'TOML configuration')
    .action(async (opts: UserAddOptions) => {
      code = await (await import('./admin.js')).userCommand('list', [], opts);
    });
  user
    .command('hash')
    .description('print a password hash for a passwd-file (password from the terminal or standard input)')
    .option('--scheme <scheme>', 'password scheme (default ARGON2ID)')
    .action(async (opts: UserAddOptions) => {
      code = await (await import('./admin.js')).userCommand('hash', [], opts);
    });

  program
    .command('script')
    .description("manage a user's scripts in the store: put|get|list|activate|delete")
    .argument(
      '<action>',
      'put USER NAME FILE | get USER NAME | list USER | activate USER [NAME] | delete USER NAME',
    )
    .argument('[args...]')
    .option('-c, --config <file>', 'TOML configuration')
    .option('--activate', 'put: also make the script active')
    .action(async (action: string, args: string[], opts: ScriptPutOptions) => {
      code = await (await import('./admin.js')).scriptCommand(action, args, opts);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  return code;
}
