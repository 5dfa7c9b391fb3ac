// RFC 6558: "convert" — `convert <from-media-type> <to-media-type> <transcoding-params>` as an
// action (the host converts the body parts of the first type into the second before it performs
// the actions that follow) and as a test (true when the conversion can be done; it is then done).
// The engine does not convert anything itself: the action is reported to the host.
import type { Argument } from '../../ast.js';
import type { ExtensionDefinition } from '../../registry.js';
import {
  actionDescriptions,
  evaluate,
  SieveRuntimeError,
  type Action,
  type CompileContext,
  type ExecutionContext,
  type StringValue,
} from '../../runtime.js';
import type { ValidationContext } from '../../validator.js';
import type { Span } from '../../diagnostics.js';

declare module '../../runtime.js' {
  interface ActionJsonTypes {
    /** RFC 6558: convert body parts of media type `from` to `to` with these parameters. */
    convert: { from: string; to: string; params: string[] };
  }
}

actionDescriptions.set('convert', (a) =>
  a.type === 'convert'
    ? `convert: body parts of type ${a.from} to ${a.to}${a.params.length ? ` (${a.params.join(', ')})` : ''}`
    : a.type,
);

/** RFC 2045 §5.1 token: any ASCII but SPACE, CTLs and tspecials. */
const TOKEN = "[!#$%&'*+\\-.0-9A-Z^_`a-z{|}~]+";
const MEDIA_TYPE = new RegExp(`^${TOKEN}(/${TOKEN})?$`);
const PARAM = new RegExp(`^${TOKEN}=.*$`);

/** Why a media type cannot be converted from or to, or null. */
export function invalidMediaType(type: string): string | null {
  if (!MEDIA_TYPE.test(type)) return 'it is not a media type ("type" or "type/subtype", without parameters)';
  // RFC 6558 §3: multipart and message parts are containers, not convertible content.
  const top = type.split('/')[0]!.toLowerCase();
  if (top === 'multipart' || top === 'message') return `${top} parts cannot be converted`;
  return null;
}

export function invalidParam(param: string): string | null {
  return PARAM.test(param) ? null : 'a transcoding parameter has the form "name=value"';
}

function check(
  v: ValidationContext,
  arg: Argument | undefined,
  what: string,
  why: (s: string) => string | null,
): void {
  if (!arg) return;
  for (const { value, span } of v.constantValues(arg)) {
    const reason = why(value);
    if (reason) v.error('convert.invalid-argument', `convert: invalid ${what} "${value}": ${reason}`, span);
  }
}

interface Compiled {
  from: StringValue;
  to: StringValue;
  params: StringValue[];
  span: Span;
}

function validate(v: ValidationContext, positional: readonly Argument[]): void {
  check(v, positional[0], 'media type', invalidMediaType);
  check(v, positional[1], 'media type', invalidMediaType);
  check(v, positional[2], 'transcoding parameter', invalidParam);
}

function compileArgs(cc: CompileContext, positional: readonly Argument[], span: Span): Compiled {
  return {
    from: cc.string(positional[0]!),
    to: cc.string(positional[1]!),
    params: cc.stringList(positional[2]!),
    span,
  };
}

function convertAction(ctx: ExecutionContext, c: Compiled): Action {
  const from = evaluate(c.from, ctx);
  const to = evaluate(c.to, ctx);
  const params = c.params.map((p) => evaluate(p, ctx));
  for (const [what, value, why] of [
    ['media type', from, invalidMediaType],
    ['media type', to, invalidMediaType],
    ...params.map((p) => ['transcoding parameter', p, invalidParam] as const),
  ] as const) {
    const reason = why(value);
    if (reason) throw new SieveRuntimeError(`convert: invalid ${what} "${value}": ${reason}`, c.span);
  }
  // Converting does not put the message anywhere, so it leaves the implicit keep alone.
  return {
    json: { type: 'convert', from, to, params },
    cancelsImplicitKeep: false,
    delivers: false,
    span: c.span,
  };
}

const POSITIONAL = [
  { name: 'from media type', type: 'string' },
  { name: 'to media type', type: 'string' },
  { name: 'transcoding parameters', type: 'string-list' },
] as const;

export const convert: ExtensionDefinition = {
  name: 'convert',
  setup(r) {
    r.command({
      name: 'convert',
      positional: POSITIONAL,
      tests: 'none',
      block: 'none',
      validate: (v, cmd) => validate(v, cmd.positional),
      compile(cc, cmd) {
        const c = compileArgs(cc, cmd.positional, cmd.node.span);
        return (ctx) => {
          ctx.result.add(convertAction(ctx, c), c.span);
          return false;
        };
      },
    });
    r.test({
      name: 'convert',
      positional: POSITIONAL,
      tests: 'none',
      validate: (v, t) => validate(v, t.positional),
      compile(cc, t) {
        const c = compileArgs(cc, t.positional, t.node.span);
        // RFC 6558 §4: as a test, convert performs the conversion and is true when it succeeds.
        // The host says whether it can (default: it cannot, and nothing is converted).
        return (ctx) => {
          const action = convertAction(ctx, c);
          if (action.json.type !== 'convert') return false;
          const { from, to, params } = action.json;
          if (ctx.host.canConvert?.(from, to, params) !== true) return false;
          ctx.result.add(action, c.span);
          return true;
        };
      },
    });
  },
};
