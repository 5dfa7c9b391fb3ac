/**
 * Summarises a .cpuprofile: self time by function and by source file, the top entries.
 *
 *   node --import tsx bench/lib/deliver/top-costs.ts FILE.cpuprofile [N]
 */
import { readFileSync } from 'node:fs';

const [file, n = '25'] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node --import tsx bench/lib/deliver/top-costs.ts FILE.cpuprofile [N]\n');
  process.exit(2);
}
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
};
const byId = new Map(profile.nodes.map((node) => [node.id, node] as const));
const self = new Map<number, number>();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i]!;
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
for (const [id, us] of self) {
  const f = byId.get(id)!.callFrame;
  const where = f.url ? f.url.replace(/^.*\/(src|dist|node_modules)\//, '$1/') : '(native)';
  const key = `${f.functionName || '(anonymous)'}  ${where}:${f.lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  byFile.set(where, (byFile.get(where) ?? 0) + us);
}
const show = (title: string, map: Map<string, number>): void => {
  process.stdout.write(`${title}\n`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, Number(n)))
    process.stdout.write(
      `${((100 * us) / total).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}\n`,
    );
};
process.stdout.write(`total sampled ${(total / 1000).toFixed(0)} ms\n`);
show('self time by function:', byFunction);
show('self time by file:', byFile);
