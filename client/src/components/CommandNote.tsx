import { Ellipsis, Info, TriangleExclamationPoint, X } from "lucide-react";
import { useMemo } from "react";
import { renderMarkdown } from "../markdown";
import type { CommandEntry } from "../features/room/commandLog";
import "./CommandNote.css";

/**
 * The room's answer to one command, shown where it was issued: neutral when
 * it worked, an alert with the server's reason when not. The text may hold
 * Markdown (backticked examples); it goes through the same sanitizer as
 * messages.
 */
export function CommandNote({
  entry,
  testId,
  onDismiss,
}: {
  entry: CommandEntry;
  testId: string;
  onDismiss?: (() => void) | undefined;
}) {
  const html = useMemo(() => renderMarkdown(entry.text), [entry.text]);
  const state = entry.state;
  return (
    <div
      className={`command-note command-${state}`}
      data-testid={testId}
      data-state={state}
      data-ok={state === "pending" ? undefined : String(state === "ok")}
      data-command-id={entry.id}
      role={state === "failed" ? "alert" : "status"}
    >
      <span className="command-icon" aria-hidden="true">
        {state === "pending" ? <Ellipsis size={16} /> : state === "ok" ? <Info size={16} /> : <TriangleExclamationPoint size={16} />}
      </span>
      <div className="command-body">
        {entry.label && <code className="command-label">{entry.label}</code>}
        {state === "pending" ? (
          <p className="muted small command-text">Waiting for the room…</p>
        ) : (
          // renderMarkdown escapes raw HTML and sanitises the rest (see markdown.ts).
          <div className="command-text" data-testid={`${testId}-text`} dangerouslySetInnerHTML={{ __html: html }} />
        )}
      </div>
      {onDismiss && (
        <button type="button" className="command-dismiss icon-only" onClick={onDismiss} aria-label="Dismiss this answer">
          <X size={14} aria-hidden="true" />
        </button>
      )}
    </div>
  );
}
