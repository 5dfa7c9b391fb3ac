// RFC 5173 (body) and the MIME layer under it (src/sieve/message/mime.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compile, parseMessage, run } from '../../../../src/sieve/index.js';
import {
  decodeQuotedPrintable,
  htmlToText,
  parseContentType,
  parseStructuredValue,
} from '../../../../src/sieve/message/mime.js';
import { actions, errorCodes, fileinto, KEEP, program } from '../helpers.js';

const crlf = (lines: string[]): string => lines.join('\r\n');

const MULTIPART = crlf([
  'From: a@example.com',
  'To: b@example.org',
  'Subject: parts',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="XX"',
  '',
  'preamble text',
  '--XX',
  'Content-Type: text/plain; charset=iso-8859-1',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  'caf=E9 au lait=',
  ' soft',
  '--XX',
  'Content-Type: text/html',
  '',
  '<p>second <b>part</b> &amp; more</p>',
  '--XX',
  'Content-Type: application/octet-stream',
  'Content-Transfer-Encoding: base64',
  '',
  'aGVsbG8gd29y',
  'bGQ=',
  '--XX',
  'Content-Type: message/rfc822',
  '',
  'From: inner@example.net',
  'Subject: inner subject',
  '',
  'inner body',
  '--XX--',
  'epilogue text',
  '',
]);

/** Files into "yes" when the test holds, else keeps. */
function holds(testExpr: string, message = MULTIPART, extra: string[] = []): boolean {
  const caps = ['body', 'fileinto', ...extra].map((c) => `"${c}"`).join(', ');
  const r = actions(`require [${caps}];\nif ${testExpr} { fileinto "yes"; }`, message);
  return r.some((a) => a.type === 'fileinto' && a.mailbox === 'yes');
}

test('RFC 5173 §5.3: :text is the default and sees decoded text parts only', () => {
  assert.equal(holds('body :contains "café au lait soft"'), true); // quoted-printable, Latin-1
  assert.equal(holds('body :text :contains "second part & more"'), true); // HTML reduced to text
  assert.equal(holds('body :text :contains "<b>"'), false);
  assert.equal(holds('body :text :contains "hello world"'), false); // not a text part
  assert.equal(holds('body :text :contains "preamble"'), false);
  assert.equal(holds('body :text :contains "inner body"'), true); // inside message/rfc822
});

test('RFC 5173 §5.1: :raw is the undecoded body as one string', () => {
  assert.equal(holds('body :raw :contains "caf=E9"'), true);
  assert.equal(holds('body :raw :contains "aGVsbG8g"'), true);
  assert.equal(holds('body :raw :contains "Content-Type: text/html"'), true);
  assert.equal(holds('body :raw :contains "café"'), false);
});

test('RFC 5173 §5.2: :content with type lists, decoded, multipart preamble and epilogue', () => {
  assert.equal(holds('body :content "application/octet-stream" :is "hello world"'), true);
  assert.equal(holds('body :content "text/html" :contains "<b>part</b>"'), true);
  assert.equal(holds('body :content "text/html" :contains "second part"'), false);
  assert.equal(holds('body :content "text" :contains "caf\u00e9"'), true);
  assert.equal(holds('body :content "TEXT/PLAIN" :contains "caf\u00e9"'), true);
  assert.equal(holds('body :content "image" :contains ""'), false);
  // A matching multipart gives its preamble and epilogue, not its children.
  assert.equal(holds('body :content "multipart" :is "preamble text"'), true);
  assert.equal(holds('body :content "multipart" :contains "epilogue text"'), true);
  assert.equal(holds('body :content "multipart" :contains "second"'), false);
  // A matching message/rfc822 gives the enclosed header.
  assert.equal(holds('body :content "message/rfc822" :contains "Subject: inner subject"'), true);
  assert.equal(holds('body :content "message/rfc822" :contains "inner body"'), false);
  // "" matches every part.
  assert.equal(holds('body :content "" :contains "hello world"'), true);
  assert.equal(holds('body :content ["image", "application"] :contains "hello"'), true);
});

test('RFC 5173 §5.2: a message/rfc822 part gives the enclosed header as one string, without the empty line', () => {
  assert.equal(
    holds('body :content "message/rfc822" :is "From: inner@example.net\r\nSubject: inner subject\r\n"'),
    true,
  );
});

