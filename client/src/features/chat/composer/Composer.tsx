import { useEffect, useId, useMemo, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { MessageText, OptionalMessageText } from "../../../../../shared/protocol";
import {
  COMMANDS, commandMatches, commandUsage, completeCommand, isCommand, promptArgumentAt, promptHints, type CommandHint, type PromptCommand,
} from "./commands";
import type { MentionCandidate } from "./mention";
import { useMentionCompletion } from "../../mentions/useMentionCompletion";
import { useCaretAfterRender } from "../../../hooks/useCaretAfterRender";
import type { CommandEntry } from "../../room/commandLog";
import type { RoomState } from "../../room/roomState";
import { CommandNote } from "../../../components/CommandNote";
import { CommandHints } from "./CommandHints";
import { ComposerFooter } from "./ComposerFooter";
import { MentionList } from "./MentionList";
import { ReplyBanner } from "./ReplyBanner";
import type { RoomActions } from "../../room/useRoom";
import { AttachButton, AttachmentTray } from "../../files/AttachmentTray";
import { useAttachments } from "../../files/useAttachments";
import { droppedFiles, pastedFiles } from "../../files/transfer";
import "./composer.css";

const NO_PEOPLE: readonly MentionCandidate[] = [];

/** The counter appears once this share of the cap is used. */
const COUNTER_FROM = 0.8;

/** Text put into the composer from elsewhere; `n` changes with every request. */
export interface ComposerFill {
  text: string;
  n: number;
}

/** The message being answered, shown above the composer. */
export interface ReplyTarget {
  seq: number;
  author: string;
}

/**
 * Where a member writes: a message (with a reply target and an `@`
 * completion) or a slash command (with `/` completion and its usage line),
 * checked against the same rules the room applies before anything is sent.
 */
const NO_PROMPTS: readonly PromptCommand[] = [];

export function Composer({
  maxChars,
  readOnlyReason,
  error,
  replyTo,
  onCancelReply,
  assistantName,
  people = NO_PEOPLE,
  commandResult,
  fill = null,
  room,
  actions,
  prompts = NO_PROMPTS,
  completion = null,
}: {
  maxChars: number;
  readOnlyReason: string | null;
  error: RoomState["error"];
  replyTo: ReplyTarget | null;
  onCancelReply: () => void;
  /** Offered as an `@` completion. */
  assistantName: string;
  /** The room's other members, offered as `@` completions (sent as their ids). */
  people?: readonly MentionCandidate[];
  /** The room's answer to the last command sent from here. */
  commandResult: CommandEntry | null;
  /** Replaces the text and puts the caret at its end (e.g. "Save as script"). */
  fill?: ComposerFill | null;
  /** Where attached files are uploaded (features/files). */
  room: string;
  actions: RoomActions;
  /** MCP servers' prompts, offered as `/<server>:<prompt>` commands. */
  prompts?: readonly PromptCommand[];
  /** The server's answer to the last argument completion asked for. */
  completion?: { id: string; values: string[] } | null;
}) {
  const files = useAttachments(room);
  const [dragging, setDragging] = useState(false);
  const [text, setText] = useState("");
  const [caret, setCaret] = useState(0);
  const [focused, setFocused] = useState(false);
  const listId = useId();
  const optionId = useId();
  const replyId = useId();
  const [localError, setLocalError] = useState<string | null>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const placeCaret = useCaretAfterRender(inputRef);
  const inputId = useId();
  const hintId = useId();
  const counterId = useId();
  const usageId = useId();
  const disabled = readOnlyReason !== null;
  const length = text.length;
  const over = length > maxChars;
  const showCounter = length >= maxChars * COUNTER_FROM;
  const shownError = localError ?? error?.message ?? "";
  /** The command text the member dismissed the suggestions for with Escape. */
  const [dismissedCommand, setDismissedCommand] = useState<string | null>(null);
  const [activeHint, setActiveHint] = useState(0);
  const allCommands = useMemo(() => [...COMMANDS, ...promptHints(prompts)], [prompts]);
  // A prompt argument being typed is completed by its server (debounced; only the latest answer counts).
  const argAt = !disabled && focused ? promptArgumentAt(text, caret, prompts) : null;
  const [completionId, setCompletionId] = useState<string | null>(null);
  const argKey = argAt ? `${argAt.server}\u0000${argAt.prompt}\u0000${argAt.argument}\u0000${argAt.value}` : null;
  useEffect(() => {
    if (!argAt) return;
    const timer = setTimeout(() => setCompletionId(actions.mcpComplete(argAt.server, argAt.prompt, argAt.argument, argAt.value)), 200);
    return () => clearTimeout(timer);
  }, [argKey]);
  const argHints: CommandHint[] =
    argAt && completion && completion.id === completionId
      ? completion.values.filter((v) => v !== argAt.value && !/\s/.test(v)).map((v) => ({ name: argAt.before + v, usage: argAt.before + v, label: v, takesArgs: true }))
      : [];
  const hints =
    disabled || !focused || text === dismissedCommand ? [] : argHints.length > 0 ? argHints : commandMatches(text, caret, allCommands);
  const hint: CommandHint | undefined = hints[Math.min(activeHint, hints.length - 1)];
  const usage = hints.length === 0 && !disabled ? commandUsage(text, allCommands) : null;
  const candidates = useMemo(() => [{ id: null, name: assistantName }, ...people], [assistantName, people]);
  const mentions = useMentionCompletion({
    text,
    caret,
    enabled: !disabled && focused && hints.length === 0,
    candidates,
    apply: (next, at) => {
      setText(next);
      setCaret(at);
      actions.typing(next);
      placeCaret(at);
    },
  });
  const { mention } = mentions;
  const mentionOptionId = (i: number) => `${optionId}-${i}`;
  const commandOptionId = (i: number) => `${listId}-command-${i}`;

  // Choosing "Reply" puts the caret here.
  const replySeq = replyTo?.seq;
  useEffect(() => {
    if (replySeq !== undefined) inputRef.current?.focus();
  }, [replySeq]);

  const fillN = fill?.n;
  useEffect(() => {
    if (fillN === undefined || !fill || disabled) return;
    setText(fill.text);
    setCaret(fill.text.length);
    setDismissedCommand(null);
    setLocalError(null);
    moveCaretToEnd(fill.text);
    // Only a new request fills the composer, not a re-render.
  }, [fillN]);

  const moveCaretToEnd = (next: string) => placeCaret(next.length);

  const acceptHint = (chosen: CommandHint) => {
    const next = completeCommand(chosen);
    setText(next);
    setCaret(next.length);
    setActiveHint(0);
    moveCaretToEnd(next);
  };

  const submitCommand = () => {
    const command = text.trim();
    if (command.length > maxChars) {
      setLocalError(`a command has at most ${maxChars} characters`);
      return;
    }
    actions.command(command);
    setText("");
    setCaret(0);
    setDismissedCommand(null);
    setActiveHint(0);
    setLocalError(null);
    inputRef.current?.focus();
  };

  const submit = () => {
    if (disabled) return;
    // Slash commands go to the room as commands, never as chat messages.
    if (isCommand(text)) return submitCommand();
    if (files.uploading) {
      setLocalError("Wait for the files to finish uploading.");
      return;
    }
    // Completed names go out as member ids (a rename then never breaks the mention);
    // a message with files may have no text.
    const parsed = (files.ready.length ? OptionalMessageText : MessageText).safeParse(mentions.withTokens(text));
    if (!parsed.success) {
      // An empty composer is not worth an error message.
      if (text.trim() !== "") setLocalError(parsed.error.issues[0]?.message ?? "This message cannot be sent.");
      return;
    }
    actions.send(parsed.data, replyTo?.seq, files.ready);
    files.clear();
    if (replyTo) onCancelReply();
    mentions.reset();
    setText("");
    setCaret(0);
    setLocalError(null);
    inputRef.current?.focus();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.nativeEvent.isComposing) return;
    if (hint && (e.key === "Tab" || e.key === "Enter") && !e.shiftKey) {
      e.preventDefault();
      acceptHint(hint);
      return;
    }
    if (hints.length > 1 && (e.key === "ArrowDown" || e.key === "ArrowUp")) {
      e.preventDefault();
      const at = Math.min(activeHint, hints.length - 1);
      setActiveHint((at + (e.key === "ArrowDown" ? 1 : hints.length - 1)) % hints.length);
      return;
    }
    if (e.key === "Escape" && hints.length > 0) {
      setDismissedCommand(text);
      return;
    }
    if (mentions.onKeyDown(e)) return;
    if (e.key === "Escape") {
      if (replyTo) onCancelReply();
      return;
    }
    // IME composition uses Enter to pick a candidate, not to send.
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      submit();
    }
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    submit();
  };

  const describedBy = [
    replyTo ? replyId : null,
    disabled ? hintId : null,
    showCounter ? counterId : null,
    usage ? usageId : null,
  ]
    .filter(Boolean)
    .join(" ");

  return (
    <form
      className={`composer${dragging ? " dragging" : ""}`}
      onSubmit={onSubmit}
      onDragOver={(e) => {
        if (disabled || !e.dataTransfer.types.includes("Files")) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        setDragging(false);
        const dropped = droppedFiles(e.dataTransfer);
        if (disabled || dropped.length === 0) return;
        e.preventDefault();
        files.add(dropped);
      }}
    >
      {replyTo && !disabled && <ReplyBanner id={replyId} author={replyTo.author} onCancel={onCancelReply} />}
      <AttachmentTray files={files.files} onRemove={files.remove} />
      <label htmlFor={inputId} className="visually-hidden">
        Message
      </label>
      <div className="composer-row">
        <textarea
          id={inputId}
          ref={inputRef}
          data-testid="composer-input"
          rows={2}
          value={text}
          disabled={disabled}
          placeholder={disabled ? "Read only" : "Write a message… (Shift+Enter for a new line)"}
          aria-describedby={describedBy || undefined}
          aria-invalid={over || undefined}
          aria-autocomplete="list"
          aria-controls={mention || hint ? listId : undefined}
          aria-activedescendant={
            hint ? commandOptionId(hints.indexOf(hint)) : mention ? mentionOptionId(mentions.activeIndex) : undefined
          }
          onKeyDown={onKeyDown}
          onPaste={(e) => {
            const pasted = pastedFiles(e.clipboardData);
            if (pasted.length === 0) return;
            // Files only: the clipboard's text (a file's name, an image's alt) stays out of the message.
            e.preventDefault();
            files.add(pasted);
          }}
          onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
          onFocus={() => setFocused(true)}
          onBlur={() => {
            setFocused(false);
            mentions.blurred();
          }}
          onChange={(e) => {
            if (e.target.value !== text) {
              setActiveHint(0);
              mentions.textChanged();
            }
            setText(e.target.value);
            setCaret(e.target.selectionStart);
            setLocalError(null);
            actions.clearError();
            actions.typing(e.target.value);
          }}
        />
        {hint && <CommandHints id={listId} hints={hints} active={hint} optionId={commandOptionId} onAccept={acceptHint} />}
        {mention && (
          <MentionList id={listId} optionId={mentionOptionId} options={mention.options} active={mentions.activeIndex} onAccept={mentions.complete} />
        )}
        <AttachButton disabled={disabled} onPick={files.add} />
        <button type="submit" data-testid="composer-send" disabled={disabled || over || (text.trim() === "" && files.ready.length === 0) || files.uploading}>
          Send
        </button>
      </div>
      {commandResult && (
        <CommandNote entry={commandResult} testId="command-result" onDismiss={() => actions.dismissCommand(commandResult.id)} />
      )}
      <ComposerFooter
        usage={usage}
        readOnlyReason={readOnlyReason}
        error={shownError}
        length={length}
        maxChars={maxChars}
        showCounter={showCounter}
        ids={{ usage: usageId, hint: hintId, counter: counterId }}
      />
    </form>
  );
}
