import { useCallback, useEffect, useState } from "react";
import { renderSVG } from "uqr";
import type { DeviceCodeResponse, LinkedIdentity, Passkey } from "../../../../shared/api";
import { getAccount, postDeviceCode, postPasskeyRemove } from "../../api";
import { navigate } from "../../router";
import { addPasskey, signOut, useSession } from "./session";
import { Link } from "../../components/Link";
import { NameForm } from "./NameForm";
import { useOidcProvider } from "./SignInOptions";
import { ConnectedApps } from "./ConnectedApps";

/**
 * The member's account: name, passkeys (add, remove), linking another
 * device, signing out. Adding a passkey upgrades this guest in place — same
 * member id, so every message and ownership stays theirs.
 */
export function Settings() {
  const session = useSession();
  const [passkeys, setPasskeys] = useState<Passkey[] | null>(null);
  const [identities, setIdentities] = useState<LinkedIdentity[]>([]);
  const provider = useOidcProvider();
  const sameIssuer = (a: string, b: string) => a.replace(/\/+$/, "") === b.replace(/\/+$/, "");
  const linkable = provider && !identities.some((i) => sameIssuer(i.issuer, provider.issuer));
  // The callback comes back with ?signin=failed (a fixed word, never the provider's error text).
  const linkFailed = new URLSearchParams(location.search).get("signin") === "failed";
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [code, setCode] = useState<DeviceCodeResponse | null>(null);

  const reload = useCallback(() => {
    getAccount()
      .then((a) => {
        setPasskeys(a.passkeys);
        setIdentities(a.identities);
      })
      .catch((err: unknown) => setError(err instanceof Error ? err.message : "Loading the account failed."));
  }, []);
  useEffect(() => {
    document.title = "Settings · Hearth";
    if (session) reload();
  }, [session?.member.id, reload]); // eslint-disable-line react-hooks/exhaustive-deps

  const act = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      reload();
    } catch (err) {
      setError(err instanceof Error && err.name === "NotAllowedError" ? "The passkey prompt was closed." : err instanceof Error ? err.message : "That failed.");
    } finally {
      setBusy(false);
    }
  };

  if (!session) {
    return (
      <main className="page narrow">
        <h1>Settings</h1>
        <p>You are not signed in.</p>
        <Link href="/">Back to the lobby</Link>
      </main>
    );
  }

  return (
    <main className="page narrow">
      <h1>Settings</h1>
      <p>
        <Link href="/">Back to the lobby</Link>
      </p>
      <section className="card" aria-labelledby="name-heading">
        <h2 id="name-heading">Name</h2>
        <NameForm />
      </section>

      {(identities.length > 0 || linkable || linkFailed) && (
        <section className="card" aria-labelledby="identities-heading">
          <h2 id="identities-heading">Sign-in providers</h2>
          {identities.length > 0 && (
            <ul data-testid="identities">
              {identities.map((i) => (
                <li key={i.issuer}>Signed in with {i.provider}</li>
              ))}
            </ul>
          )}
          {linkFailed && (
            <p className="form-error" role="alert" data-testid="oidc-failed">
              Linking {provider?.name ?? "the provider"} did not work; try again.
            </p>
          )}
          {linkable && (
            // A full-page redirect to the provider; back here as the same member, now linked.
            <a className="button" data-testid="oidc-link" href="/api/oidc/start?then=settings">
              Link {provider.name}
            </a>
          )}
        </section>
      )}

      <section className="card" aria-labelledby="passkeys-heading">
        <h2 id="passkeys-heading">Passkeys</h2>
        <p className="muted">
          A passkey lets you sign in as yourself on any device — the same member, with your rooms and messages.
          Without one, this browser is the only way in.
        </p>
        {passkeys === null ? (
          <p className="muted">Loading…</p>
        ) : passkeys.length === 0 ? (
          <p data-testid="no-passkeys">No passkeys yet.</p>
        ) : (
          <ul className="passkey-list">
            {passkeys.map((p) => (
              <li key={p.id} data-testid="passkey">
                <span>{p.label}</span>
                <span className="muted">
                  added {new Date(p.createdAt).toLocaleDateString()}
                  {p.lastUsedAt ? `, last used ${new Date(p.lastUsedAt).toLocaleDateString()}` : ""}
                </span>
                <button type="button" data-testid="passkey-remove" disabled={busy} onClick={() => void act(() => postPasskeyRemove(p.id))}>
                  Remove
                </button>
              </li>
            ))}
          </ul>
        )}
        <button type="button" data-testid="passkey-add" disabled={busy} onClick={() => void act(() => addPasskey())}>
          Add a passkey
        </button>
      </section>

      <section className="card" aria-labelledby="devices-heading">
        <h2 id="devices-heading">Another device</h2>
        <p className="muted">Show a one-time code here and type it on the other device (it works once, for five minutes).</p>
        <button
          type="button"
          data-testid="device-code-create"
          disabled={busy}
          onClick={() => void act(async () => setCode(await postDeviceCode()))}
        >
          Show a code
        </button>
        {code && (
          <div className="device-code">
            <p>
              <code data-testid="device-code">{code.code}</code>{" "}
              <span className="muted">until {new Date(code.expiresAt).toLocaleTimeString()}</span>
            </p>
            {/* The QR holds the code as text; it is drawn here, never fetched. */}
            <div className="qr" aria-label={`QR code for ${code.code}`} dangerouslySetInnerHTML={{ __html: renderSVG(code.code) }} />
          </div>
        )}
      </section>

      <ConnectedApps />

      <section className="card">
        <button
          type="button"
          data-testid="sign-out"
          onClick={() => void signOut().then(() => navigate("/"))}
        >
          Sign out on this device
        </button>
      </section>
      {error && (
        <p className="form-error" role="alert" data-testid="settings-error">
          {error}
        </p>
      )}
    </main>
  );
}
