// The deprecated imapflags extension (draft-melnikov-sieve-imapflags-03), kept so that scripts
// written before RFC 5232 keep working: setflag, addflag and removeflag are imap4flags' own
// commands (the internal flags, or a variable when the script requires variables), and keep,
// fileinto and the implicit keep store the message with the internal flags, as with imap4flags.
// It adds mark and unmark (addflag and removeflag of \Flagged) and has neither hasflag nor
// :flags. Accepted in require, never advertised, and not usable together with imap4flags.
import type { StringArgument } from '../../ast.js';
import type { CommandSpec, ExtensionDefinition } from '../../registry.js';
import { flagCommand } from '../imap4flags/index.js';

/** mark is `addflag "\\Flagged"`, unmark `removeflag "\\Flagged"` (draft §4.4, §4.5). */
function markCommand(name: string, command: CommandSpec): CommandSpec {
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
      return command.compile(cc, { ...cmd, positional: [flag] });
    },
  };
}

export const imapflags: ExtensionDefinition = {
  name: 'imapflags',
  advertised: false,
  conflicts: ['imap4flags'],
  setup(r) {
    // Specs of their own, so that each command knows the extension it was declared by.
    for (const name of ['setflag', 'addflag', 'removeflag'] as const) r.command(flagCommand(name));
    r.command(markCommand('mark', flagCommand('addflag')));
    r.command(markCommand('unmark', flagCommand('removeflag')));
  },
};
