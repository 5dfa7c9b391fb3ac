// sievert testsuite [--expect-fail] FILE.svtest…: runs Pigeonhole test-suite files and prints
// Pigeonhole's report (exit 0 when every file passed).
import { runTestsuiteFile } from '../testsuite/index.js';

export function testsuiteCommand(files: string[], opts: { expectFail?: boolean }): number {
  let failed = false;
  for (const file of files) {
    const report = runTestsuiteFile(file, { expectFail: opts.expectFail === true });
    process.stdout.write(report.stdout);
    process.stderr.write(report.stderr);
    if (!report.passed) failed = true;
  }
  return failed ? 1 : 0;
}
