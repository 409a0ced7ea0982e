/**
 * One room's live connection: a reconnecting socket feeding roomReducer, and
 * the actions the UI can take. Resends unconfirmed messages with their
 * original ids after every reconnect; the server stores each id once.
 */
import PartySocket from "partysocket";
import { flushSync } from "react-dom";
import { useCallback, useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState } from "react";
import { CloseCode, framesOf, WireFrame, type Attachment, type ServerFrame, type ChatMessage, type AssistantSettingsInput, type ClientFrameInput, type MemberAction, type NotifyLevel, type ReminderAction, type Role, type SnoozeChoice } from "../../../../shared/protocol";
import { initialRoomState, roomReducer, type RoomState } from "./roomState";
import { unsentMessages } from "../chat/state";
import type { CommandOrigin } from "./commandLog";
import type { ElicitationContent } from "../../../../shared/elicitation";
import { postJoin } from "../../api";
import { parseFrame } from "../../parseFrame";
import { refreshSession, useSession } from "../account/session";
import { useOnline } from "./useOnline";
import { frameScheduler } from "./frameScheduler";
import type { PushKeys } from "../notifications/push";

/** How often a "still typing" signal may go out while the composer is busy. */
const TYPING_REFRESH_MS = 2000;
/** A session refused again within this window is not rechecked again. */
const RENEW_COOLDOWN_MS = 60_000;

export type ConnectionStatus = "online" | "reconnecting" | "offline" | "refused";

export interface RoomActions {
  /** `replyTo`: the seq this message answers (an assistant message asks it again). */
  /** `attachments`: files uploaded for it already (features/files). */
  send(text: string, replyTo?: number, attachments?: Attachment[]): void;
  retry(id: string): void;
  discard(id: string): void;
  edit(seq: number, text: string): void;
  remove(seq: number): void;
  loadOlder(): void;
  typing(composerText: string): void;
  clearError(): void;
  /** Stops the assistant turn writing message `seq`. */
  stop(seq: number): void;
  /** Approves or denies a tool call awaiting approval. */
  approve(seq: number, callId: string, approved: boolean): void;
  /** A slash command (`/remind …`); its answer lands in `state.commands` under `origin`. */
  command(text: string, origin?: CommandOrigin): void;
  /** Cancels, snoozes, pauses or resumes a reminder; `label` describes it to the user. */
  reminderAction(reminder: string, action: ReminderAction, label: string, snooze?: SnoozeChoice): void;
  /** Enables or disables one tool of one of the room's MCP servers. */
  mcpTool(server: string, tool: string, enabled: boolean): void;
  /** Asks the server for completions of a prompt argument; the answer (`mcpCompletion`) carries the returned id. */
  mcpComplete(server: string, prompt: string, argument: string, value: string): string;
  /** An owner's change to a member (or `leave`, anyone's); `label` describes it to the user. */
  memberAction(action: MemberAction, label: string, member?: string, role?: Role): void;
  /** An owner's change to the room's settings; `label` describes it to the user. */
  roomSettings(change: RoomSettingsChange, label: string): void;
  /** An owner's change to the room's assistant (model, key, name …); `label` describes it to the user. */
  assistantSettings(change: AssistantSettingsInput, label: string): void;
  /** Asks which models a provider offers; they land in `state.offeredModels`. */
  listModels(request: ModelListRequest): void;
  /** Fetches one saved script's code; it lands in `state.scriptCode`. */
  getScript(name: string, version: number): void;
  dismissCommand(id: string): void;
  /** Answers an MCP server's elicitation (one of this member's). */
  elicitationAnswer(id: string, action: ElicitationAction, content?: ElicitationContent): void;
  /** Removes an expired elicitation from this member's list. */
  elicitationDismiss(id: string): void;
  /** This member's notification level in this room. */
  notifySettings(level: NotifyLevel): void;
  /** This browser's push subscription for this room (false: not connected, try later). */
  pushSubscribe(subscription: PushKeys): boolean;
  pushUnsubscribe(endpoint: string): boolean;
  /** Opens a message's thread beside the room (loads its newest replies). */
  openThread(parent: ChatMessage | number): void;
  closeThread(): void;
  /** The open thread's next older page. */
  loadOlderInThread(): void;
  /** A reply in the open thread; `alsoToRoom` shows it in the room's timeline too. */
  replyInThread(text: string, alsoToRoom: boolean): void;
  /** Adds (`on`) or takes back this member's reaction to message `seq`. */
  react(seq: number, emoji: string, on: boolean): void;
  /** Pins or unpins message `seq` (owners; members when the room allows). */
  pin(seq: number, on: boolean): void;
  /** Searches the room (`more`: the next page of the current search). */
  search(query: string, more?: boolean): void;
  clearSearch(): void;
  /** Loads the timeline around message `seq` (a search result), replacing the loaded window. */
  jumpTo(seq: number): void;
  /** Back to the newest messages after a jump. */
  jumpToPresent(): void;
  /** Moves this member's read marker to `seq` (all their devices follow); `clearDivider` also removes this view's "new messages" line. */
  markRead(seq: number, clearDivider?: boolean): void;
}

