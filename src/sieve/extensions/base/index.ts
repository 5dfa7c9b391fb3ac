// The base language of RFC 5228: control commands (§3), actions (§4) and tests (§5), the
// match types, the always-present comparators and the address parts.
import { asciiCasemap, octet } from '../../comparators/builtin.js';
import type {
  AddressPartSpec,
  CommandSpec,
  ExtensionDefinition,
  TagUse,
  TestSpec,
  ValidatedArguments,
} from '../../registry.js';
import {
  evaluate,
  SieveRuntimeError,
  type ExecutionContext,
  type StringValue,
  type TestFn,
} from '../../runtime.js';
import type { ValidationContext } from '../../validator.js';
import type { Argument } from '../../ast.js';
import type { AddressHeaderValue } from '../../message/types.js';
import {
  compileActionFlags,
  discardAction,
  keepAction,
  redirectAction,
  redirectExpansion,
} from './actions.js';
import { addressParts, parseMailbox } from './address.js';
import { containsMatcher, isMatcher, matchesMatcher } from './match.js';

/** RFC 5322 §3.6.8: field-name = 1*ftext; ftext = %d33-57 / %d59-126. */
export function isFieldName(name: string): boolean {
  return /^[\x21-\x39\x3b-\x7e]+$/.test(name);
}

/**
 * Warns about constant header names that are not valid field names. RFC 5228 §2.4.2.2: "No
 * header will match a syntactically invalid header name. An implementation MUST NOT cause an
 * error for syntactically invalid header names in tests." So this is a warning: the test can
 * never be true, which is almost certainly not what the author meant.
 */
export function checkHeaderNames(v: ValidationContext, arg: Argument | undefined): void {
  if (!arg) return;
  for (const { value, span } of v.constantValues(arg)) {
    if (!isFieldName(value)) {
      v.warning(
        'header.invalid-name',
        `"${value}" is not a valid header field name (RFC 5322 §3.6.8), so no header will match it`,
        span,
      );
    }
  }
}

/**
 * RFC 5228 §5.1: the address test is restricted to headers that hold addresses (the same set
 * Pigeonhole allows, plus Disposition-Notification-To, a mailbox list per RFC 8098 §3.1).
 */
export const ADDRESS_HEADERS = new Set([
  'from',
  'sender',
  'to',
  'cc',
  'bcc',
  'reply-to',
  'resent-from',
  'resent-sender',
  'resent-to',
  'resent-cc',
  'resent-bcc',
  'resent-reply-to',
  'delivered-to',
  'errors-to',
  'mail-reply-to',
  'mail-followup-to',
  'x-original-to',
  'return-receipt-to',
  'apparently-to',
  'disposition-notification-to',
]);

export const MATCH_GROUPS = ['comparator', 'match-type'] as const;

/** The address test's values from some occurrences of address fields. */
function pushAddressValues(
  values: string[],
  fields: readonly AddressHeaderValue[],
  part: AddressPartSpec,
  ctx: ExecutionContext,
  all: boolean,
  counting: boolean,
): void {
  for (const hv of fields) {
    if (hv.addresses === null) {
      // RFC 5228 §2.7.4: an unparsable value is compared as a whole for :all.
      if (all) values.push(hv.raw);
      continue;
    }
    for (const a of hv.addresses) {
      const v = part.extract(a, ctx);
      // RFC 5231 §4.2: :count counts addresses, also those without the part (as Pigeonhole).
      if (v !== null) values.push(v);
      else if (counting) values.push('');
    }
  }
}

/**
 * Tag data by which another extension narrows the header fields a test looks at (index's
 * :index and :last, RFC 5260 §6). header and address honour it; so may other tests that read
 * header fields (date).
 */
export interface FieldSelector {
  /** Checks the tag against the test's other arguments (":last without :index"). */
  validate?(v: ValidationContext, args: ValidatedArguments, use: TagUse): void;
  /** The occurrences to test, out of every occurrence of the named fields in order. */
  select?(args: ValidatedArguments): <T>(fields: readonly T[]) => readonly T[];
}

function fieldSelectors(args: ValidatedArguments): { use: TagUse; selector: FieldSelector }[] {
  const out: { use: TagUse; selector: FieldSelector }[] = [];
  for (const use of args.tags.values()) {
    const d = use.spec.data;
    if (typeof d === 'object' && d !== null && ('select' in d || 'validate' in d)) {
      out.push({ use, selector: d as FieldSelector });
    }
  }
  return out;
}

/** Runs the validate hooks of the field-selecting tags given to a test. */
export function validateFieldSelectors(v: ValidationContext, args: ValidatedArguments): void {
  for (const { use, selector } of fieldSelectors(args)) selector.validate?.(v, args, use);
}

