import { useState, type FormEvent, type KeyboardEvent } from "react";
import { SidePanel } from "../../components/SidePanel";
import { MessageRow } from "../chat/MessageRow";
import type { RoomActions } from "../room/useRoom";
import type { OpenThread } from "./state";
import "./threads.css";

/**
 * One thread beside the room: its parent, its replies (older pages on
 * demand) and a composer of its own, with "also send to room". Viewers read
 * it without the composer.
 */
export function ThreadPanel({
  id,
  thread,
  selfId,
  canWrite,
  maxChars,
  actions,
  onClose,
}: {
  id: string;
  thread: OpenThread;
  selfId: string | undefined;
  canWrite: boolean;
  maxChars: number;
  actions: RoomActions;
  onClose: () => void;
}) {
  const [text, setText] = useState("");
  const [alsoToRoom, setAlsoToRoom] = useState(false);
  const parent = thread.parentMessage;

  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    if (text.trim() === "") return;
    actions.replyInThread(text, alsoToRoom);
    setText("");
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) submit(e);
  };

  return (
    <SidePanel id={id} testId="thread-panel" title="Thread" closeLabel="Close thread" onClose={onClose}>
      {parent && (
        <ol className="message-list thread-parent" aria-label="Thread parent">
          <MessageRow message={parent} own={parent.author.id === selfId} canWrite={false} selfId={selfId} actions={actions} />
        </ol>
      )}
      {thread.hasMore && (
        <button type="button" data-testid="thread-load-older" disabled={thread.loading} onClick={actions.loadOlderInThread}>
          {thread.loading ? "Loading…" : "Load older replies"}
        </button>
      )}
      <ol className="message-list thread-replies" role="log" aria-live="polite" aria-label="Thread replies" data-testid="thread-replies">
        {thread.messages.length === 0 && !thread.loading && <li className="empty muted">No replies yet.</li>}
        {thread.messages.map((m) => (
          <MessageRow key={m.seq} message={m} own={m.author.id === selfId} canWrite={canWrite} selfId={selfId} actions={actions} />
        ))}
      </ol>
      {canWrite ? (
        <form className="thread-composer" onSubmit={submit}>
          <textarea
            data-testid="thread-input"
            aria-label="Reply in thread"
            placeholder="Reply in thread…"
            rows={2}
            maxLength={maxChars}
            value={text}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={onKeyDown}
          />
          <div className="thread-composer-row">
            <label>
              <input type="checkbox" data-testid="thread-also-to-room" checked={alsoToRoom} onChange={(e) => setAlsoToRoom(e.target.checked)} />{" "}
              Also send to room
            </label>
            <button type="submit" data-testid="thread-send" disabled={text.trim() === ""}>
              Send
            </button>
          </div>
        </form>
      ) : (
        <p className="muted">You can read this thread but not reply in it.</p>
      )}
    </SidePanel>
  );
}
