// sievert deliver --user U [--from F] < message: delivery for MTAs that pipe mail to a command,
// like Dovecot's dovecot-lda. The same semantics as the LMTP server, answered in the exit status
// MTAs read (sysexits): 0 delivered, 67 unknown user, 75 try again later, 77 refused (ereject,
// its reason on standard error, which the MTA puts into the bounce).
import { pino } from 'pino';
import { ConfigError, EXIT_CONFIG, loadOrReport } from '../config/index.js';
import { createDelivery } from '../deliver/setup.js';
import { loadServeConfig } from '../serve/config.js';
import { userSources } from '../serve/index.js';
import { createEngine } from '../sieve/index.js';
import { openStore, type ScriptStore } from '../store/index.js';

export const EX_NOUSER = 67;
export const EX_TEMPFAIL = 75;
export const EX_NOPERM = 77;

export interface DeliverOptions {
  config?: string;
  user: string;
  from?: string;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks);
}

/**
 * The message as LMTP would carry it: an mbox "From " line (Postfix pipe's F flag) dropped, and
 * every line ended by CRLF, whatever the pipe used.
 */
export function pipedMessage(raw: Buffer): Buffer {
  let start = 0;
  if (raw.subarray(0, 5).toString('latin1') === 'From ') {
    const nl = raw.indexOf(0x0a);
    start = nl < 0 ? raw.length : nl + 1;
  }
  const text = raw.subarray(start).toString('latin1').replace(/\r?\n/g, '\r\n');
  return Buffer.from(text, 'latin1');
}

/** The envelope sender: --from, else the message's Return-Path field, else the null sender. */
function senderOf(message: Buffer, from: string | undefined): string {
  if (from !== undefined) return from.replace(/^<(.*)>$/, '$1');
  const end = message.indexOf('\r\n\r\n');
  const header = message.subarray(0, end < 0 ? message.length : end).toString('latin1');
  const m = /^Return-Path:[ \t]*<([^>\r\n]*)>/im.exec(header);
  return m ? m[1]! : '';
}

export async function deliverCommand(opts: DeliverOptions): Promise<number> {
  const config = loadOrReport(() => loadServeConfig(opts.config));
  if (config === undefined) return EXIT_CONFIG;
  const log = pino(
    { level: config.logLevel, base: { service: 'sievert', command: 'deliver' } },
    pino.destination(2),
  );
  const message = pipedMessage(await readAll(process.stdin));
  let store: ScriptStore;
  try {
    store = await openStore(config.storeUrl);
  } catch (e) {
    process.stderr.write(`error: cannot open the store: ${(e as Error).message}\n`);
    return EX_TEMPFAIL;
  }
  try {
    const { users } = await userSources(config, store, log);
    const engine = createEngine({ limits: { maxRedirects: config.sieve.maxRedirects } });
    const delivery = createDelivery(config, { store, users, engine, logger: log });
    const recipient = await delivery.resolve(opts.user);
    if (!recipient) {
      process.stderr.write(`error: unknown user ${opts.user}\n`);
      return EX_NOUSER;
    }
    const [reply] = await delivery.deliver({ from: senderOf(message, opts.from) }, [recipient], message);
    if (!reply || reply.code >= 400) {
      process.stderr.write(`${reply?.enhanced ?? '4.3.0'} ${reply?.text ?? 'not delivered'}\n`);
      return !reply || reply.code < 500 ? EX_TEMPFAIL : reply.enhanced === '5.1.1' ? EX_NOUSER : EX_NOPERM;
    }
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`error: ${e.message}\n`);
      return EXIT_CONFIG;
    }
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return EX_TEMPFAIL;
  } finally {
    await store.close();
  }
}
