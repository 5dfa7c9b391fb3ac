// RFC 5703: foreverypart/break (§3), the :mime tests (§4), replace (§5), enclose (§6) and
// extracttext (§7). replace and enclose are not in Pigeonhole: these tests are their reference.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMessage, run } from '../../../../src/sieve/index.js';
import type { MessageEdit } from '../../../../src/sieve/message/edit.js';
import { applyEdits } from '../../../../src/sieve/message/edit.js';
import { actions, errorCodes, program } from '../helpers.js';

const crlf = (lines: string[]): string => lines.join('\r\n');

/** multipart/mixed [ multipart/alternative [text/plain, text/html], octet-stream, message/rfc822 [text/plain] ] */
const NESTED = crlf([
  'From: a@example.com',
  'To: b@example.org',
  'Subject: hi',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="XX"',
  '',
  '--XX',
  'Content-Type: multipart/alternative; boundary=YY',
  '',
  '--YY',
  'Content-Type: text/plain',
  '',
  'alt plain',
  '--YY',
  'Content-Type: text/html',
  '',
  '<html><body>alt <i>html</i></body></html>',
  '--YY--',
  '--XX',
  "Content-Type: application/octet-stream; name*=utf-8''r%C3%A9sum%C3%A9.txt",
  'Content-Disposition: attachment;',
  ' filename*0="long";',
  ' filename*1="name.pdf"',
  'Content-Transfer-Encoding: base64',
  '',
  'aGVsbG8gd29ybGQ=',
  '--XX',
  'Content-Type: message/rfc822',
  '',
  'From: inner@example.net',
  'Subject: inner subject',
  'Content-Type: text/plain; charset=iso-8859-1',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  'caf=E9 inner',
  '--XX--',
  '',
]);

const PLAIN = crlf(['From: a@example.com', 'Subject: plain', '', 'plain body', '']);

const REQ =
  'require ["foreverypart", "mime", "extracttext", "variables", "fileinto", "replace", "enclose"];\n';

function folders(script: string, message = NESTED): string[] {
  return actions(REQ + script, message).flatMap((a) => (a.type === 'fileinto' ? [a.mailbox] : []));
}

function editsOf(script: string, message = NESTED): MessageEdit[] {
  const e = actions(REQ + script, message).find((a) => a.type === 'edit');
  return e?.type === 'edit' ? e.edits : [];
}

test('RFC 5703 §3.1: foreverypart visits every part in pre-order, the message first', () => {
  const s =
    'set "n" ""; foreverypart { if header :mime :matches :contenttype "content-type" "*" { set "n" "${n}${1},"; } }\nfileinto "${n}";';
  assert.deepEqual(folders(s), [
    'multipart/mixed,multipart/alternative,text/plain,text/html,application/octet-stream,message/rfc822,text/plain,',
  ]);
  // A message without MIME is one part (without a Content-Type field).
  assert.deepEqual(folders('set "n" ""; foreverypart { set "n" "${n}x"; } fileinto "${n}";', PLAIN), ['x']);
});

test('RFC 5703 §3.1: a nested loop visits the parts below the outer loop’s current part', () => {
  const s =
    'set "n" ""; foreverypart { set "n" "${n}|"; foreverypart { if header :mime :matches :subtype "content-type" "*" { set "n" "${n}${1},"; } } }\nfileinto "${n}";';
  assert.deepEqual(folders(s), ['|alternative,plain,html,octet-stream,rfc822,plain,|plain,html,||||plain,|']);
});

test('RFC 5703 §3.2: break ends the innermost loop, or the named one', () => {
  assert.deepEqual(
    folders('set "n" ""; foreverypart { set "n" "${n}x"; break; set "n" "${n}never"; } fileinto "${n}";'),
    ['x'],
  );
  const named =
    'set "n" ""; foreverypart :name "outer" { set "n" "${n}o"; foreverypart { set "n" "${n}i"; break :name "outer"; } } fileinto "${n}";';
  assert.deepEqual(folders(named), ['oi']);
  const inner =
    'set "n" ""; foreverypart :name "outer" { set "n" "${n}o"; foreverypart :name "in" { set "n" "${n}i"; break :name "in"; } } fileinto "${n}";';
  assert.deepEqual(folders(inner), ['oioiooooio']);
  // stop inside a loop ends the script.
  assert.deepEqual(folders('foreverypart { stop; } fileinto "never";'), []);
});

