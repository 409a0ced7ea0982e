import { useEffect, useId, useState, type FormEvent } from "react";
import type { McpServerView } from "../../../../shared/protocol";
import type { CommandEntry } from "../room/commandLog";
import type { McpAuditEntry } from "./state";
import type { RoomActions } from "../room/useRoom";
import { CommandNote } from "../../components/CommandNote";
import { SidePanel } from "../../components/SidePanel";
import { McpAuditTable } from "./McpAuditTable";
import { McpServerCard, type OAuthStatus } from "./McpServerCard";
import "./mcp.css";

/** The message the OAuth callback page posts to its opener (server/mcp/oauthPopup.ts). */
export const OAUTH_MESSAGE = "hearth-mcp-oauth";

/** The consent page in a popup: the callback page there tells this tab how it went, then closes. */
export function openConsent(url: string): void {
  window.open(url, "hearth-mcp-oauth", "popup,width=520,height=720");
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
  const [personal, setPersonal] = useState(false);
  const [addedLabel, setAddedLabel] = useState<string | null>(null);
  const [oauth, setOauth] = useState<OAuthStatus | null>(null);
  const nameId = useId();
  const urlId = useId();

  // The form empties once the room accepted the server.
  useEffect(() => {
    if (addedLabel && result?.label === addedLabel && result.state === "ok") {
      setName("");
      setUrl("");
      setPersonal(false);
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
    openConsent(server.authUrl);
  };

  const add = (e: FormEvent) => {
    e.preventDefault();
    const n = name.trim();
    const u = url.trim();
    if (!n || !u) return;
    const text = `/mcp add ${n} ${u}${personal ? " personal" : ""}`;
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
          <label className="mcp-add-personal">
            <input type="checkbox" data-testid="mcp-add-personal" checked={personal} onChange={(e) => setPersonal(e.target.checked)} />
            Personal: each member connects their own account (otherwise everyone uses yours)
          </label>
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
            <McpServerCard
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
      {audit.length > 0 && <McpAuditTable audit={audit} />}
    </SidePanel>
  );
}
