import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAddressList, parseMessage, type MailAddress } from '../../../src/sieve/message/index.js';

/** `address` of every mailbox, or null when the value is not an address list. */
const all = (value: string) => parseAddressList(value)?.map((a) => a.address) ?? null;
const one = (value: string): MailAddress => {
  const list = parseAddressList(value);
  assert.ok(list !== null && list.length === 1, `one address in ${value}`);
  return list[0]!;
};

test('parses a bare addr-spec', () => {
  assert.deepEqual(one('joe@example.com'), {
    localPart: 'joe',
    domain: 'example.com',
    address: 'joe@example.com',
    name: '',
  });
});

test('parses name-addr with atom and quoted display names', () => {
  assert.deepEqual(one('Joe Q. Public <john.q.public@example.com>'), {
    localPart: 'john.q.public',
    domain: 'example.com',
    address: 'john.q.public@example.com',
    name: 'Joe Q. Public',
  });
  assert.equal(one('"Public, Joe \\"Q\\"" <j@example.com>').name, 'Public, Joe "Q"');
  assert.equal(one('<j@example.com>').name, '');
});

test('parses address lists with several mailboxes and empty elements (RFC 5322 §4.4)', () => {
  assert.deepEqual(all('a@b.example, "C D" <c@d.example> ,e@f.example'), [
    'a@b.example',
    'c@d.example',
    'e@f.example',
  ]);
  assert.deepEqual(all(', a@b,,c@d ,'), ['a@b', 'c@d']);
});

test('parses groups and flattens their members', () => {
  assert.deepEqual(all('team: a@x, b@y;'), ['a@x', 'b@y']);
  assert.deepEqual(all('a@b, team: c@d;, e@f'), ['a@b', 'c@d', 'e@f']);
  assert.deepEqual(all('team: a@x'), ['a@x']);
});

test('gives an empty list for empty groups and empty values', () => {
  assert.deepEqual(all('undisclosed-recipients:;'), []);
  assert.deepEqual(all('team: ;'), []);
  assert.deepEqual(all(''), []);
  assert.deepEqual(all('(only a comment)'), []);
  assert.deepEqual(all('team: ;, a@b'), ['a@b']);
});

test('skips comments anywhere, nested and with quoted-pairs (RFC 5322 A.5)', () => {
  const pete = one('Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>');
  assert.equal(pete.address, 'pete@silly.test');
  assert.equal(pete.name, 'Pete');
  assert.equal(one('(x (nested (deep))) a@b (trailing)').address, 'a@b');
  assert.equal(one('<a@b>(c)').address, 'a@b');
});

test('unquotes quoted local parts and re-quotes them in the address only when needed', () => {
  const spaced = one('"a b"@example.com');
  assert.equal(spaced.localPart, 'a b');
  assert.equal(spaced.address, '"a b"@example.com');
  const at = one('"a@b"@example.com');
  assert.equal(at.localPart, 'a@b');
  assert.equal(at.domain, 'example.com');
  const escaped = one('"a\\"b"@c');
  assert.equal(escaped.localPart, 'a"b');
  assert.equal(escaped.address, '"a\\"b"@c');
  assert.equal(one('"plain"@c').address, 'plain@c');
  assert.equal(one('"a".b@c').address, 'a.b@c');
});

test('accepts stray dots in the local part like Pigeonhole, quoting them in the address', () => {
  assert.equal(one('a.b.@x').address, '"a.b."@x');
  assert.equal(one('a..b@x').address, '"a..b"@x');
  assert.equal(one('.a@b').address, '".a"@b');
});

test('ignores obsolete routes (RFC 5322 §4.4 obs-route)', () => {
  assert.equal(one('<@r1,@r2:a@b>').address, 'a@b');
  assert.equal(one('Joe <@r1:a@b>').name, 'Joe');
  assert.equal(one('<@r1,a@b>').address, 'a@b');
});

test('keeps domain literals and domain case as written', () => {
  assert.deepEqual(one('a@[1.2.3.4]').domain, '[1.2.3.4]');
  assert.deepEqual(one('a@[x\\]y]').domain, '[x\\]y]');
  assert.deepEqual(one('a@B.Example').domain, 'B.Example');
});

test('decodes RFC 2047 display names, also inside quotes', () => {
  assert.equal(one('=?utf-8?q?Andr=C3=A9?= <a@b>').name, 'André');
  assert.equal(one('"=?iso-8859-1?q?J=F6rg?=" <a@b>').name, 'Jörg');
  assert.equal(one('=?utf-8?q?a?= =?utf-8?q?b?= <a@b>').name, 'ab');
});

test('accepts UTF-8 addresses (RFC 6532 §3.2) and CFWS around dots (RFC 5322 §4.4)', () => {
  assert.deepEqual(one('jöe@bücher.de'), {
    localPart: 'jöe',
    domain: 'bücher.de',
    address: 'jöe@bücher.de',
    name: '',
  });
  assert.equal(one('a . b @ c . d').address, 'a.b@c.d');
});

test('treats values without any usable mailbox as not an address list, like Pigeonhole', () => {
  for (const value of [
    'root',
    'root, other',
    '<>',
    'Joe <a>',
    'a@',
    '@b',
    'a b@c',
    'a b@c, d@e',
    'Joe a@b',
  ]) {
    assert.equal(parseAddressList(value), null, value);
  }
});

test('treats unbalanced quotes, comments, brackets and angles as not an address list', () => {
  for (const value of ['"a b', 'a@b (x', '<a@b', 'Joe <a@b', 'a@[1.2', '(a@b', 'a"b"@c']) {
    assert.equal(parseAddressList(value), null, value);
  }
});

test('rejects invalid domains like Pigeonhole', () => {
  for (const value of ['a@b.', 'a@.b', 'a@b..c']) assert.equal(parseAddressList(value), null, value);
});

test('keeps the mailboxes before trailing junk and skips those without a domain', () => {
  assert.deepEqual(all('a@b junk'), ['a@b']);
  assert.deepEqual(all('a@b c@d'), ['a@b']);
  assert.deepEqual(all('<a@b> junk'), ['a@b']);
  assert.deepEqual(all('a@b>'), ['a@b']);
  assert.deepEqual(all('a@b;c@d'), ['a@b']);
  assert.deepEqual(all('x:a@b;junk'), ['a@b']);
  assert.deepEqual(all('a@b, root'), ['a@b']);
  assert.deepEqual(all('c, a@b'), ['a@b']);
  assert.deepEqual(all('a@b, <>'), ['a@b']);
  assert.deepEqual(all('a@b, "x'), ['a@b']);
  assert.deepEqual(all('a@b, (x'), ['a@b']);
  assert.deepEqual(all('a@b, a b@c'), ['a@b']);
});

test('rejects nested groups', () => {
  assert.equal(parseAddressList('a: b: c@d;;'), null);
});

test('exposes raw trimmed values next to the parsed list, per header occurrence', () => {
  const msg = parseMessage(new TextEncoder().encode('To: a@b,\r\n  c@d  \r\nTo: root\r\nCc:\r\n\r\n'));
  assert.deepEqual(msg.addresses('to'), [
    {
      raw: 'a@b,  c@d',
      addresses: [
        { localPart: 'a', domain: 'b', address: 'a@b', name: '' },
        { localPart: 'c', domain: 'd', address: 'c@d', name: '' },
      ],
    },
    { raw: 'root', addresses: null },
  ]);
  assert.deepEqual(msg.addresses('cc'), [{ raw: '', addresses: [] }]);
});
