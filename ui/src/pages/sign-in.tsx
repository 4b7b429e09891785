/** Sign-in: the admin key or a virtual key, checked against GET /admin/me before anything is shown. */
import { useState, type FormEvent } from "react";
import { explain } from "../api/client";

export function SignIn({ onSignIn, notice }: { onSignIn: (key: string) => Promise<void>; notice: string | null }) {
  const [key, setKey] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (key.trim() === "") {
      setError("Enter a key: the gateway's admin key, or a virtual key (lsk_…).");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onSignIn(key.trim());
    } catch (err) {
      setError(explain(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <form onSubmit={(e) => void submit(e)} aria-labelledby="sign-in-title" noValidate>
        <h1 id="sign-in-title">Liaison</h1>
        <p className="muted">Sign in to the gateway's dashboard.</p>
        {notice && <p className="callout warn" role="status">{notice}</p>}
        <label htmlFor="api-key">API key</label>
        <input id="api-key" name="api-key" type="password" autoComplete="current-password" value={key}
          onChange={(e) => setKey(e.target.value)} aria-describedby="api-key-help" aria-invalid={error !== null} autoFocus />
        <p id="api-key-help" className="muted small">
          The admin key (<code>admin_key</code> in the config) or a virtual key. It is kept in this tab's session storage only, and forgotten when the tab closes.
        </p>
        {error && <p className="field-error" role="alert">{error}</p>}
        <button type="submit" className="primary" disabled={busy}>Sign in</button>
      </form>
    </main>
  );
}
