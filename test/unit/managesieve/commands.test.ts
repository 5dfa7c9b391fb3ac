import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEngine } from '../../../src/sieve/index.js';
import { UNLIMITED } from '../../../src/store/types.js';
import { block, capabilities, command, literal, login, raw, startServer } from './helpers.js';

test('greeting: the capability block then OK; CAPABILITY repeats it; NOOP with and without a tag', async (t) => {
  const { connect } = await startServer(t);
  const c = await connect();
  assert.deepEqual(await block(c), [...capabilities(), 'OK "sievert test ready."']);
  assert.deepEqual(await command(c, 'CAPABILITY'), [...capabilities(), 'OK "Capability completed."']);
  assert.deepEqual(await command(c, 'noop'), ['OK "NOOP completed."']);
  // sieve-connect's resynchronisation after STARTTLS (RFC 5804 §2.13).
  assert.deepEqual(await command(c, 'NOOP "STARTTLS-RESYNC-CAPA"'), [
    'OK (TAG "STARTTLS-RESYNC-CAPA") "Done"',
  ]);
  // A tag that cannot be quoted comes back as a literal.
  assert.deepEqual(await command(c, raw('NOOP ', literal('a\r\nb'), '\r\n')), [
    'OK (TAG {4}\r\na\r\nb) "Done"',
  ]);
});

test('before login only CAPABILITY, NOOP, STARTTLS, AUTHENTICATE and LOGOUT are valid', async (t) => {
  const { client } = await startServer(t);
  const c = await client();
  for (const cmd of [
    'LISTSCRIPTS',
    'GETSCRIPT "a"',
    'PUTSCRIPT "a" "keep;"',
    'UNAUTHENTICATE',
    'HAVESPACE "a" 1',
  ])
    assert.deepEqual(await command(c, cmd), ['NO "Authenticate first."'], cmd);
  assert.deepEqual(await command(c, 'LOGOUT'), ['OK "Logout completed."']);
  await c.closed();
});

test('after login: OWNER and UNAUTHENTICATE are advertised, STARTTLS is not; AUTHENTICATE again is refused', async (t) => {
  const { client } = await startServer(t);
  const c = await client();
  await login(c);
  assert.deepEqual(await command(c, 'CAPABILITY'), [
    ...capabilities({ owner: 'alice' }),
    'OK "Capability completed."',
  ]);
  assert.deepEqual(await command(c, 'AUTHENTICATE "PLAIN" "AGJvYgBodW50ZXIy"'), [
    'NO "AUTHENTICATE is only valid before authentication."',
  ]);
});

test('PUTSCRIPT, LISTSCRIPTS, SETACTIVE, GETSCRIPT, RENAMESCRIPT, DELETESCRIPT', async (t) => {
  const { client, store } = await startServer(t);
  const c = await client();
  await login(c);
  const script = 'require ["fileinto"];\r\nif header :contains "subject" "x" { fileinto "X"; }\r\n';
  assert.deepEqual(await command(c, raw('PUTSCRIPT "main" ', literal(script), '\r\n')), [
    'OK "Putscript completed."',
  ]);
  assert.deepEqual(await command(c, 'PUTSCRIPT "other" "keep;"'), ['OK "Putscript completed."']);
  assert.deepEqual(await command(c, 'LISTSCRIPTS'), ['"main"', '"other"', 'OK "Listscripts completed."']);
  assert.deepEqual(await command(c, 'SETACTIVE "main"'), ['OK "Setactive completed."']);
  assert.deepEqual(await command(c, 'LISTSCRIPTS'), [
    '"main" ACTIVE',
    '"other"',
    'OK "Listscripts completed."',
  ]);

  // The exact octets, as a literal, then CRLF and OK (RFC 5804 §2.9).
  assert.deepEqual(await command(c, 'GETSCRIPT "main"'), [
    `{${Buffer.byteLength(script)}}\r\n${script}`,
    'OK "Getscript completed."',
  ]);
  assert.deepEqual(await command(c, 'GETSCRIPT "nothing"'), [
    'NO (NONEXISTENT) "There is no script by that name."',
  ]);

  assert.deepEqual(await command(c, 'DELETESCRIPT "main"'), [
    'NO (ACTIVE) "script \\"main\\" is active; deactivate it first"',
  ]);
  assert.deepEqual(await command(c, 'RENAMESCRIPT "main" "other"'), [
    'NO (ALREADYEXISTS) "a script \\"other\\" already exists"',
  ]);
  assert.deepEqual(await command(c, 'RENAMESCRIPT "nothing" "x"'), [
    'NO (NONEXISTENT) "there is no script \\"nothing\\""',
  ]);
  assert.deepEqual(await command(c, 'RENAMESCRIPT "main" "renamed"'), ['OK "Renamescript completed."']);
  assert.deepEqual(await command(c, 'LISTSCRIPTS'), [
    '"other"',
    '"renamed" ACTIVE',
    'OK "Listscripts completed."',
  ]);
  assert.deepEqual(await command(c, 'SETACTIVE "nothing"'), [
    'NO (NONEXISTENT) "there is no script \\"nothing\\""',
  ]);
  assert.deepEqual(await command(c, 'SETACTIVE ""'), ['OK "No script is active now."']);
  assert.deepEqual(await command(c, 'DELETESCRIPT "renamed"'), ['OK "Deletescript completed."']);
  assert.deepEqual(await command(c, 'DELETESCRIPT "renamed"'), [
    'NO (NONEXISTENT) "there is no script \\"renamed\\""',
  ]);
  assert.deepEqual([...store.scripts.get('alice')!.keys()], ['other']);
});

