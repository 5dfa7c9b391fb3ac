// The SMTP relay that carries what scripts send (redirect, vacation, reject, notify). Delivery
// answers 250 for a recipient only after the relay accepted each of its messages, so a relay
// that is down or says 4xx turns into a 4xx for the recipient and the MTA retries the whole
// recipient later (RFC 5321 §4.2.5: 4yz is a transient failure, 5yz a permanent one).
import SMTPConnection from 'nodemailer/lib/smtp-connection';

/** One message to hand to the relay. */
export interface RelayMail {
  /** The envelope sender; null is the null reverse-path "<>". */
  readonly from: string | null;
  readonly to: string;
  /** The message octets, CRLF line ends. */
  readonly raw: Buffer;
}

export type RelayOutcome =
  | { readonly ok: true }
  /** `temporary`: the relay may accept it later (4yz, no connection, timeout); else refused (5yz). */
  | { readonly ok: false; readonly temporary: boolean; readonly text: string };

export interface RelayOptions {
  readonly host: string;
  readonly port: number;
  /** "none" (plain), "starttls" (required), "opportunistic" (STARTTLS when offered; default), "tls" (implicit). */
  readonly tls?: 'none' | 'starttls' | 'opportunistic' | 'tls';
  /** Our name in EHLO. */
  readonly name: string;
  /** Connect, greeting and idle timeouts in milliseconds (default 30 s each). */
  readonly timeoutMs?: number;
  /** Verify the relay's certificate (default true; a relay on loopback often has none). */
  readonly verifyCertificate?: boolean;
}

export interface Relay {
  /** Sends each mail in order over one connection; one outcome per mail, never throws. */
  send(mails: readonly RelayMail[]): Promise<RelayOutcome[]>;
}

interface SmtpError extends Error {
  responseCode?: number;
  response?: string;
}

function outcomeOf(e: unknown): RelayOutcome {
  const err = e as SmtpError;
  const code = typeof err.responseCode === 'number' ? err.responseCode : 0;
  const text = (err.response ?? err.message ?? String(e)).replace(/[\r\n]+/g, ' ').slice(0, 300);
  return { ok: false, temporary: !(code >= 500 && code < 600), text: `relay: ${text}` };
}

export function createRelay(options: RelayOptions): Relay {
  const timeout = options.timeoutMs ?? 30_000;
  const mode = options.tls ?? 'opportunistic';
  const connect = (): Promise<SMTPConnection> =>
    new Promise((resolve, reject) => {
      const conn = new SMTPConnection({
        host: options.host,
        port: options.port,
        secure: mode === 'tls',
        ignoreTLS: mode === 'none',
        requireTLS: mode === 'starttls',
        opportunisticTLS: mode === 'opportunistic',
        name: options.name,
        connectionTimeout: timeout,
        greetingTimeout: timeout,
        socketTimeout: timeout,
        tls: { rejectUnauthorized: options.verifyCertificate ?? true },
        logger: false,
      });
      conn.once('error', reject);
      conn.connect(() => {
        conn.removeListener('error', reject);
        // Errors after the connection is up are reported through each send's callback.
        conn.on('error', () => undefined);
        resolve(conn);
      });
    });
  const sendOne = (conn: SMTPConnection, mail: RelayMail): Promise<RelayOutcome> =>
    new Promise((resolve) => {
      conn.send({ from: mail.from ?? '', to: [mail.to] }, mail.raw, (err, info) => {
        if (err) return resolve(outcomeOf(err));
        if (info.rejected.length > 0) {
          const rejected = info.rejectedErrors?.[0];
          return resolve(outcomeOf(rejected ?? new Error('recipient refused')));
        }
        resolve({ ok: true });
      });
    });
  const reset = (conn: SMTPConnection): Promise<boolean> =>
    new Promise((resolve) => conn.reset((err) => resolve(!err)));

  return {
    async send(mails) {
      if (mails.length === 0) return [];
      let conn: SMTPConnection;
      try {
        conn = await connect();
      } catch (e) {
        const failed = outcomeOf(e);
        return mails.map(() => failed);
      }
      const outcomes: RelayOutcome[] = [];
      try {
        for (const mail of mails) {
          const outcome = await sendOne(conn, mail);
          outcomes.push(outcome);
          // After a refused transaction the session continues with RSET (RFC 5321 §4.1.1.5).
          if (!outcome.ok && !(await reset(conn))) break;
        }
      } finally {
        conn.quit();
      }
      while (outcomes.length < mails.length) {
        outcomes.push({ ok: false, temporary: true, text: 'relay: the connection ended' });
      }
      return outcomes;
    },
  };
}
