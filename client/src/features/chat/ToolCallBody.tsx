import type { ChatMessage } from "../../../../shared/protocol";
import { groupParts } from "../codemode/codeParts";
import { NO_NAMES, PartCard, type CardContext } from "../codemode/CodeCard";
import "./chat.css";

const noDecision = () => undefined;

/**
 * A member's `/mcp call` or `/run <script>`: the command as typed, and its
 * card — for a script, the code card with its calls inside (nobody approves
 * these: a run without a model has no turn to pause).
 */
export function ToolCallBody({
  message: m,
  selfId,
  savableCallId,
  onSaveScript,
}: {
  message: ChatMessage;
  selfId: string | undefined;
  savableCallId: string | undefined;
  onSaveScript: (() => void) | undefined;
}) {
  const tree = groupParts(m.parts);
  const ctx: CardContext = {
    selfId,
    canWrite: false,
    names: NO_NAMES,
    onDecide: noDecision,
    children: tree.children,
    savableCallId,
    onSaveScript,
  };
  return (
    <div className="tool-call-body" data-testid="tool-call-body">
      <p className="message-text tool-command" data-testid="message-text">
        <code>{m.text}</code>
      </p>
      {tree.top.map((part) => (
        <PartCard key={part.callId} part={part} ctx={ctx} />
      ))}
    </div>
  );
}
