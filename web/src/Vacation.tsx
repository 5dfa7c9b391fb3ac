// The "Out of office" screen: the script's vacation rule as a form. src/rules/special.ts reads
// the rule and writes the new script (only that rule and `require` change); onSave stores it.
// Its classes (.special …) are styled in style.css; Forward.tsx uses the same ones.
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useMemo, useRef, useState, type Dispatch, type StateUpdater } from 'preact/hooks';
import {
  checkVacation,
  readVacation,
  VACATION_DAYS,
  writeVacation,
  type RuleInfo,
  type SettingsProblem,
  type VacationInput,
  type VacationSettings,
} from '../../src/rules/special.js';

/** The form's fields as the inputs hold them. */
interface Fields {
  enabled: boolean;
  start: string;
  end: string;
  days: string;
  subject: string;
  from: string;
  /** One address a line. */
  addresses: string;
  reason: string;
}

function fieldsOf(v: VacationSettings | null): Fields {
  return {
    enabled: v?.enabled ?? true,
    start: v?.start ?? '',
    end: v?.end ?? '',
    days: v?.days !== undefined ? String(v.days) : '',
    subject: v?.subject ?? '',
    from: v?.from ?? '',
    addresses: (v?.addresses ?? []).join('\n'),
    reason: v?.reason ?? '',
  };
}

