// sievert rules …: the rules layer (src/rules) for scripts and tooling.
import { renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  convert,
  parseSyntax,
  print,
  readRules,
  rename,
  RuleEditError,
  setEnabled,
  WRITABLE_DIALECTS,
  type DialectId,
  type Item,
} from '../rules/index.js';
import { formatDiagnostic } from '../sieve/index.js';
import { loadScript } from './check.js';

export interface RulesOptions {
  json?: boolean;
  to?: string;
  inPlace?: boolean;
}

const USAGE =
  'list FILE [--json] | show FILE [--json] | roundtrip FILE | set-enabled FILE NAME on|off | rename FILE OLD NEW | convert FILE --to DIALECT [--in-place]';

function usage(message: string): number {
  process.stderr.write(`sievert rules: ${message}\nusage: sievert rules ${USAGE}\n`);
  return 2;
}

/** Runs one `sievert rules` action; returns the exit code (0 ok, 1 failed, 2 usage). */
export function rulesCommand(action: string, args: string[], opts: RulesOptions): number {
  const want: Record<string, number> = {
    list: 1,
    show: 1,
    roundtrip: 1,
    'set-enabled': 3,
    rename: 3,
    convert: 1,
  };
  const n = want[action];
  if (n === undefined) return usage(`unknown action "${action}"`);
  if (args.length !== n) return usage(`"${action}" takes ${n} argument(s), got ${args.length}`);
  const file = args[0]!;
  if (action === 'convert' && !opts.to) return usage('convert needs --to DIALECT');
  if (action === 'set-enabled' && args[2] !== 'on' && args[2] !== 'off')
    return usage('set-enabled takes on or off');
  const loaded = loadScript(file);
  if (loaded.source === null) {
    for (const d of loaded.diagnostics) process.stderr.write(formatDiagnostic(file, d) + '\n');
    return 1;
  }
  const source = loaded.source;
  try {
    switch (action) {
      case 'list':
        return list(source, opts);
      case 'show':
        process.stdout.write(
          opts.json
            ? JSON.stringify(readRules(source)) + '\n'
            : JSON.stringify(readRules(source), null, 2) + '\n',
        );
        return 0;
      case 'roundtrip': {
        const printed = print(parseSyntax(source));
        if (printed === source) {
          process.stdout.write(`${file}: round-trips (${source.length} characters)\n`);
          return 0;
        }
        let i = 0;
        while (i < source.length && source[i] === printed[i]) i++;
        process.stderr.write(`${file}: printing differs from the file at offset ${i}\n`);
        return 1;
      }
      case 'set-enabled':
        return output(file, source, setEnabled(source, args[1]!, args[2] === 'on'), opts);
      case 'rename':
        return output(file, source, rename(source, args[1]!, args[2]!), opts);
      case 'convert': {
        const to = opts.to as DialectId;
        if (!WRITABLE_DIALECTS.includes(to)) {
          return usage(`--to takes one of ${WRITABLE_DIALECTS.join(', ')} (got "${opts.to}")`);
        }
        // Rules the target cannot hold stay as they were: say which, and why.
        const out = convert(source, to, {
          onKept: (rule, why) =>
            process.stderr.write(
              `sievert rules: ${file}:${rule.span.startLine}: "${rule.name ?? ''}" stays as it was: ${why}\n`,
            ),
        });
        return output(file, source, out, opts);
      }
    }
  } catch (e) {
    if (e instanceof RuleEditError) {
      process.stderr.write(`sievert rules: ${file}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  return 2;
}

function list(source: string, opts: RulesOptions): number {
  const doc = readRules(source);
  const rows: Record<string, unknown>[] = [];
  const visit = (items: readonly Item[]): void => {
    for (const i of items) {
      if (i.kind === 'rule') {
        rows.push({
          kind: 'rule',
          name: i.name,
          enabled: i.enabled,
          purpose: i.purpose,
          editable: i.editable,
          dialect: i.dialect,
          lines: [i.span.startLine, i.span.endLine],
          ...(i.reason ? { reason: i.reason } : {}),
          ...(i.diverged ? { diverged: i.diverged } : {}),
        });
      } else if (i.kind === 'chain') {
        rows.push({
          kind: 'chain',
          name: i.name,
          dialect: i.dialect,
          lines: [i.span.startLine, i.span.endLine],
        });
        visit(i.branches);
      } else if (i.kind === 'region') {
        rows.push({
          kind: 'region',
          name: i.label,
          dialect: i.dialect,
          editable: i.editable,
          lines: [i.span.startLine, i.span.endLine],
        });
        visit(i.items);
      } else {
        rows.push({
          kind: i.kind,
          name: null,
          lines: [i.span.startLine, i.span.endLine],
          ...(i.kind === 'raw' ? { reason: i.reason } : {}),
        });
      }
    }
  };
  visit(doc.items);
  if (opts.json) {
    process.stdout.write(
      JSON.stringify({ dialect: doc.dialect, dialects: doc.dialects, items: rows }) + '\n',
    );
    return 0;
  }
  const out = [`dialect: ${doc.dialect}${doc.dialects.length ? ` (found: ${doc.dialects.join(', ')})` : ''}`];
  for (const r of rows) {
    const lines = r['lines'] as [number, number];
    const state = r['kind'] === 'rule' ? (r['enabled'] ? 'on ' : 'off') : '   ';
    const extra = [
      r['purpose'],
      r['dialect'],
      r['kind'] === 'rule' && !r['editable'] && typeof r['reason'] === 'string'
        ? `raw: ${r['reason']}`
        : undefined,
      typeof r['diverged'] === 'string' ? `diverged: ${r['diverged']}` : undefined,
    ].filter(Boolean);
    out.push(
      `${String(lines[0]).padStart(5)}-${String(lines[1]).padEnd(5)} ${String(r['kind']).padEnd(8)} ${state} ${r['name'] === null ? '-' : JSON.stringify(r['name'])}${extra.length ? '  (' + extra.join(', ') + ')' : ''}`,
    );
  }
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}

/** Prints the new script, or replaces the file: a temporary file renamed over it, never half-written. */
function output(file: string, before: string, after: string, opts: RulesOptions): number {
  if (!opts.inPlace) {
    process.stdout.write(after);
    return 0;
  }
  if (after === before) return 0;
  const tmp = join(dirname(file), `.${basename(file)}.sievert-${process.pid}.tmp`);
  try {
    writeFileSync(tmp, after, { mode: statSync(file).mode & 0o777 });
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    process.stderr.write(
      `sievert rules: cannot write ${file}: ${e instanceof Error ? e.message : String(e)}\n`,
    );
    return 1;
  }
  return 0;
}
