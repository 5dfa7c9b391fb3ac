// RFC 6609: include. `include [:personal / :global] [:once] [:optional] <name>` runs another
// script, loaded through the host (SieveHost.loadScript) and compiled by the engine running
// this one, as part of the same run: its actions join the same result, `stop` in it ends the
// whole run, `return` ends only the script it is in (in the main script it is like `stop`).
// Variables are local to each script (RFC 6609 §3.4) except those declared with `global`, or
// named in the "global" namespace (`${global.name}`, §3.5), which all scripts share.
//
// Scripts are loaded when the include command runs, so a missing script, a script that does not
// compile, an include cycle, too deep nesting (Limits.maxIncludeDepth) or too many distinct
// scripts (Limits.maxIncludes) are run-time errors: the run ends and the implicit keep is
// performed (RFC 5228 §2.10.6). Without a host loader no script exists, so every include but an
// :optional one fails.
import type { ExtensionDefinition } from '../../registry.js';
import type { ScriptLocation } from '../../host.js';
import { SieveRuntimeError, type ExecutionContext } from '../../runtime.js';
import { variableNamespaces, variableStore } from '../variables/index.js';

interface Frame {
  /** "personal:name" / "global:name"; "" for the main script. */
  readonly id: string;
  /** Lower-cased names this script declared with `global`. */
  readonly declared: Set<string>;
}

interface IncludeState {
  readonly globals: Map<string, string>;
  /** The scripts being run, the main script first. */
  readonly frames: Frame[];
  /** Every script included so far in this run (for :once). */
  readonly included: Set<string>;
  /** Set by `return` so that the include that ran the script goes on after it. */
  returning: boolean;
}

const STATE = Symbol('include');
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function includeState(ctx: ExecutionContext): IncludeState {
  let st = ctx.state.get(STATE) as IncludeState | undefined;
  if (st === undefined) {
    st = {
      globals: new Map(),
      frames: [{ id: '', declared: new Set() }],
      included: new Set(),
      returning: false,
    };
    ctx.state.set(STATE, st);
  }
  return st;
}

const currentFrame = (st: IncludeState): Frame => st.frames[st.frames.length - 1]!;

/** Copies the current script's global variables out to the shared values. */
function publish(ctx: ExecutionContext, st: IncludeState): void {
  const store = variableStore(ctx);
  for (const name of currentFrame(st).declared) {
    const v = store.get(name);
    if (v !== undefined) st.globals.set(name, v);
  }
}

/** Copies the shared values of the current script's global variables into its own variables. */
function refresh(ctx: ExecutionContext, st: IncludeState): void {
  const store = variableStore(ctx);
  for (const name of currentFrame(st).declared) {
    const v = st.globals.get(name);
    if (v !== undefined) store.set(name, v);
  }
}

// RFC 6609 §3.5: ${global.name} reads and `set "global.name"` writes the shared variable.
variableNamespaces.set('global', {
  extension: 'include',
  valid: (name) => IDENTIFIER.test(name),
  get(ctx, name) {
    const st = includeState(ctx);
    const key = name.toLowerCase();
    if (currentFrame(st).declared.has(key)) return variableStore(ctx).get(key) ?? '';
    return st.globals.get(key) ?? '';
  },
  set(ctx, name, value) {
    const st = includeState(ctx);
    const key = name.toLowerCase();
    st.globals.set(key, value);
    if (currentFrame(st).declared.has(key)) variableStore(ctx).set(key, value);
  },
});

/**
 * What makes a script name invalid: RFC 6609 §3.2 names scripts as ManageSieve does (RFC 5804
 * §1.6: no control characters, no line or paragraph separators), and a name is not a path.
 */
export function invalidScriptName(name: string): string | null {
  if (name === '') return 'the script name is empty';
  if (name.includes('/')) return 'a script name cannot contain "/"';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(name)) {
    return 'a script name cannot contain control characters or line separators (RFC 5804 §1.6)';
  }
  return null;
}

