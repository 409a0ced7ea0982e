import { useHighlightedHtml } from "./useHighlightedHtml";
import "./HighlightedCode.css";

/**
 * JavaScript in a card, with its newlines kept and long lines wrapped
 * (models often write a whole function on one line; nothing reformats it),
 * shown as plain text at once and highlighted once highlight.js has loaded.
 * The HTML is only ever highlightJs.ts's output for this very `code` (see
 * there why that is safe).
 */
export function HighlightedCode({
  code,
  className,
  testId,
  label,
}: {
  code: string;
  className?: string;
  testId?: string;
  label?: string;
}) {
  const html = useHighlightedHtml(code);
  return (
    <pre
      className={`highlighted-code${className ? ` ${className}` : ""}`}
      data-testid={testId}
      data-highlighted={html !== null}
      aria-label={label}
    >
      {/* Keyed apart: React must not switch one element between text children and innerHTML. */}
      {html === null ? (
        <code key="plain">{code}</code>
      ) : (
        <code key="highlighted" className="hljs language-javascript" dangerouslySetInnerHTML={{ __html: html }} />
      )}
    </pre>
  );
}
