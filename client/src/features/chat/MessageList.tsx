import { forwardRef, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type HTMLAttributes, type UIEvent } from "react";
import { Virtuoso, type Components, type VirtuosoHandle } from "react-virtuoso";
import type { ChatMessage, PresenceMember } from "../../../../shared/protocol";
import type { PendingMessage } from "./state";
import type { RoomState } from "../room/roomState";
import { latestSavableRun } from "../codemode/codeParts";
import type { RoomActions } from "../room/useRoom";
import { MessageRow } from "./MessageRow";
import type { MessagePowers } from "../reactions/MessageTools";
import { PendingRow } from "./PendingRow";
import { LiveAnnouncer } from "./LiveAnnouncer";
import { registerRevealer, type RevealTarget } from "./reveal";
import "./chat.css";

/** Within this many pixels of an edge counts as "at" it. */
const EDGE_PX = 48;
/**
 * Virtuoso's index of the first loaded row: it goes down by the number of
 * rows each older page prepends, which is how the list keeps the reader's
 * place. Far above any history a reader pages through.
 */
const BASE_INDEX = 1_000_000_000;
/** Rows rendered beyond the viewport, in pixels: scrolling a little shows no blank. */
const OVERSCAN_PX = { top: 800, bottom: 400 };
const FLASH_MS = 1500;

/**
 * One row of the virtual list: a stored message or an own pending one. The
 * rows themselves, not wrappers: a streamed draft changes `messages` up to
 * 60 times a second, and with 10,000 loaded a wrapper per row each time
 * would be 10,000 allocations per frame.
 */
type Entry = ChatMessage | PendingMessage;

const isMessage = (e: Entry): e is ChatMessage => "seq" in e;
const keyOf = (e: Entry) => (isMessage(e) ? `m${e.seq}` : `p${e.id}`);

/** What every row needs besides its own entry (Virtuoso's `context`). */
interface RowContext {
  self: RoomState["self"];
  canWrite: boolean;
  names: ReadonlyMap<string, string>;
  /** Author of a loaded message (the one a reply answers). */
  authorOf: (seq: number) => string | undefined;
  savable: { seq: number; callId: string } | null;
  onReply: (message: ChatMessage) => void;
  onSaveScript: (() => void) | undefined;
  onThread: ((parent: ChatMessage | number) => void) | undefined;
  actions: RoomActions;
  powers: MessagePowers | undefined;
  jumpSeq: number | undefined;
  flashSeq: number | undefined;
  /** The "new messages" divider goes before this row. */
  dividerBefore: number | undefined;
  hasMore: boolean;
  loadingOlder: boolean;
  empty: boolean;
}