/** The field selection a test's tags ask for, or null to test every occurrence. */
export function fieldSelection(args: ValidatedArguments): (<T>(fields: readonly T[]) => readonly T[]) | null {
  for (const { selector } of fieldSelectors(args)) if (selector.select) return selector.select(args);
  return null;
}

const ifSpec: CommandSpec = {
  name: 'if',
  positional: [],
  tests: 'one',
  block: 'required',
  compile(cc, cmd) {
    const branches: { test: TestFn | null; body: ReturnType<typeof cc.block> }[] = [
      { test: cc.test(cmd.tests[0]!), body: cc.block(cmd.block!) },
    ];
    for (const c of cmd.chain) {
      branches.push({ test: c.tests[0] ? cc.test(c.tests[0]) : null, body: cc.block(c.block!) });
    }
    if (branches.length === 1) {
      const { test, body } = branches[0]!;
      return (ctx) => (test!(ctx) ? body(ctx) : false);
    }
    return (ctx) => {
      for (const b of branches) if (b.test === null || b.test(ctx)) return b.body(ctx);
      return false;
    };
  },
};

const commands: CommandSpec[] = [
  {
    name: 'require',
    positional: [{ name: 'capabilities', type: 'string-list' }],
    tests: 'none',
    block: 'none',
    leading: true,
    compile: () => () => false,
  },
  ifSpec,
  {
    name: 'elsif',
    positional: [],
    tests: 'one',
    block: 'required',
    continues: ['if', 'elsif'],
    compile: () => () => false,
  },
  {
    name: 'else',
    positional: [],
    tests: 'none',
    block: 'required',
    continues: ['if', 'elsif'],
    joined: { if: 'elsif' },
    compile: () => () => false,
  },
  { name: 'stop', positional: [], tests: 'none', block: 'none', compile: () => () => true },
  {
    name: 'keep',
    positional: [],
    tests: 'none',
    block: 'none',
    compile(cc, cmd) {
      const span = cmd.node.span;
      const flags = compileActionFlags(cc, cmd.tags);
      return (ctx) => {
        ctx.result.add(keepAction(flags(ctx), span), span);
        return false;
      };
    },
  },
  {
    name: 'discard',
    positional: [],
    tests: 'none',
    block: 'none',
    compile(_cc, cmd) {
      const span = cmd.node.span;
      return (ctx) => {
        ctx.result.add(discardAction, span);
        return false;
      };
    },
  },
  {
    name: 'redirect',
    positional: [{ name: 'address', type: 'string' }],
    tests: 'none',
    block: 'none',
    validate(v, cmd) {
      const arg = cmd.positional[0];
      if (redirectExpansion(cmd.tags)) return;
      if (arg?.kind !== 'string' || !v.isConstant(arg)) return;
      const r = parseMailbox(v.value(arg));
      if ('error' in r) v.error('redirect.invalid-address', `invalid redirect address: ${r.error}`, arg.span);
    },
    compile(cc, cmd) {
      const address: StringValue = cc.string(cmd.positional[0]!);
      const copy = cmd.tags.has('copy');
      const span = cmd.node.span;
      const expansion = redirectExpansion(cmd.tags);
      if (expansion) {
        // RFC 6134 §2.5: one redirect per address; Result.add applies RFC 5228 §2.10.3's limit
        // and duplicate rules to each.
        return (ctx) => {
          for (const a of expansion.expandRedirect(ctx, evaluate(address, ctx), span)) {
            ctx.result.add(redirectAction(a, copy, span), span);
          }
          return false;
        };
      }
      const constant = address.constant ? parseMailbox(address.value) : null;
      return (ctx) => {
        const r = constant ?? parseMailbox(evaluate(address, ctx));
        if ('error' in r) throw new SieveRuntimeError(`invalid redirect address: ${r.error}`, span);
        ctx.result.add(redirectAction(r.address, copy, span), span);
        return false;
      };
    },
  },
];

