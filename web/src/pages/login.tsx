import { useState } from 'preact/hooks';
import { api } from '../api';
import { ErrorNote } from '../components';

/** The admin token, entered once: the server answers with an HttpOnly session cookie; the token is not kept here. */
export function LoginPage({ onLogin }: { onLogin: (csrfToken: string) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      const session = await api<{ csrf_token: string }>('POST', '/session', { token });
      setToken('');
      onLogin(session.csrf_token);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <form onSubmit={submit} class="card">
        <h1>alertgate</h1>
        <p>Sign in with the gateway's admin token (ADMIN_TOKEN).</p>
        <label class="field">
          <span>Admin token</span>
          <input
            type="password"
            name="token"
            autoComplete="current-password"
            value={token}
            onInput={(e) => setToken(e.currentTarget.value)}
            required
          />
        </label>
        <ErrorNote error={error} />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
