// Dovecot's vnd.dovecot.debug: `debug_log <message: string>` hands a message to the host's log
// (SieveHost.debugLog) and to the trace; it does nothing else. Accepted in require, never
// advertised: it is Dovecot's, kept so that scripts moved from Dovecot keep working.
import type { ExtensionDefinition } from '../../registry.js';
import { evaluate } from '../../runtime.js';

export const vndDovecotDebug: ExtensionDefinition = {
  name: 'vnd.dovecot.debug',
  advertised: false,
  setup(r) {
    r.command({
      name: 'debug_log',
      positional: [{ name: 'message', type: 'string' }],
      tests: 'none',
      block: 'none',
      compile(cc, cmd) {
        const message = cc.string(cmd.positional[0]!);
        const line = cmd.node.span.start.line;
        return (ctx) => {
          const text = evaluate(message, ctx);
          ctx.trace?.({ line, kind: 'info', text: `debug_log: ${text}` });
          ctx.host.debugLog?.(text);
          return false;
        };
      },
    });
  },
};
