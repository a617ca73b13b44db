import { useRef, useState } from 'preact/hooks';
import { api, ApiError, errorText } from '../lib/api';
import { valueText } from '../lib/format';
import type { Twin } from '../lib/twin';

type Outcome =
  | { kind: 'idle' }
  | { kind: 'sending' }
  | { kind: 'applied'; version: number }
  | { kind: 'conflict'; edited: number }
  | { kind: 'error'; text: string };

function parsePatch(text: string): Record<string, unknown> {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.keys(value).length === 0)
    throw new Error('the patch must be a JSON object with at least one field');
  return value as Record<string, unknown>;
}

function Delta({ twin }: { twin: Twin }) {
  const fields = Object.keys(twin.delta ?? {}).sort();
  if (fields.length === 0) return <p class="converged">Converged: reported matches desired.</p>;
  return (
    <table class="delta" aria-label="Delta">
      <caption>Delta: desired fields the device has not reported yet</caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Desired</th>
          <th scope="col">Reported</th>
        </tr>
      </thead>
      <tbody>
        {fields.map((f) => (
          <tr key={f}>
            <th scope="row">{f}</th>
            <td>{valueText(twin.desired[f])}</td>
            <td>{f in twin.reported ? valueText(twin.reported[f]) : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * The desired state and an editor for a merge patch. The patch carries `If-Match` with the version
 * the operator was looking at when they began to edit; a 412 shows what changed meanwhile and
 * lets them apply on the current version or drop their edit.
 */
export function DesiredEditor({ twin, onWritten }: { twin: Twin; onWritten: () => void }) {
  const [text, setText] = useState('');
  const [base, setBase] = useState<number | null>(null);
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'idle' });
  /** The editor's text as typed, read when an answer arrives (the state in `send` is the old one). */
  const typed = useRef('');

  const send = async (version: number): Promise<void> => {
    const sent = text;
    let patch: Record<string, unknown>;
    try {
      patch = parsePatch(text);
    } catch (err) {
      setOutcome({ kind: 'error', text: `Not a valid patch: ${errorText(err)}` });
      return;
    }
    setOutcome({ kind: 'sending' });
    try {
      const { data } = await api<{ version: number }>(`/twins/${encodeURIComponent(twin.id)}/desired`, {
        method: 'PATCH',
        body: patch,
        headers: { 'If-Match': `"${version}"`, 'Content-Type': 'application/merge-patch+json' },
      });
      setOutcome({ kind: 'applied', version: data.version });
      // Cleared only if untouched: an edit typed while the patch was in flight stays (on its base).
      if (typed.current === sent) {
        typed.current = '';
        setBase(null);
        setText('');
      }
      onWritten();
    } catch (err) {
      if (err instanceof ApiError && err.status === 412) setOutcome({ kind: 'conflict', edited: version });
      else setOutcome({ kind: 'error', text: errorText(err) });
    }
  };

  return (
    <section class="card" aria-labelledby="desired-title">
      <h2 id="desired-title">Desired</h2>
      <pre class="json" aria-label="Desired state">
        {JSON.stringify(twin.desired, null, 2)}
      </pre>
      <Delta twin={twin} />
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void send(base ?? twin.version);
        }}
      >
        <label for="desired-patch">Change desired state (JSON merge patch; null deletes a field)</label>
        <textarea
          id="desired-patch"
          rows={3}
          placeholder='{"interval": 10}'
          value={text}
          onInput={(e) => {
            if (base === null) setBase(twin.version);
            typed.current = e.currentTarget.value;
            setText(e.currentTarget.value);
          }}
        />
        <button type="submit" disabled={outcome.kind === 'sending' || text.trim() === ''}>
          Apply{base === null ? '' : ` (on version ${base})`}
        </button>
      </form>
      {outcome.kind === 'applied' && (
        <p class="ok" role="status">
          Applied: twin version {outcome.version}.
        </p>
      )}
      {outcome.kind === 'error' && (
        <p class="error" role="alert">
          {outcome.text}
        </p>
      )}
      {outcome.kind === 'conflict' && (
        <div class="conflict" role="alert">
          <p>
            <strong>Conflict (412):</strong> the twin changed while you edited. You edited version{' '}
            {outcome.edited}; it is now at version {twin.version}. Its desired state is shown above. Your
            patch was not applied.
          </p>
          <button type="button" onClick={() => void send(twin.version)}>
            Apply my patch on version {twin.version}
          </button>
          <button
            type="button"
            class="secondary"
            onClick={() => {
              typed.current = '';
              setText('');
              setBase(null);
              setOutcome({ kind: 'idle' });
            }}
          >
            Discard my patch
          </button>
        </div>
      )}
    </section>
  );
}
