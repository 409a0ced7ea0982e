import { Fragment, useLayoutEffect, useMemo, useRef } from "react";
import type { ChatMessage, PresenceMember } from "../../../../shared/protocol";
import type { PendingMessage } from "./state";
import type { RoomState } from "../room/roomState";
import { latestSavableRun } from "../codemode/codeParts";
import type { RoomActions } from "../room/useRoom";
import { MessageRow } from "./MessageRow";
import type { MessagePowers } from "../reactions/MessageTools";
import { PendingRow } from "./PendingRow";
import "./chat.css";

/** Within this many pixels of an edge counts as "at" it. */
const EDGE_PX = 48;

/**
 * The room's messages and own pending ones, as a log that stays at the
 * bottom while you are there, keeps its place when older pages load above,
 * and asks for them when scrolled (or when nothing scrolls yet).
 */
export function MessageList({
  messages,
  pending,
  self,
  hasMore,
  hasNewer = false,
  jump = null,
  loadingOlder,
  canWrite,
  presence,
  onReply,
  onSaveScript,
  onThread,
  actions,
  powers,
  dividerAfter = null,
  onAtBottom,
}: {
  messages: ChatMessage[];
  presence: PresenceMember[];
  onReply: (message: ChatMessage) => void;
  /** Fills the composer with `/scripts save `. */
  onSaveScript?: () => void;
  /** Opens a message's thread beside the room. */
  onThread?: (parent: ChatMessage | number) => void;
  pending: PendingMessage[];
  self: RoomState["self"];
  hasMore: boolean;
  /** The window was jumped into the past: newer messages exist that it does not hold. */
  hasNewer?: boolean;
  /** The message jumped to (a search result): scrolled to and highlighted. */
  jump?: { seq: number; n: number } | null;
  loadingOlder: boolean;
  canWrite: boolean;
  actions: RoomActions;
  /** What this member may do to any message: react, pin, remove (owners). */
  powers?: MessagePowers;
  /** The "new messages" divider goes after this seq (null: none). */
  dividerAfter?: number | null;
  /** Told whenever the view reaches or leaves the newest message (read markers follow it). */
  onAtBottom?: (atBottom: boolean) => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const atBottomRef = useRef(true);
  // Distance from the content's end to the viewport top: unchanged by a prepend.
  const fromBottomRef = useRef(0);
  const firstSeqRef = useRef<number | undefined>(undefined);
  const pendingCountRef = useRef(0);

  const firstSeq = messages[0]?.seq;
  const names = useMemo(() => new Map(presence.map((m) => [m.id, m.name])), [presence]);
  const authors = useMemo(() => new Map(messages.map((m) => [m.seq, m.author.name])), [messages]);
  const savable = useMemo(() => latestSavableRun(messages), [messages]);
  // The divider shows once the message it follows is loaded (or nothing older exists).
  const dividerBefore =
    dividerAfter !== null && messages[0] && (messages[0].seq <= dividerAfter || !hasMore)
      ? messages.find((m) => m.seq > dividerAfter)?.seq
      : undefined;
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const prepended =
      firstSeqRef.current !== undefined && firstSeq !== undefined && firstSeq < firstSeqRef.current;
    const ownSend = pending.length > pendingCountRef.current;
    if (prepended && !atBottomRef.current) el.scrollTop = el.scrollHeight - fromBottomRef.current;
    else if (atBottomRef.current || ownSend) el.scrollTop = el.scrollHeight;
    firstSeqRef.current = firstSeq;
    pendingCountRef.current = pending.length;
    fromBottomRef.current = el.scrollHeight - el.scrollTop;
    onAtBottom?.(atBottomRef.current || el.scrollHeight <= el.clientHeight);
    // Nothing to scroll yet means nothing can trigger the scroll-up load.
    if (hasMore && !loadingOlder && el.scrollHeight <= el.clientHeight) actions.loadOlder();
  }, [messages, pending, firstSeq, hasMore, loadingOlder, actions, onAtBottom]);

  // After the effect above (which may have kept the bottom): a jump centres
  // its message; coming back to the present goes to the newest one.
  const jumpedRef = useRef<number | undefined>(undefined);
  const hadNewerRef = useRef(hasNewer);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (jump && jump.n !== jumpedRef.current) {
      jumpedRef.current = jump.n;
      const row = el.querySelector<HTMLElement>(`[data-testid="message"][data-seq="${jump.seq}"]`);
      if (row) {
        row.scrollIntoView({ block: "center" });
        atBottomRef.current = el.scrollHeight - el.scrollTop - el.clientHeight < EDGE_PX;
        fromBottomRef.current = el.scrollHeight - el.scrollTop;
        onAtBottom?.(atBottomRef.current);
      }
    } else if (hadNewerRef.current && !hasNewer) {
      el.scrollTop = el.scrollHeight;
      atBottomRef.current = true;
      fromBottomRef.current = el.scrollHeight - el.scrollTop;
      onAtBottom?.(true);
    }
    hadNewerRef.current = hasNewer;
  }, [jump, hasNewer, messages, onAtBottom]);

  const onScroll = () => {
    const el = ref.current;
    if (!el) return;
    atBottomRef.current = el.scrollHeight - el.scrollTop - el.clientHeight < EDGE_PX;
    fromBottomRef.current = el.scrollHeight - el.scrollTop;
    onAtBottom?.(atBottomRef.current);
    if (el.scrollTop < EDGE_PX && hasMore && !loadingOlder) actions.loadOlder();
  };

  return (
    <div className="message-scroller" ref={ref} onScroll={onScroll}>
      {hasMore && (
        <div className="older">
          <button type="button" data-testid="load-older" disabled={loadingOlder} onClick={actions.loadOlder}>
            {loadingOlder ? "Loading…" : "Load older messages"}
          </button>
        </div>
      )}
      <ol className="message-list" role="log" aria-live="polite" aria-label="Messages">
        {messages.length === 0 && pending.length === 0 && (
          <li className="empty muted">No messages yet. Say hello!</li>
        )}
        {messages.map((m) => (
          <Fragment key={m.seq}>
            {m.seq === dividerBefore && (
              <li className="unread-divider" data-testid="unread-divider" role="separator" aria-label="New messages">
                <span>New messages</span>
              </li>
            )}
            <MessageRow
              message={m}
              own={m.author.id === self?.id}
              canWrite={canWrite}
              selfId={self?.id}
              // Only rows that show "waiting for approval by …" re-render on presence changes.
              names={m.parts.some((p) => p.state === "awaiting_approval") ? names : undefined}
              replyToAuthor={m.replyTo !== null ? authors.get(m.replyTo) : undefined}
              onReply={onReply}
              actions={actions}
              savableCallId={savable?.seq === m.seq ? savable.callId : undefined}
              onSaveScript={onSaveScript}
              onThread={onThread}
              powers={powers}
              highlighted={jump?.seq === m.seq}
            />
          </Fragment>
        ))}
        {pending.map((p) => (
          <PendingRow key={p.id} message={p} author={self?.name ?? "You"} actions={actions} />
        ))}
      </ol>
      {hasNewer && (
        <div className="jump-present">
          <button type="button" data-testid="jump-present" onClick={actions.jumpToPresent}>
            Jump to the present
          </button>
        </div>
      )}
    </div>
  );
}
