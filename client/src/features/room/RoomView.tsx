import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import { CloseCode, type ChatMessage } from "../../../../shared/protocol";
import { ApiRequestError, postPublicRoom } from "../../api";
import { latestCommand } from "./roomState";
import { useRoom } from "./useRoom";
import { useSession } from "../account/session";
import { Composer, type ComposerFill, type ReplyTarget } from "../chat/composer/Composer";
import { InvitePanel } from "../members/InvitePanel";
import { Link } from "../../components/Link";
import { McpPanel } from "../mcp/McpPanel";
import { RemindersPanel } from "../reminders/RemindersPanel";
import { ScriptsPanel } from "../scripts/ScriptsPanel";
import { MessageList } from "../chat/MessageList";
import { NameForm } from "../account/NameForm";
import { SignInOptions } from "../account/SignInOptions";
import { PresenceList } from "../members/PresenceList";
import { MembersPanel } from "../members/MembersPanel";
import { RoomHeader } from "./RoomHeader";
import { RoomSettings } from "../settings/RoomSettings";
import { TypingLine } from "../chat/TypingLine";

type Panel = "reminders" | "mcp" | "scripts";

const PANEL_LABELS: Record<Panel, string> = { reminders: "Reminders", mcp: "MCP servers", scripts: "Saved scripts" };

/**
 * A room by URL. Creating a room that did not exist yet starts a fresh
 * connection (a new key), as if the page had been opened again.
 */
export function RoomView({ room, invite }: { room: string; invite: string | null }) {
  const [attempt, setAttempt] = useState(0);
  return <RoomScreen key={`${room} ${attempt}`} room={room} invite={invite} onCreated={() => setAttempt((n) => n + 1)} />;
}

