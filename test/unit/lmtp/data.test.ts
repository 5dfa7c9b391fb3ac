import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageBuffer, MessageDecoder } from '../../../src/lmtp/data.js';
import { parsePath } from '../../../src/lmtp/syntax.js';

/** Decodes `input` fed in the given pieces; returns the message and where the data ended. */
function decode(
  pieces: Buffer[],
  dotted: boolean,
  limit = 1 << 20,
): { message: string; rest: string; buffer: MessageBuffer } {
  const buffer = new MessageBuffer(limit);
  const decoder = new MessageDecoder(buffer, dotted);
  let rest = '';
  for (let i = 0; i < pieces.length; i++) {
    const used = decoder.push(pieces[i]!);
    if (used >= 0) {
      rest = Buffer.concat([pieces[i]!.subarray(used), ...pieces.slice(i + 1)]).toString('latin1');
      break;
    }
  }
  return { message: buffer.message().toString('latin1'), rest, buffer };
}

const cases: [string, string, string][] = [
  // [data as sent, message stored, what follows the end]
  ['a\r\n.\r\nNOOP\r\n', 'a\r\n', 'NOOP\r\n'],
  ['.\r\n', '', ''],
  ['..\r\n.\r\n', '.\r\n', ''],
  ['a\n.\nb\r\n.\r\n', 'a\r\n\r\nb\r\n', ''],
  ['a\r\n.\nb\r\n.\r\n', 'a\r\n\r\nb\r\n', ''],
  ['a\n.\r\nb\r\n.\r\n', 'a\r\n\r\nb\r\n', ''],
  ['a\r.\rb\r\n.\r\n', 'a\r.\rb\r\n', ''],
  ['.x\r\n.\r\r\n.\r\n', 'x\r\n\r\r\n', ''],
  ['\n\r\n.\r\n', '\r\n\r\n', ''],
];

test('DATA decoding gives the same message however the octets are split', () => {
  for (const [sent, stored, after] of cases) {
    const bytes = Buffer.from(sent, 'latin1');
    for (let cut1 = 0; cut1 <= bytes.length; cut1++) {
      for (let cut2 = cut1; cut2 <= bytes.length; cut2++) {
        const pieces = [bytes.subarray(0, cut1), bytes.subarray(cut1, cut2), bytes.subarray(cut2)].filter(
          (p) => p.length > 0,
        );
        const r = decode(pieces, true);
        assert.equal(r.message, stored, `${JSON.stringify(sent)} cut at ${cut1},${cut2}`);
        assert.equal(r.rest, after, `${JSON.stringify(sent)} cut at ${cut1},${cut2}`);
      }
    }
  }
});

test('BDAT decoding keeps dots and makes bare LF CRLF, across splits', () => {
  const bytes = Buffer.from('.a\r\n.\r\nb\nc\r', 'latin1');
  for (let cut = 0; cut <= bytes.length; cut++) {
    const r = decode([bytes.subarray(0, cut), bytes.subarray(cut)], false);
    assert.equal(r.message, '.a\r\n.\r\nb\r\nc\r');
  }
});

test('MessageBuffer keeps nothing past its limit but counts it', () => {
  const r = decode([Buffer.from('0123456789\r\nabc\r\n.\r\n')], true, 12);
  assert.equal(r.buffer.size, 17);
  assert.equal(r.buffer.overflow, true);
  const ok = decode([Buffer.from('0123456789\r\n.\r\n')], true, 12);
  assert.equal(ok.buffer.overflow, false);
  assert.equal(ok.message, '0123456789\r\n');
});

test('paths: what RFC 5321 and RFC 6531 allow, and what they do not', () => {
  const mail = { nullPath: true, postmaster: false, badAddress: '5.1.7' };
  const rcpt = { nullPath: false, postmaster: true, badAddress: '5.1.3' };
  const ok = (text: string, o = rcpt): string => {
    const p = parsePath(text, o);
    assert.ok(!('code' in p), `${text}: ${JSON.stringify(p)}`);
    return p.address;
  };
  const bad = (text: string, o = rcpt): string => {
    const p = parsePath(text, o);
    assert.ok('code' in p, `${text} should be refused`);
    return `${p.code} ${p.enhanced}`;
  };
  assert.equal(ok('<>', mail), '');
  assert.equal(ok('<Postmaster>'), 'Postmaster');
  assert.equal(ok('<a.b+tag@sub.example.com>'), 'a.b+tag@sub.example.com');
  assert.equal(ok('<"a b"@example.com>'), '"a b"@example.com');
  assert.equal(ok('<"a\\"b"@example.com>'), '"a\\"b"@example.com');
  assert.equal(ok('<"ab"@example.com>'), 'ab@example.com');
  assert.equal(ok('<"a>b"@example.com>'), '"a>b"@example.com');
  assert.equal(ok('<@one.example,@two.example:u@example.com>'), 'u@example.com');
  assert.equal(ok('<u@[192.0.2.1]>'), 'u@[192.0.2.1]');
  assert.equal(ok('<u@[IPv6:2001:db8::1]>'), 'u@[IPv6:2001:db8::1]');
  assert.equal(ok('<用户@例子.广告>'), '用户@例子.广告');
  assert.equal(bad('<>'), '501 5.1.3');
  assert.equal(bad('<postmaster>', mail), '501 5.1.7');
  assert.equal(bad('u@example.com'), '501 5.5.4');
  assert.equal(bad('<u@example.com'), '501 5.1.3');
  assert.equal(bad('<u@-example.com>'), '501 5.1.3');
  assert.equal(bad('<u@example..com>'), '501 5.1.3');
  assert.equal(bad('<.u@example.com>'), '501 5.1.3');
  assert.equal(bad('<u v@example.com>'), '501 5.1.3');
  assert.equal(bad('<"u\x01"@example.com>'), '501 5.1.3');
  assert.equal(bad('<u@[300.1.1.1]>'), '501 5.1.3');
  assert.equal(bad('<u@example.com> A=1 a=2'), '501 5.5.4');
  assert.equal(bad('<u@example.com> A=b=c'), '501 5.5.4');
  const p = parsePath('<u@example.com>  NOTIFY=NEVER   ORCPT=rfc822;u@example.com', rcpt);
  assert.deepEqual(p, {
    address: 'u@example.com',
    params: { NOTIFY: 'NEVER', ORCPT: 'rfc822;u@example.com' },
    utf8: false,
  });
});
