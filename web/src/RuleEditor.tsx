// The rule editor: a new rule, or an existing one — its name, its conditions (all or any, each
// with "not") and its actions. Saving builds one edit of the script text through src/rules
// (addRule, or rename and updateRule), which the rule list compiles and stores.
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  addRule,
  rename,
  updateRule,
  type Action,
  type Condition,
  type Rule,
  type RuleChange,
  type RulesDocument,
} from '../../src/rules/index.js';
import {
  ACTION_KINDS,
  actionFromForm,
  actionsToForm,
  ADDRESS_PARTS,
  CONDITION_KINDS,
  conditionsFromForm,
  conditionsToForm,
  DATE_PARTS,
  FormError,
  MATCH_TYPES,
  MATCHING,
  newAction,
  newCondition,
  RELATIONAL,
  RELATIONS,
  type ActionForm,
  type ActionKind,
  type ConditionForm,
  type ConditionKind,
  type ConditionsForm,
  dialectName,
  ruleLabel,
  type Edit,
  type Outcome,
} from './ruleForm.js';

/** The form's content without ids and originals: equal keys mean nothing was changed. */
const formKey = (v: unknown): string =>
  JSON.stringify(v, (k, x: unknown) => (k === 'id' || k === 'orig' ? undefined : x));

export function RuleEditor(props: {
  /** The rule to edit, or null for a new one. */
  rule: Rule | null;
  /** Its index among all rules (the rules layer's RuleRef). */
  index: number | null;
  doc: RulesDocument;
  source: string;
  locked: boolean;
  outcome: Outcome | null;
  onCancel: () => void;
  onSave: (what: string, edit: Edit) => Promise<void>;
  onDelete: (() => void) | undefined;
}) {
  const { rule, index } = props;
  const isNew = rule === null || index === null;
  // The text field cannot hold a line break: the name is compared as the field shows it.
  const shownName = (rule?.name ?? '').replace(/[\r\n]+/g, '');
  const commented = rule?.disabledBy === 'ox-comment' || rule?.disabledBy === 'bracket-comment';
  const bodyEditable = isNew || (rule.editable && !commented);
  const isElse = rule?.branch === 'else';
  const nameEditable = isNew || rule.branch === undefined || rule.branch === 'if';

  const [initial] = useState(() => ({
    conditions: bodyEditable && !isElse ? conditionsToForm(rule?.condition ?? null) : null,
    actions: bodyEditable ? (rule ? actionsToForm(rule.actions) : [newAction()]) : null,
  }));
  const [name, setName] = useState(shownName);
  const [conds, setConds] = useState<ConditionsForm | null>(initial.conditions);
  const [acts, setActs] = useState<ActionForm[] | null>(initial.actions);
  const [error, setError] = useState('');
  const nameField = useRef<HTMLInputElement>(null);
  useEffect(() => nameField.current?.focus(), []);

  const title = isNew ? 'New rule' : `Edit rule "${ruleLabel(rule, index)}"`;

  const save = async (e: Event) => {
    e.preventDefault();
    setError('');
    let edit: Edit;
    let what: string;
    try {
      const typed = name.trim();
      if (/[\r\n]/.test(typed))
        throw new FormError(
          'A rule name cannot hold a line break: most conventions keep it in one comment line.',
        );
      if (isNew && !typed) throw new FormError('Give the rule a name.');
      const condChanged = conds !== null && formKey(conds) !== formKey(initial.conditions);
      const actsChanged = acts !== null && formKey(acts) !== formKey(initial.actions);
      const condition: Condition | undefined =
        conds && (isNew || condChanged) ? conditionsFromForm(conds) : undefined;
      let actions: Action[] | undefined;
      if (acts && (isNew || actsChanged)) {
        if (acts.length === 0) throw new FormError('A rule needs at least one action.');
        actions = acts.map((a, i) => actionFromForm(a, i + 1));
      }
      if (isNew) {
        const rule = {
          name: typed,
          condition: condition ?? { type: 'true' as const },
          actions: actions ?? [],
        };
        what = `Added the rule "${typed}"`;
        edit = (s) => addRule(s, rule);
      } else {
        const renamed = nameEditable && typed !== shownName.trim();
        if (renamed && !typed) throw new FormError('A name cannot be removed here; give a new one.');
        // Only what was changed is written: an unchanged condition keeps its bytes.
        const change: RuleChange = {
          ...(condition !== undefined ? { condition } : {}),
          ...(actions !== undefined ? { actions } : {}),
        };
        what = `Saved the rule "${renamed ? typed : ruleLabel(rule, index)}"`;
        edit = (s) => {
          let out = s;
          if (renamed) out = rename(out, index, typed);
          if (change.condition !== undefined || change.actions !== undefined)
            out = updateRule(out, index, change);
          return out;
        };
      }
    } catch (err) {
      if (err instanceof FormError) {
        setError(err.message);
        return;
      }
      throw err;
    }
    await props.onSave(what, edit);
  };

  const setCond = (i: number, f: (c: ConditionForm) => ConditionForm) =>
    setConds((cs) => cs && { ...cs, conditions: cs.conditions.map((c, j) => (j === i ? f(c) : c)) });
  const setAct = (i: number, f: (a: ActionForm) => ActionForm) =>
    setActs((as) => as && as.map((a, j) => (j === i ? f(a) : a)));

  return (
    <form class="rule-editor" aria-label={title} onSubmit={(e) => void save(e)}>
      <h3>{title}</h3>
      <p class="hint">
        {isNew
          ? `Written as a ${dialectName(props.doc.dialect)} rule at the end of the script.`
          : `${dialectName(rule.dialect)} rule, lines ${rule.span.startLine}–${rule.span.endLine}.`}
      </p>
      <label for="rule-name">Rule name</label>
      <input
        id="rule-name"
        ref={nameField}
        value={name}
        disabled={!nameEditable}
        aria-describedby="rule-name-hint"
        onInput={(e) => setName(e.currentTarget.value)}
      />
      <p id="rule-name-hint" class="hint">
        {!nameEditable
          ? 'A branch of an if/elsif chain is named by the chain\u2019s first rule.'
          : rule?.name && /[\r\n]/.test(rule.name)
            ? 'The stored name holds a line break, which this field cannot show; it is kept unless you change the name.'
            : 'Any characters but line breaks; "]", "|" and "*/" are fine.'}
      </p>

      <fieldset>
        <legend>Conditions</legend>
        {isElse ? (
          <p>An "else" branch runs when no branch above it matched: it has no conditions.</p>
        ) : conds === null ? (
          <ReadOnly rule={rule} source={props.source} what="conditions" />
        ) : (
          <>
            {conds.conditions.length === 0 && <p>No condition: the rule applies to every message.</p>}
            {conds.conditions.length >= 2 && (
              <div class="field-row">
                <label for="rule-join">Apply when</label>
                <select
                  id="rule-join"
                  value={conds.join}
                  onChange={(e) => setConds({ ...conds, join: e.currentTarget.value as 'allof' | 'anyof' })}
                >
                  <option value="allof">all of the conditions match (allof)</option>
                  <option value="anyof">any of the conditions matches (anyof)</option>
                </select>
              </div>
            )}
            <ol class="form-rows">
              {conds.conditions.map((c, i) => (
                <li key={c.id}>
                  <ConditionFields
                    c={c}
                    n={i + 1}
                    onChange={(f) => setCond(i, f)}
                    onRemove={() =>
                      setConds({ ...conds, conditions: conds.conditions.filter((_, j) => j !== i) })
                    }
                  />
                </li>
              ))}
            </ol>
            <button
              type="button"
              onClick={() => setConds({ ...conds, conditions: [...conds.conditions, newCondition()] })}
            >
              Add condition
            </button>
          </>
        )}
      </fieldset>

      <fieldset>
        <legend>Actions</legend>
        {acts === null ? (
          <ReadOnly rule={rule} source={props.source} what="actions" />
        ) : (
          <>
            {acts.length === 0 && <p>No action yet: a rule needs at least one.</p>}
            <ol class="form-rows">
              {acts.map((a, i) => (
                <li key={a.id}>
                  <ActionFields
                    a={a}
                    n={i + 1}
                    onChange={(f) => setAct(i, f)}
                    onRemove={() => setActs(acts.filter((_, j) => j !== i))}
                    onUp={
                      i > 0
                        ? () =>
                            setActs([...acts.slice(0, i - 1), acts[i]!, acts[i - 1]!, ...acts.slice(i + 1)])
                        : undefined
                    }
                  />
                </li>
              ))}
            </ol>
            <button type="button" onClick={() => setActs([...acts, newAction()])}>
              Add action
            </button>
          </>
        )}
      </fieldset>

      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <Status outcome={props.outcome} />
      <div class="toolbar">
        <button type="submit" disabled={props.locked}>
          Save rule
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
        {props.onDelete && (
          <button type="button" class="danger" disabled={props.locked} onClick={props.onDelete}>
            Delete rule
          </button>
        )}
      </div>
    </form>
  );
}