/**
 * The room's messages and own pending ones, as a virtualised log (only the
 * rows near the viewport are in the DOM, so a room of 10,000 loaded messages
 * scrolls like one of 50). It stays at the bottom while you are there
 * (`followOutput`, and Virtuoso keeps the bottom as the last row grows while
 * a reply streams), keeps its place when older pages load above
 * (`firstItemIndex`), and asks for them at the top (or when nothing scrolls
 * yet). A window replaced wholesale — a snapshot, a search jump, back to the
 * present — remounts the list at its newest row or at the jumped-to one.
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
  const virtuoso = useRef<VirtuosoHandle>(null);
  const scroller = useRef<HTMLElement | null>(null);
  const names = useMemo(() => new Map(presence.map((m) => [m.id, m.name])), [presence]);
  // By binary search over the sorted window, not a Map rebuilt on every streamed draft.
  const authorOf = useCallback((seq: number) => findBySeq(messages, seq)?.author.name, [messages]);
  const savable = useMemo(() => latestSavableRun(messages) ?? null, [messages]);
  // The divider shows once the message it follows is loaded (or nothing older exists).
  const dividerBefore =
    dividerAfter !== null && messages[0] && (messages[0].seq <= dividerAfter || !hasMore)
      ? messages.find((m) => m.seq > dividerAfter)?.seq
      : undefined;
  const entries = useMemo<Entry[]>(() => (pending.length === 0 ? messages : [...messages, ...pending]), [messages, pending]);

  // Prepends lower firstItemIndex by the rows they add; anything else that
  // changes the first row replaces the window and remounts the list
  // (`generation`). Computed during render from the previous render's
  // values, so it is the same however often React renders.
  const track = useRef({ first: undefined as string | undefined, index: BASE_INDEX, generation: 0, jumpN: jump?.n, hadNewer: hasNewer });
  const firstKey = entries[0] ? keyOf(entries[0]) : undefined;
  let { index: firstItemIndex, generation } = track.current;
  const prev = track.current;
  if (jump?.n !== prev.jumpN || (prev.hadNewer && !hasNewer)) {
    generation++;
    firstItemIndex = BASE_INDEX;
  } else if (firstKey !== prev.first) {
    const k = prev.first === undefined ? -1 : entries.findIndex((e) => keyOf(e) === prev.first);
    if (k > 0) firstItemIndex -= k;
    else {
      generation++;
      firstItemIndex = BASE_INDEX;
    }
  }
  track.current = { first: firstKey, index: firstItemIndex, generation, jumpN: jump?.n, hadNewer: hasNewer };

  // Where a (re)mounted list starts: the jumped-to row, centred, or the newest.
  const jumpIndex = jump ? entries.findIndex((e) => isMessage(e) && e.seq === jump.seq) : -1;
  const initialTop = jumpIndex >= 0 ? { index: jumpIndex, align: "center" as const } : { index: "LAST" as const, align: "end" as const };

  // An own send goes to the bottom even when reading older messages.
  const pendingCount = useRef(pending.length);
  const ownSend = pending.length > pendingCount.current;
  useEffect(() => {
    pendingCount.current = pending.length;
  });
  const ownSendRef = useRef(false);
  ownSendRef.current = ownSend;
  // Whether to stay with the newest row. Virtuoso's own "at bottom" turns
  // false for a moment whenever rows arrive faster than it scrolls (a burst
  // grows the list before the follow-up scroll), and a follow decided from
  // that would strand the reader; only the reader scrolling up lets go.
  const stick = useRef(true);
  const lastTop = useRef(0);
  const onScroll = useCallback((e: UIEvent<HTMLElement>) => {
    const el = e.currentTarget;
    const fromBottom = el.scrollHeight - el.scrollTop - el.clientHeight;
    if (fromBottom < EDGE_PX) stick.current = true;
    else if (el.scrollTop < lastTop.current) stick.current = false;
    lastTop.current = el.scrollTop;
  }, []);
  // A remounted list starts at the newest row, or at a jumped-to one the reader is looking at.
  const startsAtJump = jumpIndex >= 0;
  useLayoutEffect(() => {
    stick.current = !startsAtJump;
  }, [generation]); // eslint-disable-line react-hooks/exhaustive-deps
  const followOutput = useCallback((atBottom: boolean) => (atBottom || stick.current || ownSendRef.current ? "auto" : false), []);

  const loadMore = useRef({ hasMore, loadingOlder, loadOlder: actions.loadOlder });
  loadMore.current = { hasMore, loadingOlder, loadOlder: actions.loadOlder };
  const startReached = useCallback(() => {
    const { hasMore, loadingOlder, loadOlder } = loadMore.current;
    if (hasMore && !loadingOlder) loadOlder();
  }, []);
  // Nothing to scroll yet means nothing can reach the top to load more.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && hasMore && !loadingOlder && el.scrollHeight <= el.clientHeight) actions.loadOlder();
  }, [entries, hasMore, loadingOlder, actions]);

  const atBottomChanged = useCallback((atBottom: boolean) => onAtBottom?.(atBottom), [onAtBottom]);

  // Panels and the unread bar scroll to loaded rows through reveal.ts.
  const [flashSeq, setFlashSeq] = useState<number | undefined>(undefined);
  const entriesRef = useRef(entries);
  entriesRef.current = entries;
  const dividerRef = useRef(dividerBefore);
  dividerRef.current = dividerBefore;
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unregister = registerRevealer((target: RevealTarget) => {
      const seq = target === "divider" ? dividerRef.current : target.seq;
      const at = seq === undefined ? -1 : entriesRef.current.findIndex((e) => isMessage(e) && e.seq === seq);
      if (at < 0) return false;
      // Virtuoso brings the row into the DOM (its place estimated from
      // measured and guessed heights); once rendered, the browser puts it
      // exactly where it belongs.
      const block = target === "divider" ? "start" : "center";
      virtuoso.current?.scrollToIndex({ index: at, align: block });
      const selector = target === "divider" ? '[data-testid="unread-divider"]' : `[data-testid="message"][data-seq="${target.seq}"]`;
      requestAnimationFrame(() =>
        requestAnimationFrame(() => scroller.current?.querySelector(selector)?.scrollIntoView({ block })),
      );
      if (target !== "divider" && target.flash) {
        setFlashSeq(target.seq);
        clearTimeout(timer);
        timer = setTimeout(() => setFlashSeq(undefined), FLASH_MS);
      }
      return true;
    });
    return () => {
      clearTimeout(timer);
      unregister();
    };
  }, []);

  const context: RowContext = {
    self,
    canWrite,
    names,
    authorOf,
    savable,
    onReply,
    onSaveScript,
    onThread,
    actions,
    powers,
    jumpSeq: jump?.seq,
    flashSeq,
    dividerBefore,
    hasMore,
    loadingOlder,
    empty: entries.length === 0,
  };

  return (
    // data-loaded: how many messages the window holds (most are not in the DOM).
    <div className="message-pane" data-testid="message-pane" data-loaded={messages.length}>
      <Virtuoso<Entry, RowContext>
        key={generation}
        ref={virtuoso}
        className="message-scroller"
        scrollerRef={(el) => {
          scroller.current = el instanceof HTMLElement ? el : null;
        }}
        data={entries}
        context={context}
        firstItemIndex={firstItemIndex}
        initialTopMostItemIndex={initialTop}
        computeItemKey={(_, e) => keyOf(e)}
        itemContent={renderEntry}
        components={COMPONENTS}
        followOutput={followOutput}
        onScroll={onScroll}
        alignToBottom
        atBottomThreshold={EDGE_PX}
        atBottomStateChange={atBottomChanged}
        startReached={startReached}
        increaseViewportBy={OVERSCAN_PX}
      />
      <LiveAnnouncer messages={messages} selfId={self?.id} generation={generation} />
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

/** The message `seq` in a window sorted by seq. */
function findBySeq(messages: readonly ChatMessage[], seq: number): ChatMessage | undefined {
  let lo = 0;
  let hi = messages.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const m = messages[mid]!;
    if (m.seq === seq) return m;
    if (m.seq < seq) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

function renderEntry(_: number, e: Entry, c: RowContext) {
  if (!isMessage(e)) return <PendingRow as="div" message={e} author={c.self?.name ?? "You"} actions={c.actions} />;
  const m = e;
  return (
    <>
      {m.seq === c.dividerBefore && (
        <div className="unread-divider" data-testid="unread-divider" role="separator" aria-label="New messages">
          <span>New messages</span>
        </div>
      )}
      <MessageRow
        as="div"
        message={m}
        own={m.author.id === c.self?.id}
        canWrite={c.canWrite}
        selfId={c.self?.id}
        // Only rows that show "waiting for approval by …" re-render on presence changes.
        names={m.parts.some((p) => p.state === "awaiting_approval") ? c.names : undefined}
        replyToAuthor={m.replyTo !== null ? c.authorOf(m.replyTo) : undefined}
        onReply={c.onReply}
        actions={c.actions}
        savableCallId={c.savable?.seq === m.seq ? c.savable.callId : undefined}
        onSaveScript={c.onSaveScript}
        onThread={c.onThread}
        powers={c.powers}
        highlighted={c.jumpSeq === m.seq}
        flash={c.flashSeq === m.seq}
      />
    </>
  );
}

/**
 * The log is an `<ol>` of `<li>`s as before. Its own aria-live is off:
 * rows entering the DOM as the reader scrolls are not news, so new messages
 * are announced by LiveAnnouncer instead.
 */
const List = forwardRef<HTMLOListElement, HTMLAttributes<HTMLOListElement>>(function List(props, ref) {
  return <ol {...props} ref={ref} className="message-list virtual" role="log" aria-live="off" aria-label="Messages" />;
});

const COMPONENTS: Components<Entry, RowContext> = {
  List: List as unknown as Components<Entry, RowContext>["List"],
  Item: ({ context: _context, item: _item, ...props }) => <li {...props} className="message-item" />,
  Header: ({ context }) => (
    <div className="message-list-head">
      {context.hasMore && (
        <div className="older">
          <button type="button" data-testid="load-older" disabled={context.loadingOlder} onClick={context.actions.loadOlder}>
            {context.loadingOlder ? "Loading…" : "Load older messages"}
          </button>
        </div>
      )}
    </div>
  ),
  Footer: () => <div className="message-list-foot" />,
  EmptyPlaceholder: ({ context }) =>
    context.empty ? <p className="empty muted">No messages yet. Say hello!</p> : null,
};
