// The rule list of the open script: every item of the rules layer's document in execution order
// (rules, if/elsif chains, product regions, raw code, comments, directives), with on/off switches,
// reordering by drag and drop or by Move up / Move down, and the rule editor. Every change is an
// edit of the script text through src/rules, compiled by the engine here, then stored.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  allRules,
  DIALECTS,
  moveRule,
  readRules,
  removeRule,
  RuleEditError,
  setEnabled,
  type Chain,
  type Item,
  type Region,
  type Rule,
  type RulesDocument,
  type SourceSpan,
} from '../../src/rules/index.js';
import type { Diagnostic } from '../../src/sieve/index.js';
import { api, ApiError } from './api.js';
import { loadEngine } from './engine.js';
import { RuleEditor, Status } from './RuleEditor.js';
import { dialectName, PURPOSES, ruleLabel, summarize, type Edit, type Outcome } from './ruleForm.js';

/** Top-level items shown at first, and added by each "Show more": a 1 MB script has thousands. */
const PAGE = 100;
/** Characters of code shown before "Show all". */
const CODE_PREVIEW = 4000;

/** How many lines differ between two texts (their common first and last lines aside). */
function changedLines(before: string, after: string): number {
  const a = before.split('\n');
  const b = after.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  )
    tail++;
  return Math.max(a.length - head - tail, b.length - head - tail);
}

function CodeBlock({ text, label }: { text: string; label: string }) {
  const [all, setAll] = useState(false);
  const long = text.length > CODE_PREVIEW;
  return (
    <div class="codeblock">
      <pre aria-label={label} tabIndex={0}>
        {long && !all ? text.slice(0, CODE_PREVIEW) : text}
      </pre>
      {long && (
        <button type="button" onClick={() => setAll((v) => !v)}>
          {all ? 'Show less' : `Show all ${text.length} characters`}
        </button>
      )}
    </div>
  );
}

