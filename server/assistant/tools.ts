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
  /**
   * True when a call changes nothing (reads only). Code written by someone
   * other than the member running it may make only such calls until that
   * member has approved the version (Scripts). Unset counts as "may change
   * something".
   */
  readOnly?: boolean;
  /** A zod schema, or JSON Schema wrapped with `jsonSchema()` (MCP tools). */
  inputSchema: FlexibleSchema<Input>;
  /**
   * Null when the call runs without asking. Otherwise the ids of members
   * (besides the room's owners, who always may) who can approve it.
   */
  approval(input: Input, requestedBy: TurnRequester[]): { approvers: string[] } | null;
  /**
   * `requestedBy` is the call's principal: every member it acts for. Usually
   * one; a turn answering several askers, or a script run by someone other
   * than its author, acts for all of them at once and may do only what each
   * of them may (least authority). Use `actingMember` for a call that acts
   * *as* one person, `everyMember` for a permission check.
   */
  execute(input: Input, requestedBy: TurnRequester[], call: ToolCallInfo): Promise<unknown> | unknown;
}

/** Distinct members of a principal (the same asker may be listed twice). */
export function distinctMembers(requestedBy: TurnRequester[]): TurnRequester[] {
  return [...new Map(requestedBy.map((m) => [m.id, m])).values()];
}

/**
 * The one member a call acts as (a reminder's creator, a script version's
 * author). A principal of several members cannot be one person, and picking
 * any of them would let the others borrow that member's authority: refused.
 */
export function actingMember(requestedBy: TurnRequester[]): TurnRequester {
  const members = distinctMembers(requestedBy);
  if (members.length === 1) return members[0]!;
  if (members.length === 0) throw new Error("This call acts for nobody.");
  throw new Error(
    `This acts for several people at once (${members.map((m) => m.name).join(", ")}), so it cannot act as any one of them: ` +
      "ask for it in a message of your own.",
  );
}

/** True when `allowed` holds for every member the call acts for (least authority). */
export function everyMember(requestedBy: TurnRequester[], allowed: (member: TurnRequester) => boolean): boolean {
  const members = distinctMembers(requestedBy);
  return members.length > 0 && members.every(allowed);
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
