import { useId, useState, type FormEvent } from "react";
import { signInWithDeviceCode, signInWithPasskey } from "../session";

/**
 * Ways back in as an existing member, beside "type a name" (a new guest):
 * a passkey made on any device, or a one-time code from a device that is
 * signed in. Either way the browser becomes that same member.
 */
export function SignInOptions() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [code, setCode] = useState("");
  const codeId = useId();

  const run = async (attempt: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await attempt();
    } catch (err) {
      // A cancelled passkey prompt is not worth a red message.
      if (err instanceof Error && err.name === "NotAllowedError") setError("The passkey prompt was closed.");
      else setError(err instanceof Error ? err.message : "Signing in failed.");
    } finally {
      setBusy(false);
    }
  };

  const redeem = (e: FormEvent) => {
    e.preventDefault();
    void run(() => signInWithDeviceCode(code));
  };

  return (
    <div className="sign-in-options">
      <button type="button" data-testid="passkey-sign-in" disabled={busy} onClick={() => void run(signInWithPasskey)}>
        Sign in with a passkey
      </button>
      <form className="device-code-form" onSubmit={redeem}>
        <label htmlFor={codeId}>Or a code from a signed-in device</label>
        <div className="row">
          <input
            id={codeId}
            data-testid="device-code-input"
            value={code}
            placeholder="XXXX-XXXX-XXXX"
            autoCapitalize="characters"
            autoComplete="one-time-code"
            spellCheck={false}
            onChange={(e) => setCode(e.target.value)}
          />
          <button type="submit" data-testid="device-code-submit" disabled={busy || code.trim().length < 12}>
            Sign in
          </button>
        </div>
      </form>
      {error && (
        <p className="form-error" role="alert" data-testid="sign-in-error">
          {error}
        </p>
      )}
    </div>
  );
}