export function RulesView(props: {
  name: string;
  source: string;
  /** The Script tab holds changes not saved yet: the list shows them, and edits wait. */
  dirty: boolean;
  onSaved: (source: string) => void;
  onDiscard: () => void;
}) {
  const { source } = props;
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);
  const [editing, setEditing] = useState<number | 'new' | null>(null);
  const [shown, setShown] = useState(PAGE);
  const [dragging, setDragging] = useState<number | null>(null);
  const [dropAt, setDropAt] = useState<string | null>(null);
  /** After a move by keyboard, the moved rule's Move button gets the focus back. */
  const [focusAfter, setFocusAfter] = useState<{ unit: number; button: 'up' | 'down' } | null>(null);
  const list = useRef<HTMLDivElement>(null);

  const read = useMemo((): { doc: RulesDocument } | { error: string } => {
    try {
      return { doc: readRules(source) };
    } catch (e) {
      return { error: e instanceof Error ? e.message : String(e) };
    }
  }, [source]);
  const doc = 'doc' in read ? read.doc : null;
  const rules = useMemo(() => (doc ? allRules(doc.items) : []), [doc]);
  const indexOf = useMemo(() => new Map(rules.map((r, i) => [r, i])), [rules]);
  // What moves: top-level rules, and chains by their first branch (a region moves with its code).
  const units = useMemo(
    () =>
      (doc?.items ?? []).flatMap((i): { item: Rule | Chain; ref: number }[] =>
        i.kind === 'rule'
          ? [{ item: i, ref: indexOf.get(i)! }]
          : i.kind === 'chain'
            ? [{ item: i, ref: indexOf.get(i.branches[0]!)! }]
            : [],
      ),
    [doc, indexOf],
  );

  useEffect(() => {
    if (!focusAfter) return;
    const row = list.current?.querySelector(`[data-unit="${focusAfter.unit}"]`);
    const other = focusAfter.button === 'up' ? 'down' : 'up';
    (
      row?.querySelector<HTMLElement>(`.move-${focusAfter.button}:not([disabled])`) ??
      row?.querySelector<HTMLElement>(`.move-${other}:not([disabled])`)
    )?.focus();
    setFocusAfter(null);
  }, [focusAfter, source]);

  const locked = busy || props.dirty;
  const openEditor = (which: number | 'new') => {
    setOutcome(null);
    setEditing(which);
  };

  /** Applies an edit, checks that the script compiles, stores it. True when stored. */
  const commit = async (what: string, edit: Edit): Promise<boolean> => {
    if (locked) return false;
    setBusy(true);
    setOutcome({ text: `${what}…` });
    try {
      let next: string;
      try {
        next = edit(source);
      } catch (e) {
        setOutcome({
          text: e instanceof RuleEditError ? `Not changed: ${e.message}.` : `Not changed: ${String(e)}`,
          error: true,
        });
        return false;
      }
      if (next === source) {
        setOutcome({ text: `${what}: nothing to change.` });
        return true;
      }
      let diagnostics: readonly Diagnostic[];
      try {
        diagnostics = (await loadEngine()).compile(next).diagnostics;
      } catch {
        setOutcome({
          text: 'Not saved: the script checker could not be loaded. Reload the page.',
          error: true,
        });
        return false;
      }
      const errors = diagnostics.filter((d) => d.severity === 'error');
      if (errors.length) {
        setOutcome({
          text: `Not saved: the script would not compile (${errors.length} error${errors.length > 1 ? 's' : ''}).`,
          error: true,
          diagnostics: errors,
        });
        return false;
      }
      try {
        await api.put(props.name, next);
      } catch (e) {
        setOutcome({
          text:
            e instanceof ApiError ? `Not saved: ${e.message}` : 'Not saved: the server cannot be reached.',
          error: true,
          ...(e instanceof ApiError && e.diagnostics.length ? { diagnostics: e.diagnostics } : {}),
        });
        return false;
      }
      const n = changedLines(source, next);
      setOutcome({ text: `${what}: stored, ${n} line${n === 1 ? '' : 's'} changed.` });
      props.onSaved(next);
      return true;
    } finally {
      setBusy(false);
    }
  };

  /** A switch shows its new state while the change is checked and stored (and flips back if refused). */
  const [switching, setSwitching] = useState<{ index: number; on: boolean } | null>(null);
  const toggle = (rule: Rule, index: number, on: boolean) => {
    if (locked) return;
    setSwitching({ index, on });
    void commit(`${on ? 'Switched on' : 'Switched off'} "${ruleLabel(rule, index)}"`, (s) =>
      setEnabled(s, index, on),
    ).finally(() => setSwitching(null));
  };

  /** Moves unit `from` (by its rule index) before unit `to`, or to the end. */
  const move = async (
    label: string,
    from: number,
    to: number | null,
    focus?: { unit: number; button: 'up' | 'down' },
  ) => {
    const ok = await commit(label, (s) => moveRule(s, from, to));
    if (ok && focus) setFocusAfter(focus);
  };
  const moveUp = (u: number) => {
    const unit = units[u]!;
    const prev = units[u - 1];
    if (!prev) return setOutcome({ text: 'It is the first rule already.' });
    // After the move it has the index the rule above had.
    void move(`Moved "${unitLabel(unit.item, unit.ref)}" up`, unit.ref, prev.ref, {
      unit: u - 1,
      button: 'up',
    });
  };
  const moveDown = (u: number) => {
    const unit = units[u]!;
    const next = units[u + 1];
    if (!next) return setOutcome({ text: 'It is the last rule already.' });
    // The rule below moves up, before this one: the two swap, nothing else moves.
    void move(`Moved "${unitLabel(unit.item, unit.ref)}" down`, next.ref, unit.ref, {
      unit: u + 1,
      button: 'down',
    });
  };
  const remove = (item: Rule | Chain, index: number) => {
    const what =
      item.kind === 'chain'
        ? `the if/elsif chain "${unitLabel(item, index)}" (all its branches)`
        : `the rule "${ruleLabel(item, index)}"`;
    if (!window.confirm(`Delete ${what}?`)) return;
    // The rules layer removes a chain by its first rule, with the product's data about it.
    void commit(`Deleted ${what}`, (s) => removeRule(s, index));
  };
  const unitLabel = (item: Rule | Chain, ref: number): string =>
    item.kind === 'chain' ? ruleLabel(item.branches[0]!, ref) : ruleLabel(item, ref);

  const drop = (e: DragEvent, u: number | null) => {
    e.preventDefault();
    const from = dragging;
    setDragging(null);
    setDropAt(null);
    if (from === null || u === from) return;
    const unit = units[from]!;
    let target: number | null = null;
    if (u !== null) {
      // The lower half of a row means after it.
      const el = e.currentTarget as HTMLElement;
      const after = e.clientY > el.getBoundingClientRect().top + el.offsetHeight / 2;
      const to = after ? u + 1 : u;
      if (to === from || to === from + 1) return;
      target = units[to]?.ref ?? null;
    }
    void move(`Moved "${unitLabel(unit.item, unit.ref)}"`, unit.ref, target);
  };
  const dragProps = (u: number) =>
    locked
      ? {}
      : {
          draggable: true,
          onDragStart: (e: DragEvent) => {
            e.dataTransfer?.setData('text/plain', String(u));
            if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move';
            setDragging(u);
          },
          onDragEnd: () => {
            setDragging(null);
            setDropAt(null);
          },
          onDragOver: (e: DragEvent) => {
            if (dragging === null) return;
            e.preventDefault();
            setDropAt(`u${u}`);
          },
          onDrop: (e: DragEvent) => drop(e, u),
        };

  if (!doc)
    return (
      <div class="rules">
        <p class="error" role="alert">
          The rules of this script cannot be read ({'error' in read ? read.error : ''}). Edit it in the Script
          tab.
        </p>
      </div>
    );

  if (editing !== null) {
    const index = editing === 'new' ? null : editing;
    const rule = index === null ? null : (rules[index] ?? null);
    return (
      <div class="rules">
        <RuleEditor
          key={String(editing)}
          rule={rule}
          index={index}
          doc={doc}
          source={source}
          locked={locked}
          outcome={outcome}
          onCancel={() => {
            setEditing(null);
            setOutcome(null);
          }}
          onSave={async (what, edit) => {
            if (await commit(what, edit)) setEditing(null);
          }}
          onDelete={
            rule && index !== null && isTopLevel(doc, rule)
              ? () => {
                  if (!window.confirm(`Delete the rule "${ruleLabel(rule, index)}"?`)) return;
                  void commit(`Deleted the rule "${ruleLabel(rule, index)}"`, (s) =>
                    removeRule(s, index),
                  ).then((ok) => ok && setEditing(null));
                }
              : undefined
          }
        />
      </div>
    );
  }

  const unitOf = new Map(units.map((u, i) => [u.item as Item, i]));

  const renderRule = (rule: Rule, opts: { unit?: number; region?: Region; chain?: Chain }) => {
    const index = indexOf.get(rule)!;
    const label = ruleLabel(rule, index);
    const managed = opts.region !== undefined && !opts.region.editable;
    const commented = rule.disabledBy === 'ox-comment' || rule.disabledBy === 'bracket-comment';
    const u = opts.unit;
    return (
      <li
        key={`r${rule.span.start}`}
        class={`rule${rule.enabled ? '' : ' off'}${rule.editable ? '' : ' readonly'}${dropAt === `u${u}` ? ' drop' : ''}`}
        data-rule={index}
        {...(u !== undefined ? { 'data-unit': u, ...dragProps(u) } : {})}
      >
        <div class="rule-head">
          <label
            class="switch"
            title={rule.branch === 'else' ? 'An "else" branch has no test to switch off' : undefined}
          >
            <input
              type="checkbox"
              role="switch"
              checked={switching?.index === index ? switching.on : rule.enabled}
              disabled={locked || managed || rule.branch === 'else'}
              aria-label={`Enabled: ${label}`}
              onChange={(e) => toggle(rule, index, e.currentTarget.checked)}
            />
            <span aria-hidden="true">{rule.enabled ? 'on' : 'off'}</span>
          </label>
          {rule.branch && rule.branch !== 'if' && <span class="branch">{rule.branch}</span>}
          <span class={`rule-name${rule.name ? '' : ' unnamed'}`}>
            {rule.name ? label : `(unnamed ${label})`}
          </span>
          <span class={`purpose purpose-${rule.purpose}`}>{PURPOSES[rule.purpose]}</span>
          <span class="dialect" title={DIALECTS[rule.dialect].label}>
            {dialectName(rule.dialect)}
          </span>
          {rule.diverged !== undefined && <span class="diverged-flag">diverged</span>}
        </div>
        {rule.editable && <p class="summary">{summarize(rule.condition, rule.actions)}</p>}
        {rule.diverged !== undefined && (
          <p class="diverged">
            <strong>diverged</strong>: {rule.diverged}. The product's own data and the code disagree; the code
            is what runs.
          </p>
        )}
        {rule.warnings?.map((w, i) => (
          <p key={i} class="warning">
            <strong>Warning</strong>: {w}
          </p>
        ))}
        {(!rule.editable || commented) && (
          <div class="readonly-code">
            <p>
              {rule.editable
                ? 'Commented out by its product: switch it on to edit its conditions and actions.'
                : `Read-only: ${rule.reason ?? 'the rule editor cannot represent this code'}.`}
            </p>
            <CodeBlock text={source.slice(rule.span.start, rule.span.end)} label={`Code of ${label}`} />
          </div>
        )}
        <div class="row-actions">
          {!managed && (
            <button
              type="button"
              disabled={locked}
              aria-label={`Edit ${label}`}
              onClick={() => openEditor(index)}
            >
              Edit
            </button>
          )}
          {u !== undefined && moveButtons(u, label)}
          {u !== undefined && (
            <button
              type="button"
              class="danger"
              disabled={locked}
              aria-label={`Delete ${label}`}
              onClick={() => remove(rule, index)}
            >
              Delete
            </button>
          )}
        </div>
      </li>
    );
  };

  const moveButtons = (u: number, label: string) => (
    <>
      <button
        type="button"
        class="move-up"
        disabled={locked || u === 0}
        aria-label={`Move ${label} up`}
        onClick={() => moveUp(u)}
      >
        Move up
      </button>
      <button
        type="button"
        class="move-down"
        disabled={locked || u === units.length - 1}
        aria-label={`Move ${label} down`}
        onClick={() => moveDown(u)}
      >
        Move down
      </button>
    </>
  );

  const renderItem = (item: Item, region?: Region) => {
    switch (item.kind) {
      case 'rule':
        return renderRule(item, { ...(region ? { region } : { unit: unitOf.get(item)! }) });
      case 'chain': {
        const u = region ? undefined : unitOf.get(item)!;
        const first = indexOf.get(item.branches[0]!)!;
        const label = unitLabel(item, first);
        return (
          <li
            key={`c${item.span.start}`}
            class={`chain${dropAt === `u${u}` ? ' drop' : ''}`}
            {...(u !== undefined ? { 'data-unit': u, ...dragProps(u) } : {})}
          >
            <div class="chain-head">
              <span>
                <strong>if/elsif chain</strong> ({lines(item.span)}): its branches stay together and move as
                one.
              </span>
              {u !== undefined && (
                <span class="row-actions">
                  {moveButtons(u, label)}
                  <button
                    type="button"
                    class="danger"
                    disabled={locked}
                    aria-label={`Delete chain ${label}`}
                    onClick={() => remove(item, first)}
                  >
                    Delete chain
                  </button>
                </span>
              )}
            </div>
            <ol class="branches" role="group" aria-label={`Branches of ${label}`}>
              {item.branches.map((b) => renderRule(b, { chain: item, ...(region ? { region } : {}) }))}
            </ol>
          </li>
        );
      }
      case 'region':
        return (
          <li key={`g${item.span.start}`} class="region">
            <div class="region-head">
              <strong>{item.label}</strong> <span class="dialect">{dialectName(item.dialect)}</span>{' '}
              {item.editable
                ? '(managed by the product: its rules switch on and off here, and stay inside it)'
                : '(managed by the product: edit these rules there; shown read-only)'}
            </div>
            <ol role="group" aria-label={item.label}>
              {item.items.map((i) => renderItem(i, item))}
            </ol>
          </li>
        );
      case 'raw':
        return (
          <li key={`w${item.span.start}`} class="raw">
            <p>
              <strong>Raw code</strong> (lines {item.span.startLine}–{item.span.endLine}, read-only:{' '}
              {item.reason}). It stays as it is, in its place; edit it in the Script tab.
            </p>
            <CodeBlock text={item.text} label={`Raw code at line ${item.span.startLine}`} />
          </li>
        );
      case 'comment':
        return (
          <li key={`n${item.span.start}`} class="comment">
            <CodeBlock text={item.text} label={`Comment at line ${item.span.startLine}`} />
          </li>
        );
      default:
        return (
          <li key={`d${item.span.start}`} class="directive">
            <code>{source.slice(item.span.start, item.span.end).trim()}</code>
          </li>
        );
    }
  };

  const items = doc.items.slice(0, shown);
  const more = doc.items.length - items.length;
  return (
    <div class="rules" ref={list}>
      {props.dirty && (
        <div class="notice" role="status">
          <p>
            The Script tab holds changes that are not saved: the list shows them. Save them there, or discard
            them, to edit rules here.
          </p>
          <button type="button" onClick={props.onDiscard}>
            Discard the unsaved changes
          </button>
        </div>
      )}
      <div class="rules-top">
        <p class="convention">
          {doc.dialects.length === 0
            ? 'No known convention: the rules are listed from their code; new rules get Roundcube\u2019s "# rule:[name]" line.'
            : `Convention${doc.dialects.length > 1 ? 's' : ''}: ${doc.dialects.map(dialectName).join(', ')}. New rules are written as ${dialectName(doc.dialect)}.`}
        </p>
        <button type="button" class="primary" disabled={locked} onClick={() => openEditor('new')}>
          New rule
        </button>
      </div>
      <Status outcome={outcome} />
      {doc.items.length === 0 ? (
        <p>The script is empty.</p>
      ) : (
        <ol class="rule-list" aria-label={`Rules of ${props.name}`}>
          {items.map((i) => renderItem(i))}
          {dragging !== null && (
            <li
              class={`drop-end${dropAt === 'end' ? ' drop' : ''}`}
              onDragOver={(e) => {
                e.preventDefault();
                setDropAt('end');
              }}
              onDrop={(e) => drop(e, null)}
            >
              Drop here to move it to the end
            </li>
          )}
        </ol>
      )}
      {more > 0 && (
        <p class="more">
          {items.length} of {doc.items.length} items shown.{' '}
          <button type="button" onClick={() => setShown((n) => n + PAGE)}>
            Show {Math.min(PAGE, more)} more
          </button>{' '}
          <button type="button" onClick={() => setShown(doc.items.length)}>
            Show all {doc.items.length}
          </button>
        </p>
      )}
    </div>
  );
}

const lines = (s: SourceSpan): string =>
  s.startLine === s.endLine ? `line ${s.startLine}` : `lines ${s.startLine}–${s.endLine}`;

function isTopLevel(doc: RulesDocument, rule: Rule): boolean {
  return doc.items.includes(rule);
}
