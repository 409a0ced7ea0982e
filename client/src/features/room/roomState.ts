/**
 * Everything the client knows about one room, and the pure reducer that
 * applies server frames and local actions to it. No I/O here: useRoom.ts owns
 * the socket, this file only decides what the state becomes. Each feature
 * owns its slice (its state and the frames it answers, in its folder's
 * state.ts); this file composes them, and keeps what crosses slices: the
 * connection (`welcome`, drops, refusals) and `error`.
 */
import type { ServerFrame } from "../../../../shared/protocol";
import { LIMITS } from "../../../../shared/limits";
import { assistantFrames, initialAssistant, type AssistantState } from "../assistant/state";
import { addPending, chatFrames, discardPending, failPending, initialChat, retryPending, type ChatState } from "../chat/state";
import { initialMcp, mcpFrames, type McpState } from "../mcp/state";
import { elicitationFrames, elicitationRefused, elicitationSent, initialElicitations, type ElicitationsState } from "../mcp/elicitationState";
import { initialMembers, memberFrames, type MembersState } from "../members/state";
import { initialReminders, reminderFrames, type RemindersState } from "../reminders/state";
import { initialScripts, scriptFrames, type ScriptsState } from "../scripts/state";
import { initialPins, pinFrames, type PinsState } from "../reactions/state";
import { initialSettings, settingsFrames, type SettingsState } from "../settings/state";
import { initialNotifications, notificationFrames, type NotificationsState } from "../notifications/state";
import {
  addCommand,
  commandFrames,
  initialCommands,
  patchCommand,
  settlePending,
  type CommandOrigin,
  type CommandsState,
} from "./commandLog";
import type { FrameReducers } from "./slice";
import { closeThread, followThread, initialThreads, openThread, threadFrames, threadOlderRequested, type ThreadsState } from "../threads/state";
import type { Attachment, ChatMessage } from "../../../../shared/protocol";
import { clearDivider, initialUnread, unreadFrames, type UnreadState } from "../unread/state";
import { initialSearch, searchCleared, searchFrames, searchRefused, searchStarted, type SearchState } from "../search/state";

export type ConnectionState = "connecting" | "online" | "reconnecting" | "refused";

/** The connection's own part: what `welcome` says and how the socket is doing. */
interface ConnectionSlice {
  messageChars: number;
  connection: ConnectionState;
  refused: { code: number; reason: string } | null;
}

export interface RoomState
  extends ConnectionSlice,
    ChatState,
    AssistantState,
    MembersState,
    SettingsState,
    RemindersState,
    McpState,
    ElicitationsState,
    ScriptsState,
    CommandsState,
    ThreadsState,
    PinsState,
    NotificationsState,
    UnreadState,
    SearchState {}

export type RoomAction =
  | { type: "frame"; frame: ServerFrame }
  | { type: "send"; id: string; text: string; at: number; replyTo?: number; attachments?: Attachment[] }
  | { type: "retry"; id: string }
  | { type: "discard"; id: string }
  | { type: "history_requested" }
  | { type: "disconnected" }
  | { type: "refused"; code: number; reason: string }
  | { type: "clear_error" }
  | { type: "command_sent"; id: string; origin: CommandOrigin; label: string }
  | { type: "command_unsent"; id: string; reason: string }
  | { type: "dismiss_command"; id: string }
  | { type: "elicitation_sent"; id: string }
  | { type: "thread_opened"; parent: ChatMessage | number }
  | { type: "thread_closed" }
  | { type: "thread_older_requested" }
  | { type: "divider_cleared" }
  | { type: "search_started"; id: string; query: string; more: boolean }
  | { type: "search_cleared" };

export function initialRoomState(): RoomState {
  return {
    messageChars: LIMITS.messageChars,
    connection: "connecting",
    refused: null,
    ...initialChat(),
    ...initialAssistant(),
    ...initialMembers(),
    ...initialSettings(),
    ...initialReminders(),
    ...initialMcp(),
    ...initialElicitations(),
    ...initialScripts(),
    ...initialPins(),
    ...initialCommands(),
    ...initialThreads(),
    ...initialNotifications(),
    ...initialUnread(),
    ...initialSearch(),
  };
}

