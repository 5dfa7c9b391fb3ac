// RFC 5490 §3.2–3.3: "mboxmetadata" (metadata, metadataexists) and "servermetadata"
// (servermetadata, servermetadataexists): the annotations of RFC 5464 (IMAP METADATA), as the
// host stores them. Without a host service no annotation exists.
import type { Argument } from '../../ast.js';
import type { ExtensionDefinition, TestSpec } from '../../registry.js';
import { evaluate, type ExecutionContext } from '../../runtime.js';
import type { ValidationContext } from '../../validator.js';
import { hasRawOctets } from '../../octets.js';
import { MATCH_GROUPS } from '../base/index.js';
import { warnNonUtf8Mailbox } from '../fileinto/index.js';

/**
 * Why an annotation (entry) name is not valid under RFC 5464 §3.2, or null. Entry names start
 * with "/private" or "/shared", are slash-separated, and contain no "*", "%", consecutive or
 * trailing slashes, or control characters.
 */
export function invalidEntryName(name: string): string | null {
  if (!name.startsWith('/')) return "the entry name must begin with '/'";
  if (!/^\/(private|shared)(\/|$)/i.test(name)) return 'the entry name must begin with /private or /shared';
  if (name.endsWith('/')) return "the entry name must not end with '/'";
  if (name.includes('//')) return 'the entry name must not contain consecutive slashes';
  if (/[*%]/.test(name)) return "the entry name must not contain '*' or '%'";
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x19\x7f]/.test(name)) return 'the entry name must not contain control characters';
  return null;
}

/**
 * RFC 5490 does not make an invalid name an error; such an annotation can never exist, so the
 * test is false. A warning tells the author (as Pigeonhole does).
 */
function checkEntryNames(v: ValidationContext, what: string, arg: Argument | undefined): void {
  if (!arg) return;
  for (const { value, span } of v.constantValues(arg)) {
    const why = invalidEntryName(value);
    if (why)
      v.warning('metadata.invalid-entry', `${what}: "${value}" is not a valid annotation name: ${why}`, span);
  }
}

function mailboxAnnotation(ctx: ExecutionContext, mailbox: string, entry: string): string | null {
  // A mailbox name that is not UTF-8 names no mailbox (see octets.ts).
  if (invalidEntryName(entry) !== null || hasRawOctets(mailbox)) return null;
  return ctx.host.metadata?.(mailbox, entry) ?? null;
}

function serverAnnotation(ctx: ExecutionContext, entry: string): string | null {
  if (invalidEntryName(entry) !== null) return null;
  return ctx.host.serverMetadata?.(entry) ?? null;
}

const metadataTest: TestSpec = {
  name: 'metadata',
  positional: [
    { name: 'mailbox', type: 'string' },
    { name: 'annotation name', type: 'string' },
    { name: 'key list', type: 'string-list' },
  ],
  groups: MATCH_GROUPS,
  tests: 'none',
  validate(v, t) {
    warnNonUtf8Mailbox(v, 'metadata', t.positional[0]);
    checkEntryNames(v, 'metadata', t.positional[1]);
  },
  compile(cc, t) {
    const mailbox = cc.string(t.positional[0]!);
    const entry = cc.string(t.positional[1]!);
    const matcher = cc.matcher(t, t.positional[2]!);
    return (ctx) => {
      // RFC 5490 §3.2: true "if the annotation exists and its value matches"; a missing one
      // fails whatever the match type (also :count, as in Pigeonhole).
      const value = mailboxAnnotation(ctx, evaluate(mailbox, ctx), evaluate(entry, ctx));
      return value !== null && matcher.match(ctx, [value]);
    };
  },
};

const metadataExistsTest: TestSpec = {
  name: 'metadataexists',
  positional: [
    { name: 'mailbox', type: 'string' },
    { name: 'annotation names', type: 'string-list' },
  ],
  tests: 'none',
  validate(v, t) {
    warnNonUtf8Mailbox(v, 'metadataexists', t.positional[0]);
    checkEntryNames(v, 'metadataexists', t.positional[1]);
  },
  compile(cc, t) {
    const mailbox = cc.string(t.positional[0]!);
    const entries = cc.stringList(t.positional[1]!);
    // RFC 5490 §3.3: true only when every annotation exists.
    return (ctx) => {
      const box = evaluate(mailbox, ctx);
      return entries.every((e) => mailboxAnnotation(ctx, box, evaluate(e, ctx)) !== null);
    };
  },
};

const serverMetadataTest: TestSpec = {
  name: 'servermetadata',
  positional: [
    { name: 'annotation name', type: 'string' },
    { name: 'key list', type: 'string-list' },
  ],
  groups: MATCH_GROUPS,
  tests: 'none',
  validate: (v, t) => checkEntryNames(v, 'servermetadata', t.positional[0]),
  compile(cc, t) {
    const entry = cc.string(t.positional[0]!);
    const matcher = cc.matcher(t, t.positional[1]!);
    return (ctx) => {
      const value = serverAnnotation(ctx, evaluate(entry, ctx));
      return value !== null && matcher.match(ctx, [value]);
    };
  },
};

const serverMetadataExistsTest: TestSpec = {
  name: 'servermetadataexists',
  positional: [{ name: 'annotation names', type: 'string-list' }],
  tests: 'none',
  validate: (v, t) => checkEntryNames(v, 'servermetadataexists', t.positional[0]),
  compile(cc, t) {
    const entries = cc.stringList(t.positional[0]!);
    return (ctx) => entries.every((e) => serverAnnotation(ctx, evaluate(e, ctx)) !== null);
  },
};

export const mboxmetadata: ExtensionDefinition = {
  name: 'mboxmetadata',
  setup(r) {
    r.test(metadataTest);
    r.test(metadataExistsTest);
  },
};

export const servermetadata: ExtensionDefinition = {
  name: 'servermetadata',
  setup(r) {
    r.test(serverMetadataTest);
    r.test(serverMetadataExistsTest);
  },
};
