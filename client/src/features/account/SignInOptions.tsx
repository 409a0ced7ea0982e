import { useEffect, useId, useState, type FormEvent } from "react";
import { getOidcProvider } from "../../api";
import { signInWithDeviceCode, signInWithPasskey } from "./session";

/**
 * Ways back in as an existing member, beside "type a name" (a new guest):
 * a passkey made on any device, or a one-time code from a device that is
 * signed in, or the configured OpenID Connect provider (a full-page
 * redirect: the server keeps state, nonce and PKCE verifier in a cookie).
 * Either way the browser becomes that same member.
 */
export function SignInOptions() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [code, setCode] = useState("");
  const codeId = useId();
  const provider = useOidcProvider();
  const failed = new URLSearchParams(location.search).get("signin") === "failed";

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
      {provider && (
        <a className="button" data-testid="oidc-sign-in" href="/api/oidc/start">
          Sign in with {provider.name}
        </a>
      )}
      {failed && (
        <p className="form-error" role="alert" data-testid="oidc-failed">
          Signing in with {provider?.name ?? "the provider"} did not work; try again.
        </p>
      )}
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

/** The configured OpenID Connect provider (null until known, or when none). */
export function useOidcProvider(): { name: string; issuer: string } | null {
  const [provider, setProvider] = useState<{ name: string; issuer: string } | null>(null);
  useEffect(() => {
    getOidcProvider()
      .then((r) => setProvider(r.provider))
      .catch(() => setProvider(null));
  }, []);
  return provider;
}
