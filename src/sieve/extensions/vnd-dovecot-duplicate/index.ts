// Dovecot's vnd.dovecot.duplicate, the draft that became RFC 7352: the duplicate test with
// `:value` where RFC 7352 has `:uniqueid` (and the same :header, :handle, :seconds and :last).
// It is RFC 7352's test under another tag name, so it shares duplicate's memory: an id tracked
// by one is a duplicate for the other. Accepted in require, never advertised, and not usable
// together with duplicate (the test has the same name).
import {
  declarations,
  type ExtensionDefinition,
  type TagSpec,
  type TagUse,
  type ValidatedTest,
} from '../../registry.js';
import { duplicate } from '../duplicate/index.js';

const standard = declarations(duplicate).tests.get('duplicate');
if (!standard) throw new Error('vnd.dovecot.duplicate: duplicate declares no duplicate test');

/** :value <value: string> in place of :uniqueid. */
const tags: TagSpec[] = (standard.tags ?? []).map((t) =>
  t.name === 'uniqueid' ? { ...t, name: 'value', value: { name: 'value', type: 'string' } } : t,
);

/** The test's arguments as RFC 7352's test reads them: :value as :uniqueid. */
function asStandard(t: ValidatedTest): ValidatedTest {
  const value = t.tags.get('value');
  if (!value) return t;
  const rename = (use: TagUse): TagUse =>
    use === value ? { ...use, spec: { ...use.spec, name: 'uniqueid' } } : use;
  const renamed = new Map(
    [...t.tags].map(([name, use]) => [name === 'value' ? 'uniqueid' : name, rename(use)]),
  );
  const groups = new Map([...t.groups].map(([group, use]) => [group, rename(use)]));
  return { ...t, tags: renamed, groups };
}

export const vndDovecotDuplicate: ExtensionDefinition = {
  name: 'vnd.dovecot.duplicate',
  advertised: false,
  conflicts: ['duplicate'],
  setup(r) {
    r.test({
      ...standard,
      tags,
      validate: standard.validate && ((v, t) => standard.validate!(v, asStandard(t))),
      compile: (cc, t) => standard.compile(cc, asStandard(t)),
    });
  },
};
