import { useEffect, useId, useState, type FormEvent } from "react";
import type { McpServerView } from "../../../../shared/protocol";
import type { CommandEntry } from "../room/commandLog";
import type { McpAuditEntry } from "./state";
import type { RoomActions } from "../room/useRoom";
import { formatFullTime, formatTime } from "../../time";
import { CommandNote } from "../../components/CommandNote";
import { SidePanel } from "../../components/SidePanel";
import { formatDuration } from "../assistant/ToolCard";
import "./mcp.css";

/** The message the OAuth callback page posts to its opener (server/mcp/oauthPopup.ts). */
export const OAUTH_MESSAGE = "hearth-mcp-oauth";

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
  switch (server.access) {
    case "me":
      return `only ${server.addedBy.name}`;
    case "approval":
      return `members, each call approved by ${server.addedBy.name}`;
    case "all":
      return "all members";
  }
}

type OAuthStatus = { server: string; state: "waiting" | "authorized" | "failed" };

function ServerCard({
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
      <p className="small" data-testid="mcp-access" data-access={server.access}>
        {mine && canAct ? (
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
        {server.authUrl && (
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

function AuditTable({ audit }: { audit: McpAuditEntry[] }) {
  const rows = [...audit].sort((a, b) => b.at - a.at);
  return (
    <div className="mcp-audit-wrap">
      <table className="mcp-audit" data-testid="mcp-audit">
        <caption>Recent tool calls</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Tool</th>
            <th scope="col">Via</th>
            <th scope="col">Requested by</th>
            <th scope="col">Approved by</th>
            <th scope="col">Outcome</th>
            <th scope="col">Duration</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((e, i) => (
            <tr
              key={`${e.at}-${e.server}-${e.tool}-${i}`}
              data-testid="mcp-audit-row"
              data-tool={`${e.server}.${e.tool}`}
              data-outcome={e.outcome}
              data-requested-by={e.requestedBy}
              data-via={e.via}
            >
              <td>
                <time dateTime={new Date(e.at).toISOString()} title={formatFullTime(e.at)}>
                  {formatTime(e.at)}
                </time>
              </td>
              <td title={e.args}>
                <code>
                  {e.server}.{e.tool}
                </code>
              </td>
              <td>{e.via}</td>
              <td>{e.requestedBy}</td>
              <td>{e.approvedBy ?? "—"}</td>
              <td className={`outcome-${e.outcome}`} title={e.error ?? undefined}>
                {e.outcome}
              </td>
              <td>{formatDuration(e.durationMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * The room's MCP servers: add one, authorize it (only its connector gets the
 * consent URL), see its tools and switch them, and the recent calls.
 */
export function McpPanel({
  id,
  servers,
  audit,
  selfId,
  canAct,
  result,
  actions,
  onClose,
}: {
  id: string;
  servers: McpServerView[];
  audit: McpAuditEntry[];
  selfId: string | undefined;
  canAct: boolean;
  result: CommandEntry | null;
  actions: RoomActions;
  onClose: () => void;
}) {
  const [name, setName] = useState("");
  const [url, setUrl] = useState("");
  const [addedLabel, setAddedLabel] = useState<string | null>(null);
  const [oauth, setOauth] = useState<OAuthStatus | null>(null);
  const nameId = useId();
  const urlId = useId();

  // The form empties once the room accepted the server.
  useEffect(() => {
    if (addedLabel && result?.label === addedLabel && result.state === "ok") {
      setName("");
      setUrl("");
      setAddedLabel(null);
    }
  }, [result, addedLabel]);

  // The callback page in the popup tells us how the consent went.
  useEffect(() => {
    const onMessage = (event: MessageEvent) => {
      if (event.origin !== location.origin) return;
      const data = event.data as { type?: unknown; ok?: unknown } | null;
      if (!data || data.type !== OAUTH_MESSAGE) return;
      setOauth((current) => current && { ...current, state: data.ok === true ? "authorized" : "failed" });
    };
    window.addEventListener("message", onMessage);
    return () => window.removeEventListener("message", onMessage);
  }, []);

  const authorize = (server: McpServerView) => {
    if (!server.authUrl) return;
    setOauth({ server: server.name, state: "waiting" });
    window.open(server.authUrl, "hearth-mcp-oauth", "popup,width=520,height=720");
  };

  const add = (e: FormEvent) => {
    e.preventDefault();
    const n = name.trim();
    const u = url.trim();
    if (!n || !u) return;
    const text = `/mcp add ${n} ${u}`;
    setAddedLabel(text);
    actions.command(text, "mcp");
  };

  return (
    <SidePanel id={id} testId="mcp-panel" title="MCP servers" closeLabel="Close MCP servers" onClose={onClose}>
      {canAct ? (
        <form className="mcp-add" onSubmit={add} data-testid="mcp-add-form">
          <label htmlFor={nameId}>Name</label>
          <input
            id={nameId}
            data-testid="mcp-add-name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="everything"
            autoComplete="off"
            required
          />
          <label htmlFor={urlId}>URL</label>
          <input
            id={urlId}
            data-testid="mcp-add-url"
            type="url"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            placeholder="https://example.com/mcp"
            autoComplete="off"
            required
          />
          <button type="submit" data-testid="mcp-add-submit">
            Add server
          </button>
        </form>
      ) : (
        <p className="muted small">Viewers cannot add MCP servers.</p>
      )}
      {result && <CommandNote entry={result} testId="mcp-result" onDismiss={() => actions.dismissCommand(result.id)} />}
      {servers.length === 0 ? (
        <p className="muted" data-testid="mcp-empty">
          No MCP servers in this room.
        </p>
      ) : (
        <ul className="mcp-servers" aria-label="MCP servers">
          {servers.map((s) => (
            <ServerCard
              key={s.id}
              server={s}
              selfId={selfId}
              canAct={canAct}
              oauth={oauth?.server === s.name ? oauth : null}
              onAuthorize={authorize}
              actions={actions}
            />
          ))}
        </ul>
      )}
      {audit.length > 0 && <AuditTable audit={audit} />}
    </SidePanel>
  );
}
