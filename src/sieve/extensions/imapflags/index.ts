// The deprecated imapflags extension (draft-melnikov-sieve-imapflags-03), kept so that scripts
// written before RFC 5232 keep working: setflag, addflag and removeflag are imap4flags' own
// commands (the internal flags, or a variable when the script requires variables), and keep,
// fileinto and the implicit keep store the message with the internal flags, as with imap4flags.
// It adds mark and unmark (addflag and removeflag of \Flagged) and has neither hasflag nor
// :flags. Accepted in require, never advertised, and not usable together with imap4flags.
import type { StringArgument } from '../../ast.js';
import { declarations, type CommandSpec, type ExtensionDefinition } from '../../registry.js';
import { imap4flags } from '../imap4flags/index.js';

const IMAP4FLAGS = declarations(imap4flags).commands;

function imap4flagsCommand(name: string): CommandSpec {
  const spec = IMAP4FLAGS.get(name);
  if (!spec) throw new Error(`imapflags: imap4flags declares no "${name}" command`);
  return spec;
}

/** mark is `addflag "\\Flagged"`, unmark `removeflag "\\Flagged"` (draft §4.4, §4.5). */
function markCommand(name: string, flagCommand: CommandSpec): CommandSpec {
  return {
    name,
    positional: [],
    tests: 'none',
    block: 'none',
    compile(cc, cmd) {
      const flag: StringArgument = {
        kind: 'string',
        value: '\\Flagged',
        multiline: false,
        span: cmd.node.span,
      };
      return flagCommand.compile(cc, { ...cmd, positional: [flag] });
    },
  };
}

export const imapflags: ExtensionDefinition = {
  name: 'imapflags',
  advertised: false,
  conflicts: ['imap4flags'],
  setup(r) {
    // Copies, so that each command knows the extension it was declared by.
    for (const name of ['setflag', 'addflag', 'removeflag']) r.command({ ...imap4flagsCommand(name) });
    r.command(markCommand('mark', imap4flagsCommand('addflag')));
    r.command(markCommand('unmark', imap4flagsCommand('removeflag')));
  },
};
