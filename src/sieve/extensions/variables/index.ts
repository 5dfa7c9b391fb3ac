// RFC 5229: variables. `${name}` substitution in strings, the `set` command with its modifiers,
// the `string` test, match variables `${0}`…`${9}` and namespaces.
import type { Span } from '../../diagnostics.js';
import type { ExtensionDefinition, TagSpec } from '../../registry.js';
import { evaluate, SieveRuntimeError, type ExecutionContext, type StringValue } from '../../runtime.js';
import type { ValidationContext } from '../../validator.js';
import { MATCH_GROUPS } from '../base/index.js';

/**
 * A `set` modifier (RFC 5229 §4.1). Other extensions add theirs as tags on `set` with this as the
 * tag's `data` (regex's :quoteregex, enotify's :encodeurl). Higher precedence applies first; two
 * modifiers of one precedence cannot be combined.
 */
export interface SetModifier {
  readonly precedence: number;
  apply(value: string): string;
  /**
   * Cuts a value this modifier made to `max` code units when it is the last one applied
   * (:encodeurl keeps its escapes whole); default: at a character (truncateValue).
   */
  truncate?(value: string, max: number): string;
}

/**
 * A variable namespace (RFC 5229 §3: `${namespace.name}`), usable once `extension` is required.
 * include's `global` is one.
 */
export interface VariableNamespace {
  readonly extension: string;
  get(ctx: ExecutionContext, name: string): string;
  /** Absent for read-only namespaces. */
  set?(ctx: ExecutionContext, name: string, value: string): void;
  /** Whether `name` (without the namespace) is valid in this namespace. */
  valid?(name: string): boolean;
}

/** Namespaces by lower-case name; extensions add theirs when their module loads. */
export const variableNamespaces = new Map<string, VariableNamespace>();

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** RFC 5229 §3 variable-ref: "${" [namespace] variable-name "}". */
const REFERENCE = /\$\{(?:(\d+)|([A-Za-z_][A-Za-z0-9_]*(?:\.(?:[A-Za-z_][A-Za-z0-9_]*|\d+))*))\}/g;

const STORE = Symbol('variables');
/** The variable names each script being validated sets. */
const declared = new WeakMap<ValidationContext, Set<string>>();

/** The variables of this run (names lower-cased). */
export function variableStore(ctx: ExecutionContext): Map<string, string> {
  let store = ctx.state.get(STORE) as Map<string, string> | undefined;
  if (store === undefined) {
    store = new Map();
    ctx.state.set(STORE, store);
  }
  return store;
}

/** Truncates to the limit without splitting a surrogate pair (RFC 5229 §6). */
export function truncateValue(value: string, max: number): string {
  if (value.length <= max) return value;
  const cut = value.charCodeAt(max - 1);
  return value.slice(0, cut >= 0xd800 && cut <= 0xdbff ? max - 1 : max);
}

/** Sets a variable, plain or namespaced, truncating the value to the size limit. */
export function setVariable(ctx: ExecutionContext, name: string, value: string, span?: Span): void {
  const v = truncateValue(value, ctx.limits.maxVariableSize);
  const dot = name.indexOf('.');
  if (dot < 0) {
    variableStore(ctx).set(name.toLowerCase(), v);
    return;
  }
  const ns = variableNamespaces.get(name.slice(0, dot).toLowerCase());
  if (!ns?.set) throw new SieveRuntimeError(`set: the variable "${name}" cannot be set`, span);
  ns.set(ctx, name.slice(dot + 1), v);
}

export function getVariable(ctx: ExecutionContext, name: string): string {
  const dot = name.indexOf('.');
  if (dot < 0) return variableStore(ctx).get(name.toLowerCase()) ?? '';
  const ns = variableNamespaces.get(name.slice(0, dot).toLowerCase());
  return ns ? ns.get(ctx, name.slice(dot + 1)) : '';
}

type Part = string | ((ctx: ExecutionContext) => string);

/** Splits a string into literal text and references; null when it has no reference. */
function parts(value: string): Part[] | null {
  const out: Part[] = [];
  let last = 0;
  let any = false;
  for (const m of value.matchAll(REFERENCE)) {
    any = true;
    if (m.index > last) out.push(value.slice(last, m.index));
    if (m[1] !== undefined) {
      const n = Number(m[1]);
      out.push((ctx) => ctx.matchValues?.[n] ?? '');
    } else {
      const name = m[2]!;
      out.push((ctx) => getVariable(ctx, name));
    }
    last = m.index + m[0].length;
  }
  if (!any) return null;
  if (last < value.length) out.push(value.slice(last));
  return out;
}

function checkNamespaces(value: string, span: Span, v: ValidationContext): void {
  for (const m of value.matchAll(REFERENCE)) {
    const name = m[2];
    if (name === undefined || !name.includes('.')) continue;
    const nsName = name.slice(0, name.indexOf('.')).toLowerCase();
    const ns = variableNamespaces.get(nsName);
    if (!ns) {
      v.error('variables.unknown-namespace', `unknown variable namespace "${nsName}" in "${m[0]}"`, span);
    } else if (!v.requires(ns.extension)) {
      v.error(
        'variables.namespace-not-required',
        `the variable namespace "${nsName}" needs require "${ns.extension}"`,
        span,
      );
    } else if (ns.valid && !ns.valid(name.slice(nsName.length + 1))) {
      v.error('variables.invalid-name', `"${name}" is not a valid name in the "${nsName}" namespace`, span);
    }
  }
}

