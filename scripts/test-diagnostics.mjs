// Loaded into every test file's process (see run-tests.mjs). When a file's process ends badly
// after its tests passed (an error thrown from a timer or socket after the test ended, a rejected
// promise nobody awaited, process.exitCode set by code under test, a signal), Node's runner says
// only "test failed" for the file. This prints the reason with a marker, and run-tests.mjs repeats
// every marked line after the summary, where a CI log that keeps only its tail still shows it.
import { basename } from 'node:path';

if (process.env.NODE_TEST_CONTEXT) {
  const file = basename(process.argv[1] ?? '?');
  const say = (what) => process.stdout.write(`\n[test-diagnostics] ${file}: ${what}\n`);
  process.on('uncaughtExceptionMonitor', (e, origin) => {
    say(`${origin}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`.replace(/\n/g, '\n  '));
  });
  process.on('exit', (code) => {
    if (code !== 0) say(`the process exits with code ${code}`);
  });
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
    process.once(signal, () => {
      say(`received ${signal}`);
      process.kill(process.pid, signal);
    });
  }
}
