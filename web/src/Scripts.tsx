// The scripts screen: list (the active one marked), create, rename, (de)activate, delete,
// upload a .sieve file, download.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, type ScriptInfo } from './api.js';

export function Scripts(props: {
  open: string | null;
  onOpen: (name: string | null) => void;
  version: number;
  onChanged: () => void;
}) {
  const [scripts, setScripts] = useState<ScriptInfo[]>([]);
  const [newName, setNewName] = useState('');
  const [message, setMessage] = useState('');

  useEffect(() => {
    api.list().then(setScripts, (e: unknown) => setMessage(describe(e)));
  }, [props.version]);

  const act = async (f: () => Promise<unknown>, done?: string) => {
    setMessage('');
    try {
      await f();
      if (done) setMessage(done);
      props.onChanged();
    } catch (e) {
      setMessage(describe(e));
    }
  };
  const create = async (e: Event) => {
    e.preventDefault();
    const name = newName.trim();
    if (!name) return;
    if (scripts.some((s) => s.name === name)) return setMessage(`A script named "${name}" exists already.`);
    await act(() => api.put(name, '# A new filter script.\nkeep;\n'), `Created "${name}".`);
    setNewName('');
    props.onOpen(name);
  };
  const rename = (from: string) => {
    const to = window.prompt(`New name for "${from}"`, from)?.trim();
    if (!to || to === from) return;
    void act(async () => {
      await api.rename(from, to);
      if (props.open === from) props.onOpen(to);
    }, `Renamed to "${to}".`);
  };
  const remove = (name: string) => {
    if (!window.confirm(`Delete the script "${name}"? This cannot be undone.`)) return;
    void act(async () => {
      await api.remove(name);
      if (props.open === name) props.onOpen(null);
    }, `Deleted "${name}".`);
  };
  const upload = async (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    const name = file.name.replace(/\.(sieve|siv|txt)$/i, '');
    await act(async () => api.upload(name, new Uint8Array(await file.arrayBuffer())), `Uploaded "${name}".`);
  };

  return (
    <nav class="scripts" aria-label="Scripts">
      <h2>Scripts</h2>
      {scripts.length === 0 ? (
        <p>No scripts yet.</p>
      ) : (
        <ul>
          {scripts.map((s) => (
            <li key={s.name} class={s.name === props.open ? 'current' : ''}>
              <button
                type="button"
                class="name"
                aria-current={s.name === props.open ? 'true' : undefined}
                onClick={() => props.onOpen(s.name)}
              >
                {s.name}
              </button>
              {s.active && (
                <span class="badge" title="Runs on incoming mail">
                  active
                </span>
              )}
              <span class="row-actions">
                {s.active ? (
                  <button
                    type="button"
                    onClick={() => void act(() => api.activate(null), 'No script is active now.')}
                  >
                    Deactivate
                  </button>
                ) : (
                  <button
                    type="button"
                    aria-label={`Activate ${s.name}`}
                    onClick={() => void act(() => api.activate(s.name), `"${s.name}" is active now.`)}
                  >
                    Activate
                  </button>
                )}
                <button type="button" aria-label={`Rename ${s.name}`} onClick={() => rename(s.name)}>
                  Rename
                </button>
                <a
                  href={api.downloadUrl(s.name)}
                  download={`${s.name}.sieve`}
                  aria-label={`Download ${s.name}`}
                >
                  Download
                </a>
                <button
                  type="button"
                  class="danger"
                  aria-label={`Delete ${s.name}`}
                  onClick={() => remove(s.name)}
                >
                  Delete
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={(e) => void create(e)} class="create">
        <label for="new-script">New script name</label>
        <input id="new-script" value={newName} onInput={(e) => setNewName(e.currentTarget.value)} />
        <button type="submit">Create</button>
      </form>
      <label class="upload">
        Upload a .sieve file
        <input
          type="file"
          accept=".sieve,.siv,.txt,application/sieve,text/plain"
          onChange={(e) => void upload(e)}
        />
      </label>
      <p role="status" class="message">
        {message}
      </p>
    </nav>
  );
}

function describe(e: unknown): string {
  return e instanceof ApiError ? e.message : 'The server cannot be reached.';
}