test('RFC 5703 §3.2: break outside a loop, or naming no enclosing loop, is a compile error', () => {
  assert.deepEqual(errorCodes(REQ + 'break;'), ['break.outside-loop']);
  assert.deepEqual(errorCodes(REQ + 'foreverypart :name "a" { } break :name "a";'), ['break.outside-loop']);
  assert.deepEqual(errorCodes(REQ + 'foreverypart :name "a" { break :name "b"; }'), ['break.unknown-loop']);
  assert.deepEqual(errorCodes(REQ + 'foreverypart :name "a" { if true { break :name "a"; } }'), []);
  assert.deepEqual(errorCodes('foreverypart { }'), ['require.missing']);
});

test('RFC 5703 §4: :type, :subtype, :contenttype and :param on the current part', () => {
  const top = (t: string): string[] => folders(`if header :mime ${t} { fileinto "yes"; }`);
  assert.deepEqual(top(':type "content-type" "multipart"'), ['yes']);
  assert.deepEqual(top(':subtype "content-type" "mixed"'), ['yes']);
  assert.deepEqual(top(':contenttype "content-type" "multipart/mixed"'), ['yes']);
  assert.deepEqual(top(':param "boundary" "content-type" "XX"'), ['yes']);
  assert.deepEqual(top(':type "subject" "hi"'), []); // not a content type
  assert.deepEqual(top('"subject" "hi"'), ['yes']); // plain :mime: the header as usual
  // Without a Content-Type field there is no value (no default is made up).
  assert.deepEqual(
    folders('if header :mime :contenttype "content-type" "text/plain" { fileinto "yes"; }', PLAIN),
    [],
  );
});

test('RFC 5703 §4: :anychild tests the current part and every part below it', () => {
  const any = (t: string): string[] => folders(`if header :mime :anychild ${t} { fileinto "yes"; }`);
  assert.deepEqual(any(':contenttype "content-type" "text/html"'), ['yes']);
  assert.deepEqual(any(':contenttype "content-type" "multipart/mixed"'), ['yes']);
  assert.deepEqual(any(':param "filename" "content-disposition" "longname.pdf"'), ['yes']); // RFC 2231
  assert.deepEqual(any(':param "name" "content-type" "résumé.txt"'), ['yes']);
  // RFC 5703 §4.2 on Content-Disposition: :type and :contenttype are the disposition type,
  // :subtype is empty.
  assert.deepEqual(any(':type "content-disposition" "attachment"'), ['yes']);
  assert.deepEqual(any(':contenttype "content-disposition" "attachment"'), ['yes']);
  assert.deepEqual(any(':subtype "content-disposition" ""'), ['yes']);
  assert.deepEqual(any('"subject" "inner subject"'), ['yes']); // the enclosed message's header
  assert.deepEqual(any(':contenttype "content-type" "image/png"'), []);
  // Inside a loop: per part. On the text/html leaf, only itself (RFC 5703 §4; Pigeonhole 0.5
  // also looks past the end of the enclosing multipart there).
  const s =
    'set "n" ""; foreverypart { set "n" "${n}|"; if header :mime :anychild :type "content-type" "text" { set "n" "${n}T"; } if exists :mime :anychild "content-disposition" { set "n" "${n}D"; } } fileinto "${n}";';
  assert.deepEqual(folders(s), ['|TD|T|T|T|D|T|T']);
  assert.deepEqual(
    folders('if address :mime :anychild :domain "from" "example.net" { fileinto "inner-from"; }'),
    ['inner-from'],
  );
});