export type ElicitationAction = Extract<ClientFrameInput, { type: "elicitation_answer" }>["action"];

/** What an owner may change in one `room_settings` frame (its fields but the envelope). */
export type RoomSettingsChange = Omit<Extract<ClientFrameInput, { type: "room_settings" }>, "type" | "id">;
/** A `list_models` request but the envelope. */
export type ModelListRequest = Omit<Extract<ClientFrameInput, { type: "list_models" }>, "type" | "id">;

const NOT_CONNECTED = "Not connected to the room: try again once it is back online.";

/** The browser's IANA zone, sent as `tz` so reminders are read in it. */
export function browserTimeZone(): string | null {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || null;
  } catch {
    return null;
  }
}

function sendFrame(p: { id: string; text: string; replyTo?: number; attachments?: Attachment[] }): ClientFrameInput {
  return {
    type: "send",
    id: p.id,
    text: p.text,
    ...(p.replyTo !== undefined ? { replyTo: p.replyTo } : {}),
    ...(p.attachments?.length ? { attachments: p.attachments.map((a) => a.id) } : {}),
  };
}

/** 44xx closes (CloseCode and any later sibling) mean "not with these credentials": retrying cannot help. */
function isRefusal(code: number): boolean {
  return code >= 4400 && code < 4500;
}