test('PUTSCRIPT replaces a script; a refused one leaves the old one in place', async (t) => {
  const { client, store } = await startServer(t);
  const c = await client();
  await login(c);
  assert.deepEqual(await command(c, 'PUTSCRIPT "s" "keep;"'), ['OK "Putscript completed."']);
  assert.deepEqual(await command(c, 'PUTSCRIPT "s" "discard;"'), ['OK "Putscript completed."']);
  assert.deepEqual(await command(c, 'PUTSCRIPT "s" "bogus;"'), [
    'NO "line 1: error: unknown command \\"bogus\\""',
  ]);
  assert.equal(store.scripts.get('alice')!.get('s')!.content.toString(), 'discard;');
});

test('script errors: every error with its line, one a line (a literal); nothing is stored', async (t) => {
  const { client, store } = await startServer(t);
  const c = await client();
  await login(c);
  assert.deepEqual(await command(c, raw('PUTSCRIPT "bad" ', literal('keep;\nfoo;\nbar "x";\n'), '\r\n')), [
    'NO {74}\r\nline 2: error: unknown command "foo"\r\nline 3: error: unknown command "bar"',
  ]);
  assert.equal(store.scripts.get('alice')?.has('bad') ?? false, false);
  assert.deepEqual(await command(c, 'CHECKSCRIPT "foo;"'), ['NO "line 1: error: unknown command \\"foo\\""']);
});

test('warnings: OK (WARNINGS) with the line, for PUTSCRIPT and CHECKSCRIPT', async (t) => {
  const { client, store } = await startServer(t);
  const c = await client();
  await login(c);
  const script = 'require "imap4flags";\naddflag "\\\\Foo";\n';
  const warning =
    'OK (WARNINGS) "line 2: warning: \\"\\\\Foo\\" is not an IMAP system flag (RFC 3501 §2.3.2); it is ignored"';
  assert.deepEqual(await command(c, raw('CHECKSCRIPT ', literal(script), '\r\n')), [warning]);
  assert.deepEqual(await command(c, raw('PUTSCRIPT "flags" ', literal(script), '\r\n')), [warning]);
  assert.equal(store.scripts.get('alice')!.get('flags')!.content.toString(), script);
  assert.deepEqual(await command(c, 'CHECKSCRIPT "keep;"'), ['OK "Script is valid."']);
});

test('an empty script is refused (RFC 5804 §2.6); invalid UTF-8 is refused with its position', async (t) => {
  const { client, store } = await startServer(t);
  const c = await client();
  await login(c);
  const empty = 'NO "The script is empty; an empty script is refused (RFC 5804 §2.6)."';
  assert.deepEqual(await command(c, 'PUTSCRIPT "empty" ""'), [empty]);
  assert.deepEqual(await command(c, raw('PUTSCRIPT "empty" {0+}\r\n\r\n')), [empty]);
  assert.deepEqual(await command(c, 'CHECKSCRIPT ""'), [empty]);
  const latin1 = raw('# caf', Buffer.from([0xe9]), '\r\nkeep;\r\n');
  assert.deepEqual(await command(c, raw('PUTSCRIPT "latin1" ', literal(latin1), '\r\n')), [
    'NO "line 1: error: invalid UTF-8 at column 6; scripts are UTF-8 (RFC 5228 §2.1)."',
  ]);
  assert.equal(store.scripts.get('alice')?.size ?? 0, 0);
});

