// The document model an editor works on: items in execution order. Plain JSON data.

/** A string as written: `raw` is its source spelling (kept, never re-encoded), `value` what it means. */
export interface SieveString {
  readonly value: string;
  /** The token as written (quoted or text:), absent for strings an editor created. */
  readonly raw?: string;
}

export type MatchType = 'is' | 'contains' | 'matches' | 'regex' | 'value' | 'count';
export type AddressPart = 'all' | 'localpart' | 'domain' | 'user' | 'detail';

export interface MatchOptions {
  readonly comparator?: SieveString;
  readonly match?: MatchType;
  /** The relational operator of :value / :count (RFC 5231), e.g. "gt". */
  readonly relation?: SieveString;
}

export type Condition =
  | { readonly type: 'allof' | 'anyof'; readonly tests: readonly Condition[] }
  | { readonly type: 'not'; readonly test: Condition }
  | { readonly type: 'true' | 'false' }
  | ({
      readonly type: 'header';
      readonly headers: readonly SieveString[];
      readonly keys: readonly SieveString[];
    } & MatchOptions)
  | ({
      readonly type: 'address' | 'envelope';
      readonly addressPart?: AddressPart;
      readonly headers: readonly SieveString[];
      readonly keys: readonly SieveString[];
    } & MatchOptions)
  | ({
      readonly type: 'body';
      /** RFC 5173 transform: raw, content (with its types) or text. */
      readonly transform?: 'raw' | 'text' | 'content';
      readonly contentTypes?: readonly SieveString[];
      readonly keys: readonly SieveString[];
    } & MatchOptions)
  | { readonly type: 'size'; readonly over: boolean; readonly limit: string }
  | { readonly type: 'exists'; readonly headers: readonly SieveString[] }
  | ({
      readonly type: 'date' | 'currentdate';
      readonly zone?: SieveString;
      readonly originalZone?: boolean;
      readonly header?: SieveString;
      readonly datePart: SieveString;
      readonly keys: readonly SieveString[];
    } & MatchOptions)
  | ({
      readonly type: 'spamtest';
      readonly percent?: boolean;
      readonly value: SieveString;
    } & MatchOptions);

export type Action =
  | {
      readonly type: 'fileinto';
      readonly mailbox: SieveString;
      readonly copy?: boolean;
      readonly create?: boolean;
      readonly flags?: readonly SieveString[];
    }
  | { readonly type: 'redirect'; readonly address: SieveString; readonly copy?: boolean }
  | { readonly type: 'keep'; readonly flags?: readonly SieveString[] }
  | { readonly type: 'discard' | 'stop' }
  | { readonly type: 'reject' | 'ereject'; readonly reason: SieveString }
  | {
      readonly type: 'addflag' | 'setflag' | 'removeflag';
      readonly flags: readonly SieveString[];
    }
  | {
      readonly type: 'vacation';
      readonly days?: string;
      readonly seconds?: string;
      readonly subject?: SieveString;
      readonly from?: SieveString;
      readonly addresses?: readonly SieveString[];
      readonly mime?: boolean;
      readonly handle?: SieveString;
      readonly reason: SieveString;
    };

export type Purpose = 'vacation' | 'forward' | 'blocklist' | 'allowlist' | 'spam' | 'filter';

/** How a rule is switched off, as written in the script. */
export type DisabledStyle =
  /** `if allof (false, <test>)`: sievert's default. */
  | 'allof-false'
  /** Roundcube: `if false # <test>`. */
  | 'if-false'
  /** A plain `if false`: the original test is gone. */
  | 'false'
  /** Open-Xchange: every line of the rule prefixed `#<!-->`. */
  | 'ox-comment'
  /** RainLoop/SnappyMail: the code inside a bracket comment. */
  | 'bracket-comment'
  /** Zimbra's non-standard `disabled_if` command (other servers reject it). */
  | 'disabled_if';

export type DialectId =
  | 'roundcube'
  | 'rule-block'
  | 'open-xchange'
  | 'rainloop'
  | 'nextcloud'
  | 'ingo'
  | 'ispconfig'
  | 'fastmail'
  | 'critical-path'
  | 'tine'
  | 'zimbra'
  | 'none';

