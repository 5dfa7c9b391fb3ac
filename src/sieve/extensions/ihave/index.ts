// RFC 5463: "ihave" — the ihave test, true when the engine supports every capability it names,
// and the error command. Inside the block of `if ihave "x" { … }` the capability x counts as
// required (the validator does this for tests with testedCapabilities, see CapabilityTestSpec);
// when x is not supported the block is not validated, so it may use commands unknown here.
import type { TestNode } from '../../ast.js';
import type { ExtensionDefinition, TestSpec } from '../../registry.js';
import { evaluate, SieveRuntimeError } from '../../runtime.js';
import type { CapabilityTestSpec, ValidationContext } from '../../validator.js';

/**
 * The capabilities an ihave test names. They are read as written (§4: ihave is decided when the
 * script is compiled), so a variable reference is not expanded and names no capability.
 */
function namedCapabilities(v: ValidationContext, test: TestNode): string[] {
  const arg = test.args.find((a) => a.kind === 'string' || a.kind === 'string-list');
  if (!arg) return [];
  const items = arg.kind === 'string' ? [arg] : arg.kind === 'string-list' ? arg.items : [];
  return items.map((i) => v.value(i));
}

/**
 * RFC 5463 §4: ihave must not be used with extensions that change how the content of a script is
 * interpreted, such as encoded-character and variables: "The test MUST fail and the extension
 * MUST NOT be enabled". (Pigeonhole refuses the same two.) So `${…}` is never interpolated inside
 * an ihave block: a block guarded by ihave "variables" does not run.
 */
const NOT_ENABLED_BY_IHAVE = new Set(['variables', 'encoded-character']);

/** The answer of each ihave test, decided at validation and used by compile. */
const answers = new WeakMap<TestNode, boolean>();

const ihaveTest: TestSpec & CapabilityTestSpec = {
  name: 'ihave',
  positional: [{ name: 'capabilities', type: 'string-list' }],
  tests: 'none',
  testedCapabilities: namedCapabilities,
  mayEnable: (c) => !NOT_ENABLED_BY_IHAVE.has(c),
  validate(v, t) {
    // §4: an unknown capability is not an error; the test is simply false.
    answers.set(
      t.node,
      namedCapabilities(v, t.node).every((c) => v.supports(c) && !NOT_ENABLED_BY_IHAVE.has(c)),
    );
  },
  compile(_cc, t) {
    const answer = answers.get(t.node) ?? false;
    return () => answer;
  },
};

export const ihave: ExtensionDefinition = {
  name: 'ihave',
  setup(r) {
    r.test(ihaveTest);
    // §5: error <message: string> ends the script with a run-time error carrying the message;
    // the implicit keep is performed (RFC 5228 §2.10.6).
    r.command({
      name: 'error',
      positional: [{ name: 'message', type: 'string' }],
      tests: 'none',
      block: 'none',
      compile(cc, cmd) {
        const message = cc.string(cmd.positional[0]!);
        const span = cmd.node.span;
        return (ctx) => {
          throw new SieveRuntimeError(evaluate(message, ctx), span);
        };
      },
    });
  },
};
