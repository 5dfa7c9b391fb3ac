// One mistake, one error, where the mistake is: the validator does not report a mistake again
// through its consequences (checked against the error counts of Pigeonhole's test suite, whose
// scripts hold one mistake per command).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorCodes, errors } from './helpers.js';

test('a missing ";" before the next command is one error, on the line that lacks it', () => {
  const e = errors('keep\n\nredirect "frop@example.com";\ndiscard;');
  assert.deepEqual(
    e.map((d) => d.code),
    ['command.missing-semicolon'],
  );
  assert.equal(e[0]!.line, 1);
  assert.equal(e[0]!.column, 5);
  assert.equal(e[0]!.endLine, 3);
  assert.match(e[0]!.message, /missing ";" after the keep command/);
  // The next word is not a test either: still the ";" that is missing.
  assert.deepEqual(errorCodes('require "fileinto";\nfileinto "friep"\nsnot;'), ['command.missing-semicolon']);
  // A test where none is taken stays that error.
  assert.deepEqual(errorCodes('keep true;'), ['command.unexpected-test']);
});

test('"else if" is one error that names elsif', () => {
  const e = errors('if true { stop; } else if false { keep; }');
  assert.deepEqual(
    e.map((d) => d.code),
    ['command.expects-block'],
  );
  assert.match(e[0]!.message, /elsif/);
});

test('a word after the arguments of a test is one error', () => {
  assert.deepEqual(errorCodes('if header "a" "b" e { }'), ['test.unexpected-tests']);
  // A tag written without its colon: the words after it are the test's arguments.
  const e = errors('if address matches "from" "*frop*" { stop; }');
  assert.deepEqual(
    e.map((d) => d.code),
    ['argument.missing-colon'],
  );
  assert.equal(e[0]!.column, 12);
  assert.match(e[0]!.message, /":matches"/);
});

test('a tag where a positional argument belongs is not also a missing argument', () => {
  assert.deepEqual(errorCodes('if address "from" :is { }'), ['argument.tag-after-positional']);
  // With enough positional arguments the count is a mistake of its own.
  assert.deepEqual(errorCodes('if address "from" "x" :is "y" { }'), [
    'argument.tag-after-positional',
    'argument.count',
  ]);
});

test('an unknown tag where a tag value belongs is reported once, as the missing value', () => {
  const e = errors('if address :comparator :frop "from" "frop" { }');
  assert.deepEqual(
    e.map((d) => d.code),
    ['argument.tag-value'],
  );
  assert.match(e[0]!.message, /found tag ":frop"/);
  // A known tag there is read as that tag.
  assert.deepEqual(errorCodes('if address :comparator :all "from" "frop" { }'), ['argument.tag-value']);
});

test('with the wrong number of positional arguments their types are not checked as well', () => {
  assert.deepEqual(errorCodes('require "fileinto"; fileinto 343 "frop";'), ['argument.count']);
  assert.deepEqual(errorCodes('require "fileinto"; fileinto 343;'), ['argument.type']);
});

test('a missing require is reported once per extension', () => {
  assert.deepEqual(errorCodes('fileinto "a";\nfileinto "b";'), ['require.missing']);
  // The test and its tag come from the same extension.
  assert.deepEqual(errorCodes('if duplicate :handle "x" { }'), ['require.missing']);
  // Two extensions, two errors.
  assert.deepEqual(errorCodes('fileinto "a"; if envelope "to" "x" { }'), [
    'require.missing',
    'require.missing',
  ]);
});

test('a test used as a command is reported at each use', () => {
  assert.deepEqual(errorCodes('header "a" "b";\nheader "a" "b";'), ['command.is-test', 'command.is-test']);
  // An unknown command once per name.
  assert.deepEqual(errorCodes('frop;\nfrop;'), ['command.unknown']);
});
