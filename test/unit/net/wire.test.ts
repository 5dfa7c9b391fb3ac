import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cidrContains, inNetworks, isLoopback, parseCidr } from '../../../src/net/cidr.js';
import { buildProxyV2, parseProxyHeader, ProxyHeaderError } from '../../../src/net/proxy-protocol.js';
import { buildXclient, decodeXtext, encodeXtext } from '../../../src/net/xtext.js';

test('xtext (RFC 3461 §4) round-trips and escapes +, =, space and non-ASCII', () => {
  assert.equal(encodeXtext('a+b=c d'), 'a+2Bb+3Dc+20d');
  assert.equal(encodeXtext('é'), '+C3+A9');
  assert.equal(decodeXtext('a+2Bb+3Dc+20d'), 'a+b=c d');
  assert.equal(decodeXtext('+zz'), undefined);
});

test('XCLIENT carries only attributes the backend listed', () => {
  const line = buildXclient(
    { ADDR: '192.0.2.1', PORT: '1234', SESSION: 'abc', TTL: '5', DESTADDR: '10.0.0.1' },
    ['ADDR', 'port', 'SESSION'],
  );
  assert.equal(line, 'XCLIENT ADDR=192.0.2.1 PORT=1234 SESSION=abc');
  assert.equal(buildXclient({ ADDR: '1.2.3.4' }, ['NAME']), undefined);
});

test('CIDR matching for IPv4, IPv6 and IPv4-mapped IPv6', () => {
  const lo = parseCidr('127.0.0.0/8')!;
  assert.ok(cidrContains(lo, '127.1.2.3'));
  assert.ok(cidrContains(lo, '::ffff:127.0.0.1'));
  assert.ok(!cidrContains(lo, '128.0.0.1'));
  assert.ok(inNetworks([parseCidr('2001:db8::/32')!], '2001:db8:1::5'));
  assert.ok(!inNetworks([parseCidr('2001:db8::/32')!], '2001:db9::5'));
  assert.ok(inNetworks([parseCidr('10.1.2.3')!], '10.1.2.3'));
  assert.equal(parseCidr('10.0.0.0/33'), undefined);
  assert.equal(parseCidr('nonsense'), undefined);
});

test('PROXY v1 and v2 headers parse; the rest of the buffer is left for the protocol', () => {
  const v1 = Buffer.from('PROXY TCP4 192.0.2.1 198.51.100.2 5555 143\r\n* rest');
  const r1 = parseProxyHeader(v1);
  assert.ok(typeof r1 === 'object');
  assert.deepEqual(r1.header, {
    proxied: true,
    sourceAddress: '192.0.2.1',
    sourcePort: 5555,
    destinationAddress: '198.51.100.2',
    destinationPort: 143,
  });
  assert.equal(v1.subarray(r1.length).toString(), '* rest');
  const h6 = {
    sourceAddress: '2001:db8::1',
    sourcePort: 1,
    destinationAddress: '2001:db8::2',
    destinationPort: 993,
  };
  const r2 = parseProxyHeader(buildProxyV2(h6));
  assert.ok(typeof r2 === 'object');
  assert.equal(r2.header.sourceAddress, '2001:db8:0:0:0:0:0:1');
  assert.equal(r2.header.destinationPort, 993);
  const h4 = {
    sourceAddress: '192.0.2.1',
    sourcePort: 40000,
    destinationAddress: '198.51.100.2',
    destinationPort: 143,
  };
  const v2 = buildProxyV2(h4);
  assert.equal(v2.length, 16 + 12, 'IPv4 on both ends: the 12-byte TCP4 address block');
  const r4 = parseProxyHeader(v2);
  assert.ok(typeof r4 === 'object');
  assert.deepEqual(r4.header, { proxied: true, ...h4 });
  const mapped = { ...h4, sourceAddress: '::ffff:192.0.2.1', destinationAddress: '::FFFF:198.51.100.2' };
  assert.deepEqual(buildProxyV2(mapped), v2, 'IPv4-mapped IPv6 on both ends is sent as TCP4');
  // One IPv4 end and one IPv6 end: both sent as IPv6, the IPv4 one mapped (::ffff:a.b.c.d).
  const mixed = parseProxyHeader(buildProxyV2({ ...h6, sourceAddress: '192.0.2.1' }));
  assert.ok(typeof mixed === 'object');
  assert.equal(mixed.header.sourceAddress, '0:0:0:0:0:ffff:c000:201');
  assert.equal(mixed.header.destinationAddress, '2001:db8:0:0:0:0:0:2');
  assert.throws(() => buildProxyV2({ ...h4, destinationAddress: 'nonsense' }), /not an IP address: nonsense/);
  assert.equal(parseProxyHeader(Buffer.from('a1 LOGIN')), 'absent');
  assert.equal(parseProxyHeader(Buffer.from('PROXY TCP4 1.2')), 'incomplete');
  assert.throws(
    () => parseProxyHeader(Buffer.from('PROXY TCP4 1.2.3.4 5.6.7.8 99999 1\r\n')),
    ProxyHeaderError,
  );
  assert.throws(() => parseProxyHeader(Buffer.from('PROXY TCP4 a b 1 2\r\n')), ProxyHeaderError);
});

test('isLoopback: 127/8, ::1 (bracketed or IPv4-mapped) and localhost; nothing else', () => {
  for (const a of ['127.0.0.1', '127.255.0.9', '::1', '[::1]', '::ffff:127.0.0.1', 'LOCALHOST'])
    assert.ok(isLoopback(a), a);
  for (const a of [
    undefined,
    '',
    '128.0.0.1',
    '10.0.0.1',
    '::2',
    '::ffff:10.0.0.1',
    'localhost.example',
    '127.example',
  ])
    assert.ok(!isLoopback(a), String(a));
});
