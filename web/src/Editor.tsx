// The raw script editor: a textarea with line numbers, live diagnostics from the engine running
// here in the browser, each one a button that moves the caret to its line and column.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Diagnostic } from '../../src/sieve/index.js';
import { api, ApiError } from './api.js';
import { loadEngine } from './engine.js';

/** The text offset of a 1-based line and column (columns count characters as the engine does). */
function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) return text.length;
    offset = nl + 1;
  }
  return Math.min(offset + Math.max(column - 1, 0), text.length);
}

export function Editor(props: {
  name: string;
  /** The text being edited (shared with the other tabs), and the stored text. */
  source: string;
  saved: string;
  onChange: (source: string) => void;
  onSaved: (source: string) => void;
}) {
  const { name, source } = props;
  const [status, setStatus] = useState('');
  // null while the engine loads or has not checked the current text yet.
  const [checked, setChecked] = useState<readonly Diagnostic[] | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLPreElement>(null);

  // Live diagnostics, a moment after the last keystroke.
  useEffect(() => {
    let live = true;
    const t = setTimeout(() => {
      loadEngine().then(
        (engine) => live && setChecked(engine.compile(source).diagnostics),
        () => live && setStatus('The script checker could not be loaded: reload the page.'),
      );
    }, 120);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [source]);

  const lines = useMemo(() => source.split('\n').length, [source]);
  const errors = (checked ?? []).filter((d) => d.severity === 'error');

  const goTo = (d: Diagnostic) => {
    const el = area.current;
    if (!el) return;
    const at = offsetOf(source, d.line, d.column);
    el.focus();
    el.setSelectionRange(at, at);
  };
  const save = async () => {
    let now: readonly Diagnostic[];
    try {
      // Checked now, not from the debounced result, so a fast Save cannot slip an error through.
      now = (await loadEngine()).compile(source).diagnostics;
    } catch {
      setStatus('Not saved: the script checker could not be loaded. Reload the page.');
      return;
    }
    setChecked(now);
    const bad = now.filter((d) => d.severity === 'error');
    if (bad.length > 0) {
      const first = bad[0]!;
      setStatus(
        `Not saved: the script does not compile (${bad.length} error${bad.length > 1 ? 's' : ''}; first at line ${first.line}, column ${first.column}). Fix it, then save.`,
      );
      return;
    }
    try {
      await api.put(name, source);
      setStatus('Saved.');
      props.onSaved(source);
    } catch (e) {
      setStatus(
        e instanceof ApiError ? `Not saved: ${e.message}` : 'Not saved: the server cannot be reached.',
      );
    }
  };

  return (
    <>
      <label for="source">Sieve source</label>
      <div class="code">
        <pre class="gutter" ref={gutter} aria-hidden="true">
          {Array.from({ length: lines }, (_, i) => `${i + 1}\n`).join('')}
        </pre>
        <textarea
          id="source"
          ref={area}
          spellcheck={false}
          value={source}
          wrap="off"
          aria-describedby="diagnostics"
          onInput={(e) => props.onChange(e.currentTarget.value)}
          onScroll={(e) => {
            if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
          }}
          onKeyDown={(e) => {
            if ((e.ctrlKey || e.metaKey) && e.key === 's') {
              e.preventDefault();
              void save();
            }
          }}
        />
      </div>
      <div class="toolbar">
        <button type="button" onClick={() => void save()}>
          Save
        </button>
        {source !== props.saved && (
          <button type="button" onClick={() => props.onChange(props.saved)}>
            Discard changes
          </button>
        )}
        <p role="status" class="message">
          {status}
        </p>
      </div>
      <section id="diagnostics" aria-label="Diagnostics">
        {checked === null ? (
          <p>Checking…</p>
        ) : checked.length === 0 ? (
          <p class="ok">No errors.</p>
        ) : (
          <ul class="diagnostics">
            {checked.map((d, i) => (
              <li key={i} class={d.severity}>
                <button type="button" onClick={() => goTo(d)}>
                  line {d.line}, column {d.column}: {d.severity}: {d.message}
                </button>
              </li>
            ))}
          </ul>
        )}
        {errors.length > 0 && <p class="sr-only">{errors.length} errors</p>}
      </section>
    </>
  );
}
