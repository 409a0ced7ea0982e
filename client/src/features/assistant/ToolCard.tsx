import { Wrench } from "lucide-react";
import { useEffect, useState } from "react";
import type { ToolPart } from "../../../../shared/protocol";
import { ResultPreview } from "./ResultPreview";
import { toolPreview } from "./toolPreview";
import "./ToolCard.css";

export const STATE_LABELS: Record<ToolPart["state"], string> = {
  running: "running…",
  awaiting_approval: "needs approval",
  done: "done",
  error: "error",
  denied: "denied",
};

/** A decision sent but not yet answered keeps the buttons disabled this long at most. */
const DECIDING_MS = 5_000;

export function pretty(value: unknown): string {
  if (value === undefined) return "";
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

function listNames(names: string[]): string {
  if (names.length <= 1) return names[0] ?? "";
  return `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`;
}

/**
 * One tool call of an assistant turn, as every member sees it: once done,
 * a short preview of its result right away, and its full input and result
 * behind one Details disclosure. Members listed in `approvers` decide a call
 * that awaits approval; everyone else sees who may decide it.
 */
export function ToolCard({
  part,
  selfId,
  canWrite,
  names,
  onDecide,
}: {
  part: ToolPart;
  selfId: string | undefined;
  canWrite: boolean;
  /** Member id → display name, from presence. */
  names: ReadonlyMap<string, string>;
  onDecide: (callId: string, approved: boolean) => void;
}) {
  const [deciding, setDeciding] = useState(false);
  const awaiting = part.state === "awaiting_approval";
  const approvers = part.approvers ?? [];
  const approvals = part.approvals ?? [];
  const required = part.approvalsRequired ?? 1;
  // Someone who approved already waits for the others like everyone else.
  const mayDecide = awaiting && canWrite && selfId !== undefined && approvers.includes(selfId) && !approvals.some((a) => a.id === selfId);

  useEffect(() => {
    if (!deciding) return;
    const timer = setTimeout(() => setDeciding(false), DECIDING_MS);
    return () => clearTimeout(timer);
  }, [deciding]);
  useEffect(() => setDeciding(false), [part.state]);

  const decide = (approved: boolean) => {
    setDeciding(true);
    onDecide(part.callId, approved);
  };

  const knownNames = approvers.flatMap((id) => {
    const name = names.get(id);
    return name ? [name] : [];
  });
  // Approvers who are offline have no name here; the owners always may decide.
  const waitingFor = knownNames.length > 0 ? listNames(knownNames) : "a room owner";
  const inputText = pretty(part.input);
  const hasInput = inputText !== "" && inputText !== "{}";
  const output = part.state === "done" ? part.output : undefined;
  const preview = toolPreview(output);

  return (
    <div
      className={`tool-card tool-${part.state}`}
      data-testid="tool-card"
      data-tool={part.tool}
      data-state={part.state}
      data-call-id={part.callId}
    >
      <div className="tool-head">
        <Wrench className="tool-icon" size={14} aria-hidden="true" />
        <code className="tool-name">{part.tool}</code>
        <span className="tool-state" data-testid="tool-state">
          {STATE_LABELS[part.state]}
        </span>
        {part.durationMs !== undefined && (
          <span className="tool-duration muted" title="How long the call took">
            {formatDuration(part.durationMs)}
          </span>
        )}
      </div>
      {preview && <ResultPreview preview={preview} />}
      {(hasInput || output !== undefined) && (
        // One disclosure for everything the preview leaves out.
        <details className="tool-section tool-details" data-testid="tool-details">
          <summary>Details</summary>
          {hasInput && (
            <>
              <span className="tool-label muted">Input</span>
              <pre className="tool-json" data-testid="tool-input">
                {inputText}
              </pre>
            </>
          )}
          {output !== undefined && (
            <>
              <span className="tool-label muted">Result</span>
              <pre className="tool-json" data-testid="tool-output">
                {pretty(output)}
              </pre>
            </>
          )}
        </details>
      )}
      {part.error && (
        <p className="tool-error" data-testid="tool-error">
          {part.error}
        </p>
      )}
      {awaiting &&
        (mayDecide ? (
          <div className="tool-approval" role="group" aria-label={`Approve or deny ${part.tool}`}>
            <span>The assistant wants to run this.</span>
            <button type="button" data-testid="approve-tool" disabled={deciding} onClick={() => decide(true)}>
              Approve
            </button>
            <button type="button" className="danger" data-testid="deny-tool" disabled={deciding} onClick={() => decide(false)}>
              Deny
            </button>
          </div>
        ) : (
          <p className="tool-waiting muted" data-testid="tool-waiting">
            Waiting for approval by {required > 1 ? `${required} of ${waitingFor}` : waitingFor}.
          </p>
        ))}
      {awaiting && (required > 1 || approvals.length > 0) && (
        <p className="tool-approvals muted small" data-testid="tool-approvals">
          {approvals.length} of {required} approvals
          {approvals.length > 0 && `: ${approvals.map((a) => `${a.name} (${new Date(a.at).toLocaleTimeString()})`).join(", ")}`}
        </p>
      )}
      {awaiting && part.expiresAt !== undefined && (
        <p className="tool-expiry muted small" data-testid="tool-expiry">
          Denied if nobody decides by {new Date(part.expiresAt).toLocaleString()}.
        </p>
      )}
      {part.decidedBy && (
        <p className="tool-decided muted" data-testid="tool-decided">
          {part.state === "denied" ? "Denied" : "Approved"} by{" "}
          {part.state !== "denied" && approvals.length > 1 ? listNames(approvals.map((a) => a.name)) : part.decidedBy.name}
        </p>
      )}
    </div>
  );
}
