import { useId, useState } from "react";
import type { McpServerView } from "../../../../shared/protocol";
import type { RoomActions } from "../room/useRoom";

const STATE_LABELS: Record<McpServerView["state"], string> = {
  connecting: "connecting…",
  authenticating: "needs authorization",
  connected: "connected",
  discovering: "discovering tools…",
  ready: "ready",
  failed: "failed",
};

/** Who may use a server's connection (its connector's credentials); server/mcp/access.ts. */
function accessText(server: McpServerView): string {
  if (server.mode === "personal") return "every member, each with their own account";
  switch (server.access) {
    case "me":
      return `only ${server.addedBy.name}`;
    case "approval":
      return `members, each call approved by ${server.addedBy.name}`;
    case "all":
      return "all members";
  }
}

/** How this tab's OAuth popup for one server is going. */
export type OAuthStatus = { server: string; state: "waiting" | "authorized" | "failed" };

/**
 * One MCP server: its state, who added it and who may use it (its adder
 * chooses), authorization, its tools (each switchable), prompts and resources.
 */
export function McpServerCard({
  server,
  selfId,
  canAct,
  oauth,
  onAuthorize,
  actions,
}: {
  server: McpServerView;
  selfId: string | undefined;
  canAct: boolean;
  oauth: OAuthStatus | null;
  onAuthorize: (server: McpServerView) => void;
  actions: RoomActions;
}) {
  const [open, setOpen] = useState(false);
  const toolsId = useId();
  const enabled = server.tools.filter((t) => t.enabled).length;
  const mine = server.addedBy.id === selfId;
  return (
    <li className={`mcp-server mcp-${server.state}`} data-testid="mcp-server" data-name={server.name} data-state={server.state}>
      <div className="mcp-server-head">
        <strong className="mcp-name">{server.name}</strong>
        <span className={`badge mcp-state state-${server.state}`} data-testid="mcp-state">
          {STATE_LABELS[server.state]}
        </span>
      </div>
      <p className="muted small mcp-url" title={server.url}>
        {server.url}
      </p>
      <p className="small">
        Added by <span data-testid="mcp-added-by">{mine ? `${server.addedBy.name} (you)` : server.addedBy.name}</span> ·{" "}
        <span data-testid="mcp-tool-count">
          {server.toolCount} {server.toolCount === 1 ? "tool" : "tools"}
          {server.toolCount > 0 && server.toolCount === server.tools.length && `, ${enabled} enabled`}
        </span>
      </p>
      <p className="small" data-testid="mcp-access" data-access={server.access} data-mode={server.mode}>
        {mine && canAct && server.mode === "shared" ? (
          <label>
            Usable by{" "}
            <select
              data-testid="mcp-access-select"
              // The room's state decides: a refused change stays as it was.
              value={server.access}
              onChange={(e) => actions.command(`/mcp access ${server.name} ${e.target.value}`, "mcp")}
            >
              <option value="me">only me</option>
              <option value="approval">members, with my approval per call</option>
              <option value="all">all members</option>
            </select>
          </label>
        ) : (
          <>Usable by {accessText(server)}</>
        )}
      </p>
      {server.grant && <MyGrant server={server} grant={server.grant} canAct={canAct} onAuthorize={onAuthorize} actions={actions} />}
      <p className="small muted" data-testid="mcp-approvals" hidden={server.mode === "personal"}>
        {server.approvalPolicies.length === 0
          ? `Calls that need approval: ${server.addedBy.name} or an owner decides.`
          : server.approvalPolicies.map((p) => `${p.tool ? `${p.tool}: ` : "Approvals: "}${p.label}`).join(" · ")}
      </p>
      {server.error && (
        <p className="form-error small" data-testid="mcp-error">
          {server.error}
        </p>
      )}
      {oauth && (
        <p className={`small oauth-${oauth.state}`} data-testid="mcp-auth-status" role="status">
          {oauth.state === "waiting"
            ? "Finish the authorization in the popup…"
            : oauth.state === "authorized"
              ? "Authorized — connecting…"
              : "Authorization failed: try again."}
        </p>
      )}
      <div className="mcp-server-actions">
        {server.authUrl && server.mode === "shared" && (
          <button type="button" className="primary" data-testid="mcp-authorize" onClick={() => onAuthorize(server)}>
            Authorize
          </button>
        )}
        {server.toolCount + server.prompts.length + server.resources.length > 0 && (
          <button
            type="button"
            data-testid="mcp-tools-toggle"
            aria-expanded={open}
            aria-controls={toolsId}
            onClick={() => setOpen(!open)}
          >
            {open ? "Hide tools" : "Show tools"}
          </button>
        )}
        {canAct && (
          <button
            type="button"
            className="danger"
            data-testid="mcp-remove"
            onClick={() => actions.command(`/mcp remove ${server.name}`, "mcp")}
            aria-label={`Remove ${server.name}`}
          >
            Remove
          </button>
        )}
      </div>
      <div id={toolsId} hidden={!open} className="mcp-details">
        {server.tools.length > 0 && (
          <>
            <h3>Tools</h3>
            <ul className="mcp-tools">
              {server.tools.map((tool) => (
                <li
                  key={tool.name}
                  data-testid="mcp-tool"
                  data-name={tool.name}
                  data-enabled={String(tool.enabled)}
                  className={tool.enabled ? "" : "disabled"}
                >
                  <div className="mcp-tool-head">
                    <label className="mcp-tool-toggle">
                      <input
                        type="checkbox"
                        data-testid="mcp-tool-toggle"
                        // The room's state decides: a refused toggle stays as it was.
                        checked={tool.enabled}
                        disabled={!canAct}
                        onChange={() => actions.mcpTool(server.name, tool.name, !tool.enabled)}
                      />
                      <code>{tool.name}</code>
                      <span className="visually-hidden"> enabled</span>
                    </label>
                    {tool.readOnly && (
                      <span className="badge" data-testid="mcp-tool-readonly" title="Does not change anything">
                        read-only
                      </span>
                    )}
                  </div>
                  {tool.changed && (
                    <p className="warn small" data-testid="mcp-tool-changed">
                      Changed since it was enabled — re-enable to trust it.
                    </p>
                  )}
                  {tool.blocked && (
                    <p className="warn small" data-testid="mcp-tool-blocked">
                      Not offered: {tool.blocked}.
                    </p>
                  )}
                  {tool.description && <p className="muted small mcp-description">{tool.description}</p>}
                </li>
              ))}
            </ul>
            {server.toolCount > server.tools.length && (
              <p className="muted small" data-testid="mcp-tools-more">
                … and {server.toolCount - server.tools.length} more, not listed here (the assistant and /mcp call can still use them).
              </p>
            )}
          </>
        )}
        {server.prompts.length > 0 && (
          <>
            <h3>Prompts</h3>
            <ul className="mcp-plain" data-testid="mcp-prompts">
              {server.prompts.map((p) => (
                <li key={p.name}>
                  <code>{p.name}</code> {p.description && <span className="muted small">{p.description}</span>}
                </li>
              ))}
            </ul>
          </>
        )}
        {server.resources.length > 0 && (
          <>
            <h3>Resources</h3>
            <ul className="mcp-plain" data-testid="mcp-resources">
              {server.resources.map((r) => (
                <li key={r.uri} title={r.uri}>
                  {r.name} <span className="muted small mcp-url">{r.uri}</span>
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
    </li>
  );
}

/**
 * A personal server: this member's own authorization (only theirs is in
 * their frame), with Authorize — or, once the room has their consent URL,
 * a link to the named domain — and Revoke.
 */
function MyGrant({
  server,
  grant,
  canAct,
  onAuthorize,
  actions,
}: {
  server: McpServerView;
  grant: NonNullable<McpServerView["grant"]>;
  canAct: boolean;
  onAuthorize: (server: McpServerView) => void;
  actions: RoomActions;
}) {
  const where = grant.domain ? ` at ${grant.domain}` : "";
  return (
    <div className="mcp-grant small" data-testid="mcp-grant" data-grant={grant.state}>
      {grant.state === "ready" ? (
        <p>
          Your account is connected{where}
          {grant.since && <> since {new Date(grant.since).toLocaleDateString()}</>}. Only your own calls use it.
        </p>
      ) : grant.state === "authenticating" ? (
        <p>Waiting for your consent{where}.</p>
      ) : grant.state === "connecting" ? (
        <p>Connecting your account…</p>
      ) : grant.state === "failed" ? (
        <p className="form-error">Your authorization failed: authorize again.</p>
      ) : (
        <p>You have not connected your own account. Calls for you will ask first.</p>
      )}
      {canAct && (
        <div className="mcp-server-actions">
          {server.authUrl ? (
            <button type="button" className="primary" data-testid="mcp-authorize" onClick={() => onAuthorize(server)}>
              Authorize{where}
            </button>
          ) : (
            grant.state !== "ready" &&
            grant.state !== "connecting" && (
              <button type="button" className="primary" data-testid="mcp-grant-start" onClick={() => actions.command(`/mcp authorize ${server.name}`, "mcp")}>
                Connect my account
              </button>
            )
          )}
          {grant.state !== "none" && (
            <button type="button" data-testid="mcp-revoke" onClick={() => actions.command(`/mcp revoke ${server.name}`, "mcp")}>
              Revoke
            </button>
          )}
        </div>
      )}
    </div>
  );
}