test('RFC 5173 §5.3: :text reads XHTML as HTML', () => {
  const msg = crlf([
    'Content-Type: multipart/alternative; boundary=b',
    '',
    '--b',
    'Content-Type: application/xhtml+xml; charset="us-ascii"',
    '',
    '<html><body>XHTML Hello</body></html>',
    '--b--',
    '',
  ]);
  assert.equal(holds('body :text :contains "XHTML Hello"', msg), true);
  assert.equal(holds('body :text :contains "<body>"', msg), false);
});

test('RFC 2045 §6.4: a part with an unknown transfer encoding is application/octet-stream', () => {
  const msg = crlf([
    'Content-Type: multipart/mixed; boundary=outer',
    '',
    '--outer',
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: multipart/related',
    '',
    '<html><body>Please say Hello</body></html>',
    '--outer--',
    '',
  ]);
  assert.equal(holds('body :text :contains "Hello"', msg), false);
  assert.equal(holds('body :content "text" :contains "Hello"', msg), false);
  assert.equal(holds('body :content "application/octet-stream" :contains "Please say Hello"', msg), true);
  // Known encodings, in any case, are not affected.
  const upper = msg.replace('multipart/related', 'Quoted-Printable');
  assert.equal(holds('body :text :contains "Please say Hello"', upper), true);
});

test('RFC 5173: the content of a part ends before the line break of the next delimiter', () => {
  const msg = crlf(['Content-Type: multipart/mixed; boundary=b', '', '--b', '', 'exact', '--b--', '']);
  assert.equal(holds('body :content "text" :is "exact"', msg), true);
});

test('RFC 5173: a message without MIME is one text/plain part; the default match is :is', () => {
  const msg = crlf(['From: a@example.com', 'Subject: x', '', 'Plain body', '']);
  assert.equal(holds('body :contains "plain BODY"', msg), true); // i;ascii-casemap
  assert.equal(holds('body "Plain body\r\n"', msg), true);
  assert.equal(holds('body :comparator "i;octet" :contains "plain BODY"', msg), false);
  assert.equal(holds('body :content "text/plain" :contains "Plain"', msg), true);
});

test('RFC 5173 §6: body :matches does not set match variables; earlier ones stay', () => {
  const msg = crlf(['Subject: x', '', 'Order 1234 shipped', '']);
  const r = actions(
    'require ["body", "variables", "fileinto"];\n' +
      'if body :matches "Order * shipped*" { fileinto "n-${1}"; }\n' +
      'if header :matches "subject" "*" { if body :matches "Order * *" { fileinto "s-${1}"; } }',
    msg,
  );
  assert.deepEqual(r, [fileinto('n-'), fileinto('s-x')]);
});

test('body needs require "body"; :raw, :content and :text exclude each other', () => {
  assert.deepEqual(errorCodes('if body :contains "x" { keep; }'), ['require.missing']);
  assert.deepEqual(errorCodes('require "body";\nif body :raw :text :contains "x" { keep; }'), [
    'argument.duplicate-group',
  ]);
  assert.deepEqual(errorCodes('require "body";\nif body :content :contains "x" { keep; }'), [
    'argument.tag-value',
  ]);
});

test('Program.needsBody is set for body scripts only', () => {
  assert.equal(program('require "body";\nif body :contains "x" { keep; }').needsBody, true);
  assert.equal(program('if header :contains "subject" "x" { keep; }').needsBody, false);
});

test('a body test on a header-only message sees an empty body, never fails', () => {
  const r = run(program('require "body";\nif body :contains "x" { discard; }'), {
    message: parseMessage(new TextEncoder().encode('Subject: x\r\n')),
    envelope: { from: 'a@example.com', to: 'b@example.org' },
  });
  assert.equal(r.error, null);
  assert.deepEqual(r.actions, [KEEP]);
});

test('MIME: nesting beyond maxMimeDepth is opaque and bounded, never a crash', () => {
  let msg = '';
  const depth = 200;
  for (let i = 0; i < depth; i++) msg += `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n`;
  msg += 'Content-Type: text/plain\r\n\r\ndeep text\r\n';
  for (let i = depth - 1; i >= 0; i--) msg += `--b${i}--\r\n`;
  const m = parseMessage(new TextEncoder().encode(msg));
  const tree = m.mime!({ maxDepth: 32, maxParts: 10_000 });
  assert.equal(tree.parts.length, 33);
  assert.equal(tree.parts[32]!.opaque, true);
  // The text below the limit is not reached.
  assert.equal(holds('body :contains "deep text"', msg), false);
  const few = parseMessage(new TextEncoder().encode(msg)).mime!({ maxDepth: 1000, maxParts: 5 });
  assert.equal(few.parts.length, 5);
});

