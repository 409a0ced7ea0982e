import { useId, useMemo, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { SidePanel } from "../../components/SidePanel";
import { MessageRow } from "../chat/MessageRow";
import type { RoomActions } from "../room/useRoom";
import type { OpenThread } from "./state";
import { MentionList } from "../chat/composer/MentionList";
import type { MentionCandidate } from "../chat/composer/mention";
import { useMentionCompletion } from "../mentions/useMentionCompletion";
import { useCaretAfterRender } from "../../hooks/useCaretAfterRender";
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
  assistantName,
  people,
}: {
  id: string;
  thread: OpenThread;
  selfId: string | undefined;
  canWrite: boolean;
  maxChars: number;
  actions: RoomActions;
  onClose: () => void;
  /** Offered, with the members, as `@` completions (as in the room's composer). */
  assistantName: string;
  people: readonly MentionCandidate[];
}) {
  const [text, setText] = useState("");
  const [caret, setCaret] = useState(0);
  const [focused, setFocused] = useState(false);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const placeCaret = useCaretAfterRender(inputRef);
  const listId = useId();
  const optionId = useId();
  const candidates = useMemo(() => [{ id: null, name: assistantName }, ...people], [assistantName, people]);
  const mentions = useMentionCompletion({
    text,
    caret,
    enabled: canWrite && focused,
    candidates,
    apply: (next, at) => {
      setText(next);
      setCaret(at);
      placeCaret(at);
    },
  });
  const [alsoToRoom, setAlsoToRoom] = useState(false);
  const parent = thread.parentMessage;

  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    if (text.trim() === "") return;
    actions.replyInThread(mentions.withTokens(text), alsoToRoom);
    mentions.reset();
    setText("");
    setCaret(0);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.nativeEvent.isComposing || mentions.onKeyDown(e)) return;
    if (e.key === "Enter" && !e.shiftKey) submit(e);
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
            ref={inputRef}
            data-testid="thread-input"
            aria-label="Reply in thread"
            placeholder="Reply in thread…"
            rows={2}
            maxLength={maxChars}
            value={text}
            aria-autocomplete="list"
            aria-controls={mentions.mention ? listId : undefined}
            aria-activedescendant={mentions.mention ? `${optionId}-${mentions.activeIndex}` : undefined}
            onChange={(e) => {
              if (e.target.value !== text) mentions.textChanged();
              setText(e.target.value);
              setCaret(e.target.selectionStart);
            }}
            onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
            onFocus={() => setFocused(true)}
            onBlur={() => {
              setFocused(false);
              mentions.blurred();
            }}
            onKeyDown={onKeyDown}
          />
          {mentions.mention && (
            <MentionList
              id={listId}
              optionId={(i) => `${optionId}-${i}`}
              options={mentions.mention.options}
              active={mentions.activeIndex}
              onAccept={mentions.complete}
            />
          )}
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
