// RFC 5293: editheader. addheader and deleteheader change the message; later tests see the
// change (§6), and the result carries it for delivery (see edits.ts).
import type { Argument } from '../../ast.js';
import type { Span } from '../../diagnostics.js';
import type { ExtensionDefinition } from '../../registry.js';
import { evaluate, SieveRuntimeError, type ExecutionContext } from '../../runtime.js';
import type { ValidationContext } from '../../validator.js';
import { isFieldName, MATCH_GROUPS } from '../base/index.js';
import { editMessage } from './edits.js';

/**
 * RFC 5293 §6: "implementations MUST NOT permit attempts to delete Received header fields";
 * Auto-Submitted is protected too (as Pigeonhole does), so a script cannot defeat the RFC 3834
 * loop protection. "If a script tries to make a change that isn't permitted, the attempt MUST be
 * silently ignored": a warning at compile time, nothing at run time. Subject can always be
 * added and deleted.
 */
const PROTECTED_FROM_DELETE = new Set(['received', 'auto-submitted']);

/** Whether the site forbids this edit (EditheaderPolicy); Subject can always be edited. */
function forbiddenBySite(ctx: ExecutionContext, list: 'forbidAdd' | 'forbidDelete', name: string): boolean {
  const names = ctx.host.editheaderPolicy?.[list];
  if (!names) return false;
  const n = name.toLowerCase();
  return n !== 'subject' && names.some((f) => f.toLowerCase() === n);
}

const utf8 = new TextEncoder();

/** Why a value cannot be a field body, or null. NUL is never allowed (RFC 5322 §2.2). */
function invalidValue(value: string, max: number): string | null {
  if (value.includes('\0')) return 'it contains a NUL character';
  const size = utf8.encode(value).length;
  if (size > max) return `it is too long (${size} octets; the limit is ${max})`;
  return null;
}

/** The value as an error message shows it: its start, with NUL written as \0. */
function shownValue(value: string): string {
  const start = [...value].slice(0, 40).join('');
  return `"${start.replace(/\0/g, '\\0')}${start.length < value.length ? '…' : ''}"`;
}

const invalidValueMessage = (command: string, value: string, why: string): string =>
  `${command}: the value ${shownValue(value)} is invalid: ${why}`;

const invalidNameMessage = (command: string, name: string): string =>
  `${command}: the field name "${name}" is invalid (RFC 5322 §3.6.8: printable US-ASCII except ":")`;

function checkName(v: ValidationContext, arg: Argument | undefined, command: string): string | null {
  if (arg?.kind !== 'string' || !v.isConstant(arg)) return null;
  const name = v.value(arg);
  if (!isFieldName(name)) {
    v.error('editheader.invalid-name', invalidNameMessage(command, name), arg.span);
    return null;
  }
  return name;
}

function runtimeName(ctx: ExecutionContext, name: string, command: string, span: Span): string {
  if (!isFieldName(name)) {
    throw new SieveRuntimeError(invalidNameMessage(command, name), span);
  }
  return name;
}

export const editheader: ExtensionDefinition = {
  name: 'editheader',
  setup(r) {
    r.command({
      name: 'addheader',
      positional: [
        { name: 'field name', type: 'string' },
        { name: 'value', type: 'string' },
      ],
      tags: [{ name: 'last' }],
      tests: 'none',
      block: 'none',
      validate(v, cmd) {
        checkName(v, cmd.positional[0], 'addheader');
        const value = cmd.positional[1];
        if (value?.kind === 'string' && v.isConstant(value)) {
          const text = v.value(value);
          const why = invalidValue(text, v.limits.maxHeaderValueSize);
          if (why)
            v.error('editheader.invalid-value', invalidValueMessage('addheader', text, why), value.span);
        }
      },
      compile(cc, cmd) {
        const name = cc.string(cmd.positional[0]!);
        const value = cc.string(cmd.positional[1]!);
        const last = cmd.tags.has('last');
        const span = cmd.node.span;
        return (ctx) => {
          const n = runtimeName(ctx, evaluate(name, ctx), 'addheader', span);
          const v = evaluate(value, ctx);
          const why = invalidValue(v, ctx.limits.maxHeaderValueSize);
          if (why) throw new SieveRuntimeError(invalidValueMessage('addheader', v, why), span);
          // §6: "silently ignored".
          if (forbiddenBySite(ctx, 'forbidAdd', n)) return false;
          editMessage(ctx, { op: 'addheader', name: n, value: v, last }, span);
          return false;
        };
      },
    });

    r.command({
      name: 'deleteheader',
      positional: [
        { name: 'field name', type: 'string' },
        { name: 'value patterns', type: 'string-list', optional: true },
      ],
      tags: [{ name: 'index', value: { name: 'field number', type: 'number' } }, { name: 'last' }],
      groups: MATCH_GROUPS,
      tests: 'none',
      block: 'none',
      validate(v, cmd) {
        const last = cmd.tags.get('last');
        if (last && !cmd.tags.has('index')) {
          v.error(
            'editheader.last-without-index',
            'deleteheader: :last can only be used with :index',
            last.tag.span,
          );
        }
        const index = cmd.tags.get('index')?.value;
        if (index?.kind === 'number' && index.value < 1) {
          v.error('editheader.index', 'deleteheader: :index counts fields from 1', index.span);
        }
        const name = checkName(v, cmd.positional[0], 'deleteheader');
        if (name !== null && PROTECTED_FROM_DELETE.has(name.toLowerCase())) {
          v.warning(
            'editheader.protected',
            `deleteheader: the ${name} header field cannot be deleted (RFC 5293 §6); this command will do nothing`,
            cmd.positional[0]!.span,
          );
        }
      },
      compile(cc, cmd) {
        const name = cc.string(cmd.positional[0]!);
        const patterns = cmd.positional[1];
        const matcher = patterns ? cc.matcher(cmd, patterns) : null;
        const indexArg = cmd.tags.get('index')?.value;
        const index = indexArg?.kind === 'number' ? indexArg.value : 0;
        const fromLast = cmd.tags.has('last');
        const span = cmd.node.span;
        return (ctx) => {
          const n = runtimeName(ctx, evaluate(name, ctx), 'deleteheader', span);
          // §6: silently ignored.
          if (PROTECTED_FROM_DELETE.has(n.toLowerCase()) || forbiddenBySite(ctx, 'forbidDelete', n))
            return false;
          const values = ctx.message.headers(n);
          // §5: ":index" picks one occurrence (":last" counts from the end) before the patterns
          // are matched; without patterns, every picked occurrence goes.
          const occurrences: number[] = [];
          for (let k = 1; k <= values.length; k++) {
            if (index > 0 && k !== (fromLast ? values.length - index + 1 : index)) continue;
            if (matcher && !matcher.match(ctx, [values[k - 1]!])) continue;
            occurrences.push(k);
          }
          if (occurrences.length > 0) editMessage(ctx, { op: 'deleteheader', name: n, occurrences }, span);
          return false;
        };
      },
    });
  },
};
