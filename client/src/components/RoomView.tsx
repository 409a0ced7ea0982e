import { useCallback, useEffect, useMemo, useState } from "react";
import type { ChatMessage } from "../../../shared/protocol";
import { useRoom } from "../useRoom";
import { useSession } from "../session";
import { Composer, type ReplyTarget } from "./Composer";
import { InvitePanel } from "./InvitePanel";
import { Link } from "./Link";
import { MessageList } from "./MessageList";
import { NameForm } from "./NameForm";
import { PresenceList } from "./PresenceList";
import { RoomHeader } from "./RoomHeader";
import { TypingLine } from "./TypingLine";

/** What `@` offers until an assistant message tells the configured name. */
const DEFAULT_ASSISTANT_NAME = "assistant";

export function RoomView({ room, invite }: { room: string; invite: string | null }) {
  const session = useSession();
  const { state, status, actions } = useRoom(room, invite);
  const isPrivate = room.startsWith("p_");
  const title = isPrivate ? "Private room" : `#${room}`;
  const [replyTo, setReplyTo] = useState<ReplyTarget | null>(null);
  const onReply = useCallback((m: ChatMessage) => setReplyTo({ seq: m.seq, author: m.author.name }), []);
  const cancelReply = useCallback(() => setReplyTo(null), []);
  // The welcome frame does not name the assistant: its messages do.
  const assistantName = useMemo(
    () => state.messages.findLast((m) => m.kind === "assistant")?.author.name ?? DEFAULT_ASSISTANT_NAME,
    [state.messages],
  );

  useEffect(() => {
    document.title = `${title} · Hearth`;
  }, [title]);

  if (!session) {
    return (
      <main className="page narrow">
        <h1>{title}</h1>
        <p>Choose a display name to enter this room.</p>
        <NameForm />
        <p>
          <Link href="/">Back to the lobby</Link>
        </p>
      </main>
    );
  }

  if (state.refused) {
    return (
      <main className="page narrow">
        <h1>{title}</h1>
        <div className="refused" role="alert">
          <p className="refused-title">You cannot enter this room.</p>
          <p data-testid="refused-reason">{state.refused.reason}</p>
        </div>
        <p>
          <Link href="/">Back to the lobby</Link>
        </p>
        <span hidden data-testid="connection-status" data-status="refused" />
      </main>
    );
  }

  const role = state.self?.role;
  const readOnlyReason =
    role === "viewer" ? "You joined as a viewer: you can read this room but not write in it." : null;

  return (
    <div className="room-layout">
      <RoomHeader title={title} status={status} connection={state.connection} />
      <aside className="room-sidebar" aria-label="Room details">
        <PresenceList members={state.presence} selfId={state.self?.id} />
        {state.room?.visibility === "private" && role === "owner" && (
          <InvitePanel room={room} token={session.token} />
        )}
        <NameForm compact />
      </aside>
      <main className="room-main">
        <MessageList
          messages={state.messages}
          pending={state.pending}
          self={state.self}
          hasMore={state.hasMore}
          loadingOlder={state.loadingOlder}
          canWrite={readOnlyReason === null}
          presence={state.presence}
          onReply={onReply}
          actions={actions}
        />
        <TypingLine state={state} />
        <Composer
          maxChars={state.messageChars}
          readOnlyReason={readOnlyReason}
          error={state.error}
          replyTo={replyTo}
          onCancelReply={cancelReply}
          assistantName={assistantName}
          actions={actions}
        />
      </main>
    </div>
  );
}
