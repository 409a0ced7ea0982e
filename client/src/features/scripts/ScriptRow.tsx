import { useEffect, useState } from "react";
import type { ScriptDetail, ScriptItem } from "../../../../shared/protocol";
import { formatFullTime, formatTime } from "../../time";
import { HighlightedCode } from "../codemode/HighlightedCode";
import type { RoomActions } from "../room/useRoom";

/** One saved script: name, version, who saved it, its code fetched when opened, and Run. */
export function ScriptRow({
  item,
  detail,
  canAct,
  actions,
}: {
  item: ScriptItem;
  /** This version's code, once fetched. */
  detail: ScriptDetail | undefined;
  canAct: boolean;
  actions: RoomActions;
}) {
  const code = detail?.version === item.version ? detail.code : null;
  const [open, setOpen] = useState(false);
  // Fetched when opened, and again when a new version is listed while open.
  useEffect(() => {
    if (open && code === null) actions.getScript(item.name, item.version);
  }, [open, code, item.name, item.version, actions]);
  return (
    <li className="script-item" data-testid="script-item" data-name={item.name} data-version={item.version}>
      <p className="script-what">
        <code data-testid="script-name">{item.name}</code>
        <span className="script-version muted small" data-testid="script-version">
          v{item.version}
        </span>
      </p>
      <dl className="reminder-facts">
        <dt>By</dt>
        <dd data-testid="script-saved-by">{item.savedBy.name}</dd>
        <dt>Size</dt>
        <dd data-testid="script-size">{item.size.toLocaleString()} characters</dd>
        <dt>Saved</dt>
        <dd>
          <time dateTime={new Date(item.savedAt).toISOString()} title={formatFullTime(item.savedAt)} data-testid="script-saved-at">
            {formatTime(item.savedAt)}
          </time>
        </dd>
      </dl>
      {/* The list carries no code (joining stays cheap); opening asks the room for this version's. */}
      <details
        className="script-code"
        onToggle={(e) => setOpen(e.currentTarget.open)}
      >
        <summary data-testid="script-code-toggle">Code</summary>
        {code === null ? (
          <p className="muted small" data-testid="script-code-loading">
            Loading…
          </p>
        ) : (
          <HighlightedCode code={code} className="tool-json" testId="script-code" label={`Code of ${item.name}`} />
        )}
      </details>
      {canAct && (
        <div className="reminder-actions">
          <button
            type="button"
            data-testid="script-run"
            aria-label={`Run ${item.name}`}
            onClick={() => actions.command(`/run ${item.name}`, "scripts")}
          >
            Run
          </button>
        </div>
      )}
    </li>
  );
}
