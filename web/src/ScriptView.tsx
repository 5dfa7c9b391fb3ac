// One open script, in tabs: its rules, its text (the raw editor), and "try it". The tabs share
// the text being edited: the raw editor's unsaved changes show in the rule list and run in "try it".
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from './api.js';
import { Editor } from './Editor.js';
import { loadEngine } from './engine.js';
import { RulesView } from './Rules.js';
import { Forward } from './Forward.js';
import { TryIt } from './TryIt.js';
import { Vacation } from './Vacation.js';

type TabId = 'rules' | 'vacation' | 'forward' | 'script' | 'tryit';

/**
 * The special screens (vacation, forwarding) save a whole new text: it must compile here before
 * it is stored (the server checks again). Throws with a sentence the screen shows.
 */
async function storeChecked(name: string, next: string): Promise<void> {
  const diagnostics = (await loadEngine()).compile(next).diagnostics;
  const first = diagnostics.find((d) => d.severity === 'error');
  if (first)
    throw new Error(
      `the script would not compile (line ${first.line}, column ${first.column}: ${first.message})`,
    );
  try {
    await api.put(name, next);
  } catch (e) {
    throw new Error(e instanceof ApiError ? e.message : 'the server cannot be reached');
  }
}

export function ScriptView({ name, onSaved }: { name: string; onSaved: () => void }) {
  const [source, setSource] = useState<string | null>(null);
  const [saved, setSaved] = useState('');
  const [error, setError] = useState('');
  const [tab, setTab] = useState<TabId>('rules');
  const tabs = useRef<HTMLDivElement>(null);

  useEffect(() => {
    // The engine is needed for the first save or check: fetch it while the script loads.
    void loadEngine().catch(() => undefined);
    api.get(name).then(
      (s) => {
        setSource(s.source);
        setSaved(s.source);
      },
      (e: unknown) => setError(e instanceof ApiError ? e.message : 'The server cannot be reached.'),
    );
  }, [name]);

  if (source === null)
    return (
      <main class="editor">
        <p role="status">{error || 'Loading…'}</p>
      </main>
    );

  const stored = (text: string) => {
    setSource(text);
    setSaved(text);
    onSaved();
  };
  // With unsaved text in the Script tab, the special screens wait, as the rule list does.
  const special = (screen: ComponentChildren) =>
    source !== saved ? (
      <div class="notice" role="status">
        <p>The Script tab holds changes that are not saved. Save them there, or discard them, first.</p>
        <button type="button" onClick={() => setSource(saved)}>
          Discard the unsaved changes
        </button>
      </div>
    ) : (
      screen
    );
  const saveSpecial = async (next: string) => {
    await storeChecked(name, next);
    stored(next);
  };
  // `keep`: rendered while hidden too, so that its state (a pasted message) survives a tab change.
  const panels: { id: TabId; label: string; keep?: boolean; render: () => ComponentChildren }[] = [
    {
      id: 'rules',
      label: 'Rules',
      render: () => (
        <RulesView
          name={name}
          source={source}
          dirty={source !== saved}
          onSaved={stored}
          onDiscard={() => setSource(saved)}
        />
      ),
    },
    {
      id: 'vacation',
      label: 'Out of office',
      render: () => special(<Vacation source={source} onSave={saveSpecial} />),
    },
    {
      id: 'forward',
      label: 'Forwarding',
      render: () => special(<Forward source={source} onSave={saveSpecial} />),
    },
    {
      id: 'script',
      label: 'Script',
      render: () => (
        <Editor name={name} source={source} saved={saved} onChange={setSource} onSaved={stored} />
      ),
    },
    { id: 'tryit', label: 'Try it', keep: true, render: () => <TryIt source={source} /> },
  ];
  // WAI-ARIA tabs: arrow keys, Home and End move between the tabs.
  const onKey = (e: KeyboardEvent) => {
    const i = panels.findIndex((p) => p.id === tab);
    const to =
      e.key === 'ArrowRight'
        ? (i + 1) % panels.length
        : e.key === 'ArrowLeft'
          ? (i - 1 + panels.length) % panels.length
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? panels.length - 1
              : -1;
    if (to < 0) return;
    e.preventDefault();
    setTab(panels[to]!.id);
    tabs.current?.querySelectorAll<HTMLElement>('[role="tab"]')[to]?.focus();
  };

  return (
    <main class="editor">
      <h2>
        Script <span class="script-name">{name}</span>
        {source !== saved && <span class="unsaved"> (unsaved changes)</span>}
      </h2>
      <div class="tabs" role="tablist" aria-label="Views of the script" ref={tabs} onKeyDown={onKey}>
        {panels.map((p) => (
          <button
            key={p.id}
            type="button"
            role="tab"
            id={`tab-${p.id}`}
            aria-selected={tab === p.id}
            aria-controls={`panel-${p.id}`}
            tabIndex={tab === p.id ? 0 : -1}
            onClick={() => setTab(p.id)}
          >
            {p.label}
          </button>
        ))}
      </div>
      {/* Hidden panels are not rendered: the rule list of a large script is not read while unseen. */}
      {panels
        .filter((p) => p.id === tab || p.keep)
        .map((p) => (
          <section
            key={p.id}
            role="tabpanel"
            id={`panel-${p.id}`}
            aria-labelledby={`tab-${p.id}`}
            class="panel"
            hidden={p.id !== tab}
          >
            {p.render()}
          </section>
        ))}
    </main>
  );
}
