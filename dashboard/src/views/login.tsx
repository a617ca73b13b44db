import { useState } from 'preact/hooks';
import { api, errorText } from '../lib/api';
import { signIn } from '../lib/session';

/** The token prompt: shown at start without a token and again after any 401. */
export function Login({ reason }: { reason?: string | undefined }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const candidate = token.trim();
    try {
      await api('/system/health', { token: candidate });
      signIn(candidate);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <form onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">twinfold</h1>
        <p>This API needs a bearer token. It is kept in this tab only (sessionStorage).</p>
        {reason && !error && (
          <p class="error" role="alert">
            {reason}
          </p>
        )}
        <label for="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="off"
          required
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
        />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <p class="hint">
          <code>npm start</code> prints a link that signs in by itself; its token is in{' '}
          <code>.cache/dev-token</code>.
        </p>
      </form>
    </main>
  );
}