test('MIME: malformed structures do not throw', () => {
  const bad = [
    'Content-Type: multipart/mixed; boundary=\r\n\r\n--\r\n',
    'Content-Type: multipart/mixed; boundary="x"\r\n\r\nno delimiter at all',
    'Content-Type: multipart/mixed; boundary="x"\r\n\r\n--x\r\nheader only',
    'Content-Type: message/rfc822\r\n\r\n',
    'Content-Type: text/plain; charset="nonexistent"\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!@@@',
    'Content-Type: ;;;==\r\n\r\nx',
    '',
  ];
  for (const msg of bad) {
    const r = run(program('require "body";\nif body :content "" :contains "x" { discard; }'), {
      message: parseMessage(new TextEncoder().encode(msg)),
      envelope: { from: null, to: 'b@example.org' },
    });
    assert.equal(r.error, null, msg);
  }
});

test('MIME: a boundary that is a prefix of a longer line is not a delimiter (RFC 2046 §5.1.1)', () => {
  const msg = crlf([
    'Content-Type: multipart/mixed; boundary=XX',
    '',
    '--XX',
    '',
    'before --XXY inside',
    '--XXY',
    'still the first part',
    '--XX--',
    '',
  ]);
  const tree = parseMessage(new TextEncoder().encode(msg)).mime!();
  assert.equal(tree.parts.length, 2);
  assert.equal(holds('body :content "text" :contains "still the first part"', msg), true);
});

test('RFC 2231 parameters: continuations, charsets, comments and quoting', () => {
  const v = parseStructuredValue(
    'attachment; filename*0="long"; filename*1="name.pdf"; name*=utf-8\'\'r%C3%A9sum%C3%A9.txt (c); x="a\\"b"',
  );
  assert.equal(v.value, 'attachment');
  assert.equal(v.params.get('filename'), 'longname.pdf');
  assert.equal(v.params.get('name'), 'résumé.txt');
  assert.equal(v.params.get('x'), 'a"b');
  assert.deepEqual(parseContentType('Text/HTML; Charset=UTF-8')?.params.get('charset'), 'UTF-8');
  assert.equal(parseContentType('text')?.type, undefined);
  assert.equal(parseContentType('text/plain (comment)')?.subtype, 'plain');
});

test('quoted-printable: soft breaks, octets, malformed "=" kept (RFC 2045 §6.7)', () => {
  const dec = (s: string): string =>
    new TextDecoder().decode(decodeQuotedPrintable(new TextEncoder().encode(s), 0, s.length));
  assert.equal(dec('a=3Db=\r\nc'), 'a=bc');
  assert.equal(dec('a= \r\nb'), 'ab');
  assert.equal(dec('50=25 =ZZ'), '50% =ZZ');
});

test('HTML to text: tags, comments, scripts and entities', () => {
  assert.equal(htmlToText('<p>a&lt;b &#233;&#x41;</p><script>x()</script><!-- c -->d'), 'a<b éA\nd');
  assert.equal(htmlToText('<b>unterminated'), 'unterminated');
});

test('the compile result of a body script carries no errors for every transform', () => {
  for (const t of [':raw', ':text', ':content "text"', ':content ["text", ""]']) {
    assert.ok(compile(`require "body";\nif body ${t} :contains "x" { keep; }`).program, t);
  }
});

test('§5: a message that is only a header (no empty line after it) has no body at all', () => {
  const headerOnly = 'From: a@example.com\r\nSubject: nothing follows\r\n';
  const any = (t: string, m: string) =>
    actions(`require "body"; if body ${t} { discard; }`, m)[0]?.type === 'discard';
  for (const t of [
    ':raw :contains ""',
    ':raw :is ""',
    ':raw :matches "*"',
    ':text :contains ""',
    ':content "text" :contains ""',
  ]) {
    assert.equal(any(t, headerOnly), false, t);
  }
  // An empty body after the empty line is a body: the empty string.
  assert.equal(any(':raw :is ""', 'From: a@example.com\r\n\r\n'), true);
  // A message without header fields starts with the empty line: all of it after that is the body.
  assert.equal(any(':raw :is "x"', '\r\nx'), true);
  assert.equal(any(':raw :is "x"', '\nx'), true);
});
