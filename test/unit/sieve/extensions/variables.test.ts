// RFC 5229: variables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, parseMessage } from '../../../../src/sieve/index.js';
import { actions, errorCodes, fileinto, KEEP, runScript } from '../helpers.js';

const R = 'require ["variables", "fileinto"];\n';
/** The mailbox the script files into, or null for the implicit keep. */
function folder(body: string, message?: string): string | null {
  const a = actions(R + body, message);
  const f = a.find((x) => x.type === 'fileinto');
  return f && f.type === 'fileinto' ? f.mailbox : null;
}

test('§3 examples: references, unknown variables, illegal references left as written', () => {
  const set = 'set "company" "ACME";\n';
  assert.equal(folder(`${set}fileinto "[&%\${}!]";`), '[&%${}!]');
  assert.equal(folder(`${set}fileinto "[\${doh!}]";`), '[${doh!}]');
  assert.equal(folder(`${set}fileinto "[\${full}]";`), '[]');
  assert.equal(folder(`${set}fileinto "\${company}";`), 'ACME');
  assert.equal(folder(`${set}fileinto "\${BAD\${Company}";`), '${BADACME');
  assert.equal(folder(`${set}fileinto "\${President, \${Company} Inc.}";`), '${President, ACME Inc.}');
});

test('variable names are case-insensitive; substituted text is not scanned again', () => {
  assert.equal(folder('set "A" "1"; set "B" "x"; fileinto "${a}-${B}";'), '1-x');
  // "${d}{c}" makes the text "${c}", which stays as it is when substituted later.
  assert.equal(folder('set "c" "no"; set "d" "$"; set "b" "${d}{c}"; fileinto "${b}";'), '${c}');
});

test('§4.1 modifiers and their precedence', () => {
  assert.equal(folder('set :upperfirst :lower "x" "hELLO wORLD"; fileinto "${x}";'), 'Hello world');
  assert.equal(folder('set :lowerfirst "x" "ABC"; fileinto "${x}";'), 'aBC');
  assert.equal(folder('set :upper "x" "straße"; fileinto "${x}";'), 'STRASSE');
  assert.equal(folder('set :quotewildcard "x" "a*b?c\\\\d"; fileinto "${x}";'), 'a\\*b\\?c\\\\d');
  // :length applies last (precedence 10), after :quotewildcard (20).
  assert.equal(folder('set :length :quotewildcard "x" "**"; fileinto "${x}";'), '4');
  assert.equal(folder('set :length "x" "héllo😀"; fileinto "${x}";'), '6');
  assert.equal(folder('set :length "x" ""; fileinto "n${x}";'), 'n0');
});

test('set errors: same precedence, invalid or dynamic names, unknown namespaces', () => {
  assert.deepEqual(errorCodes(R + 'set :lower :upper "x" "y";'), ['set.modifier-conflict']);
  assert.deepEqual(errorCodes(R + 'set :lowerfirst :upperfirst "x" "y";'), ['set.modifier-conflict']);
  assert.deepEqual(errorCodes(R + 'set "1x" "y";'), ['set.invalid-name']);
  assert.deepEqual(errorCodes(R + 'set "${a}" "y";'), ['set.invalid-name']);
  assert.deepEqual(errorCodes(R + 'set "a.b" "y";'), ['set.invalid-name']);
  assert.deepEqual(errorCodes(R + 'fileinto "${nosuch.x}";'), ['variables.unknown-namespace']);
  assert.equal(errorCodes('require "fileinto"; set "a" "b";').length, 1, 'set needs require "variables"');
});

test('without require "variables", ${...} is literal text', () => {
  const a = actions('require "fileinto"; fileinto "${x}";');
  assert.deepEqual(a, [fileinto('${x}')]);
});

test('§3.2 match variables from :matches; unchanged by a failed match', () => {
  const msg = 'Subject: Meeting tomorrow at noon\r\nFrom: a@b.c\r\n\r\n';
  assert.equal(
    folder('if header :matches "subject" "* tomorrow *" { fileinto "${1}|${2}|${0}|${3}"; }', msg),
    'Meeting|at noon|Meeting tomorrow at noon|',
  );
  assert.equal(
    folder(
      'if header :matches "subject" "*ing*" {} if header :matches "subject" "nomatch*" {} fileinto "${1}";',
      msg,
    ),
    'Meet',
  );
  assert.equal(
    folder('if header :matches "subject" "M?eting *" { fileinto "${1}${2}"; }', msg),
    'etomorrow at noon',
  );
});

test('§5 string test, and :count skips empty strings', () => {
  assert.equal(folder('set "a" "x"; if string :is "${a}" "x" { fileinto "yes"; }'), 'yes');
  assert.equal(folder('if string :is "${unset}" "" { fileinto "empty"; }'), 'empty');
  assert.equal(folder('if string :contains ["a", "bcd"] "c" { fileinto "list"; }'), 'list');
  assert.deepEqual(actions(R + 'if string :is "a" "b" { fileinto "no"; }'), [KEEP]);
});

test('§6 limits: values truncated to maxVariableSize, too many variables is a compile error', () => {
  const engine = createEngine({ limits: { maxVariableSize: 5, maxVariables: 2 } });
  const p = engine.compile(R + 'set "a" "123456789"; fileinto "${a}";').program!;
  const r = engine.run(p, {
    message: parseMessage(new TextEncoder().encode('Subject: x\r\n\r\n')),
    envelope: { from: 'a@b', to: 'c@d' },
  });
  assert.deepEqual(r.actions, [fileinto('12345')]);
  // A surrogate pair is never cut in half.
  const q = engine.compile(R + 'set "a" "1234😀"; fileinto "${a}";').program!;
  const r2 = engine.run(q, {
    message: parseMessage(new TextEncoder().encode('Subject: x\r\n\r\n')),
    envelope: { from: 'a@b', to: 'c@d' },
  });
  assert.deepEqual(r2.actions, [fileinto('1234')]);
  assert.deepEqual(
    engine.compile(R + 'set "a" "1"; set "b" "2"; set "A" "3";').diagnostics.map((d) => d.code),
    [],
  );
  assert.deepEqual(
    engine.compile(R + 'set "a" "1"; set "b" "2"; set "c" "3";').diagnostics.map((d) => d.code),
    ['limit.variables'],
  );
});

test('variables in tests and actions are evaluated at run time', () => {
  const r = runScript(
    R + 'set "h" "subject"; set "k" "*World"; if header :matches "${h}" "${k}" { fileinto "${h}"; }',
  );
  assert.equal(r.error, null);
  assert.deepEqual(r.actions, [fileinto('subject')]);
});
