// A longer fuzz run than the unit test's: `npm run bench:fuzz -- [--seconds 60] [--seed N]`.
// Stops by itself after the given time; any exception is a bug (the seed reproduces it).
import { fuzzEngine } from '../test/fuzz/engine.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const seconds = arg('seconds', 60);
let seed = arg('seed', 1);
const deadline = Date.now() + seconds * 1000;
let runs = 0;
let compiled = 0;
while (Date.now() < deadline) {
  compiled += fuzzEngine(seed, 2000);
  runs += 2000;
  seed++;
}
console.log(
  `fuzzed ${runs} mutated scripts (${compiled} compiled and ran), seeds 1..${seed - 1}: no failure`,
);
