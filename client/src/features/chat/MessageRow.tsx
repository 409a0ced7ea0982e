import { Pin } from "lucide-react";
import { memo, useState } from "react";
import type { ChatMessage } from "../../../../shared/protocol";
import { AssistantBody } from "../assistant/AssistantBody";
import { isSetupMessage, SetupCard } from "../assistant/SetupCard";
import { NO_NAMES } from "../codemode/CodeCard";
import type { RoomActions } from "../room/useRoom";
import { EditForm } from "./EditForm";
import { AssistantActions, OwnMessageActions } from "./MessageActions";
import { MessageBody } from "./MessageBody";
import { MessageAttachments } from "../files/MessageAttachments";
import { MessageMeta } from "./MessageMeta";
import { ToolCallBody } from "./ToolCallBody";
import { ThreadLink } from "../threads/ThreadLink";
import { MessageTools, type MessagePowers } from "../reactions/MessageTools";
import { ReactionBar } from "../reactions/ReactionBar";
import { mentionsMe } from "../unread/state";
import "./chat.css";

const NO_POWERS: MessagePowers = { react: false, pin: false, remove: false };

/**
 * One stored message: its meta line, the body its kind calls for (text,
 * an assistant answer with its cards, a member's tool call), and what this
 * member may do with it. Memoised: a room holds many rows and most frames
 * change one.
 */
export const MessageRow = memo(function MessageRow({
  message: m,
  own,
  canWrite,
  selfId,
  names = NO_NAMES,
  replyToAuthor,
  onReply,
  actions,
  savableCallId,
  onSaveScript,
  onThread,
  powers = NO_POWERS,
  highlighted = false,
  flash = false,
  as: Tag = "li",
}: {
  message: ChatMessage;
  own: boolean;
  canWrite: boolean;
  selfId?: string | undefined;
  /** Member id → name (presence), for "waiting for approval by …". */
  names?: ReadonlyMap<string, string>;
  /** Author of the message this one answers, when it is loaded. */
  replyToAuthor?: string | undefined;
  onReply?: (message: ChatMessage) => void;
  actions: RoomActions;
  /** The code card in this message that `/scripts save` would save (the room's newest done run). */
  savableCallId?: string | undefined;
  /** Fills the composer with `/scripts save `. */
  onSaveScript?: (() => void) | undefined;
  /** Opens this message's thread (absent inside a thread: threads do not nest). */
  onThread?: ((parent: ChatMessage | number) => void) | undefined;
  /** Reacting, pinning, an owner's remove. */
  powers?: MessagePowers;
  /** The message a search result jumped to. */
  highlighted?: boolean;
  /** Briefly marked after a panel brought it into view (pinned, approvals). */
  flash?: boolean;
  /** `div` inside the virtual list, whose items are the `li`s; `li` in a plain list (threads). */
  as?: "li" | "div";
}) {
  const [editing, setEditing] = useState(false);
  const mayChange = own && canWrite && !m.deleted && m.kind === "user";
  const assistant = m.kind === "assistant";
  // Someone else's message naming this member: marked so they see it was for them.
  const forMe = mentionsMe(m, selfId);
  const tools = <MessageTools message={m} powers={powers} own={own} actions={actions} />;
  const hasTools = !m.deleted && (powers.react || powers.pin || powers.remove);

  return (
    <Tag
      className={`message${own ? " own" : ""}${m.kind === "user" ? "" : ` ${m.kind}`}${forMe ? " mentions-me" : ""}${highlighted ? " jumped" : ""}${flash ? " flash" : ""}`}
      data-testid="message"
      data-jumped={highlighted || undefined}
      data-mentions-me={forMe || undefined}
      data-seq={m.seq}
      data-id={m.id}
      data-author={m.author.name}
      data-author-id={m.author.id}
      data-kind={m.kind}
      data-status={m.status ?? undefined}
      data-state="sent"
      aria-busy={m.status === "streaming" || undefined}
    >
      <MessageMeta message={m} replyToAuthor={replyToAuthor} />
      {m.pinned && !m.deleted && (
        <p className="pin-mark muted" data-testid="pin-mark">
          <Pin size={12} aria-hidden="true" /> pinned by {m.pinned.by.name}
        </p>
      )}
      {m.deleted ? (
        <p className="message-text deleted" data-testid="message-text">
          {m.removedBy ? `removed by an owner (${m.removedBy.name})` : "message deleted"}
        </p>
      ) : editing ? (
        <EditForm
          initial={m.text}
          onCancel={() => setEditing(false)}
          onSave={(text) => {
            actions.edit(m.seq, text);
            setEditing(false);
          }}
        />
      ) : assistant ? (
        <AssistantBody
          message={m}
          selfId={selfId}
          canWrite={canWrite}
          names={names}
          actions={actions}
          savableCallId={savableCallId}
          onSaveScript={onSaveScript}
        />
      ) : m.kind === "tool" ? (
        <ToolCallBody
          message={m}
          selfId={selfId}
          savableCallId={canWrite ? savableCallId : undefined}
          onSaveScript={onSaveScript}
        />
      ) : m.kind === "system" && isSetupMessage(m.id) ? (
        <SetupCard text={m.text} />
      ) : (
        <MessageBody text={m.text} />
      )}
      {m.attachments && !m.deleted && <MessageAttachments attachments={m.attachments} />}
      <ReactionBar message={m} selfId={selfId} canReact={powers.react} actions={actions} />
      {assistant && canWrite && !m.deleted && <AssistantActions message={m} onReply={onReply} actions={actions} />}
      {onThread && m.kind !== "system" && <ThreadLink message={m} canWrite={canWrite} onOpen={onThread} />}
      {mayChange && !editing && (
        <OwnMessageActions seq={m.seq} onEdit={() => setEditing(true)} actions={actions}>
          {tools}
        </OwnMessageActions>
      )}
      {!mayChange && hasTools && <div className="message-actions floating">{tools}</div>}
    </Tag>
  );
});
