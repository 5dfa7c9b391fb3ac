// The web filter editor: log in, then the scripts beside the open one (its rules, its text, "try it").
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from './api.js';
import { Scripts } from './Scripts.js';
import { ScriptView } from './ScriptView.js';
import './style.css';

function Login({ onLogin }: { onLogin: (user: string) => void }) {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      onLogin((await api.login(user, password)).user);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'The server cannot be reached.');
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <h1>sievert filters</h1>
      <form onSubmit={(e) => void submit(e)} aria-describedby={error ? 'login-error' : undefined}>
        <label for="user">User</label>
        <input
          id="user"
          name="user"
          autocomplete="username"
          required
          value={user}
          onInput={(e) => setUser(e.currentTarget.value)}
        />
        <label for="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        <button type="submit" disabled={busy}>
          Log in
        </button>
        {error && (
          <p id="login-error" role="alert" class="error">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}

function App() {
  const [user, setUser] = useState<string | null | undefined>(undefined);
  const [open, setOpen] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    api.session().then(
      (s) => setUser(s.user),
      () => setUser(null),
    );
  }, []);
  if (user === undefined) return <p class="loading">Loading…</p>;
  if (user === null) return <Login onLogin={setUser} />;
  const logout = async () => {
    await api.logout().catch(() => undefined);
    setOpen(null);
    setUser(null);
  };
  return (
    <>
      <header class="top">
        <h1>sievert filters</h1>
        <span class="who">
          Logged in as <strong>{user}</strong>
        </span>
        <button type="button" onClick={() => void logout()}>
          Log out
        </button>
      </header>
      <div class="layout">
        <Scripts open={open} onOpen={setOpen} version={version} onChanged={() => setVersion((v) => v + 1)} />
        {open !== null ? (
          <ScriptView key={open} name={open} onSaved={() => setVersion((v) => v + 1)} />
        ) : (
          <main class="empty">
            <p>Choose a script, or create one.</p>
          </main>
        )}
      </div>
    </>
  );
}

render(<App />, document.getElementById('app')!);
