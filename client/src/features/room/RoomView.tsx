import { Users, X } from "lucide-react";
import { useCallback, useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from "react";
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
import { ElicitationCards } from "../mcp/ElicitationCard";
import { AuthorizeCards } from "../mcp/AuthorizeCards";
import { NoSuchRoom } from "./NoSuchRoom";
import { PANELS, RoomPanel, panelCount, type Panel } from "./RoomPanel";
import { RoomHeader } from "./RoomHeader";
import { RoomRefused } from "./RoomRefused";
import { RoomSignIn } from "./RoomSignIn";
import { latestCommand } from "./commandLog";
import { useRoom } from "./useRoom";
import { waitingFor } from "../approvals/waiting";
import { useApprovalNotifications } from "../approvals/notify";
import { NotificationSettings } from "../notifications/NotificationSettings";
import { useElicitationNotifications, useMessageNotifications } from "../notifications/notify";
import { ThreadPanel } from "../threads/ThreadPanel";
import { messagePowers } from "../reactions/powers";
import { MentionNamesProvider } from "../mentions/MentionNames";
import { FileRoom } from "../files/FileRoom";
import { UnreadBar } from "../unread/UnreadBar";
import { unreadCounts, unreadTitle } from "../unread/state";
import { useReadMarker } from "../unread/useReadMarker";
import "./room.css";

/** What the header can open: a side panel, or (on a phone) the sidebar. */
type Sheet = Panel | "members";

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
  const waiting = useMemo(() => waitingFor(state.messages, state.self?.id), [state.messages, state.self?.id]);
  const level = state.notifications.level;
  useApprovalNotifications(waiting, room, level);
  const members = state.members;
  const nameOf = useCallback((id: string) => members.find((m) => m.id === id)?.name ?? null, [members]);
  useMessageNotifications(room, state.messages, state.self?.id, level, nameOf);
  useElicitationNotifications(room, state.elicitations, level);
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
  // One side panel at a time: a sheet over the chat on narrow screens, where
  // the sidebar ("members") is one too. Opening one moves the focus into it
  // (so Escape reaches it, and a phone's keyboard user is not left behind the
  // sheet); closing it puts the focus back on its toggle.
  const [panel, setPanel] = useState<Sheet | null>(null);
  const panelId = useId();
  const toggles = useRef<Partial<Record<Sheet, HTMLButtonElement | null>>>({});
  const togglePanel = (which: Sheet) => setPanel((open) => (open === which ? null : which));
  const closePanel = () => {
    const toggle = panel ? toggles.current[panel] : null;
    setPanel(null);
    toggle?.focus();
  };
  const onPanelKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Escape") closePanel();
  };

  // A thread opens beside the room in the panel's place (one side panel at a time).
  const openThread = useCallback(
    (parent: ChatMessage | number) => {
      setPanel(null);
      actions.openThread(parent);
    },
    [actions],
  );
  const threadOpen = state.thread !== null;
  useEffect(() => {
    if (threadOpen) document.getElementById(`${panelId}-thread`)?.focus();
  }, [threadOpen, panelId]);
  useEffect(() => {
    if (panel && panel !== "members") actions.closeThread();
  }, [panel, actions]);

  // Read while visible and at the newest message; the tab title counts the rest.
  const [atBottom, setAtBottom] = useState(true);
  useReadMarker({ messages: state.messages, read: state.read, atBottom, online: state.connection === "online", markRead: actions.markRead });
  const counts = useMemo(() => unreadCounts(state), [state.read, state.messages, state.self]);
  const markAllRead = useCallback(() => actions.markRead(state.messages.at(-1)?.seq ?? 0, true), [actions, state.messages]);
  // Everyone with a role, under the name presence shows (a rename reaches presence first).
  const people = useMemo(() => {
    const current = new Map(state.presence.map((p) => [p.id, p.name]));
    return state.members.filter((m) => m.id !== state.self?.id).map((m) => ({ id: m.id, name: current.get(m.id) ?? m.name }));
  }, [state.members, state.presence, state.self?.id]);
  // MCP servers' prompts are slash commands (`/<server>:<prompt>`).
  const prompts = useMemo(
    () => state.mcp.servers.flatMap((s) => s.prompts.map((p) => ({ server: s.name, prompt: p.name, description: p.description, arguments: p.arguments }))),
    [state.mcp.servers],
  );

  useEffect(() => {
    document.title = `${unreadTitle(counts)}${title} · Hearth`;
  }, [title, counts]);

  useEffect(() => {
    // The open sheet's element: the sidebar, or the panel's section (SidePanel).
    if (panel) document.getElementById(`${panelId}-${panel}`)?.focus();
  }, [panel, panelId]);

  if (!session) return <RoomSignIn title={title} />;
  if (state.refused?.code === CloseCode.notFound && !generated) {
    return <NoSuchRoom room={room} title={title} onCreated={onCreated} />;
  }
  if (state.refused) return <RoomRefused title={title} reason={state.refused.reason} />;

  const role = state.self?.role;
  const readOnlyReason =
    role === "viewer" ? "You joined as a viewer: you can read this room but not write in it." : null;

  const canAct = role !== undefined && role !== "viewer";
  const powers = messagePowers(role, state.room);
  const sidePanel = panel === "members" ? null : panel;
  const thread = sidePanel ? null : state.thread;

  return (
    <div className={`room-layout${sidePanel || thread ? " with-panel" : ""}`}>
      <RoomHeader title={title} status={status} connection={state.connection}>
        {/* Wide screens always show the sidebar; phones open it as a sheet. */}
        <PanelToggle
          ref={(el) => {
            toggles.current.members = el;
          }}
          className="narrow-only"
          name="members"
          icon={Users}
          label="Members"
          count={state.presence.length}
          open={panel === "members"}
          controls={`${panelId}-members`}
          onToggle={() => togglePanel("members")}
        />
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
      <aside
        id={`${panelId}-members`}
        className={`room-sidebar${panel === "members" ? " open" : ""}`}
        aria-label="Room details"
        tabIndex={panel === "members" ? -1 : undefined}
        onKeyDown={panel === "members" ? onPanelKeyDown : undefined}
      >
        <div className="sheet-head narrow-only">
          <h2>Members</h2>
          <button type="button" className="panel-close icon-only" onClick={closePanel} aria-label="Close members">
            <X size={18} aria-hidden="true" />
          </button>
        </div>
        <PresenceList
          members={state.presence}
          selfId={state.self?.id}
          assistant={<AssistantPresence name={state.assistantName} info={state.assistant} status={state.assistantStatus} />}
        />
        <MembersPanel state={state} actions={actions} />
        {state.room && role === "owner" && <RoomSettings room={state.room} state={state} actions={actions} />}
        <AssistantSettings state={state} actions={actions} />
        <NotificationSettings room={room} state={state} actions={actions} />
        {state.room?.visibility === "private" && (role === "owner" || (role === "member" && state.room.membersMayInvite)) && (
          <InvitePanel room={room} invites={state.invites} revoke={(id) => actions.command(`/invites revoke ${id}`, "members")} />
        )}
        <NameForm compact />
      </aside>
      <FileRoom.Provider value={room}>
      <MentionNamesProvider members={state.members} presence={state.presence} self={state.self?.id}>
        <main className="room-main">
          {state.dividerAfter !== null && (
            <UnreadBar
              counts={counts}
              dividerAfter={state.dividerAfter}
              messages={state.messages}
              hasMore={state.hasMore}
              loadingOlder={state.loadingOlder}
              loadOlder={actions.loadOlder}
              markRead={markAllRead}
            />
          )}
          <MessageList
            messages={state.messages}
            pending={state.pending}
            self={state.self}
            hasMore={state.hasMore}
            hasNewer={state.hasNewer}
            jump={state.jump}
            loadingOlder={state.loadingOlder}
            canWrite={readOnlyReason === null}
            presence={state.presence}
            onReply={onReply}
            onSaveScript={saveScript}
            onThread={openThread}
            actions={actions}
            powers={powers}
            dividerAfter={state.dividerAfter}
            onAtBottom={setAtBottom}
          />
          <TypingLine state={state} />
          {/* An MCP server's questions to this member (only theirs reach this socket), right above where they type. */}
          <AuthorizeCards servers={state.mcp.servers} authorize={(server) => actions.command(`/mcp authorize ${server}`, "mcp")} />
          <ElicitationCards
            items={state.elicitations}
            errors={state.elicitationErrors}
            answer={actions.elicitationAnswer}
            dismiss={actions.elicitationDismiss}
          />
          <Composer
            maxChars={state.messageChars}
            readOnlyReason={readOnlyReason}
            error={state.error}
            replyTo={replyTo}
            onCancelReply={cancelReply}
            assistantName={state.assistantName}
            people={people}
            commandResult={latestCommand(state, "composer")}
            fill={composerFill}
            room={room}
            actions={actions}
            prompts={prompts}
            completion={state.mcpCompletion}
          />
        </main>
        {sidePanel && (
          <aside
            className="room-panel"
            aria-label={PANELS.find((p) => p.name === sidePanel)?.landmark}
            onKeyDown={onPanelKeyDown}
          >
            <RoomPanel
              panel={sidePanel}
              id={`${panelId}-${sidePanel}`}
              state={state}
              canAct={canAct}
              actions={actions}
              onOpenThread={openThread}
              onClose={closePanel}
            />
          </aside>
        )}
        {thread && (
          <aside className="room-panel" aria-label="Thread" onKeyDown={(e) => e.key === "Escape" && actions.closeThread()}>
            <ThreadPanel
              id={`${panelId}-thread`}
              thread={thread}
              selfId={state.self?.id}
              canWrite={readOnlyReason === null}
              maxChars={state.messageChars}
              actions={actions}
              onClose={actions.closeThread}
              assistantName={state.assistantName}
              people={people}
            />
          </aside>
        )}
      </MentionNamesProvider>
      </FileRoom.Provider>
    </div>
  );
}
