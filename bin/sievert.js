#!/usr/bin/env node
// The CLI as bundled by `npm run build` (scripts/bundle.mjs) for a faster start.
import { main } from '../dist/bundle/cli.js';

process.exitCode = await main(process.argv.slice(2));