test('quotas: HAVESPACE and PUTSCRIPT answer QUOTA/MAXSIZE, QUOTA/MAXSCRIPTS and QUOTA', async (t) => {
  // The test quota: 3 scripts, 4096 octets a script, 8192 in all.
  const { client } = await startServer(t);
  const c = await client();
  await login(c);
  assert.deepEqual(await command(c, 'HAVESPACE "a" 4096'), ['OK "Putscript would succeed."']);
  assert.deepEqual(await command(c, 'HAVESPACE "a" 4097'), [
    'NO (QUOTA/MAXSIZE) "the script is 4097 octets; at most 4096 are allowed"',
  ]);
  assert.deepEqual(await command(c, 'HAVESPACE "a" 99999999999'), [
    'NO "HAVESPACE takes a script name (string) and a size (number)."',
  ]);
  const big = `#${'x'.repeat(4000)}\nkeep;\n`;
  for (const name of ['a', 'b'])
    assert.deepEqual(await command(c, raw(`PUTSCRIPT "${name}" `, literal(big), '\r\n')), [
      'OK "Putscript completed."',
    ]);
  assert.deepEqual(await command(c, raw('PUTSCRIPT "c" ', literal(big), '\r\n')), [
    'NO (QUOTA) "the scripts would take 12024 octets; at most 8192 are allowed"',
  ]);
  assert.deepEqual(await command(c, 'PUTSCRIPT "c" "keep;"'), ['OK "Putscript completed."']);
  assert.deepEqual(await command(c, 'HAVESPACE "d" 10'), [
    'NO (QUOTA/MAXSCRIPTS) "at most 3 scripts are allowed"',
  ]);
  assert.deepEqual(await command(c, 'HAVESPACE "c" 10'), ['OK "Putscript would succeed."']);
  // Larger than the quota's script size: refused when the literal's header is read.
  assert.deepEqual(await command(c, raw('PUTSCRIPT "c" ', literal(`#${'x'.repeat(4100)}\n`), '\r\n')), [
    'NO (QUOTA/MAXSIZE) "Script too large: 4102 octets; at most 4096 are accepted."',
  ]);
  // CHECKSCRIPT does not check the quota (RFC 5804 §2.12).
  assert.deepEqual(await command(c, raw('CHECKSCRIPT ', literal(`#${'x'.repeat(5000)}\nkeep;\n`), '\r\n')), [
    'OK "Script is valid."',
  ]);
});

test("the engine's script size limit: PUTSCRIPT and CHECKSCRIPT of one octet more are refused unread", async (t) => {
  // No quota: only the engine's limit applies.
  const { client } = await startServer(t, {
    engine: createEngine({ limits: { maxScriptSize: 100 } }),
    quota: UNLIMITED,
  });
  const c = await client();
  await login(c);
  const fits = `#${'x'.repeat(92)}\r\nkeep;`;
  assert.equal(fits.length, 100);
  const tooLarge = 'NO (QUOTA/MAXSIZE) "Script too large: 101 octets; at most 100 are accepted."';
  assert.deepEqual(await command(c, raw('CHECKSCRIPT ', literal(`${fits} `), '\r\n')), [tooLarge]);
  assert.deepEqual(await command(c, raw('PUTSCRIPT "s" ', literal(`${fits} `), '\r\n')), [tooLarge]);
  assert.deepEqual(await command(c, raw('CHECKSCRIPT ', literal(fits), '\r\n')), ['OK "Script is valid."']);
  assert.deepEqual(await command(c, raw('PUTSCRIPT "s" ', literal(fits), '\r\n')), [
    'OK "Putscript completed."',
  ]);
  assert.deepEqual(await command(c, 'HAVESPACE "s" 100'), ['OK "Putscript would succeed."']);
  assert.deepEqual(await command(c, 'HAVESPACE "s" 101'), [
    'NO (QUOTA/MAXSIZE) "Scripts may hold at most 100 octets."',
  ]);
});

test('a failing store answers NO (TRYLATER) and the session goes on', async (t) => {
  const { client, store, logs } = await startServer(t);
  const c = await client();
  await login(c);
  store.failing = true;
  assert.deepEqual(await command(c, 'LISTSCRIPTS'), [
    'NO (TRYLATER) "The script store failed; try again later."',
  ]);
  store.failing = false;
  assert.deepEqual(await command(c, 'LISTSCRIPTS'), ['OK "Listscripts completed."']);
  assert.ok(logs.some((l) => l.event === 'store-error' && l.level === 'error'));
});

