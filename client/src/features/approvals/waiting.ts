/**
 * The tool calls waiting for this member's decision, from the messages the
 * client holds: cards awaiting approval that name them and that they have
 * not approved yet. A room waits on one turn at a time, whose message is
 * among the newest, so the join snapshot brings every such card back to
 * someone who was offline when it was asked.
 */
import type { ChatMessage, ToolPart } from "../../../../shared/protocol";

export interface WaitingCall {
  seq: number;
  part: ToolPart;
}

export function waitingFor(messages: readonly ChatMessage[], selfId: string | undefined): WaitingCall[] {
  if (!selfId) return [];
  return messages.flatMap((m) =>
    m.deleted
      ? []
      : m.parts
          .filter((p) => p.state === "awaiting_approval" && (p.approvers ?? []).includes(selfId) && !(p.approvals ?? []).some((a) => a.id === selfId))
          .map((part) => ({ seq: m.seq, part })),
  );
}
