import { useEffect, useRef, useState } from "react";
import type { ChatMessage } from "../../../../shared/protocol";

/** Enough of a message for a screen reader to know what arrived. */
const SPOKEN_CHARS = 200;

function spoken(m: ChatMessage): string {
  const text = m.deleted ? "message deleted" : m.text.trim() || (m.attachments?.length ? "sent a file" : "");
  return `${m.author.name}: ${text.length > SPOKEN_CHARS ? `${text.slice(0, SPOKEN_CHARS)}…` : text}`;
}

/**
 * Tells screen readers about new messages. The virtualised log adds rows to
 * the DOM whenever the reader scrolls, so its own aria-live would read out
 * old history; this polite region speaks only messages that arrived at the
 * end of the window (others' — your own you just wrote), and an assistant
 * reply once it is finished rather than every streamed word.
 */
export function LiveAnnouncer({
  messages,
  selfId,
  generation,
}: {
  messages: ChatMessage[];
  selfId: string | undefined;
  /** Changes when the window was replaced: nothing in a new window is news. */
  generation: number;
}) {
  const [text, setText] = useState("");
  const seen = useRef<{ generation: number; newest: number; streaming: Set<number> } | null>(null);
  useEffect(() => {
    const newest = messages.at(-1)?.seq ?? 0;
    const streaming = new Set(messages.filter((m) => m.status === "streaming").map((m) => m.seq));
    const before = seen.current;
    seen.current = { generation, newest, streaming };
    if (!before || before.generation !== generation) return;
    const news = messages.filter(
      (m) =>
        m.author.id !== selfId &&
        ((m.seq > before.newest && m.status !== "streaming") || (before.streaming.has(m.seq) && m.status !== "streaming")),
    );
    // A catch-up after a reconnect can bring many: the last few say enough.
    if (news.length > 0) setText(news.slice(-3).map(spoken).join("\n"));
  }, [messages, selfId, generation]);
  return (
    <div className="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="message-announcer">
      {text}
    </div>
  );
}