function ReadOnly({ rule, source, what }: { rule: Rule | null; source: string; what: string }) {
  if (!rule) return null;
  const why =
    rule.disabledBy === 'ox-comment' || rule.disabledBy === 'bracket-comment'
      ? 'the rule is commented out by its product: switch it on in the list to edit it'
      : !rule.editable
        ? (rule.reason ?? 'the rule editor cannot represent this code')
        : 'they use nested groups or values on several lines';
  return (
    <div class="readonly-code">
      <p>
        The {what} cannot be edited here ({why}). Edit them in the Script tab; the code:
      </p>
      <pre>{source.slice(rule.codeSpan.start, rule.codeSpan.end)}</pre>
    </div>
  );
}

/** A label with the row's number for screen readers ("Values, condition 2"). */
function L({ for: id, text, row }: { for: string; text: string; row: string }) {
  return (
    <label for={id}>
      {text}
      <span class="sr-only">, {row}</span>
    </label>
  );
}

/** A select's options, from value → label. */
const options = (labels: Readonly<Record<string, string>>) =>
  Object.entries(labels).map(([k, v]) => (
    <option key={k} value={k}>
      {v}
    </option>
  ));

/** The fields of a row's form that hold text. */
type TextKey<F> = { [K in keyof F]: F[K] extends string ? K : never }[keyof F] & string;

