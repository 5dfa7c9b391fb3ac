// RFC 7352: duplicate. The test is true when the message's unique id (Message-ID, a header
// with :header, or :uniqueid) was tracked by an earlier, successful run with the same :handle.
//
// RFC 7352 §3: the id is tracked "only when the Sieve script execution finishes successfully".
// The engine models the tracking as an action, as Pigeonhole does ("track duplicate"): the test
// adds a `duplicate` action holding the memory key, and delivery marks host.duplicateMemory when
// it executes the result. A run that fails performs only the implicit keep, so nothing is
// tracked; a dry run (`sievert test`) tracks nothing either. Since the memory does not change
// during a run, every duplicate test with the same arguments gives the same answer in one run,
// as §3 requires.
import type { ExtensionDefinition } from '../../registry.js';
import { actionDescriptions, evaluate, type Action, type ExecutionContext } from '../../runtime.js';
import { checkHeaderNames, isFieldName } from '../base/index.js';

declare module '../../runtime.js' {
  interface ActionJsonTypes {
    /**
     * Track the id once the result is executed: mark `memoryKey` in the duplicate memory for
     * `seconds`. Without `last`, an entry that is already there keeps its expiry (§3).
     */
    duplicate: { memoryKey: string; seconds: number; last: boolean };
  }
}

const DAY = 86400;
/** RFC 7352 §3: "A default expiration time of around 7 days is usually appropriate." */
export const DUPLICATE_DEFAULT_PERIOD = 7 * DAY;
/** RFC 7352 §3: "Sites SHOULD impose a maximum limit on the expiration time." */
export const DUPLICATE_MAX_PERIOD = 30 * DAY;

/** The memory key of an id: the same id under another (or no) :handle is another entry. */
export function duplicateKey(handle: string | null, id: string): string {
  return JSON.stringify([handle, id]);
}

function trackAction(memoryKey: string, seconds: number, last: boolean): Action {
  const self: Action = {
    json: { type: 'duplicate', memoryKey, seconds, last },
    cancelsImplicitKeep: false,
    delivers: false,
    key: `duplicate:${memoryKey}`,
    merge(later) {
      if (later.json.type !== 'duplicate') return self;
      return trackAction(memoryKey, Math.max(seconds, later.json.seconds), last || later.json.last);
    },
  };
  return self;
}

actionDescriptions.set('duplicate', (a) => {
  const d = a as { memoryKey?: string; seconds?: number };
  return `track duplicate: ${d.memoryKey ?? ''} for ${d.seconds ?? 0} s`;
});

const EMPTY = { has: () => false };

export const duplicate: ExtensionDefinition = {
  name: 'duplicate',
  setup(r) {
    r.test({
      name: 'duplicate',
      positional: [],
      tags: [
        { name: 'handle', value: { name: 'handle', type: 'string' } },
        // RFC 7352 §3: ":header" and ":uniqueid" are mutually exclusive.
        { name: 'header', value: { name: 'header name', type: 'string' }, group: 'unique id source' },
        { name: 'uniqueid', value: { name: 'unique id', type: 'string' }, group: 'unique id source' },
        { name: 'seconds', value: { name: 'timeout', type: 'number' } },
        { name: 'last' },
      ],
      tests: 'none',
      validate(v, t) {
        // §3: an invalid header name is no error; the test is then false.
        checkHeaderNames(v, t.tags.get('header')?.value);
      },
      compile(cc, t) {
        const arg = (name: string) => {
          const u = t.tags.get(name);
          return u?.value ? cc.string(u.value) : null;
        };
        const handle = arg('handle');
        const header = arg('header');
        const uniqueid = arg('uniqueid');
        const secondsArg = t.tags.get('seconds')?.value;
        const asked = secondsArg?.kind === 'number' ? secondsArg.value : DUPLICATE_DEFAULT_PERIOD;
        // §3: a larger value is silently replaced by the maximum.
        const seconds = Math.min(asked, DUPLICATE_MAX_PERIOD);
        const last = t.tags.has('last');
        const span = t.node.span;
        const id = (ctx: ExecutionContext): string | null => {
          if (uniqueid) return evaluate(uniqueid, ctx);
          const name = header ? evaluate(header, ctx) : 'message-id';
          if (!isFieldName(name)) return null;
          // §3: the first occurrence, unfolded, decoded and trimmed; none: the test is false.
          return ctx.message.headers(name)[0] ?? null;
        };
        return (ctx) => {
          // §3: ":seconds 0" makes the test false unconditionally.
          if (seconds === 0) return false;
          const value = id(ctx);
          if (value === null) return false;
          const key = duplicateKey(handle ? evaluate(handle, ctx) : null, value);
          const memory = ctx.host.duplicateMemory ?? EMPTY;
          const seen = memory.has(key, ctx.host.now?.() ?? Date.now());
          ctx.result.add(trackAction(key, seconds, last), span);
          return seen;
        };
      },
    });
  },
};