test('RFC 5703 §4.3: exists :mime :anychild is true when each named field is in some part', () => {
  const exists = (names: string): string[] =>
    folders(`if exists :mime :anychild ${names} { fileinto "yes"; }`);
  // Content-Disposition only in the attachment, Content-Transfer-Encoding there and in the
  // enclosed message; MIME-Version only at the top.
  assert.deepEqual(exists('["content-disposition", "mime-version"]'), ['yes']);
  assert.deepEqual(exists('["content-disposition", "content-transfer-encoding", "subject"]'), ['yes']);
  assert.deepEqual(exists('["content-disposition", "x-nowhere"]'), []);
  // Without :anychild, the fields of the current part only.
  assert.deepEqual(
    folders('if exists :mime ["content-disposition", "mime-version"] { fileinto "yes"; }'),
    [],
  );
});

test('RFC 5703 §4: MIME options need :mime; :param and the type options only on header', () => {
  assert.deepEqual(errorCodes(REQ + 'if header :type "content-type" "text" { }'), ['mime.without-mime']);
  assert.deepEqual(errorCodes(REQ + 'if exists :anychild "content-type" { }'), ['mime.without-mime']);
  assert.deepEqual(errorCodes(REQ + 'if address :mime :param "x" "from" "a" { }'), ['argument.unknown-tag']);
  assert.deepEqual(errorCodes(REQ + 'if header :mime :type :subtype "content-type" "a" { }'), [
    'argument.duplicate-group',
  ]);
  assert.deepEqual(errorCodes('require "fileinto";\nif header :mime "subject" "a" { }'), ['require.missing']);
});

test('RFC 5703 §7: extracttext stores the current part’s text, :first and modifiers applied', () => {
  const s =
    'set "n" ""; foreverypart { extracttext :first 3 "t"; set "n" "${n}<${t}>"; extracttext :upper :first 2 "w"; set "n" "${n}${w}"; } fileinto "${n}";';
  // Multiparts and message/rfc822 give ""; HTML is reduced to text; Latin-1 QP decoded.
  assert.deepEqual(folders(s), ['<><><alt>AL<alt>AL<hel>HE<><caf>CA']);
  assert.deepEqual(folders('foreverypart { extracttext :length "t"; fileinto "${t}"; break; }', PLAIN), [
    '12',
  ]);
});

test('RFC 5703 §7: extracttext needs variables and foreverypart, and a loop around it', () => {
  assert.deepEqual(errorCodes(REQ + 'extracttext "t";'), ['extracttext.outside-loop']);
  assert.deepEqual(
    errorCodes('require ["foreverypart", "extracttext"];\nforeverypart { extracttext "t"; }'),
    ['extracttext.requires'],
  );
  assert.deepEqual(errorCodes(REQ + 'foreverypart { extracttext "a.b"; }'), ['extracttext.invalid-name']);
  assert.deepEqual(errorCodes(REQ + 'foreverypart { extracttext :lower :upper "t"; }'), [
    'extracttext.modifier-conflict',
  ]);
});

test('RFC 5703 §5: replace outside a loop replaces the body; :subject and :from keep the originals', () => {
  const s =
    'replace :subject "New" :from "x@example.com" "the new body";\n' +
    'if header :is "subject" "New" { fileinto "subject"; }\n' +
    'if header :is "original-subject" "hi" { fileinto "original-subject"; }\n' +
    'if header :is "original-from" "a@example.com" { fileinto "original-from"; }\n' +
    'if address :is "from" "x@example.com" { fileinto "from"; }\n' +
    'if header :mime :contenttype "content-type" "text/plain" { fileinto "text"; }\n' +
    'if header :is "to" "b@example.org" { fileinto "to-kept"; }\n' +
    'foreverypart { extracttext "t"; fileinto "body=${t}"; }';
  assert.deepEqual(folders(s), [
    'subject',
    'original-subject',
    'original-from',
    'from',
    'text',
    'to-kept',
    'body=the new body',
  ]);
});

