/**
 * Room tools: what the assistant can do in a room. Other features
 * (reminders, MCP servers) register their tools through the same
 * interface, so every call gets the same card, approval and cap.
 */
import type { FlexibleSchema } from "ai";
import type { Role } from "../../shared/protocol";

export interface TurnRequester {
  id: string;
  name: string;
  role: Role;
}

export interface RoomTool<Input = unknown> {
  name: string;
  description: string;
  /** A zod schema, or JSON Schema wrapped with `jsonSchema()` (MCP tools). */
  inputSchema: FlexibleSchema<Input>;
  /**
   * Null when the call runs without asking. Otherwise the ids of members
   * (besides the room's owners, who always may) who can approve it.
   */
  approval(input: Input, requestedBy: TurnRequester[]): { approvers: string[] } | null;
  execute(input: Input, requestedBy: TurnRequester[], call: ToolCallInfo): Promise<unknown> | unknown;
}

/** About one call, for tools that record it (MCP's audit trail). */
export interface ToolCallInfo {
  callId: string;
  /** Who approved it, when it needed approval. */
  approvedBy: { id: string; name: string } | null;
}

/** Tool results reach the model as data, and never more than this much of it. */
export const TOOL_RESULT_CHARS = 8_000;

export function capResult(value: unknown): unknown {
  const json = JSON.stringify(value ?? null);
  if (json.length <= TOOL_RESULT_CHARS) return value ?? null;
  return { truncated: true, preview: json.slice(0, TOOL_RESULT_CHARS), totalChars: json.length };
}

export function defineTool<Input>(tool: RoomTool<Input>): RoomTool<unknown> {
  return tool as RoomTool<unknown>;
}