test('UNAUTHENTICATE returns to the non-authenticated state; another user may log in', async (t) => {
  const { client } = await startServer(t);
  const c = await client();
  await login(c);
  assert.deepEqual(await command(c, 'PUTSCRIPT "mine" "keep;"'), ['OK "Putscript completed."']);
  assert.deepEqual(await command(c, 'UNAUTHENTICATE'), ['OK "Unauthenticate completed."']);
  assert.deepEqual(await command(c, 'LISTSCRIPTS'), ['NO "Authenticate first."']);
  assert.deepEqual(await command(c, 'CAPABILITY'), [...capabilities(), 'OK "Capability completed."']);
  assert.deepEqual(await command(c, 'UNAUTHENTICATE'), ['NO "Authenticate first."']);
  await login(c, 'bob');
  assert.deepEqual(await command(c, 'LISTSCRIPTS'), ['OK "Listscripts completed."']);
  assert.deepEqual(await command(c, 'CAPABILITY'), [
    ...capabilities({ owner: 'bob' }),
    'OK "Capability completed."',
  ]);
});

test('script names (RFC 5804 §1.6): 128 characters, no controls, NFC only', async (t) => {
  const { client } = await startServer(t);
  const c = await client();
  await login(c);
  // 128 characters of 4 octets each: 512 octets, still one name.
  const longest = '😀'.repeat(128);
  assert.deepEqual(await command(c, `PUTSCRIPT "${longest}" "keep;"`), ['OK "Putscript completed."']);
  assert.deepEqual(await command(c, 'LISTSCRIPTS'), [`"${longest}"`, 'OK "Listscripts completed."']);
  assert.deepEqual(await command(c, `PUTSCRIPT "${longest}x" "keep;"`), [
    'NO "Script name is 129 characters long; at most 128 are allowed."',
  ]);
  assert.deepEqual(await command(c, 'PUTSCRIPT "" "keep;"'), ['NO "Script name is empty."']);
  assert.deepEqual(await command(c, raw('PUTSCRIPT ', literal('a\tb'), ' "keep;"\r\n')), [
    'NO "Script name contains the control character U+0009 at character 2; RFC 5804 §1.6 forbids it."',
  ]);
  for (const [name, cp] of [
    ['a\u0085', '0085'],
    ['a\u2028', '2028'],
    ['a\u2029', '2029'],
    ['\u007f', '007F'],
  ])
    assert.match((await command(c, raw('GETSCRIPT ', literal(name!), '\r\n')))[0]!, new RegExp(`U\\+${cp}`));
  // "é" as e + combining acute (NFD) is refused; the NFC form is accepted.
  assert.deepEqual(await command(c, 'PUTSCRIPT "cafe\u0301" "keep;"'), [
    'NO "Script name is not in Unicode Normalization Form C (RFC 5804 §1.6, RFC 5198); send it normalized."',
  ]);
  assert.deepEqual(await command(c, 'PUTSCRIPT "caf\u00e9" "keep;"'), ['OK "Putscript completed."']);
  assert.deepEqual(await command(c, raw('GETSCRIPT ', literal(Buffer.from([0x61, 0xff])), '\r\n')), [
    'NO "Script name is not valid UTF-8."',
  ]);
});

test('logs: session, user, commands and outcomes; never a password or a script body', async (t) => {
  const { client, logs } = await startServer(t);
  const c = await client();
  await login(c);
  await command(c, raw('PUTSCRIPT "s" ', literal('# private-script-text\r\nkeep;\r\n'), '\r\n'));
  await command(c, 'GETSCRIPT "missing"');
  assert.deepEqual(await command(c, 'LOGOUT'), ['OK "Logout completed."']);
  await c.closed();
  await new Promise((r) => setTimeout(r, 50));
  const text = JSON.stringify(logs);
  assert.doesNotMatch(text, /secret|AGFsaWNlAHNlY3JldA/);
  assert.doesNotMatch(text, /private-script-text/);
  const session = logs.filter((l) => l.event !== 'listening');
  const events = session.map((l) => [l.event, l.command, l.status, l.code].filter(Boolean).join(' '));
  assert.deepEqual(events, [
    'connect',
    'login',
    'command AUTHENTICATE OK',
    'command PUTSCRIPT OK',
    'command GETSCRIPT NO NONEXISTENT',
    'command LOGOUT OK',
    'disconnect',
  ]);
  assert.ok(session.every((l) => typeof l.session === 'string' && l.remote === '127.0.0.1'));
  assert.equal(logs.find((l) => l.event === 'login')?.user, 'alice');
});
