import { Bot } from "lucide-react";
import type { AssistantInfo, AssistantStatus } from "../../../../shared/protocol";

/** What the assistant is doing, in words (its status frame, live). */
export function activityText(status: AssistantStatus): string {
  switch (status.activity) {
    case "not_connected":
      return "not connected";
    case "idle":
      return "idle";
    case "thinking":
      return "thinking…";
    case "writing":
      return "writing…";
    case "calling":
      return status.tool ? `calling ${status.tool}` : "calling a tool";
    case "approval":
      return status.tool ? `waiting for approval of ${status.tool}` : "waiting for approval";
  }
}

/**
 * The room's AI member in the "Here now" list: always present, with what it
 * is doing and which model answers, so that nobody has to guess why it is
 * quiet (a turn waits for approval, or no model is connected).
 */
export function AssistantPresence({ name, info, status }: { name: string; info: AssistantInfo | null; status: AssistantStatus }) {
  return (
    <li data-testid="assistant-presence" data-activity={status.activity} className="assistant-presence">
      <Bot size={16} aria-hidden="true" />
      <span className="member-name">{name}</span>
      <span className="badge badge-ai">AI</span>
      <span className="muted small" data-testid="assistant-activity" role="status">
        {activityText(status)}
      </span>
      {info?.label && (
        <span className="muted small assistant-model" data-testid="assistant-model" title={info.source === "room" ? "Chosen by the room's owners" : "The server's default"}>
          {info.label}
        </span>
      )}
    </li>
  );
}
