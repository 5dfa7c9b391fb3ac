// The test-suite runner: runs Pigeonhole .svtest files with the vnd.dovecot.testsuite extension.
export { runTestsuiteFile, type TestsuiteOptions, type TestsuiteReport } from './runner.js';
export { applySettings, parseDuration } from './settings.js';