function RoomScreen({ room, invite, onCreated }: { room: string; invite: string | null; onCreated: () => void }) {
  const session = useSession();
  const { state, status, actions } = useRoom(room, invite);
  // Random ids name rooms created private; one made public later has no better name.
  const generated = room.startsWith("p_");
  const title = !generated ? `#${room}` : state.room?.visibility === "public" ? "Unnamed room" : "Private room";
  const [replyTo, setReplyTo] = useState<ReplyTarget | null>(null);
  const onReply = useCallback((m: ChatMessage) => setReplyTo({ seq: m.seq, author: m.author.name }), []);
  const cancelReply = useCallback(() => setReplyTo(null), []);
  // "Save as script" on a code card: the member types the name and sends.
  const [composerFill, setComposerFill] = useState<ComposerFill | null>(null);
  const saveScript = useCallback(
    () => setComposerFill((f) => ({ text: "/scripts save ", n: (f?.n ?? 0) + 1 })),
    [],
  );
  // One side panel at a time: a drawer on narrow screens.
  const [panel, setPanel] = useState<Panel | null>(null);
  const panelId = useId();
  const remindersToggle = useRef<HTMLButtonElement>(null);
  const mcpToggle = useRef<HTMLButtonElement>(null);
  const scriptsToggle = useRef<HTMLButtonElement>(null);
  const togglePanel = (which: Panel) => setPanel((open) => (open === which ? null : which));
  const closePanel = () => {
    const toggle = panel === "mcp" ? mcpToggle : panel === "scripts" ? scriptsToggle : remindersToggle;
    setPanel(null);
    toggle.current?.focus();
  };
  const onPanelKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Escape") closePanel();
  };

  useEffect(() => {
    document.title = `${title} · Hearth`;
  }, [title]);

  if (!session) {
    return (
      <main className="page narrow">
        <h1>{title}</h1>
        <p>Choose a display name to enter this room, or sign in as who you were.</p>
        <NameForm />
        <SignInOptions />
        <p>
          <Link href="/">Back to the lobby</Link>
        </p>
      </main>
    );
  }

  if (state.refused?.code === CloseCode.notFound && !generated) {
    return <NoSuchRoom room={room} title={title} onCreated={onCreated} />;
  }

  if (state.refused) {
    return (
      <main className="page narrow">
        <h1>{title}</h1>
        <div className="refused" role="alert">
          <p className="refused-title">You cannot enter this room.</p>
          <p data-testid="refused-reason">{state.refused.reason}</p>
        </div>
        <p>
          <Link href="/">Back to the lobby</Link>
        </p>
        <span hidden data-testid="connection-status" data-status="refused" />
      </main>
    );
  }

  const role = state.self?.role;
  const readOnlyReason =
    role === "viewer" ? "You joined as a viewer: you can read this room but not write in it." : null;

  const canAct = role !== undefined && role !== "viewer";
  const reminderCount = state.reminders.length;
  const serverCount = state.mcp.servers.length;
  const scriptCount = state.scripts.length;

  return (
    <div className={`room-layout${panel ? " with-panel" : ""}`}>
      <RoomHeader title={title} status={status} connection={state.connection}>
        <button
          ref={remindersToggle}
          type="button"
          className="panel-toggle"
          data-testid="reminders-toggle"
          aria-expanded={panel === "reminders"}
          aria-controls={panel === "reminders" ? `${panelId}-reminders` : undefined}
          onClick={() => togglePanel("reminders")}
        >
          <span aria-hidden="true">🔔</span> Reminders
          {reminderCount > 0 && (
            <span className="count" data-testid="reminders-count">
              {reminderCount}
            </span>
          )}
        </button>
        <button
          ref={mcpToggle}
          type="button"
          className="panel-toggle"
          data-testid="mcp-toggle"
          aria-expanded={panel === "mcp"}
          aria-controls={panel === "mcp" ? `${panelId}-mcp` : undefined}
          onClick={() => togglePanel("mcp")}
        >
          <span aria-hidden="true">⚙</span> MCP
          {serverCount > 0 && (
            <span className="count" data-testid="mcp-count">
              {serverCount}
            </span>
          )}
        </button>
        <button
          ref={scriptsToggle}
          type="button"
          className="panel-toggle"
          data-testid="scripts-toggle"
          aria-expanded={panel === "scripts"}
          aria-controls={panel === "scripts" ? `${panelId}-scripts` : undefined}
          onClick={() => togglePanel("scripts")}
        >
          <span aria-hidden="true">📜</span> Scripts
          {scriptCount > 0 && (
            <span className="count" data-testid="scripts-count">
              {scriptCount}
            </span>
          )}
        </button>
      </RoomHeader>
      <aside className="room-sidebar" aria-label="Room details">
        <PresenceList members={state.presence} selfId={state.self?.id} />
        <MembersPanel state={state} actions={actions} />
        {state.room && role === "owner" && <RoomSettings room={state.room} state={state} actions={actions} />}
        {state.room?.visibility === "private" && (role === "owner" || (role === "member" && state.room.membersMayInvite)) && (
          <InvitePanel room={room} invites={state.invites} revoke={(id) => actions.command(`/invites revoke ${id}`, "members")} />
        )}
        <NameForm compact />
      </aside>
      <main className="room-main">
        <MessageList
          messages={state.messages}
          pending={state.pending}
          self={state.self}
          hasMore={state.hasMore}
          loadingOlder={state.loadingOlder}
          canWrite={readOnlyReason === null}
          presence={state.presence}
          onReply={onReply}
          onSaveScript={saveScript}
          actions={actions}
        />
        <TypingLine state={state} />
        <Composer
          maxChars={state.messageChars}
          readOnlyReason={readOnlyReason}
          error={state.error}
          replyTo={replyTo}
          onCancelReply={cancelReply}
          assistantName={state.assistantName}
          commandResult={latestCommand(state, "composer")}
          fill={composerFill}
          actions={actions}
        />
      </main>
      {panel && (
        <aside className="room-panel" aria-label={PANEL_LABELS[panel]} onKeyDown={onPanelKeyDown}>
          {panel === "scripts" ? (
            <ScriptsPanel
              id={`${panelId}-scripts`}
              items={state.scripts}
              code={state.scriptCode}
              canAct={canAct}
              result={latestCommand(state, "scripts")}
              actions={actions}
              onClose={closePanel}
            />
          ) : panel === "reminders" ? (
            <RemindersPanel
              id={`${panelId}-reminders`}
              items={state.reminders}
              canAct={canAct}
              result={latestCommand(state, "reminders")}
              actions={actions}
              onClose={closePanel}
            />
          ) : (
            <McpPanel
              id={`${panelId}-mcp`}
              servers={state.mcp.servers}
              audit={state.mcp.audit}
              selfId={state.self?.id}
              canAct={canAct}
              result={latestCommand(state, "mcp")}
              actions={actions}
              onClose={closePanel}
            />
          )}
        </aside>
      )}
    </div>
  );
}

/**
 * A name nobody created is no room: say so and offer to create it (its
 * creator owns it). Someone may have created it meanwhile; then this
 * visitor is told and can simply join.
 */
function NoSuchRoom({ room, title, onCreated }: { room: string; title: string; onCreated: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ text: string; exists: boolean } | null>(null);
  const create = async () => {
    setBusy(true);
    setError(null);
    try {
      await postPublicRoom(room);
      onCreated();
    } catch (err) {
      const exists = err instanceof ApiRequestError && err.code === "room_exists";
      setError({ text: err instanceof Error ? err.message : "Creating the room failed.", exists });
      setBusy(false);
    }
  };
  return (
    <main className="page narrow">
      <h1>{title}</h1>
      <div className="card" data-testid="no-such-room">
        <p>
          No room is called <strong>#{room}</strong> yet. Create it? You will be its owner: you decide who may join and
          what they may do.
        </p>
        <button type="button" data-testid="create-room" disabled={busy} onClick={() => void create()}>
          Create #{room}
        </button>
        {error && (
          <p className="form-error" role="alert" data-testid="create-room-error">
            {error.text}{" "}
            {error.exists && (
              <button type="button" data-testid="join-existing" onClick={onCreated}>
                Join it
              </button>
            )}
          </p>
        )}
      </div>
      <p>
        <Link href="/">Back to the lobby</Link>
      </p>
      <span hidden data-testid="connection-status" data-status="refused" />
    </main>
  );
}
