// RFC 5703: MIME part tests, iteration, extraction, replacement and enclosure. Five capabilities
// in one folder: foreverypart (with break), mime (:mime and its options on header, address and
// exists), extracttext, replace and enclose.
import type { Span } from '../../diagnostics.js';
import { parseAddressList } from '../../message/address.js';
import { uniqueBoundary } from '../../message/edit.js';
import { parseContentType, parseStructuredValue, partText } from '../../message/mime.js';
import type { AddressHeaderValue, SieveMessage } from '../../message/types.js';
import type { ExtensionDefinition, TagSpec, TagUse, ValidatedArguments } from '../../registry.js';
import {
  evaluate,
  SieveRuntimeError,
  type ExecutionContext,
  type StringValue,
  type TestFn,
} from '../../runtime.js';
import type { ValidationContext } from '../../validator.js';
import { hashSource } from '../../engine.js';
import type { FieldSelector } from '../base/index.js';
import { editMessage, messageTree } from '../editheader/edits.js';
import { SET_MODIFIERS, setVariable, type SetModifier } from '../variables/index.js';
import { BreakSignal, currentLoop, currentPartIndex, loopFrames, loopName, type LoopFrame } from './loop.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function enclosingLoops(v: ValidationContext): string[] {
  return v
    .enclosing()
    .filter((n) => n.name === 'foreverypart')
    .map((n) => loopName(n) ?? '');
}

// ---------------------------------------------------------------------------------------------
// foreverypart and break (RFC 5703 §3)

export const foreverypart: ExtensionDefinition = {
  name: 'foreverypart',
  needsBody: true,
  setup(r) {
    r.command({
      name: 'foreverypart',
      positional: [],
      tags: [{ name: 'name', value: { name: 'loop name', type: 'string' } }],
      tests: 'none',
      block: 'required',
      validate(v, cmd) {
        const name = cmd.tags.get('name')?.value;
        if (name?.kind === 'string' && !v.isConstant(name)) {
          v.error('foreverypart.name', 'foreverypart: the loop :name must be a constant string', name.span);
        }
      },
      compile(cc, cmd) {
        const body = cc.block(cmd.block!);
        const nameArg = cmd.tags.get('name')?.value;
        const name = nameArg ? cc.string(nameArg) : null;
        const loopLabel = name?.constant ? name.value : null;
        return (ctx) => {
          const frames = loopFrames(ctx);
          const outer = frames[frames.length - 1];
          // §3.1: the loop visits every part of the message in pre-order (the message itself
          // first); a nested loop visits the parts below the outer loop's current part.
          let i = outer ? outer.index + 1 : 0;
          const frame: LoopFrame = { name: loopLabel, index: i, replaced: false };
          frames.push(frame);
          try {
            for (;;) {
              const tree = messageTree(ctx);
              if (tree === null) break;
              const end = outer
                ? outer.index + 1 + (tree.parts[outer.index]?.descendants ?? -1)
                : tree.parts.length;
              if (i >= end) break;
              frame.index = i;
              frame.replaced = false;
              try {
                if (body(ctx)) return true; // stop ends the script, loops included
              } catch (e) {
                if (e instanceof BreakSignal && (e.loop === null || e.loop === loopLabel)) break;
                throw e;
              }
              // §5: a replaced part's new structure is not iterated into.
              const now = frame.replaced ? messageTree(ctx) : null;
              i += 1 + (now?.parts[i]?.descendants ?? 0);
            }
          } finally {
            frames.pop();
          }
          return false;
        };
      },
    });

    r.command({
      name: 'break',
      positional: [],
      tags: [{ name: 'name', value: { name: 'loop name', type: 'string' } }],
      tests: 'none',
      block: 'none',
      validate(v, cmd) {
        const loops = enclosingLoops(v);
        const nameArg = cmd.tags.get('name')?.value;
        if (loops.length === 0) {
          v.error(
            'break.outside-loop',
            'break can only be used inside a foreverypart loop (RFC 5703 §3.2)',
            cmd.node.nameSpan,
          );
          return;
        }
        if (nameArg?.kind !== 'string') return;
        if (!v.isConstant(nameArg)) {
          v.error('break.name', 'break: the loop :name must be a constant string', nameArg.span);
        } else if (!loops.includes(v.value(nameArg)) || v.value(nameArg) === '') {
          v.error(
            'break.unknown-loop',
            `break: no enclosing foreverypart loop is named "${v.value(nameArg)}"`,
            nameArg.span,
          );
        }
      },
      compile(cc, cmd) {
        const nameArg = cmd.tags.get('name')?.value;
        const name = nameArg ? cc.string(nameArg) : null;
        const label = name?.constant ? name.value : null;
        return () => {
          throw new BreakSignal(label);
        };
      },
    });
  },
};