const tests: TestSpec[] = [
  {
    name: 'address',
    positional: [
      { name: 'header names', type: 'string-list' },
      { name: 'key list', type: 'string-list' },
    ],
    groups: [...MATCH_GROUPS, 'address-part'],
    tests: 'none',
    validate(v, t) {
      checkHeaderNames(v, t.positional[0]);
      validateFieldSelectors(v, t);
      const arg = t.positional[0];
      if (!arg) return;
      for (const { value, span } of v.constantValues(arg)) {
        if (!ADDRESS_HEADERS.has(value.toLowerCase())) {
          v.error(
            'address.not-address-header',
            `the address test cannot be used with the "${value}" header, which does not hold addresses (RFC 5228 §5.1)`,
            span,
          );
        }
      }
    },
    compile(cc, t) {
      const names = cc.stringList(t.positional[0]!);
      const matcher = cc.matcher(t, t.positional[1]!);
      const part = t.addressPart!;
      const all = part.name === 'all';
      const counting = t.matchType?.name === 'count';
      const select = fieldSelection(t);
      return (ctx) => {
        const values: string[] = [];
        if (select) {
          const fields = names.flatMap((n) => ctx.message.addresses(evaluate(n, ctx)));
          pushAddressValues(values, select(fields), part, ctx, all, counting);
        } else {
          // The common case: no field selection, no intermediate list.
          for (const n of names) {
            pushAddressValues(values, ctx.message.addresses(evaluate(n, ctx)), part, ctx, all, counting);
          }
        }
        return matcher.match(ctx, values);
      };
    },
  },
  {
    name: 'header',
    positional: [
      { name: 'header names', type: 'string-list' },
      { name: 'key list', type: 'string-list' },
    ],
    groups: MATCH_GROUPS,
    tests: 'none',
    validate(v, t) {
      checkHeaderNames(v, t.positional[0]);
      validateFieldSelectors(v, t);
    },
    compile(cc, t) {
      const names = cc.stringList(t.positional[0]!);
      const matcher = cc.matcher(t, t.positional[1]!);
      const select = fieldSelection(t);
      const only = names.length === 1 ? names[0]! : undefined;
      if (only?.constant && !select) {
        const name = only.value;
        return (ctx) => matcher.match(ctx, ctx.message.headers(name));
      }
      return (ctx) => {
        const values: string[] = [];
        for (const n of names) values.push(...ctx.message.headers(evaluate(n, ctx)));
        return matcher.match(ctx, select ? select(values) : values);
      };
    },
  },
  {
    name: 'exists',
    positional: [{ name: 'header names', type: 'string-list' }],
    tests: 'none',
    validate(v, t) {
      checkHeaderNames(v, t.positional[0]);
      validateFieldSelectors(v, t);
    },
    compile(cc, t) {
      const names = cc.stringList(t.positional[0]!);
      // RFC 5228 §5.5: true only if all the named headers exist.
      return (ctx) => names.every((n) => ctx.message.hasHeader(evaluate(n, ctx)));
    },
  },
  {
    name: 'size',
    positional: [{ name: 'limit', type: 'number' }],
    tags: [
      { name: 'over', group: 'size' },
      { name: 'under', group: 'size' },
    ],
    tests: 'none',
    validate(v, t) {
      if (!t.groups.has('size')) {
        v.error('size.missing-tag', 'the size test needs :over or :under before its limit', t.node.nameSpan);
      }
    },
    compile(_cc, t) {
      const limit = (t.positional[0] as { value: number }).value;
      // RFC 5228 §5.9: :over is strictly greater, :under strictly less.
      if (t.groups.get('size')!.spec.name === 'over') return (ctx) => ctx.message.size > limit;
      return (ctx) => ctx.message.size < limit;
    },
  },
  {
    name: 'allof',
    positional: [],
    tests: 'list',
    compile(cc, t) {
      const fns = t.tests.map((x) => cc.test(x));
      return (ctx) => {
        for (const f of fns) if (!f(ctx)) return false;
        return true;
      };
    },
  },
  {
    name: 'anyof',
    positional: [],
    tests: 'list',
    compile(cc, t) {
      const fns = t.tests.map((x) => cc.test(x));
      return (ctx) => {
        for (const f of fns) if (f(ctx)) return true;
        return false;
      };
    },
  },
  {
    name: 'not',
    positional: [],
    tests: 'one',
    compile(cc, t) {
      const f = cc.test(t.tests[0]!);
      return (ctx) => !f(ctx);
    },
  },
  { name: 'true', positional: [], tests: 'none', compile: () => () => true },
  { name: 'false', positional: [], tests: 'none', compile: () => () => false },
];

export const base: ExtensionDefinition = {
  name: '',
  // RFC 5228 §2.7.3: these comparators are always available, and requiring them is allowed.
  aliases: ['comparator-i;octet', 'comparator-i;ascii-casemap'],
  setup(r) {
    for (const c of commands) r.command(c);
    for (const t of tests) r.test(t);
    r.comparator(octet);
    r.comparator(asciiCasemap);
    r.matchType({ name: 'is', compile: (_cc, cmp, keys) => isMatcher(cmp, keys) });
    r.matchType({
      name: 'contains',
      needsSubstring: true,
      compile: (_cc, cmp, keys) => containsMatcher(cmp, keys),
    });
    r.matchType({
      name: 'matches',
      needsSubstring: true,
      compile: (cc, cmp, keys) => matchesMatcher(cmp, keys, cc.requires('variables')),
    });
    for (const p of addressParts) r.addressPart(p);
  },
};
