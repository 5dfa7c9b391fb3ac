// The ManageSieve clients webmail and scripts use, driven through one session each: Debian's
// python3-sievelib and PHP Net_Sieve (Roundcube, Horde). Both the server tests and the proxy
// tests run these; each prints one line per step for the test to check.
import { runProgram } from './programs.js';

export interface DriverSession {
  port: number;
  user: string;
  password: string;
  /** The script uploaded (CRLF line ends), also compared with what comes back. */
  script: string;
  /** A script with an error on line 2, for CHECKSCRIPT and a refused upload. */
  invalid?: string;
  /** sievelib: connect from this local address (the proxy tests tell clients apart by it). */
  sourceAddress?: string;
  /** Net_Sieve: verify the STARTTLS certificate against this CA (name "localhost"). */
  caFile?: string;
}

const INVALID = 'keep;\r\nfileinto "x";\r\n';

/**
 * sievelib: STARTTLS, PLAIN, putscript, listscripts, setactive, getscript, checkscript,
 * havespace, deletescript. Prints IMPL, LIST, ACTIVE, SAME, CHECK, CHECKBAD, SPACE, AFTER.
 */
export function sievelibSession(o: DriverSession): Promise<{ code: number | null; out: string }> {
  const bind = o.sourceAddress
    ? `import socket
_cc = socket.create_connection
socket.create_connection = lambda addr, timeout=None, source_address=None: _cc(addr, timeout, (${JSON.stringify(o.sourceAddress)}, 0))
`
    : '';
  // Debian's interpreter: python3-sievelib is installed for it, not for other pythons on PATH.
  return runProgram(
    '/usr/bin/python3',
    [
      '-c',
      `
import sys
${bind}from sievelib.managesieve import Client
script = sys.stdin.read()
c = Client('127.0.0.1', ${o.port})
assert c.connect(${JSON.stringify(o.user)}, ${JSON.stringify(o.password)}, starttls=True, authmech='PLAIN'), c.errmsg
print('IMPL', c.get_implementation())
assert c.putscript('py', script), c.errmsg
print('LIST', c.listscripts())
assert c.setactive('py'), c.errmsg
print('ACTIVE', c.listscripts()[0])
got = c.getscript('py')
# sievelib hands back the body with LF line ends and without the final one.
print('SAME' if got.replace('\\n', '\\r\\n') + '\\r\\n' == script else 'DIFFERENT %r' % got)
print('CHECK', c.checkscript(script))
print('CHECKBAD', c.checkscript(${JSON.stringify(o.invalid ?? INVALID)}), c.errmsg)
print('SPACE', c.havespace('py', 100))
assert c.setactive(''), c.errmsg
assert c.deletescript('py'), c.errmsg
print('AFTER', c.listscripts())
c.logout()
`,
    ],
    o.script,
  );
}

/** Where Debian's php-net-sieve puts Net_Sieve. */
export const NET_SIEVE = '/usr/share/php/Net/Sieve.php';

/**
 * Net_Sieve: STARTTLS (certificate checked when `caFile` is given), PLAIN, install and activate,
 * list, get, a refused install, havespace, remove. Prints ACTIVE, LIST, SAME, BAD, SPACE, AFTER.
 */
export function netSieveSession(o: DriverSession): Promise<{ code: number | null; out: string }> {
  const ctx = o.caFile
    ? `['ssl' => ['cafile' => ${JSON.stringify(o.caFile)}, 'peer_name' => 'localhost', 'verify_peer' => true]]`
    : 'null';
  return runProgram(
    'php',
    [
      '-d',
      'error_reporting=E_ALL & ~E_DEPRECATED & ~E_STRICT',
      '-r',
      `
require_once 'Net/Sieve.php';
$script = stream_get_contents(STDIN);
$s = new Net_Sieve();
$r = $s->connect('127.0.0.1', ${o.port}, ${ctx}, true);
if ($r !== true) { echo 'CONNECT ', $r->getMessage(), "\\n"; exit(1); }
$r = $s->login(${JSON.stringify(o.user)}, ${JSON.stringify(o.password)}, 'PLAIN');
if ($r !== true) { echo 'LOGIN ', $r->getMessage(), "\\n"; exit(1); }
$r = $s->installScript('php', $script, true);
if ($r !== true) { echo 'INSTALL ', $r->getMessage(), "\\n"; exit(1); }
echo 'ACTIVE ', $s->getActive(), "\\n";
echo 'LIST ', implode(',', $s->listScripts()), "\\n";
// Net_Sieve hands back the literal with the line break that ends the response line.
$got = $s->getScript('php');
echo ($got === $script . "\\r\\n") ? "SAME\\n" : 'DIFFERENT ' . json_encode($got) . "\\n";
$bad = $s->installScript('bad', ${JSON.stringify(o.invalid ?? INVALID)});
echo 'BAD ', ($bad === true ? 'accepted' : $bad->getMessage()), "\\n";
echo 'SPACE ', ($s->haveSpace('php', 100) === true ? 'yes' : 'no'), "\\n";
$s->setActive('');
$r = $s->removeScript('php');
if ($r !== true) { echo 'REMOVE ', $r->getMessage(), "\\n"; exit(1); }
echo 'AFTER ', implode(',', $s->listScripts()), "\\n";
$s->disconnect();
`,
    ],
    o.script,
  );
}
