// RFC 5173: the body test, with the :raw, :content and :text transforms.
import type { ExtensionDefinition } from '../../registry.js';
import { evaluate, type ExecutionContext, type StringValue } from '../../runtime.js';
import type { MimePart, MimeTree } from '../../message/mime.js';
import { isHtml, partContent, partText, rawText } from '../../message/mime.js';
import { MATCH_GROUPS } from '../base/index.js';
import { messageTree } from '../editheader/edits.js';

/**
 * RFC 5173 §5.2: whether a part's type is in the :content list. "" matches every type, a
 * type alone ("text") every subtype of it, "type/subtype" that type; case-insensitively.
 */
export function typeMatches(part: MimePart, wanted: readonly string[]): boolean {
  const { type, subtype } = part.type;
  for (const w of wanted) {
    if (w === '') return true;
    const slash = w.indexOf('/');
    if (slash < 0) {
      if (w.toLowerCase() === type) return true;
    } else if (w.slice(0, slash).toLowerCase() === type && w.slice(slash + 1).toLowerCase() === subtype) {
      return true;
    }
  }
  return false;
}

/**
 * Whether the message has a body: the empty line that ends the header block is there (§5: "If a
 * message consists of a header only, not followed by an empty line", every body test is false).
 */
function hasBody(tree: MimeTree): boolean {
  const root = tree.parts[0]!;
  return headerEnd(tree.bytes, root) < root.bodyStart;
}

/** §5.1 :raw: the body of the message, undecoded, as one string. */
function rawValues(tree: MimeTree): string[] {
  const root = tree.parts[0]!;
  return [rawText(tree.bytes, root.bodyStart, root.bodyEnd)];
}

/**
 * §5.2 :content: every part of a listed type, decoded (transfer encoding and charset). A matching
 * multipart gives its preamble and epilogue (each a string), a matching message/rfc822 the header
 * of the enclosed message; their children are searched only when their own type matches.
 */
function contentValues(tree: MimeTree, types: readonly string[]): string[] {
  const out: string[] = [];
  for (const part of tree.parts) {
    if (!typeMatches(part, types)) continue;
    if (part.type.type === 'multipart' && !part.opaque) {
      if (part.preamble) out.push(rawText(tree.bytes, part.preamble[0], part.preamble[1]));
      if (part.epilogue) out.push(rawText(tree.bytes, part.epilogue[0], part.epilogue[1]));
    } else if (part.type.type === 'message' && part.type.subtype === 'rfc822' && part.children[0]) {
      out.push(rawText(tree.bytes, part.children[0].headerStart, headerEnd(tree.bytes, part.children[0])));
    } else {
      out.push(partContent(tree, part));
    }
  }
  return out;
}

/**
 * Where a part's header fields end: before the empty line that separates them from the body, or
 * at bodyStart when there is no such line (a part that is only a header).
 */
function headerEnd(bytes: Uint8Array, part: MimePart): number {
  let end = part.bodyStart;
  if (end > part.headerStart && bytes[end - 1] === 0x0a) {
    const crlf = bytes[end - 2] === 0x0d ? 2 : 1;
    // Only the empty line goes: the line break before it ends the last field.
    if (end - crlf === part.headerStart || bytes[end - crlf - 1] === 0x0a) end -= crlf;
  }
  return end;
}

const textCache = new WeakMap<MimeTree, string[]>();

/** §5.3 :text: the text parts and XHTML (HTML reduced to text), each decoded to Unicode. */
function textValues(tree: MimeTree): string[] {
  const cached = textCache.get(tree);
  if (cached) return cached;
  const out: string[] = [];
  for (const part of tree.parts) {
    if (part.type.type !== 'text' && !isHtml(part)) continue;
    const text = partText(tree, part);
    if (text !== null) out.push(text);
  }
  textCache.set(tree, out);
  return out;
}

export const body: ExtensionDefinition = {
  name: 'body',
  needsBody: true,
  setup(r) {
    r.test({
      name: 'body',
      positional: [{ name: 'key list', type: 'string-list' }],
      tags: [
        { name: 'raw', group: 'body-transform' },
        { name: 'content', group: 'body-transform', value: { name: 'content types', type: 'string-list' } },
        { name: 'text', group: 'body-transform' },
      ],
      groups: MATCH_GROUPS,
      tests: 'none',
      compile(cc, t) {
        const matcher = cc.matcher(t, t.positional[0]!);
        const transform = t.groups.get('body-transform');
        const kind = transform?.spec.name ?? 'text';
        const types: StringValue[] = kind === 'content' ? cc.stringList(transform!.value!) : [];
        const values = (ctx: ExecutionContext): string[] => {
          const tree = messageTree(ctx);
          if (tree === null || !hasBody(tree)) return [];
          if (kind === 'raw') return rawValues(tree);
          if (kind === 'content')
            return contentValues(
              tree,
              types.map((s) => evaluate(s, ctx)),
            );
          return textValues(tree);
        };
        // RFC 5173 §6 (updating RFC 5229 §3.2): the body test does not set match variables; the
        // values of an earlier test stay.
        return (ctx) => {
          const kept = ctx.matchValues;
          const r = matcher.match(ctx, values(ctx));
          ctx.matchValues = kept;
          return r;
        };
      },
    });
  },
};