// ---------------------------------------------------------------------------------------------
// mime: :mime, :anychild and the MIME options on header, address and exists (RFC 5703 §4)

/** The header values a MIME option picks out of a Content-Type / Content-Disposition value. */
function optionValues(option: string, params: readonly string[], value: string, field: string): string[] {
  if (option === 'param') {
    const parsed = parseStructuredValue(value).params;
    const out: string[] = [];
    for (const p of params) {
      const v = parsed.get(p.toLowerCase());
      if (v !== undefined) out.push(v);
    }
    return out;
  }
  if (field.toLowerCase() === 'content-disposition') {
    // RFC 5703 §4.2: a disposition has a type ("inline", "attachment") and no subtype.
    const disposition = parseStructuredValue(value).value;
    if (disposition === '') return [];
    return [option === 'subtype' ? '' : disposition];
  }
  const ct = parseContentType(value);
  if (ct === null) return [];
  if (option === 'type') return [ct.type];
  if (option === 'subtype') return [ct.subtype];
  return [`${ct.type}/${ct.subtype}`];
}

/** A part's header as the header test sees it under a MIME option (§4.1). */
function optionView(header: SieveMessage, option: string, params: readonly string[]): SieveMessage {
  return {
    size: header.size,
    hasHeader: (n) => header.hasHeader(n),
    rawHeaders: (n) => header.rawHeaders(n),
    addresses: (n): readonly AddressHeaderValue[] => header.addresses(n),
    headers: (n) => header.headers(n).flatMap((v) => optionValues(option, params, v, n)),
  };
}

/** Tags that only make sense after :mime (§4). */
function needsMime(what: string): FieldSelector {
  return {
    validate(v: ValidationContext, args: ValidatedArguments, use: TagUse) {
      if (!args.tags.has('mime')) {
        v.error(
          'mime.without-mime',
          `the :${use.spec.name} argument of ${what} needs :mime (RFC 5703 §4)`,
          use.tag.span,
        );
      }
    },
  };
}

const mimeTag: TagSpec = {
  name: 'mime',
  wrapTest(cc, test, inner): TestFn {
    const anychild = test.tags.has('anychild');
    const union = anychild && test.spec.name === 'exists';
    const optionUse = test.groups.get('mime-option');
    const option = optionUse?.spec.name ?? null;
    const params: StringValue[] = optionUse?.value ? cc.stringList(optionUse.value) : [];
    return (ctx) => {
      const tree = messageTree(ctx);
      if (tree === null) return false;
      const current = currentPartIndex(ctx);
      const part = tree.parts[current];
      if (part === undefined) return false;
      // §4: the current part (the message outside a loop); with :anychild, also every part
      // below it.
      const last = anychild ? current + part.descendants : current;
      const names = params.map((p) => evaluate(p, ctx));
      const saved = ctx.message;
      try {
        if (union) {
          // §4.3: "exists" asks whether each named field exists, here in any of the parts (as
          // Pigeonhole and sieve-rs read it), not all of them in one part.
          const headers = tree.parts.slice(current, last + 1).map((p) => p.header());
          const first = headers[0]!;
          ctx.message = {
            size: first.size,
            hasHeader: (n) => headers.some((h) => h.hasHeader(n)),
            rawHeaders: (n) => first.rawHeaders(n),
            addresses: (n) => first.addresses(n),
            headers: (n) => first.headers(n),
          };
          return inner(ctx);
        }
        for (let k = current; k <= last; k++) {
          const header = tree.parts[k]!.header();
          ctx.message = option === null ? header : optionView(header, option, names);
          if (inner(ctx)) return true;
        }
        return false;
      } finally {
        ctx.message = saved;
      }
    };
  },
};

