// The [web] table of `sievert serve`'s configuration: off by default, errors name the key.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildServeConfig } from '../../../src/serve/index.js';

test('[web] is off by default on 127.0.0.1:8080 with a 30-minute session', () => {
  const c = buildServeConfig({}, '/tmp');
  assert.deepEqual(c.web, {
    enabled: false,
    listen: ['127.0.0.1:8080'],
    cert: undefined,
    key: undefined,
    sessionTimeoutMs: 30 * 60_000,
    maxBody: 2 * 1024 * 1024,
  });
  const on = buildServeConfig(
    { web: { enabled: true, session_timeout: '1h', max_body: '64k', cert: 'c', key: 'k' } },
    '/d',
  );
  assert.equal(on.web.sessionTimeoutMs, 3600_000);
  assert.equal(on.web.maxBody, 65536);
  assert.equal(on.web.cert, '/d/c');
});

test('[web] errors name the key', () => {
  assert.throws(() => buildServeConfig({ web: { listen: ['nope'] } }, '/tmp'), /web\.listen\[0\]/);
  assert.throws(() => buildServeConfig({ web: { cert: 'c' } }, '/tmp'), /web\.key/);
  assert.throws(() => buildServeConfig({ web: { session_timeout: '10s' } }, '/tmp'), /web\.session_timeout/);
  assert.throws(() => buildServeConfig({ web: { colour: 'blue' } }, '/tmp'), /colour/);
});
