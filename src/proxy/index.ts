import { parseArgs } from 'node:util';
import { EXIT_CONFIG, loadOrReport } from '../config/index.js';
import { untilStopSignal } from '../net/index.js';
import { loadConfig } from './config.js';
import { startProxy } from './server.js';

export { buildConfig, ConfigError, loadConfig, parseConfigText } from './config.js';
export type { ProxyConfig, Protocol } from './config.js';
export { startProxy } from './server.js';
export type { RunningProxy, StartOptions } from './server.js';

const usage = 'usage: sievert proxy --config FILE [--check]';

/**
 * `sievert proxy --config FILE`: runs until SIGINT/SIGTERM, then drains. `--check` only
 * validates the configuration. Returns the process exit code.
 */
export async function proxyCommand(argv: string[]): Promise<number> {
  let values: { config?: string; check?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string', short: 'c' },
        check: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${usage}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(usage + '\n');
    return 0;
  }
  if (!values.config) {
    process.stderr.write(`missing --config\n${usage}\n`);
    return 2;
  }
  const file = values.config;
  const config = loadOrReport(() => loadConfig(file));
  if (config === undefined) return EXIT_CONFIG;
  if (values.check) {
    process.stdout.write(`${values.config}: ok\n`);
    return 0;
  }
  let proxy;
  try {
    proxy = await startProxy(config, { configFile: values.config });
  } catch (e) {
    process.stderr.write(`error: cannot start the proxy: ${(e as Error).message}\n`);
    return 1;
  }
  const running = proxy;
  const configFile = values.config;
  // SIGHUP re-reads the configuration, as the admin API's /reload does.
  const reload = (): void => {
    try {
      const refusal = running.reload(loadConfig(configFile));
      if (refusal) process.stderr.write(`reload refused: ${refusal}\n`);
    } catch (e) {
      process.stderr.write(`reload failed: ${(e as Error).message}\n`);
    }
  };
  process.on('SIGHUP', reload);
  await untilStopSignal();
  process.off('SIGHUP', reload);
  await running.close();
  return 0;
}
