// Runs the sievert command from the sources, as a user would, in a child process.
import { spawnSync } from 'node:child_process';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `sievert ARGS…` with `input` on standard input; output as UTF-8 text. */
export function sievert(args: readonly string[], input = ''): Run {
  const r = sievertBytes(args, input);
  return { code: r.code, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}

/** The same with the output as octets (for commands that print a script or message as stored). */
export function sievertBytes(
  args: readonly string[],
  input: string | Buffer = '',
): { code: number; stdout: Buffer; stderr: Buffer } {
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      `import('./src/cli/index.ts').then(async (m) => { process.exitCode = await m.main(${JSON.stringify(args)}); })`,
    ],
    { input },
  );
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
