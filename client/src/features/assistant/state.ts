/**
 * The assistant slice: who the room's AI member is (its name, model and
 * settings: `welcome`, then `assistant`), what it is doing (`assistant_status`),
 * and the models a provider offered the owner's settings view (`models`).
 */
import type { AssistantInfo, AssistantStatus } from "../../../../shared/protocol";
import { patchCommand, type CommandsState } from "../room/commandLog";
import type { FrameReducers } from "../room/slice";

/** What `@` offers until the welcome frame names the assistant. */
export const DEFAULT_ASSISTANT_NAME = "assistant";

export interface AssistantState {
  /** The name members @mention to ask the room's AI member. */
  assistantName: string;
  assistant: AssistantInfo | null;
  assistantStatus: AssistantStatus;
  /** The last model list an owner asked for (`list_models`), by its request id. */
  offeredModels: { id: string; models: string[] } | null;
}

export const initialAssistant = (): AssistantState => ({
  assistantName: DEFAULT_ASSISTANT_NAME,
  assistant: null,
  assistantStatus: { activity: "idle", tool: null, seq: null },
  offeredModels: null,
});

export const assistantFrames: FrameReducers<AssistantState & CommandsState, "assistant" | "assistant_status" | "models"> = {
  assistant: (state, frame) => ({ ...state, assistant: frame.assistant, assistantName: frame.assistant.name }),
  assistant_status: (state, frame) => ({ ...state, assistantStatus: frame.status }),
  models: (state, frame) => ({
    ...state,
    offeredModels: { id: frame.id, models: frame.models },
    commands: patchCommand(state.commands, frame.id, { state: "ok", text: `${frame.models.length} models offered.` }),
  }),
};
