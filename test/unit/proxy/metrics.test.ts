// The Prometheus exposition of the proxy's counters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Metrics } from '../../../src/proxy/metrics.js';

test('a series accumulates under its label set; label values are escaped once, as the format asks', () => {
  const m = new Metrics();
  m.inc('x_total', { protocol: 'imap', destination: 'a"b\\c\nd' });
  m.inc('x_total', { protocol: 'imap', destination: 'a"b\\c\nd' }, 4);
  m.inc('x_total', { protocol: 'pop3', destination: 'a' });
  assert.equal(m.get('x_total', { protocol: 'imap', destination: 'a"b\\c\nd' }), 5);
  assert.equal(m.get('x_total', { protocol: 'pop3', destination: 'a' }), 1);
  assert.equal(m.get('x_total', { protocol: 'pop3', destination: 'b' }), 0);
  const text = m.render();
  assert.match(text, /^x_total\{protocol="imap",destination="a\\"b\\\\c\\nd"\} 5$/m);
  assert.match(text, /^x_total\{protocol="pop3",destination="a"\} 1$/m);
});

test('the login histogram counts each observation in every bucket at or above it', () => {
  const m = new Metrics();
  m.observeLogin('imap', 0.02);
  m.observeLogin('imap', 3);
  const text = m.render();
  assert.match(text, /^sievert_proxy_login_seconds_bucket\{protocol="imap",le="0.01"\} 0$/m);
  assert.match(text, /^sievert_proxy_login_seconds_bucket\{protocol="imap",le="0.025"\} 1$/m);
  assert.match(text, /^sievert_proxy_login_seconds_bucket\{protocol="imap",le="5"\} 2$/m);
  assert.match(text, /^sievert_proxy_login_seconds_bucket\{protocol="imap",le="\+Inf"\} 2$/m);
  assert.match(text, /^sievert_proxy_login_seconds_count\{protocol="imap"\} 2$/m);
  assert.match(text, /^sievert_proxy_login_seconds_sum\{protocol="imap"\} 3.02$/m);
});