export const mime: ExtensionDefinition = {
  name: 'mime',
  needsBody: true,
  setup(r) {
    const tests = ['header', 'address', 'exists'];
    r.tag(tests, mimeTag);
    for (const t of tests) r.tag([t], { name: 'anychild', data: needsMime(`the ${t} test`) });
    for (const option of ['type', 'subtype', 'contenttype']) {
      r.tag(['header'], { name: option, group: 'mime-option', data: needsMime('the header test') });
    }
    r.tag(['header'], {
      name: 'param',
      group: 'mime-option',
      value: { name: 'parameter names', type: 'string-list' },
      data: needsMime('the header test'),
    });
  },
};

// ---------------------------------------------------------------------------------------------
// extracttext (RFC 5703 §7)

/** §7: "extracttext [MODIFIER]": the modifiers of set (RFC 5229 §4.1), same precedence. */
const MODIFIERS = SET_MODIFIERS;

function modifiersOf(args: ValidatedArguments): SetModifier[] {
  return [...args.tags.values()]
    .map((u) => u.spec.data as SetModifier | undefined)
    .filter((d): d is SetModifier => typeof d === 'object' && d !== null && 'precedence' in d)
    .sort((a, b) => b.precedence - a.precedence);
}

/** The first `n` characters (code points) of `s`. */
function firstChars(s: string, n: number): string {
  let end = 0;
  for (let k = 0; k < n && end < s.length; k++) end += s.codePointAt(end)! > 0xffff ? 2 : 1;
  return s.slice(0, end);
}

export const extracttext: ExtensionDefinition = {
  name: 'extracttext',
  needsBody: true,
  setup(r) {
    r.command({
      name: 'extracttext',
      positional: [{ name: 'variable name', type: 'string' }],
      tags: [...MODIFIERS, { name: 'first', value: { name: 'number of characters', type: 'number' } }],
      tests: 'none',
      block: 'none',
      validate(v, cmd) {
        for (const cap of ['variables', 'foreverypart']) {
          if (!v.requires(cap)) {
            v.error(
              'extracttext.requires',
              `extracttext needs require "${cap}" too (RFC 5703 §7)`,
              cmd.node.nameSpan,
            );
          }
        }
        if (enclosingLoops(v).length === 0) {
          v.error(
            'extracttext.outside-loop',
            'extracttext can only be used inside a foreverypart loop (RFC 5703 §7)',
            cmd.node.nameSpan,
          );
        }
        const nameArg = cmd.positional[0];
        if (nameArg?.kind === 'string' && (!v.isConstant(nameArg) || !IDENTIFIER.test(v.value(nameArg)))) {
          v.error(
            'extracttext.invalid-name',
            `extracttext: "${v.value(nameArg)}" is not a valid variable name`,
            nameArg.span,
          );
        }
        const seen = new Map<number, string>();
        for (const [name, use] of cmd.tags) {
          const d = use.spec.data as SetModifier | undefined;
          if (!d) continue;
          const other = seen.get(d.precedence);
          if (other !== undefined) {
            v.error(
              'extracttext.modifier-conflict',
              `extracttext: the modifiers :${other} and :${name} cannot be used together (same precedence)`,
              use.tag.span,
            );
          }
          seen.set(d.precedence, name);
        }
      },
      compile(cc, cmd) {
        const name = cc.string(cmd.positional[0]!);
        const target = name.constant ? name.value : '';
        const firstArg = cmd.tags.get('first')?.value;
        const first = firstArg?.kind === 'number' ? firstArg.value : null;
        const mods = modifiersOf(cmd);
        const span = cmd.node.span;
        return (ctx) => {
          const tree = messageTree(ctx);
          const part = tree?.parts[currentPartIndex(ctx)];
          // §7: the decoded text of the current part; multiparts (whose text is in their
          // parts) and undecodable content give the empty string.
          let value = tree && part ? (partText(tree, part) ?? '') : '';
          if (first !== null) value = firstChars(value, first);
          for (const m of mods) value = m.apply(value);
          setVariable(ctx, target, value, span);
          return false;
        };
      },
    });
  },
};

// ---------------------------------------------------------------------------------------------
// replace (RFC 5703 §5)

function invalidFrom(value: string): boolean {
  const list = parseAddressList(value);
  return list === null || list.length === 0;
}

