// The raw script editor: a textarea with line numbers, live diagnostics from the engine running
// here in the browser, each one a button that moves the caret to its line and column.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { compile, type Diagnostic } from '../../src/sieve/index.js';
import { api, ApiError } from './api.js';
import { TryIt } from './TryIt.js';

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

export function Editor({ name, onSaved }: { name: string; onSaved: () => void }) {
  const [source, setSource] = useState<string | null>(null);
  const [saved, setSaved] = useState('');
  const [status, setStatus] = useState('');
  const [checked, setChecked] = useState<readonly Diagnostic[]>([]);
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLPreElement>(null);

  useEffect(() => {
    api.get(name).then(
      (s) => {
        setSource(s.source);
        setSaved(s.source);
      },
      (e: unknown) => setStatus(e instanceof ApiError ? e.message : 'The server cannot be reached.'),
    );
  }, [name]);

  // Live diagnostics, a moment after the last keystroke.
  useEffect(() => {
    if (source === null) return;
    const t = setTimeout(() => setChecked(compile(source).diagnostics), 120);
    return () => clearTimeout(t);
  }, [source]);

  const lines = useMemo(() => (source ?? '').split('\n').length, [source]);
  const errors = checked.filter((d) => d.severity === 'error');

  const goTo = (d: Diagnostic) => {
    const el = area.current;
    if (!el || source === null) return;
    const at = offsetOf(source, d.line, d.column);
    el.focus();
    el.setSelectionRange(at, at);
  };
  const save = async () => {
    if (source === null) return;
    // Checked now, not from the debounced result, so a fast Save cannot slip an error through.
    const now = compile(source).diagnostics;
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
      setSaved(source);
      setStatus('Saved.');
      onSaved();
    } catch (e) {
      setStatus(
        e instanceof ApiError ? `Not saved: ${e.message}` : 'Not saved: the server cannot be reached.',
      );
    }
  };

  if (source === null)
    return (
      <main class="editor">
        <p role="status">{status || 'Loading…'}</p>
      </main>
    );
  return (
    <main class="editor">
      <h2>
        Script <span class="script-name">{name}</span>
        {source !== saved && <span class="unsaved"> (unsaved changes)</span>}
      </h2>
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
          onInput={(e) => setSource(e.currentTarget.value)}
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
        <p role="status" class="message">
          {status}
        </p>
      </div>
      <section id="diagnostics" aria-label="Diagnostics">
        {checked.length === 0 ? (
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
      <TryIt source={source} />
    </main>
  );
}
