// RFC 5429: reject and ereject. Both refuse delivery with a reason and cancel the implicit
// keep; `reject` favours an MDN to the sender (§2.2), `ereject` a refusal in the SMTP/LMTP
// dialogue (§2.1: delivery answers 550 5.7.1 with the reason). How the refusal is made is up to
// delivery; the engine applies the rules of §2.4 on what may be combined with them.
import type { Span } from '../../diagnostics.js';
import type { CommandSpec, ExtensionDefinition } from '../../registry.js';
import {
  actionDescriptions,
  evaluate,
  SieveRuntimeError,
  type Action,
  type ActionJson,
} from '../../runtime.js';
import { vacationExecuted } from '../vacation/index.js';

declare module '../../runtime.js' {
  interface ActionJsonTypes {
    /** RFC 5429 §2.2: refuse the message, normally with an MDN to the envelope sender. */
    reject: { reason: string };
    /** RFC 5429 §2.1: refuse the message in the SMTP/LMTP dialogue (5xx), else with a DSN. */
    ereject: { reason: string };
  }
}

const REJECTS = new Set(['reject', 'ereject']);

export function isReject(a: Action): boolean {
  return REJECTS.has(a.json.type);
}

function rejectAction(type: 'reject' | 'ereject', reason: string, span: Span): Action {
  const self: Action = {
    json: { type, reason },
    cancelsImplicitKeep: true,
    // The message goes back to the sender: the result needs no discard.
    delivers: true,
    span,
    conflict(other) {
      if (other === self) return null;
      const at = other.span ? ` (line ${other.span.start.line})` : '';
      // RFC 5429 §2.4: "Implementations MUST prohibit the execution of more than one reject".
      if (isReject(other))
        return `${type}: only one reject or ereject action is allowed${at} (RFC 5429 §2.4)`;
      // §2.4 makes combining reject with keep, fileinto or redirect "NOT RECOMMENDED", since
      // the sender would believe the message was not delivered; like Pigeonhole, sievert
      // refuses it (a run-time error: the implicit keep is performed).
      if (other.delivers) {
        return `${type}: the message cannot be both refused and delivered (${other.json.type}${at}; RFC 5429 §2.4)`;
      }
      return null;
    },
  };
  return self;
}

function rejectCommand(type: 'reject' | 'ereject'): CommandSpec {
  return {
    name: type,
    positional: [{ name: 'reason', type: 'string' }],
    tests: 'none',
    block: 'none',
    compile(cc, cmd) {
      const reason = cc.string(cmd.positional[0]!);
      const span = cmd.node.span;
      return (ctx) => {
        // RFC 5429 §2.4: "Reject MUST be incompatible with the vacation action", whether or not
        // the vacation response was to be sent.
        if (vacationExecuted(ctx)) {
          throw new SieveRuntimeError(`${type}: a vacation action was executed before (RFC 5429 §2.4)`, span);
        }
        ctx.result.add(rejectAction(type, evaluate(reason, ctx), span), span);
        return false;
      };
    },
  };
}

const describe = (verb: string) => (a: ActionJson) =>
  `${verb}: ${JSON.stringify('reason' in a ? a.reason : '')}`;
actionDescriptions.set('reject', describe('reject message with reason'));
actionDescriptions.set('ereject', describe('refuse message at the protocol level (5xx) with reason'));

export const reject: ExtensionDefinition = {
  name: 'reject',
  setup: (r) => r.command(rejectCommand('reject')),
};

export const ereject: ExtensionDefinition = {
  name: 'ereject',
  setup: (r) => r.command(rejectCommand('ereject')),
};