export const replace: ExtensionDefinition = {
  name: 'replace',
  needsBody: true,
  setup(r) {
    r.command({
      name: 'replace',
      positional: [{ name: 'replacement', type: 'string' }],
      tags: [
        { name: 'mime' },
        { name: 'subject', value: { name: 'subject', type: 'string' } },
        { name: 'from', value: { name: 'from', type: 'string' } },
      ],
      tests: 'none',
      block: 'none',
      validate(v, cmd) {
        // §5: "Implementations SHOULD check the syntax and generate an error when a
        // syntactically invalid :from parameter is specified."
        const from = cmd.tags.get('from')?.value;
        if (from?.kind === 'string' && v.isConstant(from) && invalidFrom(v.value(from))) {
          v.error(
            'replace.invalid-from',
            `replace: "${v.value(from)}" is not a valid mailbox list for :from`,
            from.span,
          );
        }
      },
      compile(cc, cmd) {
        const content = cc.string(cmd.positional[0]!);
        const mimeEntity = cmd.tags.has('mime');
        const subjectArg = cmd.tags.get('subject')?.value;
        const fromArg = cmd.tags.get('from')?.value;
        const subject = subjectArg ? cc.string(subjectArg) : null;
        const from = fromArg ? cc.string(fromArg) : null;
        const span = cmd.node.span;
        return (ctx) => {
          const loop = currentLoop(ctx);
          const part = loop?.index ?? 0;
          // §5: :subject and :from apply when the entire message is replaced.
          const whole = part === 0;
          const fromValue = whole && from ? evaluate(from, ctx) : null;
          if (fromValue !== null && invalidFrom(fromValue)) {
            throw new SieveRuntimeError(
              `replace: "${fromValue}" is not a valid mailbox list for :from`,
              span,
            );
          }
          editMessage(
            ctx,
            {
              op: 'replace',
              part,
              mime: mimeEntity,
              content: evaluate(content, ctx),
              subject: whole && subject ? evaluate(subject, ctx) : null,
              from: fromValue,
            },
            span,
          );
          if (loop) loop.replaced = true;
          return false;
        };
      },
    });
  },
};

// ---------------------------------------------------------------------------------------------
// enclose (RFC 5703 §6)

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5322 §3.3 date-time in the host's time zone. */
export function rfc5322Date(at: number, offsetMinutes: number): string {
  const d = new Date(at + offsetMinutes * 60_000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return (
    `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
  );
}

function encloseFrom(ctx: ExecutionContext): string {
  // §6: From "should be synthesized to reflect ... the user running the Sieve action": the
  // user's first address from the host, else the envelope recipient.
  return ctx.host.userAddresses?.[0] ?? ctx.envelope.to;
}

export const enclose: ExtensionDefinition = {
  name: 'enclose',
  needsBody: true,
  setup(r) {
    r.command({
      name: 'enclose',
      positional: [{ name: 'text', type: 'string' }],
      tags: [
        { name: 'subject', value: { name: 'subject', type: 'string' } },
        { name: 'headers', value: { name: 'header names', type: 'string-list' } },
      ],
      tests: 'none',
      block: 'none',
      compile(cc, cmd) {
        const text = cc.string(cmd.positional[0]!);
        const subjectArg = cmd.tags.get('subject')?.value;
        const headersArg = cmd.tags.get('headers')?.value;
        const subject = subjectArg ? cc.string(subjectArg) : null;
        const headers = headersArg ? cc.stringList(headersArg) : [];
        const span: Span = cmd.node.span;
        return (ctx) => {
          const source = ctx.message.source;
          if (source === undefined)
            throw new SieveRuntimeError('enclose: the message octets are not available', span);
          const now = ctx.host.now?.() ?? Date.now();
          const body = evaluate(text, ctx);
          editMessage(
            ctx,
            {
              op: 'enclose',
              subject: subject ? evaluate(subject, ctx) : null,
              headers: headers.map((h) => evaluate(h, ctx)),
              text: body,
              from: encloseFrom(ctx),
              date: rfc5322Date(now, ctx.host.timeZoneOffset?.(now) ?? 0),
              boundary: uniqueBoundary(source, hashSource(body + String(source.length))),
            },
            span,
          );
          return false;
        };
      },
    });
  },
};