/** A range of the source: offsets (0-based, end exclusive) and lines (1-based, inclusive). */
export interface SourceSpan {
  readonly start: number;
  readonly end: number;
  readonly startLine: number;
  readonly endLine: number;
}

/** A vendor's metadata line(s) for a rule, kept as written. */
export interface RuleMetadata {
  readonly span: SourceSpan;
  /** Vendor fields as read (the `$Key=Value` pairs of the rule-block format, OX flags, JSON keys). */
  readonly fields: Readonly<Record<string, string>>;
  /** Where the name is written (offsets), when the convention writes it in a comment. */
  readonly nameStart?: number;
  readonly nameEnd?: number;
}

export interface Rule {
  readonly kind: 'rule';
  readonly name: string | null;
  /** Ids per vendor, e.g. {"open-xchange": "3"}. */
  readonly ids: Readonly<Record<string, string>>;
  readonly enabled: boolean;
  /** How it is disabled (absent when enabled). */
  readonly disabledBy?: DisabledStyle;
  readonly purpose: Purpose;
  readonly dialect: DialectId;
  /** The test, or null for a command that runs on every message (no `if`). */
  readonly condition: Condition | null;
  readonly actions: readonly Action[];
  /** Everything the rule's item covers: metadata lines and code. */
  readonly span: SourceSpan;
  /** The command (the `if`, or the action outside any `if`). */
  readonly codeSpan: SourceSpan;
  readonly metadata?: RuleMetadata;
  /** True when conditions and actions can be edited (model → script → model is stable). */
  readonly editable: boolean;
  /** Why it is not editable. */
  readonly reason?: string;
  /** The vendor's own data (e.g. RainLoop JSON) disagrees with the code: never rewritten silently. */
  readonly diverged?: string;
  /** Things the user should know (e.g. Zimbra's `disabled_if` is rejected by other servers). */
  readonly warnings?: readonly string[];
  /** Where the rule is an `elsif`/`else` branch, its role in the chain. */
  readonly branch?: 'if' | 'elsif' | 'else';
}

/** An if/elsif/else chain: its branches are rules that cannot be reordered apart. */
export interface Chain {
  readonly kind: 'chain';
  readonly name: string | null;
  readonly dialect: DialectId;
  readonly branches: readonly Rule[];
  readonly span: SourceSpan;
}

/** A part of the script a product manages itself (kept byte-exact; edits go through its rules). */
export interface Region {
  readonly kind: 'region';
  readonly dialect: DialectId;
  /** E.g. "Nextcloud Mail: Filters", "ISPConfig filter 3", "Fastmail: 1. Sieve generated for …". */
  readonly label: string;
  readonly editable: boolean;
  readonly items: readonly Item[];
  readonly span: SourceSpan;
}

/** Code the model cannot represent, shown read-only in its place. */
export interface RawBlock {
  readonly kind: 'raw';
  readonly reason: string;
  readonly text: string;
  readonly span: SourceSpan;
}

/** Comments that belong to no rule (headers, notes): kept and shown. */
export interface CommentBlock {
  readonly kind: 'comment';
  readonly text: string;
  readonly span: SourceSpan;
}

export interface Directive {
  readonly kind: 'require' | 'include' | 'set';
  /** require: the capabilities; include: [script]; set: [name, value]. */
  readonly values: readonly string[];
  readonly span: SourceSpan;
}

export type Item = Rule | Chain | Region | RawBlock | CommentBlock | Directive;

export interface Evidence {
  readonly dialect: DialectId;
  readonly line: number;
  readonly text: string;
}

export interface RulesDocument {
  /** The dialect new rules are written in: the script's main convention, Roundcube when none. */
  readonly dialect: DialectId;
  readonly dialects: readonly DialectId[];
  readonly evidence: readonly Evidence[];
  readonly items: readonly Item[];
  /** The line ending new text uses: the script's first one, LF when it has none. */
  readonly eol: '\n' | '\r\n';
}
