import type { ChatMessage, ToolPart } from "../../../../shared/protocol";
import { groupParts } from "../codemode/codeParts";
import { PartCard, type CardContext } from "../codemode/CodeCard";
import { MessageBody } from "../chat/MessageBody";
import type { RoomActions } from "../room/useRoom";

/** The answer's text with its tool cards placed where the calls happened. */
export function AssistantBody({
  message: m,
  selfId,
  canWrite,
  names,
  actions,
  savableCallId,
  onSaveScript,
}: {
  message: ChatMessage;
  selfId: string | undefined;
  canWrite: boolean;
  names: ReadonlyMap<string, string>;
  actions: RoomActions;
  savableCallId: string | undefined;
  onSaveScript: (() => void) | undefined;
}) {
  const pieces: Array<{ key: string; text: string } | { key: string; part: ToolPart }> = [];
  let at = 0;
  // Calls made from inside a Code Mode run show inside its card, not here.
  const tree = groupParts(m.parts);
  const parts = [...tree.top].sort((a, b) => a.textOffset - b.textOffset);
  for (const part of parts) {
    const offset = Math.min(Math.max(part.textOffset, at), m.text.length);
    if (offset > at) pieces.push({ key: `text-${at}`, text: m.text.slice(at, offset) });
    pieces.push({ key: `tool-${part.callId}`, part });
    at = offset;
  }
  if (m.text.length > at || pieces.length === 0) pieces.push({ key: `text-${at}`, text: m.text.slice(at) });
  const ctx: CardContext = {
    selfId,
    canWrite,
    names,
    onDecide: (callId, approved) => actions.approve(m.seq, callId, approved),
    children: tree.children,
    savableCallId: canWrite ? savableCallId : undefined,
    onSaveScript,
  };

  return (
    <div className="assistant-body" data-testid="assistant-body">
      {pieces.map((p) =>
        "part" in p ? (
          <PartCard key={p.key} part={p.part} ctx={ctx} />
        ) : (
          <MessageBody key={p.key} text={p.text} code />
        ),
      )}
    </div>
  );
}