const connectionFrames: FrameReducers<RoomState, "welcome" | "error"> = {
  welcome: (state, frame) => ({
    ...state,
    self: frame.self,
    room: frame.room,
    messageChars: frame.limits.messageChars,
    connection: "online",
    refused: null,
    assistantName: frame.assistant.name,
    assistant: frame.assistant,
    assistantStatus: frame.assistantStatus,
  }),
  error: (state, frame) => {
    // A refused panel action answers its command entry, not the room-wide error banner.
    if (typeof frame.ref === "string" && state.commands.some((c) => c.id === frame.ref && c.origin !== "composer")) {
      return { ...state, commands: patchCommand(state.commands, frame.ref, { state: "failed", text: frame.message }) };
    }
    // A refused elicitation answer is shown on its card.
    const refused = elicitationRefused(state, frame.ref, frame.message) ?? searchRefused(state, frame.ref, frame.message);
    if (refused) return refused;
    return failPending(state, { code: frame.code, message: frame.message }, frame.ref);
  },
};

/** Every server frame type has exactly one reducer, in the slice that owns it: a new frame type without one fails tsc. */
const FRAMES: FrameReducers<RoomState, ServerFrame["type"]> = {
  ...connectionFrames,
  ...chatFrames,
  ...assistantFrames,
  ...memberFrames,
  ...settingsFrames,
  ...reminderFrames,
  ...mcpFrames,
  ...elicitationFrames,
  ...scriptFrames,
  ...pinFrames,
  ...commandFrames,
  ...threadFrames,
  ...notificationFrames,
  ...unreadFrames,
  ...searchFrames,
};

function applyFrame(state: RoomState, frame: ServerFrame): RoomState {
  const reducer = FRAMES[frame.type] as ((state: RoomState, frame: ServerFrame) => RoomState) | undefined;
  // A frame this client has no view for yet must not wipe the state:
  // returning nothing here crashed the room.
  // The open thread follows its rows whichever slice owns the frame.
  return followThread(reducer ? reducer(state, frame) : state, frame);
}

export function roomReducer(state: RoomState, action: RoomAction): RoomState {
  switch (action.type) {
    case "frame":
      return applyFrame(state, action.frame);
    case "send":
      return addPending(state, {
        id: action.id,
        text: action.text,
        ...(action.replyTo !== undefined ? { replyTo: action.replyTo } : {}),
        ...(action.attachments?.length ? { attachments: action.attachments } : {}),
        createdAt: action.at,
      });
    case "retry":
      return retryPending(state, action.id);
    case "discard":
      return discardPending(state, action.id);
    case "history_requested":
      return { ...state, loadingOlder: true };
    case "disconnected":
      // A history request on a dead socket will never be answered, and
      // typing indicators from a connection we no longer hear are stale.
      return {
        ...state,
        connection: state.connection === "refused" ? "refused" : "reconnecting",
        loadingOlder: false,
        typers: [],
        search: state.search?.loading ? { ...state.search, loading: false, error: "The connection dropped before the room answered: search again." } : state.search,
        // Their answers would have come on the socket that just closed.
        commands: settlePending(
          state.commands,
          "The connection dropped before the room answered; the command may or may not have run.",
        ),
      };
    case "refused":
      return {
        ...state,
        connection: "refused",
        refused: { code: action.code, reason: action.reason },
        loadingOlder: false,
        typers: [],
        presence: [],
        commands: settlePending(state.commands, "The room refused the connection."),
      };
    case "clear_error":
      return state.error ? { ...state, error: null } : state;
    case "command_sent":
      return {
        ...state,
        commands: addCommand(state.commands, { id: action.id, origin: action.origin, label: action.label, state: "pending", text: "" }),
      };
    case "command_unsent":
      return { ...state, commands: patchCommand(state.commands, action.id, { state: "failed", text: action.reason }) };
    case "dismiss_command":
      return { ...state, commands: state.commands.filter((c) => c.id !== action.id) };
    case "elicitation_sent":
      return elicitationSent(state, action.id);
    case "thread_opened":
      return openThread(state, action.parent);
    case "thread_closed":
      return closeThread(state);
    case "thread_older_requested":
      return threadOlderRequested(state);
    case "divider_cleared":
      return clearDivider(state);
    case "search_started":
      return searchStarted(state, action.id, action.query, action.more);
    case "search_cleared":
      return searchCleared(state);
  }
}
