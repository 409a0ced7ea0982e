import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import { CloseCode, type ChatMessage } from "../../../../shared/protocol";
import { PanelToggle } from "../../components/SidePanel";
import { useSession } from "../account/session";
import { NameForm } from "../account/NameForm";
import { Composer, type ComposerFill, type ReplyTarget } from "../chat/composer/Composer";
import { MessageList } from "../chat/MessageList";
import { TypingLine } from "../chat/TypingLine";
import { InvitePanel } from "../members/InvitePanel";
import { MembersPanel } from "../members/MembersPanel";
import { PresenceList } from "../members/PresenceList";
import { RoomSettings } from "../settings/RoomSettings";
import { AssistantSettings } from "../settings/AssistantSettings";
import { AssistantPresence } from "../assistant/AssistantPresence";
import { NoSuchRoom } from "./NoSuchRoom";
import { PANELS, RoomPanel, panelCount, type Panel } from "./RoomPanel";
import { RoomHeader } from "./RoomHeader";
import { RoomRefused } from "./RoomRefused";
import { RoomSignIn } from "./RoomSignIn";
import { latestCommand } from "./commandLog";
import { useRoom } from "./useRoom";
import "./room.css";

/**
 * A room by URL. Creating a room that did not exist yet starts a fresh
 * connection (a new key), as if the page had been opened again.
 */
export function RoomView({ room, invite }: { room: string; invite: string | null }) {
  const [attempt, setAttempt] = useState(0);
  return <RoomScreen key={`${room} ${attempt}`} room={room} invite={invite} onCreated={() => setAttempt((n) => n + 1)} />;
}

/**
 * One connection to one room: the doors first (signed out, no such room,
 * refused), then the room itself — sidebar, messages, composer and at most
 * one side panel.
 */
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
  // One side panel at a time: a drawer on narrow screens. Closing it puts
  // the focus back on its toggle.
  const [panel, setPanel] = useState<Panel | null>(null);
  const panelId = useId();
  const toggles = useRef<Partial<Record<Panel, HTMLButtonElement | null>>>({});
  const togglePanel = (which: Panel) => setPanel((open) => (open === which ? null : which));
  const closePanel = () => {
    const toggle = panel ? toggles.current[panel] : null;
    setPanel(null);
    toggle?.focus();
  };
  const onPanelKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Escape") closePanel();
  };

  useEffect(() => {
    document.title = `${title} · Hearth`;
  }, [title]);

  if (!session) return <RoomSignIn title={title} />;
  if (state.refused?.code === CloseCode.notFound && !generated) {
    return <NoSuchRoom room={room} title={title} onCreated={onCreated} />;
  }
  if (state.refused) return <RoomRefused title={title} reason={state.refused.reason} />;

  const role = state.self?.role;
  const readOnlyReason =
    role === "viewer" ? "You joined as a viewer: you can read this room but not write in it." : null;

  const canAct = role !== undefined && role !== "viewer";

  return (
    <div className={`room-layout${panel ? " with-panel" : ""}`}>
      <RoomHeader title={title} status={status} connection={state.connection}>
        {PANELS.map((p) => (
          <PanelToggle
            key={p.name}
            ref={(el) => {
              toggles.current[p.name] = el;
            }}
            name={p.name}
            icon={p.icon}
            label={p.label}
            count={panelCount(p.name, state)}
            open={panel === p.name}
            controls={`${panelId}-${p.name}`}
            onToggle={() => togglePanel(p.name)}
          />
        ))}
      </RoomHeader>
      <aside className="room-sidebar" aria-label="Room details">
        <PresenceList
          members={state.presence}
          selfId={state.self?.id}
          assistant={<AssistantPresence name={state.assistantName} info={state.assistant} status={state.assistantStatus} />}
        />
        <MembersPanel state={state} actions={actions} />
        {state.room && role === "owner" && <RoomSettings room={state.room} state={state} actions={actions} />}
        <AssistantSettings state={state} actions={actions} />
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
        <aside className="room-panel" aria-label={PANELS.find((p) => p.name === panel)?.landmark} onKeyDown={onPanelKeyDown}>
          <RoomPanel panel={panel} id={`${panelId}-${panel}`} state={state} canAct={canAct} actions={actions} onClose={closePanel} />
        </aside>
      )}
    </div>
  );
}