/** A row's labelled one-line text inputs: `field(key, label)` edits `form[key]`, its id is `id(key)`. */
function textFields<F>(form: F, id: (key: string) => string, row: string, set: (patch: Partial<F>) => void) {
  return (
    key: TextKey<F>,
    label: string,
    attrs: { type: 'email' } | { inputMode: 'numeric' } | Record<string, never> = {},
  ) => (
    <span>
      <L for={id(key)} text={label} row={row} />
      <input
        id={id(key)}
        {...attrs}
        value={form[key] as string}
        onInput={(e) => set({ [key]: e.currentTarget.value } as Partial<F>)}
      />
    </span>
  );
}

function ConditionFields(props: {
  c: ConditionForm;
  n: number;
  onChange: (f: (c: ConditionForm) => ConditionForm) => void;
  onRemove: () => void;
}) {
  const { c, n } = props;
  const id = (f: string) => `cond-${c.id}-${f}`;
  const row = `condition ${n}`;
  const set = (patch: Partial<ConditionForm>) => props.onChange((x) => ({ ...x, ...patch }));
  const field = textFields(c, id, row, set);
  const relational = c.match === 'value' || c.match === 'count';
  const matchTypes = (Object.keys(MATCH_TYPES) as (keyof typeof MATCH_TYPES)[]).filter((m) =>
    c.kind === 'spamtest'
      ? m === 'value' || m === 'is'
      : m !== 'value' && m !== 'count'
        ? true
        : RELATIONAL.has(c.kind),
  );
  return (
    <div class="form-row" role="group" aria-label={`Condition ${n}`}>
      <div class="field-row">
        <span>
          <L for={id('kind')} text="Test" row={row} />
          <select
            id={id('kind')}
            value={c.kind}
            onChange={(e) => {
              const kind = e.currentTarget.value as ConditionKind;
              props.onChange((x) => ({ ...newCondition(kind), not: x.not }));
            }}
          >
            {options(CONDITION_KINDS)}
          </select>
        </span>
        <span class="check">
          <input
            id={id('not')}
            type="checkbox"
            checked={c.not}
            onChange={(e) => set({ not: e.currentTarget.checked })}
          />
          <L for={id('not')} text="Not (the opposite)" row={row} />
        </span>
        <button type="button" class="danger" aria-label={`Remove condition ${n}`} onClick={props.onRemove}>
          Remove
        </button>
      </div>
      <div class="field-row">
        {(c.kind === 'header' || c.kind === 'address' || c.kind === 'envelope' || c.kind === 'exists') &&
          field(
            'headers',
            c.kind === 'envelope' ? 'Envelope parts (from, to)' : 'Header names (comma-separated)',
          )}
        {c.kind === 'date' && field('headers', 'Date header')}
        {(c.kind === 'address' || c.kind === 'envelope') && (
          <span>
            <L for={id('part')} text="Address part" row={row} />
            <select
              id={id('part')}
              value={c.addressPart}
              onChange={(e) => set({ addressPart: e.currentTarget.value as ConditionForm['addressPart'] })}
            >
              {options(ADDRESS_PARTS)}
            </select>
          </span>
        )}
        {(c.kind === 'date' || c.kind === 'currentdate') && (
          <span>
            <L for={id('datepart')} text="Date part" row={row} />
            <select
              id={id('datepart')}
              value={c.datePart}
              onChange={(e) => set({ datePart: e.currentTarget.value })}
            >
              {[...DATE_PARTS, ...(DATE_PARTS.includes(c.datePart as never) ? [] : [c.datePart])].map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </span>
        )}
        {MATCHING.has(c.kind) && (
          <span>
            <L for={id('match')} text="Match" row={row} />
            <select
              id={id('match')}
              value={c.match}
              onChange={(e) => set({ match: e.currentTarget.value as ConditionForm['match'] })}
            >
              {matchTypes.map((m) => (
                <option key={m} value={m}>
                  {MATCH_TYPES[m]}
                </option>
              ))}
            </select>
          </span>
        )}
        {MATCHING.has(c.kind) && relational && (
          <span>
            <L for={id('relation')} text="Relation" row={row} />
            <select
              id={id('relation')}
              value={c.relation}
              onChange={(e) => set({ relation: e.currentTarget.value })}
            >
              {options(RELATIONS)}
            </select>
          </span>
        )}
        {c.kind === 'size' && (
          <>
            <span>
              <L for={id('over')} text="Size is" row={row} />
              <select
                id={id('over')}
                value={c.over ? 'over' : 'under'}
                onChange={(e) => set({ over: e.currentTarget.value === 'over' })}
              >
                <option value="over">over</option>
                <option value="under">under</option>
              </select>
            </span>
            {field('size', 'Size', { inputMode: 'numeric' })}
            <span>
              <L for={id('unit')} text="Unit" row={row} />
              <select
                id={id('unit')}
                value={c.unit}
                onChange={(e) => set({ unit: e.currentTarget.value as ConditionForm['unit'] })}
              >
                <option value="">bytes</option>
                <option value="K">K (kibibytes)</option>
                <option value="M">M (mebibytes)</option>
                <option value="G">G (gibibytes)</option>
              </select>
            </span>
          </>
        )}
        {c.kind === 'spamtest' && (
          <>
            {field('score', 'Score', { inputMode: 'numeric' })}
            <span class="check">
              <input
                id={id('percent')}
                type="checkbox"
                checked={c.percent}
                onChange={(e) => set({ percent: e.currentTarget.checked })}
              />
              <L for={id('percent')} text="Percent (0–100)" row={row} />
            </span>
          </>
        )}
      </div>
      {MATCHING.has(c.kind) && c.kind !== 'spamtest' && (
        <div>
          <L for={id('keys')} text="Values (one a line; any of them)" row={row} />
          <textarea
            id={id('keys')}
            rows={2}
            value={c.keys}
            onInput={(e) => set({ keys: e.currentTarget.value })}
          />
        </div>
      )}
    </div>
  );
}

function ActionFields(props: {
  a: ActionForm;
  n: number;
  onChange: (f: (a: ActionForm) => ActionForm) => void;
  onRemove: () => void;
  onUp: (() => void) | undefined;
}) {
  const { a, n } = props;
  const id = (f: string) => `act-${a.id}-${f}`;
  const row = `action ${n}`;
  const set = (patch: Partial<ActionForm>) => props.onChange((x) => ({ ...x, ...patch }));
  const field = textFields(a, id, row, set);
  return (
    <div class="form-row" role="group" aria-label={`Action ${n}`}>
      <div class="field-row">
        <span>
          <L for={id('kind')} text="Action" row={row} />
          <select
            id={id('kind')}
            value={a.kind}
            onChange={(e) => {
              const kind = e.currentTarget.value as ActionKind;
              props.onChange(() => newAction(kind));
            }}
          >
            {options(ACTION_KINDS)}
          </select>
        </span>
        {props.onUp && (
          <button type="button" aria-label={`Move action ${n} up`} onClick={props.onUp}>
            Move up
          </button>
        )}
        <button type="button" class="danger" aria-label={`Remove action ${n}`} onClick={props.onRemove}>
          Remove
        </button>
      </div>
      <div class="field-row">
        {a.kind === 'fileinto' && (
          <>
            {field('mailbox', 'Folder')}
            {field('flags', 'Flags (optional, separated by spaces)')}
          </>
        )}
        {a.kind === 'redirect' && field('address', 'Address', { type: 'email' })}
        {(a.kind === 'fileinto' || a.kind === 'redirect') && (
          <span class="check">
            <input
              id={id('copy')}
              type="checkbox"
              checked={a.copy}
              onChange={(e) => set({ copy: e.currentTarget.checked })}
            />
            <L for={id('copy')} text="Keep a copy here too (:copy)" row={row} />
          </span>
        )}
        {a.kind === 'keep' && field('flags', 'Flags (optional, separated by spaces)')}
        {(a.kind === 'addflag' || a.kind === 'setflag' || a.kind === 'removeflag') &&
          field('flags', 'Flags (separated by spaces)')}
        {a.kind === 'vacation' && (
          <>
            {field('days', 'Days between replies to a sender', { inputMode: 'numeric' })}
            {field('subject', 'Subject')}
            {field('from', 'From (optional)')}
            {field('addresses', 'My other addresses (optional, comma-separated)')}
          </>
        )}
      </div>
      {(a.kind === 'reject' || a.kind === 'ereject' || a.kind === 'vacation') && (
        <div>
          <L for={id('text')} text={a.kind === 'vacation' ? 'Message' : 'Reason sent back'} row={row} />
          <textarea
            id={id('text')}
            rows={a.kind === 'vacation' ? 4 : 2}
            value={a.text}
            onInput={(e) => set({ text: e.currentTarget.value })}
          />
        </div>
      )}
    </div>
  );
}

/** What the last change did: a sentence, and the engine's errors when it did not compile. */
export function Status({ outcome }: { outcome: Outcome | null }) {
  return (
    <div class="rules-status">
      <p role={outcome?.error ? 'alert' : 'status'} class={`message${outcome?.error ? ' error' : ''}`}>
        {outcome?.text ?? ''}
      </p>
      {outcome?.diagnostics && (
        <ul class="diagnostics">
          {outcome.diagnostics.map((d, i) => (
            <li key={i} class={d.severity}>
              line {d.line}, column {d.column}: {d.severity}: {d.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
