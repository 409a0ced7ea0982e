import { useLayoutEffect, useMemo, useRef, type MouseEvent } from "react";
import { renderMarkdown } from "../../markdown";
import { useMentionNames } from "../mentions/MentionNames";
import "./chat.css";

/**
 * Message text as sanitised Markdown; with `code`, each code block gets a
 * copy button (the assistant's answers are where code gets copied from).
 */
export function MessageBody({ text, code = false }: { text: string; code?: boolean }) {
  const names = useMentionNames();
  // Only texts with a mention depend on the names (a rename re-renders them, not every row).
  const hasMention = text.includes("<@");
  const html = useMemo(() => renderMarkdown(text, hasMention ? names : null), [text, hasMention ? names : null]);
  const ref = useRef<HTMLDivElement>(null);
  // Copy buttons for code blocks: added after each render of the sanitised
  // HTML (React replaces the whole inner HTML when it changes).
  useLayoutEffect(() => {
    if (!code || !ref.current) return;
    for (const pre of ref.current.querySelectorAll("pre")) {
      if (pre.querySelector(":scope > .copy-code")) continue;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "copy-code";
      button.setAttribute("aria-label", "Copy code");
      pre.prepend(button);
    }
  }, [html, code]);
  const onClick = (e: MouseEvent<HTMLDivElement>) => {
    const button = (e.target as Element).closest?.(".copy-code");
    if (!(button instanceof HTMLElement)) return;
    const source = button.parentElement?.querySelector("code")?.textContent ?? "";
    void navigator.clipboard?.writeText(source).then(
      () => {
        button.dataset.copied = "true";
        setTimeout(() => delete button.dataset.copied, 1500);
      },
      () => undefined,
    );
  };
  // renderMarkdown escapes raw HTML and sanitises the rest (see markdown.ts).
  return (
    <div
      ref={ref}
      className="message-text"
      data-testid="message-text"
      onClick={code ? onClick : undefined}
      dangerouslySetInnerHTML={{ __html: html }}
    />
  );
}
