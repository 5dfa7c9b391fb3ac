// Prints what each engine does with corpus cases, for writing and debugging cases:
//   node --import tsx test/interop/sieve/show.ts [NAME-PREFIX…]
import { loadCorpus } from './corpus.js';
import { PigeonholeSandbox } from './pigeonhole.js';
import { comparable } from './schema.js';
import { findSievert, runSievert } from './sievert.js';

const prefixes = process.argv.slice(2);
const cases = loadCorpus().filter((c) => prefixes.length === 0 || prefixes.some((p) => c.name.startsWith(p)));
const sandbox = new PigeonholeSandbox();
const withSievert = findSievert().ok;
try {
  for (const c of cases) {
    const ph = await sandbox.run(c.script, c.message, c.envelope, c.pigeonholeExtensions, c);
    const sv = withSievert
      ? await runSievert(c.scriptPath, c.messagePath, c.envelope, c.errorLine !== null, c)
      : null;
    const a = JSON.stringify(comparable(ph));
    const b = sv ? JSON.stringify(comparable(sv)) : '(sievert not built)';
    const mark = sv === null ? ' ' : a === b ? '=' : c.deviation ? 'D' : 'X';
    console.log(
      `${mark} ${c.name}\n    pigeonhole: ${a} ${ph.error ? `[${ph.error.message}] ${ph.errorLines.join(',')}` : ''}`,
    );
    console.log(
      `    sievert:    ${b} ${sv?.error ? `[${sv.error.message}] ${sv.errorLines.join(',')}` : ''}`,
    );
  }
} finally {
  sandbox.dispose();
}