/** The settings the form says; an empty field is an absent setting (the server's default). */
function inputOf(f: Fields, current: VacationSettings | null): VacationInput {
  const days = f.days.trim();
  return {
    enabled: f.enabled,
    ...(days !== '' ? { days: Number(days) } : {}),
    // A period in seconds (RFC 6131) has no field: it stays until a period in days replaces it.
    ...(days === '' && current?.seconds !== undefined ? { seconds: current.seconds } : {}),
    // `:subject ""` stays as it was; an emptied field removes :subject.
    ...(f.subject !== '' || current?.subject === '' ? { subject: f.subject } : {}),
    ...(f.from !== '' || current?.from === '' ? { from: f.from } : {}),
    addresses: f.addresses
      .split('\n')
      .map((a) => a.trim())
      .filter((a) => a !== ''),
    reason: f.reason,
    ...(f.start !== '' ? { start: f.start } : {}),
    ...(f.end !== '' ? { end: f.end } : {}),
  };
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** A save as both special screens do it: problems, then the new text, then onSave; with a status. */
export function useSave(source: string, onSave: (next: string) => Promise<void>) {
  const [problems, setProblems] = useState<readonly SettingsProblem[]>([]);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  // A new script text (after a save, or another tab's edit): old problems no longer apply.
  useEffect(() => setProblems([]), [source]);
  /** `write` gives the new script text; it throws (RuleEditError) when the settings are refused. */
  const save = async (
    found: readonly SettingsProblem[],
    write: () => string,
    done: string,
  ): Promise<void> => {
    setStatus('');
    if (found.length) return setProblems(found);
    let next: string;
    try {
      next = write();
    } catch (err) {
      return setProblems([{ field: '', message: message(err) }]);
    }
    setProblems([]);
    if (next === source) return setStatus('Nothing to save: the script says this already.');
    setBusy(true);
    try {
      await onSave(next);
      setStatus(done);
    } catch (err) {
      setProblems([{ field: '', message: `Not saved: ${message(err)}` }]);
    } finally {
      setBusy(false);
    }
  };
  return { problems, status, setStatus, busy, save };
}

/**
 * A special screen's form fields, made from the rule as read (`current`), and made again when it
 * changes (after a save, or another tab's edit). Not when the screen opens: the state starts from
 * it, and Preact runs effects after the first paint, so a reset then would wipe what was typed.
 */
export function useFields<C, F>(current: C, fieldsOf: (c: C) => F): [F, Dispatch<StateUpdater<F>>] {
  const [fields, setFields] = useState<F>(() => fieldsOf(current));
  const shown = useRef(current);
  useEffect(() => {
    if (shown.current === current) return;
    shown.current = current;
    setFields(fieldsOf(current));
  }, [current]);
  return [fields, setFields];
}

/** Above a special screen's fields: the rule's name, why it is locked, warnings, and the errors. */
export function RuleNotes(props: {
  id: string;
  rule: RuleInfo | null;
  problems: readonly SettingsProblem[];
  /** What saving does when the script has no such rule. */
  none: string;
  children?: ComponentChildren;
}) {
  const { rule } = props;
  return (
    <>
      {rule === null && <p class="hint">{props.none}</p>}
      {rule?.name && <p class="hint">Rule "{rule.name}".</p>}
      {rule && !rule.editable && (
        <p class="notice">
          This rule cannot be edited here: {rule.reasonNotEditable}.
          {rule.switchable ? ' It can still be switched on and off.' : ''}
        </p>
      )}
      {props.children}
      {rule?.warnings.map((w) => (
        <p class="notice" key={w}>
          {w}
        </p>
      ))}
      {props.problems.length > 0 && (
        <div class="error" role="alert" id={`${props.id}-errors`}>
          <ul>
            {props.problems.map((p, i) => (
              <li key={i}>{p.message}</li>
            ))}
          </ul>
        </div>
      )}
    </>
  );
}

/** The save button and the status line after it. */
export function SaveBar(props: { busy: boolean; disabled: boolean; status: string }) {
  return (
    <div class="toolbar">
      <button type="submit" disabled={props.busy || props.disabled}>
        {props.busy ? 'Saving…' : 'Save'}
      </button>
      <span class="message" role="status">
        {props.status}
      </span>
    </div>
  );
}

export function Vacation(props: { source: string; onSave: (next: string) => Promise<void> }) {
  const id = useId();
  const current = useMemo(() => readVacation(props.source), [props.source]);
  const [fields, setFields] = useFields(current, fieldsOf);
  const { problems, status, setStatus, busy, save } = useSave(props.source, props.onSave);

  const set = <K extends keyof Fields>(key: K, value: Fields[K]): void => {
    setFields((f) => ({ ...f, [key]: value }));
    setStatus('');
  };
  const text =
    (key: Exclude<keyof Fields, 'enabled'>) =>
    (e: Event): void =>
      set(key, (e.currentTarget as HTMLInputElement | HTMLTextAreaElement).value);
  /** A field's ARIA state: invalid fields point at the error list, besides their own hint. */
  const aria = (field: string, hint?: string) => {
    const bad = problems.some((p) => p.field === field);
    const describedBy = [bad ? `${id}-errors` : '', hint ?? ''].filter(Boolean).join(' ');
    return { 'aria-invalid': bad || undefined, 'aria-describedby': describedBy || undefined };
  };

  const locked = current !== null && !current.editable;
  const canSwitch = current === null || current.editable || current.switchable;

  const submit = (e: Event): void => {
    e.preventDefault();
    const input = inputOf(fields, current);
    void save(
      checkVacation(input, current),
      () => writeVacation(props.source, input),
      input.enabled ? 'Saved: automatic replies are on.' : 'Saved: automatic replies are off.',
    );
  };

  return (
    <form class="special vacation" noValidate onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Out of office</h2>
      <RuleNotes
        id={id}
        rule={current}
        problems={problems}
        none="The script has no vacation rule yet: saving adds one before the other rules."
      />

      <label class="check">
        <input
          type="checkbox"
          role="switch"
          checked={fields.enabled}
          disabled={!canSwitch}
          onChange={(e) => set('enabled', e.currentTarget.checked)}
        />
        Send automatic replies
      </label>

      <fieldset disabled={locked}>
        <legend>When</legend>
        <div class="dates">
          <div>
            <label for={`${id}-start`}>First day</label>
            <input
              id={`${id}-start`}
              type="date"
              value={fields.start}
              max={fields.end || undefined}
              onInput={text('start')}
              {...aria('start')}
            />
          </div>
          <div>
            <label for={`${id}-end`}>Last day</label>
            <input
              id={`${id}-end`}
              type="date"
              value={fields.end}
              min={fields.start || undefined}
              onInput={text('end')}
              {...aria('end')}
            />
          </div>
        </div>
        <p class="hint">Both days included. Leave them empty to reply until you switch this off.</p>
        {current?.otherConditions && (
          <p class="hint">
            Also only when: <code>{current.otherConditions}</code> (kept as it is).
          </p>
        )}
        <label for={`${id}-days`}>Reply to the same sender at most every … days</label>
        <input
          id={`${id}-days`}
          type="number"
          inputMode="numeric"
          min={VACATION_DAYS.min}
          max={VACATION_DAYS.max}
          step={1}
          value={fields.days}
          placeholder="server default"
          onInput={text('days')}
          {...aria('days', `${id}-days-hint`)}
        />
        <p class="hint" id={`${id}-days-hint`}>
          {current?.seconds !== undefined && fields.days.trim() === ''
            ? `The rule gives the period in seconds (${current.seconds}); a number of days replaces it.`
            : `From ${VACATION_DAYS.min} to ${VACATION_DAYS.max}; empty: the server's default (usually 7). The server may shorten long periods.`}
        </p>
      </fieldset>

      <fieldset disabled={locked}>
        <legend>Reply</legend>
        <label for={`${id}-subject`}>Subject</label>
        <input
          id={`${id}-subject`}
          type="text"
          value={fields.subject}
          placeholder='empty: "Auto: " and the original subject'
          onInput={text('subject')}
          {...aria('subject')}
        />
        <label for={`${id}-reason`}>Message</label>
        <textarea
          id={`${id}-reason`}
          rows={8}
          value={fields.reason}
          required
          onInput={text('reason')}
          {...aria('reason')}
        />
        <label for={`${id}-from`}>From address</label>
        <input
          id={`${id}-from`}
          type="text"
          autoComplete="email"
          value={fields.from}
          placeholder="empty: the address the message was sent to"
          onInput={text('from')}
          {...aria('from')}
        />
        <label for={`${id}-addresses`}>My other addresses (one a line)</label>
        <textarea
          id={`${id}-addresses`}
          rows={3}
          value={fields.addresses}
          onInput={text('addresses')}
          {...aria('addresses', `${id}-addresses-hint`)}
        />
        <p class="hint" id={`${id}-addresses-hint`}>
          Mail sent to any of these addresses is answered too.
        </p>
      </fieldset>

      <SaveBar busy={busy} disabled={locked && !current.switchable} status={status} />
    </form>
  );
}