/** Whether `name` can be the target of `set`: an identifier, or a settable namespaced name. */
function validSetName(name: string, v: ValidationContext): boolean {
  if (IDENTIFIER.test(name)) return true;
  const dot = name.indexOf('.');
  if (dot < 0) return false;
  const ns = variableNamespaces.get(name.slice(0, dot).toLowerCase());
  return ns?.set !== undefined && v.requires(ns.extension) && (ns.valid?.(name.slice(dot + 1)) ?? true);
}

const modifier = (name: string, precedence: number, apply: (s: string) => string): TagSpec => ({
  name,
  data: { precedence, apply } satisfies SetModifier,
});

function firstChar(s: string, f: (c: string) => string): string {
  if (s === '') return s;
  const cp = s.codePointAt(0)!;
  const n = cp > 0xffff ? 2 : 1;
  return f(s.slice(0, n)) + s.slice(n);
}

/** RFC 5229 §4.1 modifiers of the variables extension itself (extracttext takes them too). */
export const SET_MODIFIERS: readonly TagSpec[] = [
  modifier('lower', 40, (s) => s.toLowerCase()),
  modifier('upper', 40, (s) => s.toUpperCase()),
  modifier('lowerfirst', 30, (s) => firstChar(s, (c) => c.toLowerCase())),
  modifier('upperfirst', 30, (s) => firstChar(s, (c) => c.toUpperCase())),
  modifier('quotewildcard', 20, (s) => s.replace(/[*?\\]/g, '\\$&')),
  // §4.1.5: the length in characters (Unicode code points).
  modifier('length', 10, (s) => String([...s].length)),
];

function isSetModifier(data: unknown): data is SetModifier {
  return typeof data === 'object' && data !== null && 'precedence' in data && 'apply' in data;
}

export const variables: ExtensionDefinition = {
  name: 'variables',
  setup(r) {
    r.interpolation({
      isDynamic: (value) => value.includes('${') && parts(value) !== null,
      validate: checkNamespaces,
      compile(value): StringValue {
        const list = parts(value)!;
        if (list.length === 1 && typeof list[0] === 'function') return { constant: false, get: list[0] };
        return {
          constant: false,
          get(ctx) {
            let out = '';
            for (const p of list) out += typeof p === 'string' ? p : p(ctx);
            return out;
          },
        };
      },
    });

    r.command({
      name: 'set',
      positional: [
        { name: 'name', type: 'string' },
        { name: 'value', type: 'string' },
      ],
      tags: SET_MODIFIERS,
      tests: 'none',
      block: 'none',
      validate(v, cmd) {
        const nameArg = cmd.positional[0];
        if (nameArg?.kind === 'string') {
          const name = v.value(nameArg);
          if (!v.isConstant(nameArg) || !validSetName(name, v)) {
            v.error('set.invalid-name', `set: "${name}" is not a valid variable name`, nameArg.span);
          } else if (!name.includes('.')) {
            // §6: a script may set only so many variables; names are known at compile time.
            const names = declared.get(v) ?? new Set<string>();
            declared.set(v, names);
            names.add(name.toLowerCase());
            if (names.size === v.limits.maxVariables + 1) {
              v.error(
                'limit.variables',
                `too many variables: the limit is ${v.limits.maxVariables} per script`,
                nameArg.span,
              );
            }
          }
        }
        const seen = new Map<number, string>();
        for (const [name, use] of cmd.tags) {
          if (!isSetModifier(use.spec.data)) continue;
          const other = seen.get(use.spec.data.precedence);
          if (other !== undefined) {
            v.error(
              'set.modifier-conflict',
              `set: the modifiers :${other} and :${name} cannot be used together (same precedence)`,
              use.tag.span,
            );
          }
          seen.set(use.spec.data.precedence, name);
        }
      },
      compile(cc, cmd) {
        const nameArg = cmd.positional[0]!;
        const name = cc.string(nameArg);
        const value = cc.string(cmd.positional[1]!);
        const mods = [...cmd.tags.values()]
          .map((u) => u.spec.data)
          .filter(isSetModifier)
          .sort((a, b) => b.precedence - a.precedence);
        const span = cmd.node.span;
        const target = name.constant ? name.value : ''; // validated: a constant name
        return (ctx) => {
          let v = evaluate(value, ctx);
          for (const m of mods) v = m.apply(v);
          const last = mods[mods.length - 1];
          if (last?.truncate) v = last.truncate(v, ctx.limits.maxVariableSize);
          setVariable(ctx, target, v, span);
          return false;
        };
      },
    });

    r.test({
      name: 'string',
      positional: [
        { name: 'source', type: 'string-list' },
        { name: 'key list', type: 'string-list' },
      ],
      groups: MATCH_GROUPS,
      tests: 'none',
      compile(cc, t) {
        const sources = cc.stringList(t.positional[0]!);
        const matcher = cc.matcher(t, t.positional[1]!);
        // RFC 5229 §5: with :count, empty source strings are not counted.
        const count = t.matchType?.name === 'count';
        return (ctx) => {
          const values: string[] = [];
          for (const s of sources) {
            const v = evaluate(s, ctx);
            if (!count || v !== '') values.push(v);
          }
          return matcher.match(ctx, values);
        };
      },
    });
  },
};
