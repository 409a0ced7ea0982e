import type { CommandHint } from "./commands";

/**
 * Under the composer: the usage of the command being typed, why this
 * member cannot write, the last error, and the length counter near the cap.
 * Each line's id is what the textarea's aria-describedby names.
 */
export function ComposerFooter({
  usage,
  readOnlyReason,
  error,
  length,
  maxChars,
  showCounter,
  ids,
}: {
  usage: CommandHint | null;
  readOnlyReason: string | null;
  error: string;
  length: number;
  maxChars: number;
  showCounter: boolean;
  ids: { usage: string; hint: string; counter: string };
}) {
  const over = length > maxChars;
  return (
    <div className="composer-footer">
      {usage && (
        <p id={ids.usage} className="muted small command-usage" data-testid="command-usage">
          <code>{usage.usage}</code>
        </p>
      )}
      {readOnlyReason !== null && (
        <p id={ids.hint} className="muted small">
          {readOnlyReason}
        </p>
      )}
      <p className="composer-error" role="alert" data-testid="composer-error">
        {error}
      </p>
      {showCounter && (
        <p id={ids.counter} className={over ? "counter over" : "counter"} aria-live="polite">
          {length} / {maxChars}
        </p>
      )}
    </div>
  );
}
