// RFC 5260 §4–5: the date extension. `date` tests a date-time read from a header field,
// `currentdate` the time the run started; both compare one date part (§4.2) of that instant,
// shifted to a zone (§4.1), with the comparator and match type given.
import type { Argument } from '../../ast.js';
import type { ExtensionDefinition, TestSpec, ValidatedTest } from '../../registry.js';
import {
  evaluate,
  SieveRuntimeError,
  type CompileContext,
  type ExecutionContext,
  type StringValue,
  type TestFn,
} from '../../runtime.js';
import type { ValidationContext } from '../../validator.js';
import { checkHeaderNames, fieldSelection, MATCH_GROUPS, validateFieldSelectors } from '../base/index.js';
import { DATE_PARTS, datePart, parseDateTime, parseZone, type DateTime } from './datetime.js';

const NOW = Symbol('currentdate');

/**
 * RFC 5260 §5: the instant the run started, the same for every currentdate test of the run.
 * Default clock: Date.now() when the host has none.
 */
function startTime(ctx: ExecutionContext): number {
  let t = ctx.state.get(NOW) as number | undefined;
  if (t === undefined) {
    t = ctx.host.now?.() ?? Date.now();
    ctx.state.set(NOW, t);
  }
  return t;
}

/** The local zone at `time`, in minutes east of UTC; UTC when the host does not say. */
function localZone(ctx: ExecutionContext, time: number): number {
  return ctx.host.timeZoneOffset?.(time) ?? 0;
}

/** Where the zone of the result comes from (RFC 5260 §4.1). */
type ZoneChoice = { kind: 'local' } | { kind: 'original' } | { kind: 'fixed'; zone: StringValue };

function zoneChoice(cc: CompileContext, t: ValidatedTest): ZoneChoice {
  const use = t.groups.get('zone');
  if (!use) return { kind: 'local' };
  if (use.spec.name === 'originalzone') return { kind: 'original' };
  return { kind: 'fixed', zone: cc.string(use.value!) };
}

function checkDatePart(v: ValidationContext, arg: Argument | undefined): void {
  if (!arg) return;
  for (const { value, span } of v.constantValues(arg)) {
    if (!Object.hasOwn(DATE_PARTS, value.toLowerCase())) {
      // A warning, as in Pigeonhole: RFC 5260 does not make it an error, and the test is then
      // simply false at run time.
      v.warning(
        'date.unknown-part',
        `unknown date part "${value}": expected one of ${Object.keys(DATE_PARTS).join(', ')} (RFC 5260 §4.2)`,
        span,
      );
    }
  }
}

function validateZone(v: ValidationContext, t: ValidatedTest): void {
  const zone = t.groups.get('zone');
  if (zone?.value?.kind !== 'string' || !v.isConstant(zone.value)) return;
  const value = v.value(zone.value);
  if (parseZone(value) === null) {
    v.error(
      'date.invalid-zone',
      `invalid time zone "${value}": expected an offset "+hhmm" or "-hhmm" (RFC 5260 §4.1)`,
      zone.value.span,
    );
  }
}

/**
 * The value of the test's date part for `dt`, in the zone asked for, or null when the date part
 * (from a variable) is unknown: the test is then false, as for an unparsable date.
 */
function compileValue(
  cc: CompileContext,
  t: ValidatedTest,
  partArg: Argument,
): (ctx: ExecutionContext, dt: DateTime) => string | null {
  const part = cc.string(partArg);
  const choice = zoneChoice(cc, t);
  const span = t.node.span;
  let fixed: number | null = null;
  if (choice.kind === 'fixed' && choice.zone.constant) fixed = parseZone(choice.zone.value);
  return (ctx, dt) => {
    let zone: number;
    if (choice.kind === 'local') zone = localZone(ctx, dt.time);
    else if (choice.kind === 'original') zone = dt.zone;
    else if (fixed !== null) zone = fixed;
    else {
      const z = evaluate(choice.zone, ctx);
      const parsed = parseZone(z);
      if (parsed === null) {
        throw new SieveRuntimeError(
          `invalid time zone "${z}": expected an offset "+hhmm" or "-hhmm" (RFC 5260 §4.1)`,
          span,
        );
      }
      zone = parsed;
    }
    return datePart(evaluate(part, ctx), dt.time, zone);
  };
}

const ZONE_TAG = { name: 'zone', group: 'zone', value: { name: 'time zone', type: 'string' } } as const;

const dateTest: TestSpec = {
  name: 'date',
  positional: [
    { name: 'header name', type: 'string' },
    { name: 'date part', type: 'string' },
    { name: 'key list', type: 'string-list' },
  ],
  tags: [ZONE_TAG, { name: 'originalzone', group: 'zone' }],
  groups: MATCH_GROUPS,
  tests: 'none',
  validate(v, t) {
    checkHeaderNames(v, t.positional[0]);
    checkDatePart(v, t.positional[1]);
    validateZone(v, t);
    validateFieldSelectors(v, t);
  },
  compile(cc, t): TestFn {
    const name = cc.string(t.positional[0]!);
    const value = compileValue(cc, t, t.positional[1]!);
    const matcher = cc.matcher(t, t.positional[2]!);
    // RFC 5260 §4: of repeated fields only the first is used, unless :index picks another (§6).
    const select = fieldSelection(t) ?? (<T>(fields: readonly T[]): readonly T[] => fields.slice(0, 1));
    return (ctx) => {
      const values: string[] = [];
      for (const field of select(ctx.message.headers(evaluate(name, ctx)))) {
        // A Received field ends with "; date-time": the date is what follows the last ";".
        const dt = parseDateTime(field.slice(field.lastIndexOf(';') + 1));
        if (dt === null) continue;
        const v = value(ctx, dt);
        if (v !== null) values.push(v);
      }
      return matcher.match(ctx, values);
    };
  },
};

const currentdateTest: TestSpec = {
  name: 'currentdate',
  positional: [
    { name: 'date part', type: 'string' },
    { name: 'key list', type: 'string-list' },
  ],
  tags: [ZONE_TAG],
  groups: MATCH_GROUPS,
  tests: 'none',
  validate(v, t) {
    checkDatePart(v, t.positional[0]);
    validateZone(v, t);
  },
  compile(cc, t): TestFn {
    const value = compileValue(cc, t, t.positional[0]!);
    const matcher = cc.matcher(t, t.positional[1]!);
    return (ctx) => {
      const time = startTime(ctx);
      const v = value(ctx, { time, zone: localZone(ctx, time) });
      return matcher.match(ctx, v === null ? [] : [v]);
    };
  },
};

export const date: ExtensionDefinition = {
  name: 'date',
  setup(r) {
    r.test(dateTest);
    r.test(currentdateTest);
  },
};
