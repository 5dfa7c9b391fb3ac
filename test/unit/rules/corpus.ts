// The rules corpus (test/fixtures/rules/<dialect>/*.sieve), the edits the tests make on it, and
// small re-implementations of each product's reader (what the product recovers from a script).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  allRules,
  convert,
  readRules,
  rename,
  setEnabled,
  WRITABLE_DIALECTS,
  type DialectId,
  type Rule,
} from '../../../src/rules/index.js';

const ROOT = 'test/fixtures/rules';

export interface Fixture {
  readonly name: string;
  readonly source: string;
}

export function fixtures(): Fixture[] {
  const out: Fixture[] = [];
  for (const dir of readdirSync(ROOT).sort()) {
    for (const f of readdirSync(join(ROOT, dir)).sort()) {
      if (f.endsWith('.sieve'))
        out.push({ name: `${dir}/${f}`, source: readFileSync(join(ROOT, dir, f), 'utf8') });
    }
  }
  return out;
}

/** A Roundcube script of about 1 MB (thousands of rules, CRLF). */
export function bigScript(): string {
  const parts = ['require ["fileinto","vacation"];\r\n'];
  for (let i = 0; parts.join('').length < 1_000_000 && i < 100_000; i += 1) {
    const chunk: string[] = [];
    for (let j = 0; j < 500; j++, i++) {
      chunk.push(
        `# rule:[Rule ${i}]\r\nif header :contains "subject" "topic ${i}"\r\n{\r\n\tfileinto "Folder ${i}";\r\n}\r\n`,
      );
    }
    parts.push(chunk.join(''));
  }
  return parts.join('');
}

/** The rules whose name and on/off state our writers may change, with their index among all rules. */
export function editableNamed(source: string): { rule: Rule; ref: number }[] {
  return allRules(readRules(source).items)
    .map((rule, ref) => ({ rule, ref }))
    .filter(
      ({ rule: r }) =>
        r.name !== null &&
        r.dialect !== 'nextcloud' &&
        r.dialect !== 'tine' &&
        r.dialect !== 'zimbra' &&
        r.span.end > r.span.start,
    );
}

export interface Written {
  readonly label: string;
  readonly from: string;
  readonly script: string;
}

/** Every script the tests write: renames, on/off switches and conversions of each fixture. */
export function writtenScripts(): Written[] {
  const out: Written[] = [];
  for (const f of fixtures()) {
    const rules = editableNamed(f.source);
    rules.forEach(({ rule: r, ref }, i) => {
      out.push({
        label: `${f.name}: rename ${r.name}`,
        from: f.name,
        script: rename(f.source, ref, `Renamed ${i}`),
      });
      out.push({
        label: `${f.name}: ${r.name} ${r.enabled ? 'off' : 'on'}`,
        from: f.name,
        script: setEnabled(f.source, ref, !r.enabled),
      });
    });
    if (!f.name.startsWith('zimbra/') && !f.name.includes('syntax-error')) {
      for (const to of WRITABLE_DIALECTS) {
        out.push({
          label: `${f.name}: convert to ${to}`,
          from: f.name,
          script: convert(f.source, to, { date: 'Mon Jan 15 10:00:00 2024' }),
        });
      }
    }
  }
  return out;
}

export interface VendorRule {
  readonly name: string;
  readonly id?: string;
  readonly enabled: boolean;
}

/** Roundcube (rcube_sieve_script): `# rule:[NAME]`, disabled as `if false # …`. */
export function roundcubeReader(script: string): VendorRule[] {
  const lines = script.split(/\r?\n/);
  const out: VendorRule[] = [];
  lines.forEach((l, i) => {
    const m = /^# rule:\[(.*)\]$/.exec(l);
    if (m) out.push({ name: m[1]!, enabled: !/^if (false #|allof \(false,)/.test(lines[i + 1] ?? '') });
  });
  return out;
}

/** Open-Xchange: `## Flag: …|UniqueId:N|Rulename: NAME`, disabled lines prefixed `#<!-->`. */
export function oxReader(script: string): VendorRule[] {
  const lines = script.split(/\r?\n/);
  const out: VendorRule[] = [];
  lines.forEach((l, i) => {
    const m = /^## Flag: [^|]*\|UniqueId:(\d+)\|Rulename: (.*)$/.exec(l);
    if (m) out.push({ name: m[2]!, id: m[1]!, enabled: !(lines[i + 1] ?? '').startsWith('#<!-->') });
  });
  return out;
}

/** The draft's rule blocks: `#RULE: $Name="…"` … `#BEGINFILTER` code `#ENDFILTER` `#ENDRULE`. */
export function ruleBlockReader(script: string): VendorRule[] {
  const out: VendorRule[] = [];
  const re = /^#RULE:(.*)\r?\n#BEGINFILTER\r?\n([\s\S]*?)#ENDFILTER\r?\n#ENDRULE/gm;
  for (const m of script.matchAll(re)) {
    const name = /\$Name="((?:[^"\\]|\\.)*)"/.exec(m[1]!)?.[1]?.replace(/\\(.)/g, '$1') ?? '';
    out.push({ name, enabled: !/^if allof \(false,/.test(m[2]!) });
  }
  return out;
}

/** Critical Path: `# cp_filter_name: NAME`. */
export function criticalPathReader(script: string): VendorRule[] {
  return [
    ...script.matchAll(/^# cp_filter_name: (.*?)\r?\n(?:# cp_filter_description: .*\r?\n)?(.*)$/gm),
  ].map((m) => ({
    name: m[1]!,
    enabled: !/^if allof \(false,/.test(m[2]!),
  }));
}

/** RainLoop/SnappyMail: the base64 JSON header is the source of truth. */
export function rainloopReader(script: string): VendorRule[] {
  const out: VendorRule[] = [];
  for (const m of script.matchAll(/BEGIN:FILTER:(\S+)\s+BEGIN:HEADER\s+([\s\S]*?)END:HEADER/g)) {
    const json = JSON.parse(Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64').toString('utf8')) as {
      Name: string;
      Enabled: boolean;
    };
    out.push({ name: json.Name, id: m[1]!, enabled: json.Enabled });
  }
  return out;
}

/** Horde Ingo: `# NAME` before each `if` (after its header). */
export function ingoReader(script: string): VendorRule[] {
  const lines = script.split(/\r?\n/);
  const out: VendorRule[] = [];
  lines.forEach((l, i) => {
    const m = /^# (.+)$/.exec(l);
    if (m && /^if /.test(lines[i + 1] ?? '') && !/horde\.org|^Sieve Filter$|\{\{\{$/.test(m[1]!)) {
      out.push({ name: m[1]!, enabled: !/^if allof \(false,/.test(lines[i + 1]!) });
    }
  });
  return out;
}

export const VENDOR_READERS: Partial<Record<DialectId, (script: string) => VendorRule[]>> = {
  roundcube: roundcubeReader,
  'open-xchange': oxReader,
  'rule-block': ruleBlockReader,
  'critical-path': criticalPathReader,
  rainloop: rainloopReader,
  ingo: ingoReader,
};
