// The `sievert` command.
import { Command, CommanderError } from 'commander';
import { checkCommand } from './check.js';
import { filterCommand, type FilterOptions } from './filter.js';
import { testCommand } from './test.js';
import { testsuiteCommand } from './testsuite.js';
import { createEngine } from '../sieve/index.js';

export const VERSION = '0.1.0';

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
    .action(
      (
        script: string,
        message: string,
        opts: { from?: string; to?: string; json?: boolean; trace?: boolean },
      ) => {
        code = testCommand(script, message, opts);
      },
    );

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
    .command('proxy')
    .description('run the IMAP/POP3/ManageSieve/submission proxy')
    .allowUnknownOption()
    .helpOption(false)
    .argument('[args...]')
    .action(async (args: string[]) => {
      const { proxyCommand } = await import('../proxy/index.js');
      code = await proxyCommand(args);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  return code;
}
