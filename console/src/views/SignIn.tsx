import { type FormEvent, useState } from 'react';
import { ApiError } from '../api/client';
import { type Session, signIn } from '../session';
import { ErrorNote, Field } from '../components/ui';

/** Paste a token or an API key; it is checked with the API and kept for this tab's session. */
export function SignIn({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await signIn(key.trim()));
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 0;
      setError(
        status === 403 || status === 401
          ? 'This key was not accepted.'
          : `Could not sign in: ${(err as Error).message}`,
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" className="signin">
      <h1>minion console</h1>
      <p>
        Paste your minion token or API key. It stays in this browser tab until you sign out or close
        it.
      </p>
      <form onSubmit={submit}>
        <Field label="Token or API key">
          {(p) => (
            <input
              {...p}
              type="password"
              autoComplete="off"
              spellCheck={false}
              required
              value={key}
              onChange={(e) => setKey(e.target.value)}
            />
          )}
        </Field>
        <button type="submit" disabled={busy || key.trim() === ''}>
          Sign in
        </button>
      </form>
      <ErrorNote error={error} />
    </main>
  );
}
