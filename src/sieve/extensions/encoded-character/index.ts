// RFC 5228 §2.4.2.4: "${hex:...}" and "${unicode:...}" in string literals.
import { decodeOctets } from '../../octets.js';
import type { ExtensionDefinition } from '../../registry.js';

const ENCODED = /\$\{(hex|unicode):([\s0-9a-fA-F]*)\}/gi;

export const encodedCharacter: ExtensionDefinition = {
  name: 'encoded-character',
  setup(r) {
    r.stringTransform((value, span, v) => {
      if (!value.includes('${')) return value;
      return value.replace(ENCODED, (whole, kind: string, body: string) => {
        const items = body.trim().split(/\s+/);
        // Malformed sequences are left as they are (§2.4.2.4: "not ... an error").
        if (items.length === 0 || items[0] === '') return whole;
        if (kind.toLowerCase() === 'hex') {
          if (items.some((h) => h.length > 2)) return whole;
          // "encoded-arb-octets": any octets, UTF-8 or not (see octets.ts).
          return decodeOctets(new Uint8Array(items.map((h) => parseInt(h, 16))));
        }
        let out = '';
        for (const h of items) {
          const cp = parseInt(h, 16);
          // §2.4.2.4: only 0–D7FF and E000–10FFFF are valid Unicode scalar values.
          if (h.replace(/^0+/, '').length > 6 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            v.error(
              'encoded-character.invalid-unicode',
              `"${h}" in "${whole}" is not a Unicode scalar value`,
              span,
            );
            return whole;
          }
          out += String.fromCodePoint(cp);
        }
        return out;
      });
    });
  },
};
