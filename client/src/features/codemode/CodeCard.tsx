import { Braces } from "lucide-react";
import type { ToolPart } from "../../../../shared/protocol";
import { codeOutput, codeSource, isCodePart, scriptOf } from "./codeParts";
import { STATE_LABELS, ToolCard, formatDuration, pretty } from "../assistant/ToolCard";
import { HighlightedCode } from "./HighlightedCode";
import "./CodeCard.css";

/** Results up to this many lines start expanded; longer ones start collapsed. */
const OPEN_RESULT_LINES = 12;

/** For cards nobody decides from this view (a member's own tool call): no presence names needed. */
export const NO_NAMES: ReadonlyMap<string, string> = new Map();

/** What every card of one message shares. */
export interface CardContext {
  selfId: string | undefined;
  /** May decide approvals (also needs to be listed in the card's `approvers`). */
  canWrite: boolean;
  /** Member id → display name, from presence. */
  names: ReadonlyMap<string, string>;
  onDecide: (callId: string, approved: boolean) => void;
  /** callId → the calls made from inside it (see groupParts). */
  children: ReadonlyMap<string, ToolPart[]>;
  /** The one code card whose run `/scripts save` would save, if it is in this message. */
  savableCallId?: string | undefined;
  onSaveScript?: (() => void) | undefined;
}

/** A tool card, or a Code Mode card with its calls inside it. */
export function PartCard({ part, ctx }: { part: ToolPart; ctx: CardContext }) {
  if (isCodePart(part)) return <CodeCard part={part} ctx={ctx} />;
  return (
    <ToolCard part={part} selfId={ctx.selfId} canWrite={ctx.canWrite} names={ctx.names} onDecide={ctx.onDecide} />
  );
}

/**
 * One Code Mode run: the code, highlighted (HighlightedCode), the
 * calls it made as their own cards inside it in call order (approvals
 * included), then what it printed and what it returned or why it failed.
 */
export function CodeCard({ part, ctx }: { part: ToolPart; ctx: CardContext }) {
  const nested = ctx.children.get(part.callId) ?? [];
  const script = scriptOf(part);
  const out = codeOutput(part);
  const done = part.state === "done";
  const resultText = out.truncated ? out.truncated.preview : out.hasResult ? pretty(out.result ?? null) : "";
  const waiting = nested.some((p) => p.state === "awaiting_approval");
  const saveHere = done && ctx.onSaveScript !== undefined && ctx.savableCallId === part.callId;

  return (
    <div
      className={`tool-card code-card tool-${part.state}`}
      data-testid="code-card"
      data-tool={part.tool}
      data-state={part.state}
      data-call-id={part.callId}
    >
      <div className="tool-head">
        <Braces className="tool-icon" size={14} aria-hidden="true" />
        <code className="tool-name">{part.tool}</code>
        {script && (
          <span className="code-script muted" data-testid="code-script">
            script <strong>{script.name}</strong>
            {script.version !== null && ` v${script.version}`}
          </span>
        )}
        <span className="tool-state" data-testid="tool-state">
          {waiting ? "waiting for approval" : STATE_LABELS[part.state]}
        </span>
        {nested.length > 0 && (
          <span className="muted code-calls">
            {nested.length} {nested.length === 1 ? "call" : "calls"}
          </span>
        )}
        {part.durationMs !== undefined && (
          <span className="tool-duration muted" title="How long the run took">
            {formatDuration(part.durationMs)}
          </span>
        )}
      </div>
      <HighlightedCode code={codeSource(part)} className="tool-json code-source" testId="code-source" label="Code" />
      {nested.length > 0 && (
        <div className="code-nested" data-testid="code-nested" role="group" aria-label="Calls made by this code">
          {nested.map((child) => (
            <PartCard key={child.callId} part={child} ctx={ctx} />
          ))}
        </div>
      )}
      {out.logs.length > 0 && (
        <div className="tool-section">
          <span className="code-label muted">Console</span>
          <pre className="tool-json code-logs" data-testid="code-logs">
            {out.logs.join("\n")}
          </pre>
        </div>
      )}
      {done && (out.hasResult || out.truncated) && (
        <details
          className="tool-section code-result"
          data-testid="code-result"
          open={resultText.split("\n").length <= OPEN_RESULT_LINES}
        >
          <summary>Result</summary>
          <pre className="tool-json">{resultText}</pre>
          {out.truncated && (
            <p className="muted small" data-testid="code-result-truncated">
              Cut short
              {out.truncated.totalChars !== null && ` (${out.truncated.totalChars} characters in all)`}.
            </p>
          )}
        </details>
      )}
      {part.error && (
        <pre className="tool-error code-error" data-testid="code-error">
          {part.error}
        </pre>
      )}
      {saveHere && (
        <div className="code-actions">
          <button
            type="button"
            data-testid="code-save"
            onClick={ctx.onSaveScript}
            title="Fills the composer with /scripts save — add a name and send"
          >
            Save as script
          </button>
        </div>
      )}
    </div>
  );
}
