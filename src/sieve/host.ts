// The host interface: everything a run needs from outside the message and the envelope. The
// engine stays pure (no I/O); the caller (CLI, delivery, ManageSieve, the test suite) supplies
// these. Every member is optional: an extension whose service is missing uses the documented
// default or fails at run time with a clear error (the implicit keep is then performed).

/** A memory of keys with expiry: vacation responses, duplicate ids (RFC 5230, RFC 7352). */
export interface ExpiringMemory {
  /** True when `key` was marked and has not expired at `now` (ms since the epoch). */
  has(key: string, now: number): boolean;
  /** Remembers `key` until `now + seconds`. */
  mark(key: string, seconds: number, now: number): void;
}

/** A script that include (RFC 6609) loads. */
export interface IncludedScript {
  /** The script's source text. */
  readonly source: string;
  /** A name for diagnostics ("personal:name" or "global:name"). */
  readonly id: string;
}

export type ScriptLocation = 'personal' | 'global';

/** The vacation configuration (RFC 5230 §4.1, RFC 6131): periods in seconds. */
export interface VacationPolicy {
  readonly minPeriod: number;
  readonly defaultPeriod: number;
  readonly maxPeriod: number;
  /**
   * The subject of a response without `:subject` to a message with a subject: "%$" (or
   * "%{subject}") stands for that subject, "%%" for "%". Default "Auto: %$" (RFC 5230 §4.5 and
   * RFC 3834 §3.1.5: not "Re:").
   */
  readonly subjectTemplate?: string;
  /** The subject of a response without `:subject` to a message without one. Default "Automated reply". */
  readonly defaultSubject?: string;
  /**
   * Whether the envelope's original recipient (RFC 3461 ORCPT, e.g. a list or alias address the
   * message was first sent to) counts as one of the user's addresses. Default true.
   */
  readonly useOriginalRecipient?: boolean;
  /**
   * Respond without checking that one of the user's addresses is among the message's recipients
   * (RFC 5230 §4.5 says SHOULD check; a site that rewrites addresses may not be able to). The other
   * checks stay. Default false.
   */
  readonly dontCheckRecipient?: boolean;
}

/** How spamtest/virustest read their header (RFC 5235); Pigeonhole's settings, by another name. */
export interface ScoreTestConfig {
  /** Header field holding the score or verdict, e.g. "X-Spam-Score". */
  readonly header: string;
  /**
   * Optional regular expression (JavaScript syntax, Unicode mode) applied to the field's value:
   * its first group (the whole match when it has none) is the value read, so one field such as
   * "Yes, score=7.3 required=5.0" can hold several numbers. A value it does not match counts as
   * not tested. Without it the whole value is read.
   */
  readonly pattern?: string;
  /**
   * How the value reads: `score` = a number, with `max` the score that means "certainly spam"
   * (a constant, or a header with an optional pattern as above); `text` = a table from
   * regular-expression patterns to 0–10; `yesno` = "yes"/"no"; `length` = the number of
   * characters is the score (SpamAssassin's "X-Spam-Level: *****"), `max` as for `score`.
   */
  readonly format:
    | {
        readonly kind: 'score';
        readonly max: number | { readonly header: string; readonly pattern?: string };
      }
    | { readonly kind: 'text'; readonly map: readonly { readonly pattern: string; readonly value: number }[] }
    | { readonly kind: 'yesno' }
    | { readonly kind: 'length'; readonly max: number };
}

/**
 * editheader (RFC 5293 §6): "A site MAY define a set of header fields that cannot be added or
 * deleted". Names are compared case-insensitively; Subject can always be edited, Received and
 * Auto-Submitted never deleted, whatever these lists say.
 */
export interface EditheaderPolicy {
  /** Fields addheader may not add. */
  readonly forbidAdd?: readonly string[];
  /** Fields deleteheader may not delete. */
  readonly forbidDelete?: readonly string[];
}

export interface SieveHost {
  /** The clock (ms since the epoch) for currentdate, vacation and duplicate; default Date.now(). */
  now?(): number;
  /** The local time zone as an offset in minutes east of UTC at `at`; default UTC (0). */
  timeZoneOffset?(at: number): number;

  /** The user's own addresses (vacation: the recipient must be among the message's recipients). */
  readonly userAddresses?: readonly string[];

  /** environment (RFC 5183): values by item name (domain, host, location, name, phase, ...). */
  readonly environment?: Readonly<Record<string, string>>;

  /** include (RFC 6609): the script by location and name, or null when there is none. */
  loadScript?(location: ScriptLocation, name: string): IncludedScript | null;

  /** mailbox (RFC 5490 §3.1): whether the mailbox exists. Default: none exist but INBOX. */
  mailboxExists?(name: string): boolean;
  /** special-use (RFC 8579): the mailbox with this special use ("\\Junk"), or null. */
  specialUseMailbox?(use: string): string | null;
  /** mailboxid (RFC 9042): the mailbox with this object id, or null. */
  mailboxById?(id: string): string | null;
  /** mboxmetadata (RFC 5490 §3.2): a mailbox annotation, or null. */
  metadata?(mailbox: string, annotation: string): string | null;
  /** servermetadata (RFC 5490 §3.3): a server annotation, or null. */
  serverMetadata?(annotation: string): string | null;

  /** vacation responses sent, by sender and handle. Default: an in-memory map for the run. */
  readonly vacationMemory?: ExpiringMemory;
  readonly vacationPolicy?: VacationPolicy;
  /** duplicate (RFC 7352) ids seen. */
  readonly duplicateMemory?: ExpiringMemory;

  /** editheader: the fields the site protects (default: only the ones RFC 5293 §6 protects). */
  readonly editheaderPolicy?: EditheaderPolicy;

  /** extlists (RFC 6134): whether `value` is on the list named by `list` (a URI), or null if no such list. */
  listContains?(list: string, value: string): boolean | null;
  /** extlists: whether a list with this URI exists. */
  listExists?(list: string): boolean;
  /**
   * extlists (RFC 6134 §2.5, `redirect :list`): the addresses of the list with this URI, or null
   * when there is no such list (a run-time error). Default: no list has members to redirect to.
   */
  listMembers?(list: string): readonly string[] | null;

  /**
   * convert (RFC 6558): whether body parts of media type `from` can be converted to `to` with
   * these transcoding parameters. Default: no conversion is possible (the convert test is false).
   */
  canConvert?(from: string, to: string, params: readonly string[]): boolean;

  /** enotify (RFC 5435): whether a notification method URI scheme is available ("mailto"). */
  notifyMethodAvailable?(uri: string): boolean;

  /** spamtest/spamtestplus/virustest configuration (RFC 5235). */
  readonly spamtest?: ScoreTestConfig;
  readonly virustest?: ScoreTestConfig;

  /** subaddress (RFC 5233): the separators between user and detail; default ["+"]. */
  readonly subaddressSeparators?: readonly string[];

  /**
   * vnd.dovecot.debug: a message the script logs with debug_log, for the host's log (the test
   * suite prints it as Pigeonhole does: "info: DEBUG: …"). Without it the message goes only to
   * the trace.
   */
  debugLog?(message: string): void;

  /**
   * The IMAP flags the message already has: the implicit keep, keep and fileinto store it with
   * them until the script changes them (imap4flags' internal variable starts with them, as
   * Pigeonhole's starts with the mail's flags). Delivery passes the flags an earlier script of a
   * sequence left for the keep; the test suite those of the message it stored.
   */
  readonly messageFlags?: readonly string[];

  /** Other services by name, for extensions outside this list. */
  readonly [service: string]: unknown;
}
