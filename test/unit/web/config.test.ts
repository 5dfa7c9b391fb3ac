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

test('[web] managesieve: in front of another server, STARTTLS with certificate checks by default', () => {
  assert.equal(buildServeConfig({}, '/tmp').web.remote, undefined);
  const c = buildServeConfig({ web: { managesieve: 'imap.example.com:4190' } }, '/d');
  assert.deepEqual(c.web.remote, {
    host: 'imap.example.com',
    port: 4190,
    tls: 'starttls',
    ca: undefined,
    verifyCertificate: true,
    allowCleartext: false,
  });
  const tls = buildServeConfig(
    { web: { managesieve: '[2001:db8::1]:5190', managesieve_tls: 'tls', managesieve_ca: 'ca.pem' } },
    '/d',
  );
  assert.equal(tls.web.remote?.host, '2001:db8::1');
  assert.equal(tls.web.remote?.tls, 'implicit');
  assert.equal(tls.web.remote?.ca, '/d/ca.pem');
  // Without TLS only to this machine, unless allowed in so many words.
  for (const host of ['127.0.0.1', 'localhost', '[::1]'])
    assert.equal(
      buildServeConfig({ web: { managesieve: `${host}:4190`, managesieve_tls: 'none' } }, '/d').web.remote
        ?.tls,
      'plain',
      host,
    );
  const allowed = buildServeConfig(
    {
      web: { managesieve: '192.0.2.7:4190', managesieve_tls: 'none', managesieve_allow_cleartext: true },
    },
    '/d',
  );
  assert.equal(allowed.web.remote?.allowCleartext, true);
});

test('[web] managesieve errors name the key', () => {
  for (const bad of ['imap.example.com', ':4190', 'imap.example.com:0', 'imap.example.com:99999'])
    assert.throws(
      () => buildServeConfig({ web: { managesieve: bad } }, '/tmp'),
      /web\.managesieve: expected/,
      bad,
    );
  assert.throws(
    () => buildServeConfig({ web: { managesieve: '192.0.2.7:4190', managesieve_tls: 'none' } }, '/tmp'),
    /web\.managesieve_tls: "none" would send passwords in cleartext to 192\.0\.2\.7/,
  );
  assert.throws(
    () => buildServeConfig({ web: { managesieve: 'h:1', managesieve_tls: 'ssl' } }, '/tmp'),
    /web\.managesieve_tls/,
  );
});