export const include: ExtensionDefinition = {
  name: 'include',
  setup(r) {
    r.command({
      name: 'include',
      positional: [{ name: 'script name', type: 'string' }],
      tags: [
        { name: 'personal', group: 'location' },
        { name: 'global', group: 'location' },
        { name: 'once' },
        { name: 'optional' },
      ],
      tests: 'none',
      block: 'none',
      validate(v, cmd) {
        const arg = cmd.positional[0];
        if (arg?.kind !== 'string') return;
        if (!v.isConstant(arg)) {
          // RFC 6609 §3.2: the script name is a constant, so that scripts can be checked when uploaded.
          v.error(
            'include.name-not-constant',
            'include: the script name must be a constant string',
            arg.span,
          );
          return;
        }
        const why = invalidScriptName(v.value(arg));
        if (why !== null) v.error('include.invalid-name', `include: ${why}`, arg.span);
      },
      compile(cc, cmd) {
        const nameValue = cc.string(cmd.positional[0]!);
        const name = nameValue.constant ? nameValue.value : '';
        // RFC 6609 §3.2: the default location is :personal.
        const location: ScriptLocation =
          cmd.groups.get('location')?.spec.name === 'global' ? 'global' : 'personal';
        const once = cmd.tags.has('once');
        const optional = cmd.tags.has('optional');
        const span = cmd.node.span;
        const id = `${location}:${name}`;
        return (ctx) => {
          const st = includeState(ctx);
          if (once && st.included.has(id)) return false;
          if (st.frames.some((f) => f.id === id)) {
            const chain = [...st.frames.slice(1).map((f) => f.id), id].join(' → ');
            throw new SieveRuntimeError(`include: the scripts include each other in a loop (${chain})`, span);
          }
          if (st.frames.length > ctx.limits.maxIncludeDepth) {
            throw new SieveRuntimeError(
              `include: too deeply nested includes (the limit is ${ctx.limits.maxIncludeDepth})`,
              span,
            );
          }
          const loaded = ctx.host.loadScript?.(location, name) ?? null;
          if (loaded === null) {
            // RFC 6609 §3.2: with :optional a missing script is silently skipped.
            if (optional) return false;
            throw new SieveRuntimeError(`include: there is no ${location} script named "${name}"`, span);
          }
          if (!st.included.has(id) && st.included.size >= ctx.limits.maxIncludes) {
            throw new SieveRuntimeError(
              `include: cannot include "${name}": no more than ${ctx.limits.maxIncludes} distinct scripts may be included in one run`,
              span,
            );
          }
          const compiled = ctx.compileScript?.(loaded.source);
          if (compiled === undefined) throw new SieveRuntimeError('include: no compiler is available', span);
          if (compiled.exec === null) {
            throw new SieveRuntimeError(
              `include: the script ${loaded.id} does not compile: ${compiled.errors.join('; ')}`,
              span,
            );
          }
          st.included.add(id);
          // The included script starts with its own, empty, set of variables.
          publish(ctx, st);
          const store = variableStore(ctx);
          const saved = new Map(store);
          const matchValues = ctx.matchValues;
          store.clear();
          ctx.matchValues = null;
          st.frames.push({ id, declared: new Set() });
          let stop: boolean;
          try {
            stop = compiled.exec(ctx);
          } finally {
            publish(ctx, st);
            st.frames.pop();
            store.clear();
            for (const [k, v] of saved) store.set(k, v);
            refresh(ctx, st);
            ctx.matchValues = matchValues;
          }
          if (stop && st.returning) {
            st.returning = false;
            return false;
          }
          return stop;
        };
      },
    });

    // RFC 6609 §3.3: return ends the current script; in the main script, like stop.
    r.command({
      name: 'return',
      positional: [],
      tests: 'none',
      block: 'none',
      compile: () => (ctx) => {
        includeState(ctx).returning = true;
        return true;
      },
    });

    // RFC 6609 §3.4: global declares variables shared with the other scripts of the run.
    r.command({
      name: 'global',
      positional: [{ name: 'variable names', type: 'string-list' }],
      tests: 'none',
      block: 'none',
      validate(v, cmd) {
        if (!v.requires('variables')) {
          v.error(
            'require.missing',
            'the global command requires the "variables" extension: add require "variables"',
            cmd.node.nameSpan,
          );
        }
        const arg = cmd.positional[0];
        if (!arg) return;
        const items = arg.kind === 'string' ? [arg] : arg.kind === 'string-list' ? arg.items : [];
        for (const item of items) {
          const name = v.value(item);
          if (!v.isConstant(item) || !IDENTIFIER.test(name)) {
            v.error('global.invalid-name', `global: "${name}" is not a valid variable name`, item.span);
          }
        }
      },
      compile(cc, cmd) {
        const names = cc.stringList(cmd.positional[0]!).map((s) => (s.constant ? s.value.toLowerCase() : ''));
        return (ctx) => {
          const st = includeState(ctx);
          const frame = currentFrame(st);
          const store = variableStore(ctx);
          for (const name of names) {
            frame.declared.add(name);
            const shared = st.globals.get(name);
            if (shared !== undefined) store.set(name, shared);
            else {
              const own = store.get(name);
              if (own !== undefined) st.globals.set(name, own);
            }
          }
          return false;
        };
      },
    });
  },
};
