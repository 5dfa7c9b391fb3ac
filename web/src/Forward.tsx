// The "Forwarding" screen: the rule that forwards every message, as a list of addresses and a
// "keep a copy" switch. src/rules/special.ts reads the rule and writes the new script (only that
// rule and `require` change); onSave stores it. The CSS it needs is listed in Vacation.tsx.
import { useId, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  checkForward,
  MAX_FORWARD_ADDRESSES,
  readForward,
  writeForward,
  type ForwardInput,
  type ForwardSettings,
} from '../../src/rules/special.js';
import { RuleNotes, SaveBar, useFields, useSave } from './Vacation.js';

interface Fields {
  enabled: boolean;
  addresses: string[];
  keepCopy: boolean;
}

function fieldsOf(f: ForwardSettings | null): Fields {
  return {
    enabled: f?.enabled ?? true,
    addresses: f && f.addresses.length ? [...f.addresses] : [''],
    keepCopy: f?.keepCopy ?? true,
  };
}

/** The settings the form says: surrounding spaces and empty rows do not count. */
function inputOf(f: Fields): ForwardInput {
  return {
    enabled: f.enabled,
    addresses: f.addresses.map((a) => a.trim()).filter((a) => a !== ''),
    keepCopy: f.keepCopy,
  };
}

export function Forward(props: { source: string; onSave: (next: string) => Promise<void> }) {
  const id = useId();
  const current = useMemo(() => readForward(props.source), [props.source]);
  const [fields, setFields] = useFields(current, fieldsOf);
  const { problems, status, setStatus, busy, save } = useSave(props.source, props.onSave);
  const list = useRef<HTMLUListElement>(null);
  // The address input to focus after a row is added or removed (keyboard users stay in the list).
  const [focusRow, setFocusRow] = useState<number | null>(null);

  useLayoutEffect(() => {
    if (focusRow === null) return;
    list.current?.querySelectorAll('input')[focusRow]?.focus();
    setFocusRow(null);
  }, [focusRow]);

  const update = (f: (old: Fields) => Fields): void => {
    setFields(f);
    setStatus('');
  };
  const setAddress = (i: number, value: string): void =>
    update((f) => ({ ...f, addresses: f.addresses.map((a, j) => (j === i ? value : a)) }));
  const add = (): void => {
    update((f) => ({ ...f, addresses: [...f.addresses, ''] }));
    setFocusRow(fields.addresses.length);
  };
  const remove = (i: number): void => {
    update((f) => {
      const addresses = f.addresses.filter((_, j) => j !== i);
      return { ...f, addresses: addresses.length ? addresses : [''] };
    });
    setFocusRow(Math.max(0, Math.min(i, fields.addresses.length - 2)));
  };

  const locked = current !== null && !current.editable;
  const canSwitch = current === null || current.editable || current.switchable;
  const bad = problems.some((p) => p.field === 'addresses');

  const submit = (e: Event): void => {
    e.preventDefault();
    const input = inputOf(fields);
    // A locked rule can only be switched: its addresses are the ones it has.
    const settings = locked ? { ...input, addresses: current.addresses, keepCopy: current.keepCopy } : input;
    void save(
      // With the rule: its product's limits (SnappyMail's one address) show at the field.
      locked ? [] : checkForward(input, current),
      () => writeForward(props.source, settings),
      input.enabled ? 'Saved: forwarding is on.' : 'Saved: forwarding is off.',
    );
  };

  return (
    <form class="special forward" noValidate onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Forwarding</h2>
      <RuleNotes
        id={id}
        rule={current}
        problems={problems}
        none="No rule forwards every message yet: saving adds one before the other rules."
      >
        {current?.otherConditions && (
          <p class="hint">
            Only messages where <code>{current.otherConditions}</code> are forwarded (kept as it is).
          </p>
        )}
      </RuleNotes>

      <label class="check">
        <input
          type="checkbox"
          role="switch"
          checked={fields.enabled}
          disabled={!canSwitch}
          onChange={(e) => {
            const on = e.currentTarget.checked;
            update((f) => ({ ...f, enabled: on }));
          }}
        />
        Forward incoming mail
      </label>

      <fieldset disabled={locked}>
        <legend>Forward to</legend>
        <ul class="addresses" ref={list}>
          {fields.addresses.map((a, i) => (
            <li key={i}>
              <input
                type="email"
                autoComplete="email"
                aria-label={`Address ${i + 1}`}
                aria-invalid={bad || undefined}
                aria-describedby={bad ? `${id}-errors` : undefined}
                placeholder="name@example.org"
                value={a}
                onInput={(e) => setAddress(i, e.currentTarget.value)}
              />
              <button type="button" aria-label={`Remove address ${i + 1}`} onClick={() => remove(i)}>
                Remove
              </button>
            </li>
          ))}
        </ul>
        <button type="button" disabled={fields.addresses.length >= MAX_FORWARD_ADDRESSES} onClick={add}>
          Add address
        </button>
        <p class="hint">At most {MAX_FORWARD_ADDRESSES} addresses, one per row.</p>
        <label class="check">
          <input
            type="checkbox"
            checked={fields.keepCopy}
            onChange={(e) => {
              const keep = e.currentTarget.checked;
              update((f) => ({ ...f, keepCopy: keep }));
            }}
          />
          Keep a copy in this mailbox
        </label>
      </fieldset>

      <SaveBar busy={busy} disabled={locked && !current.switchable} status={status} />
    </form>
  );
}