test('RFC 5703 §5: replace in a loop replaces the current part; the loop does not enter it', () => {
  const s =
    'foreverypart { if header :mime :contenttype "content-type" "multipart/alternative" { replace "was alternative"; } }\n' +
    'set "n" ""; foreverypart { if header :mime :matches :contenttype "content-type" "*" { set "n" "${n}${1},"; } }\nfileinto "${n}";\n' +
    'if header :is "subject" "hi" { fileinto "subject-kept"; }';
  assert.deepEqual(folders(s), [
    'multipart/mixed,text/plain,application/octet-stream,message/rfc822,text/plain,',
    'subject-kept',
  ]);
  // :mime: the replacement is a MIME entity; its new parts are not visited by the running loop.
  const m =
    'set "n" ""; foreverypart { set "n" "${n}."; if header :mime :type "content-type" "application" { replace :mime "Content-Type: multipart/mixed; boundary=Q\\r\\n\\r\\n--Q\\r\\n\\r\\nnew\\r\\n--Q--\\r\\n"; } } fileinto "${n}";\n' +
    'if header :mime :anychild :contenttype "content-type" "multipart/mixed" { fileinto "ok"; }';
  assert.deepEqual(folders(m.replace(/\\\\r\\\\n/g, '\r\n')), ['.......', 'ok']);
});

test('RFC 5703 §5: an invalid :from is a compile error, or a run-time error from a variable', () => {
  assert.deepEqual(errorCodes(REQ + 'replace :from "not an address" "x";'), ['replace.invalid-from']);
  const r = run(program(REQ + 'set "f" "nope"; replace :from "${f}" "x";'), {
    message: parseMessage(new TextEncoder().encode(PLAIN)),
    envelope: { from: null, to: 'b@example.org' },
  });
  assert.match(r.error?.message ?? '', /not a valid mailbox list/);
});

test('RFC 5703 §6: enclose wraps the message as message/rfc822 in a new multipart/mixed', () => {
  const s =
    'enclose :subject "Wrapped" :headers ["To", "X-None"] "See the attachment.";\n' +
    'if header :is "subject" "Wrapped" { fileinto "subject"; }\n' +
    'if header :is "to" "b@example.org" { fileinto "to-copied"; }\n' +
    'if header :mime :contenttype "content-type" "multipart/mixed" { fileinto "mixed"; }\n' +
    'if header :mime :anychild "subject" "plain" { fileinto "enclosed"; }\n' +
    'if address :is "from" "me@example.org" { fileinto "from-user"; }\n' +
    'if exists "date" { fileinto "date"; }\n' +
    'set "n" ""; foreverypart { extracttext "t"; set "n" "${n}[${t}]"; } fileinto "${n}";';
  const r = run(program(REQ + s), {
    message: parseMessage(new TextEncoder().encode(PLAIN)),
    envelope: { from: 'x@example.com', to: 'b@example.org' },
    host: { userAddresses: ['me@example.org'], now: () => Date.UTC(2024, 0, 1, 10, 0, 0) },
  });
  assert.equal(r.error, null);
  assert.deepEqual(
    r.actions.flatMap((a) => (a.type === 'fileinto' ? [a.mailbox] : [])),
    ['subject', 'mixed', 'enclosed', 'from-user', 'date', '[][See the attachment.][][plain body\r\n]'],
  );
  const edit = r.actions.find((a) => a.type === 'edit');
  assert.equal(
    edit?.type === 'edit' && edit.edits[0]?.op === 'enclose' && edit.edits[0].date,
    'Mon, 1 Jan 2024 10:00:00 +0000',
  );
  // Without :subject, the enclosed message's subject is used; twice encloses twice.
  assert.deepEqual(
    folders(
      'enclose "a"; enclose "b";\nif header :is "subject" "plain" { fileinto "subject"; }\nset "n" ""; foreverypart { set "n" "${n}x"; } fileinto "${n}";',
      PLAIN,
    ),
    ['subject', 'xxxxxxx'],
  );
});

test('replace and enclose are recorded for delivery; applyEdits rebuilds the same message', () => {
  const list = editsOf('replace "new";\nenclose :subject "S" "text";', PLAIN);
  assert.deepEqual(
    list.map((e) => e.op),
    ['replace', 'enclose'],
  );
  const out = new TextDecoder().decode(applyEdits(new TextEncoder().encode(PLAIN), list));
  assert.match(out, /^From: bob@example.org\r\nDate: /);
  assert.match(
    out,
    /Content-Type: message\/rfc822\r\n\r\nFrom: a@example.com\r\nSubject: plain\r\nMIME-Version: 1.0\r\nContent-Type: text\/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nnew\r\n--/,
  );
  assert.equal(program(REQ + 'enclose "x";').needsBody, true);
});
