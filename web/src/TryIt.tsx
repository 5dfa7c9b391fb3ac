// "Try it": runs the script being edited on a pasted or uploaded message, in the browser, and
// shows the resulting actions and the trace.
import { useState } from 'preact/hooks';
import type { TraceEvent } from '../../src/sieve/index.js';
import { loadEngine } from './engine.js';

interface Outcome {
  actions: string[];
  implicitKeep: boolean;
  error?: string;
  trace: TraceEvent[];
}

const SAMPLE = 'From: Alice <alice@example.org>\nTo: bob@example.com\nSubject: Hello\n\nHi Bob!\n';

export function TryIt({ source }: { source: string }) {
  const [message, setMessage] = useState(SAMPLE);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const tryIt = async (e: Event) => {
    e.preventDefault();
    let engine;
    try {
      engine = await loadEngine();
    } catch {
      setOutcome({
        actions: [],
        implicitKeep: false,
        trace: [],
        error: 'The engine could not be loaded: reload the page.',
      });
      return;
    }
    const { compile, describeAction, impliedEnvelope, parseMessage, run } = engine;
    const compiled = compile(source);
    if (!compiled.program) {
      const first = compiled.diagnostics.find((d) => d.severity === 'error');
      setOutcome({
        actions: [],
        implicitKeep: false,
        trace: [],
        error: `The script does not compile${first ? `: line ${first.line}: ${first.message}` : ''}.`,
      });
      return;
    }
    // RFC 5322 wants CRLF; a pasted message has LF.
    const bytes = new TextEncoder().encode(message.replace(/\r?\n/g, '\r\n'));
    const parsed = parseMessage(bytes);
    const implied = impliedEnvelope(parsed);
    const trace: TraceEvent[] = [];
    const result = run(compiled.program, {
      message: parsed,
      envelope: { from: from.trim() || implied.from, to: to.trim() || implied.to },
      trace: (t) => trace.push(t),
    });
    setOutcome({
      actions: result.actions.map(describeAction),
      implicitKeep: result.implicitKeep,
      trace,
      ...(result.error
        ? {
            error: `Run-time error${result.error.line ? ` at line ${result.error.line}` : ''}: ${result.error.message}`,
          }
        : {}),
    });
  };
  const load = async (e: Event) => {
    const file = (e.currentTarget as HTMLInputElement).files?.[0];
    if (file) setMessage(await file.text());
  };

  return (
    <section class="tryit" aria-label="Try it">
      <form onSubmit={(e) => void tryIt(e)}>
        <label for="message">Message (headers, blank line, body)</label>
        <textarea
          id="message"
          rows={7}
          spellcheck={false}
          value={message}
          onInput={(e) => setMessage(e.currentTarget.value)}
        />
        <label class="upload">
          Or load a .eml file
          <input type="file" accept=".eml,message/rfc822,text/plain" onChange={(e) => void load(e)} />
        </label>
        <div class="envelope">
          <span>
            <label for="env-from">Envelope from (optional)</label>
            <input
              id="env-from"
              value={from}
              placeholder="from the message"
              onInput={(e) => setFrom(e.currentTarget.value)}
            />
          </span>
          <span>
            <label for="env-to">Envelope to (optional)</label>
            <input
              id="env-to"
              value={to}
              placeholder="from the message"
              onInput={(e) => setTo(e.currentTarget.value)}
            />
          </span>
        </div>
        <button type="submit">Run the script</button>
      </form>
      {outcome && (
        <div class="outcome" role="status">
          {outcome.error && <p class="error">{outcome.error}</p>}
          <h3>Actions</h3>
          <ul class="actions">
            {outcome.actions.length === 0 ? (
              <li>(none)</li>
            ) : (
              outcome.actions.map((a, i) => <li key={i}>{a}</li>)
            )}
          </ul>
          {outcome.implicitKeep && <p>The keep is the implicit keep.</p>}
          {outcome.trace.length > 0 && (
            <details>
              <summary>Trace ({outcome.trace.length} steps)</summary>
              <pre class="trace">
                {outcome.trace.map((t) => `${String(t.line).padStart(4)}: ${t.text}`).join('\n')}
              </pre>
            </details>
          )}
        </div>
      )}
    </section>
  );
}
