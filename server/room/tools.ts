/**
 * Room tools: what can be done in a room by a call rather than a frame —
 * by the assistant, by code a Code Mode run executes, by `/run`. Every
 * capability (the room's built-ins, reminders, MCP servers, scripts)
 * registers its tools in the room's registry (kernel.ts), so every call
 * gets the same card, approval and cap, whoever makes it.
 */
import type { FlexibleSchema } from "ai";
import type { Truncated } from "../../shared/codemode";
import { LIMITS } from "../../shared/limits";
import type { Actor } from "./actor";

export { actingMember, distinctMembers, everyMember, type Actor } from "./actor";

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
  approval(input: Input, requestedBy: Actor[], call?: CallContext): ApprovalNeed | null;
  /**
   * `requestedBy` is the call's principal: every member it acts for. Usually
   * one; a turn answering several askers, or a script run by someone other
   * than its author, acts for all of them at once and may do only what each
   * of them may (least authority). Use `actingMember` for a call that acts
   * *as* one person, `everyMember` for a permission check.
   */
  execute(input: Input, requestedBy: Actor[], call: ToolCallInfo): Promise<unknown> | unknown;
}

/** About one call, for tools that record it (MCP's audit trail). */
/**
 * Who must agree to a call. By default `approvers` and the room's owners,
 * one of them; an approval policy (`only`) names exactly who may decide,
 * how many must approve (`required`) and how long they have.
 */
export interface ApprovalNeed {
  approvers: string[];
  /** The approver set is exactly `approvers` (owners are not added). */
  only?: boolean;
  required?: number;
  expiresInMs?: number;
}

/** Who a call's personal credentials act for, beyond its principal (see ToolCallInfo). */
export interface CallContext {
  /**
   * The member running it, when the principal has others who did not ask
   * (a script's author): a personal MCP grant acts for the runner. Unset: the
   * principal's one member, or the call names which asker it serves.
   */
  runner?: Actor;
  /** Scheduled jobs (reminder ids) the call runs for: what would wait for a person pauses them instead. */
  jobs?: string[];
}

export interface ToolCallInfo extends CallContext {
  callId: string;
  /** Who approved it, when it needed approval (the last, when a policy needed several). */
  approvedBy: { id: string; name: string } | null;
  /** Every approval it got (a policy may need several). */
  approvals?: ReadonlyArray<{ id: string; name: string }>;
}

/**
 * Tool results reach the model as data, and never more of it than a card
 * keeps (LIMITS.partOutputChars): a larger one becomes a preview.
 */
export function capResult(value: unknown): unknown {
  const json = JSON.stringify(value ?? null);
  if (json.length <= LIMITS.partOutputChars) return value ?? null;
  return { truncated: true, preview: json.slice(0, LIMITS.partOutputChars), totalChars: json.length } satisfies Truncated;
}

export function defineTool<Input>(tool: RoomTool<Input>): RoomTool<unknown> {
  return tool as RoomTool<unknown>;
}

/**
 * Tokens a text would cost a model: rough and provider-independent, about
 * four characters a token (the transcript's budget, the tool catalog's size).
 */
export function approxTokens(chars: number): number {
  return Math.ceil(chars / 4);
}

/** The room's tools: the built-ins and what each capability registers. */
export class ToolRegistry {
  private readonly providers: Array<() => RoomTool[]> = [];

  /** `provide` is asked at every turn or run, so a capability's tools may change (MCP servers connect, tools get disabled). */
  register(provide: () => RoomTool[]): void {
    this.providers.push(provide);
  }

  all(): RoomTool[] {
    return this.providers.flatMap((provide) => provide());
  }
}