export function useRoom(
  room: string,
  invite: string | null,
): { state: RoomState; status: ConnectionStatus; actions: RoomActions } {
  const session = useSession();
  const name = session?.member.name;
  const signedIn = session !== null;
  const [state, dispatch] = useReducer(roomReducer, undefined, initialRoomState);
  const online = useOnline();

  // The socket's callbacks outlive renders; they read the latest state here.
  const stateRef = useRef(state);
  useLayoutEffect(() => {
    stateRef.current = state;
  }, [state]);
  const socketRef = useRef<PartySocket | null>(null);
  /** True between this connection's `welcome` and its close. */
  const welcomedRef = useRef(false);
  const lastRenewRef = useRef(0);
  const typingSentAtRef = useRef(0);

  const transmit = useCallback((frame: ClientFrameInput): boolean => {
    const socket = socketRef.current;
    if (!socket || !welcomedRef.current) return false;
    return socket.send(JSON.stringify(frame));
  }, []);

  // An invite (from the link's fragment) is redeemed over the API before the
  // socket opens, so that it never travels in a URL a server logs. Then the
  // fragment is dropped from the address bar and history.
  const [joined, setJoined] = useState<"no-invite" | "joining" | "joined">(invite ? "joining" : "no-invite");
  useEffect(() => {
    if (!invite || !signedIn) return;
    let cancelled = false;
    setJoined("joining");
    postJoin(room, invite)
      .then(() => {
        if (cancelled) return;
        setJoined("joined");
        if (location.hash.startsWith("#invite=")) history.replaceState(history.state, "", location.pathname + location.search);
      })
      .catch((err: unknown) => {
        if (cancelled) return;
        const reason = err instanceof Error ? err.message : "This invite link does not work.";
        dispatch({ type: "refused", code: CloseCode.forbidden, reason });
      });
    return () => {
      cancelled = true;
    };
  }, [room, invite, signedIn]);
  const ready = signedIn && joined !== "joining";

  useEffect(() => {
    if (!ready) return;
    const socket = new PartySocket({
      host: location.host,
      protocol: location.protocol === "https:" ? "wss" : "ws",
      prefix: "agents",
      party: "chat-room",
      room,
      // Evaluated on every (re)connect, so `since` is always the latest revision.
      query: () => {
        const rev = stateRef.current.rev;
        // Nothing here names the member: the session is the cookie.
        return { since: rev > 0 ? String(rev) : null, tz: browserTimeZone() };
      },
      // Frames must not pile up while offline: pending messages are resent
      // from state after `welcome`, anything else is stale by then.
      maxEnqueuedMessages: 0,
      shouldReconnectOnClose: (event) => !isRefusal(event.code),
    });
    socketRef.current = socket;
    welcomedRef.current = false;
    let lastError = "";
    let disposed = false;
    // Drafts wait for the next animation frame; every other frame goes at once, in order.
    const frames = frameScheduler<ServerFrame>((frame) => dispatch({ type: "frame", frame }), { commit: flushSync });

    const onMessage = (event: MessageEvent) => {
      const wire = parseFrame("room", event.data, WireFrame);
      // A busy room batches frames (docs/protocol.md, `batch`): each is applied in order, as if it came alone.
      if (wire) for (const frame of framesOf(wire)) onFrame(frame);
    };
    const onFrame = (frame: ServerFrame) => {
      if (frame.type === "error") lastError = frame.message;
      frames.push(frame);
      if (frame.type === "welcome") {
        welcomedRef.current = true;
        for (const p of unsentMessages(stateRef.current)) {
          socket.send(JSON.stringify(sendFrame(p)));
        }
        // A gap snapshot does not carry thread replies: the open thread reloads its newest page.
        const thread = stateRef.current.thread;
        if (thread) socket.send(JSON.stringify({ type: "thread_history", threadOf: thread.parent }));
      }
    };
    const onClose = (event: CloseEvent) => {
      frames.flush();
      welcomedRef.current = false;
      if (!isRefusal(event.code)) {
        dispatch({ type: "disconnected" });
        return;
      }
      const now = Date.now();
      if (event.code === CloseCode.unauthorized && now - lastRenewRef.current > RENEW_COOLDOWN_MS) {
        // Ask the server who we are: another tab may have signed in again.
        // If it refuses too, the session marks itself expired and the page
        // offers a way back in — never a quiet new identity.
        lastRenewRef.current = now;
        dispatch({ type: "disconnected" });
        refreshSession()
          .then((current) => {
            if (!current) throw new Error("signed out");
            if (!disposed) socket.reconnect();
          })
          .catch(() => dispatch({ type: "refused", code: event.code, reason: event.reason || lastError }));
        return;
      }
      dispatch({
        type: "refused",
        code: event.code,
        reason: event.reason || lastError || "The room refused the connection.",
      });
    };
    socket.addEventListener("message", onMessage);
    socket.addEventListener("close", onClose);
    return () => {
      disposed = true;
      frames.dispose();
      socket.removeEventListener("message", onMessage);
      socket.removeEventListener("close", onClose);
      socket.close();
      socketRef.current = null;
      welcomedRef.current = false;
    };
  }, [room, ready]);

  // A rename elsewhere (another tab, the name form) reaches this room too.
  const selfName = state.self?.name;
  useEffect(() => {
    if (name && selfName && name !== selfName) transmit({ type: "set_name", name });
  }, [name, selfName, transmit]);

  /**
   * A request the room answers with a `command_result` (or an error) naming
   * its id: logged under `origin` at once, failed at once when it cannot go out.
   */
  const request = useCallback(
    (origin: CommandOrigin, label: string, frame: (id: string) => ClientFrameInput) => {
      const id = crypto.randomUUID();
      dispatch({ type: "command_sent", id, origin, label });
      if (!transmit(frame(id))) dispatch({ type: "command_unsent", id, reason: NOT_CONNECTED });
    },
    [transmit],
  );

  const actions = useMemo<RoomActions>(
    () => ({
      send(text, replyTo, attachments) {
        // Sent from a window in the past: back to the present first, where the message will show.
        if (stateRef.current.hasNewer) transmit({ type: "history_around" });
        const id = crypto.randomUUID();
        dispatch({ type: "send", id, text, at: Date.now(), ...(replyTo !== undefined ? { replyTo } : {}), ...(attachments?.length ? { attachments } : {}) });
        transmit(sendFrame({ id, text, replyTo, attachments }));
        // The room clears the sender's typing when it stores the message; the
        // next keystroke may say "typing" again at once.
        typingSentAtRef.current = 0;
      },
      retry(id) {
        const p = stateRef.current.pending.find((m) => m.id === id);
        if (!p) return;
        dispatch({ type: "retry", id });
        transmit(sendFrame(p));
      },
      discard(id) {
        dispatch({ type: "discard", id });
      },
      edit(seq, text) {
        transmit({ type: "edit", seq, text });
      },
      remove(seq) {
        transmit({ type: "delete", seq });
      },
      loadOlder() {
        const s = stateRef.current;
        const oldest = s.messages[0]?.seq;
        if (s.loadingOlder || !s.hasMore || oldest === undefined) return;
        if (transmit({ type: "history", before: oldest })) dispatch({ type: "history_requested" });
      },
      typing(composerText) {
        const now = Date.now();
        if (composerText.trim() === "") {
          if (typingSentAtRef.current !== 0 && transmit({ type: "typing", active: false })) {
            typingSentAtRef.current = 0;
          }
        } else if (now - typingSentAtRef.current >= TYPING_REFRESH_MS) {
          if (transmit({ type: "typing", active: true })) typingSentAtRef.current = now;
        }
      },
      clearError() {
        dispatch({ type: "clear_error" });
      },
      stop(seq) {
        transmit({ type: "stop", seq });
      },
      approve(seq, callId, approved) {
        transmit({ type: "approve", seq, callId, approved });
      },
      command(text, origin = "composer") {
        const trimmed = text.trim();
        request(origin, trimmed, (id) => ({ type: "command", id, text: trimmed }));
        if (origin === "composer" && typingSentAtRef.current !== 0) transmit({ type: "typing", active: false });
        if (origin === "composer") typingSentAtRef.current = 0;
      },
      reminderAction(reminder, action, label, snooze) {
        request("reminders", label, (id) =>
          snooze === undefined ? { type: "reminder_action", id, reminder, action } : { type: "reminder_action", id, reminder, action, snooze },
        );
      },
      mcpTool(server, tool, enabled) {
        request("mcp", `${enabled ? "Enable" : "Disable"} ${server}.${tool}`, (id) => ({ type: "mcp_tool", id, server, tool, enabled }));
      },
      mcpComplete(server, prompt, argument, value) {
        const id = crypto.randomUUID();
        transmit({ type: "mcp_complete", id, server, prompt, argument, value });
        return id;
      },
      memberAction(action, label, member, role) {
        request("members", label, (id) => ({ type: "member_action", id, action, member, role }));
      },
      roomSettings(change, label) {
        request("settings", label, (id) => ({ type: "room_settings", id, ...change }));
      },
      assistantSettings(change, label) {
        request("assistant", label, (id) => ({ type: "assistant_settings", id, ...change }));
      },
      listModels(list) {
        request("models", "List models", (id) => ({ type: "list_models", id, ...list }));
      },
      getScript(name, version) {
        transmit({ type: "get_script", name, version });
      },
      dismissCommand(id) {
        dispatch({ type: "dismiss_command", id });
      },
      elicitationAnswer(id, action, content) {
        dispatch({ type: "elicitation_sent", id });
        transmit(content === undefined ? { type: "elicitation_answer", id, action } : { type: "elicitation_answer", id, action, content });
      },
      elicitationDismiss(id) {
        transmit({ type: "elicitation_dismiss", id });
      },
      openThread(parent) {
        dispatch({ type: "thread_opened", parent });
        transmit({ type: "thread_history", threadOf: typeof parent === "number" ? parent : parent.seq });
      },
      closeThread() {
        dispatch({ type: "thread_closed" });
      },
      loadOlderInThread() {
        const thread = stateRef.current.thread;
        const oldest = thread?.messages[0]?.seq;
        if (!thread || thread.loading || !thread.hasMore || oldest === undefined) return;
        if (transmit({ type: "thread_history", threadOf: thread.parent, before: oldest })) dispatch({ type: "thread_older_requested" });
      },
      replyInThread(text, alsoToRoom) {
        const thread = stateRef.current.thread;
        if (!thread) return;
        // Not queued as pending: the reply shows when the room stores it (see docs/architecture.md, threads).
        transmit({ type: "send", id: crypto.randomUUID(), text, threadOf: thread.parent, ...(alsoToRoom ? { alsoToRoom } : {}) });
        typingSentAtRef.current = 0;
      },
      markRead(seq, clearDivider = false) {
        const read = stateRef.current.read;
        if (!read || seq > read.seq) transmit({ type: "read", seq });
        if (clearDivider) dispatch({ type: "divider_cleared" });
      },
      search(query, more = false) {
        const s = stateRef.current.search;
        const before = more ? s?.results.at(-1)?.message.seq : undefined;
        if (more && (!s || s.loading || !s.hasMore || before === undefined)) return;
        const id = crypto.randomUUID();
        dispatch({ type: "search_started", id, query, more });
        if (!transmit({ type: "search", id, query, ...(before !== undefined ? { before } : {}) })) {
          dispatch({ type: "frame", frame: { type: "error", code: "internal", message: NOT_CONNECTED, ref: id } });
        }
      },
      clearSearch() {
        dispatch({ type: "search_cleared" });
      },
      jumpTo(seq) {
        transmit({ type: "history_around", seq });
      },
      jumpToPresent() {
        transmit({ type: "history_around" });
      },
      react(seq, emoji, on) {
        transmit({ type: "react", seq, emoji, on });
      },
      pin(seq, on) {
        transmit({ type: "pin", seq, on });
      },
      notifySettings(level) {
        transmit({ type: "notify_settings", level });
      },
      pushSubscribe({ endpoint, keys }) {
        return transmit({ type: "push_subscribe", endpoint, keys });
      },
      pushUnsubscribe(endpoint) {
        return transmit({ type: "push_unsubscribe", endpoint });
      },
    }),
    [transmit, request],
  );

  let status: ConnectionStatus;
  if (state.connection === "refused") status = "refused";
  else if (!online) status = "offline";
  else if (state.connection === "online") status = "online";
  else status = "reconnecting";

  return { state, status, actions };
}
