import { useCallback, useEffect, useState } from "react";
import type { AgentsResponse } from "../../../../shared/api";
import { postAgentRevoke, postAgents } from "../../api";
import { AppIcon } from "../../components/AppIcon";

/**
 * Settings → Connected apps: the MCP clients (Claude Desktop, an IDE agent,
 * another Hearth room) this member allowed on Hearth's consent page, with
 * the one URL to paste into a new one. Disconnect revokes the grant at once:
 * the app's next call is refused.
 */
export function ConnectedApps() {
  const [data, setData] = useState<AgentsResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const reload = useCallback(() => {
    postAgents()
      .then(setData)
      .catch((err: unknown) => setError(err instanceof Error ? err.message : "Loading connected apps failed."));
  }, []);
  useEffect(reload, [reload]);

  const revoke = async (id: string) => {
    setBusy(true);
    setError(null);
    try {
      await postAgentRevoke(id);
      reload();
    } catch (err) {
      setError(err instanceof Error ? err.message : "Disconnecting failed.");
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="apps-heading" data-testid="connected-apps">
      <h2 id="apps-heading">Connected apps</h2>
      <p className="muted">
        An MCP client (Claude Desktop, an IDE agent, another Hearth room) can read and post in your rooms as you, within your role there.
        Add this URL to it as a remote MCP server; it will ask you here which rooms it may use:
      </p>
      {data && (
        <p>
          <code data-testid="mcp-url">{data.mcpUrl}</code>
        </p>
      )}
      {data === null ? (
        <p className="muted">Loading…</p>
      ) : data.agents.length === 0 ? (
        <p data-testid="no-apps">No apps connected.</p>
      ) : (
        <ul className="passkey-list">
          {data.agents.map((a) => (
            <li key={a.id} data-testid="connected-app">
              <span>
                <AppIcon app={a.icon ? a.app : undefined} /> {a.client}
                {a.redirectHost ? <span className="muted"> ({a.redirectHost})</span> : null}
              </span>
              <span className="muted">
                {a.rooms === "all" ? "all your rooms" : a.rooms.join(", ")} · {a.scopes.join(", ")} · since {new Date(a.createdAt).toLocaleDateString()}
              </span>
              <button type="button" data-testid="app-revoke" disabled={busy} onClick={() => void revoke(a.id)}>
                Disconnect
              </button>
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
