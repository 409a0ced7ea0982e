/**
 * Message text → safe HTML. Anyone in a room can write anything, so:
 * raw HTML is shown as text rather than interpreted; images become links
 * (an auto-loading image would tell its host who read the message and when);
 * DOMPurify with a small allow-list then removes whatever slips through,
 * including every URL scheme except http(s) and mailto.
 */
import DOMPurify from "dompurify";
import { Marked, type Tokens } from "marked";

const ALLOWED_TAGS = [
  "a", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6",
  "hr", "i", "li", "ol", "p", "pre", "s", "strong", "table", "tbody", "td", "th", "thead",
  "tr", "ul",
];
const ALLOWED_ATTR = ["href", "title", "start", "align"];
const SAFE_URL = /^(?:https?:|mailto:)/i;

function escapeHtml(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const marked = new Marked({
  gfm: true,
  // Chat text uses single newlines as line breaks.
  breaks: true,
  renderer: {
    html({ text }: Tokens.HTML | Tokens.Tag) {
      return escapeHtml(text);
    },
    image({ href, text }: Tokens.Image) {
      const label = text.trim() || href;
      return `<a href="${escapeHtml(href)}">${escapeHtml(`[image: ${label}]`)}</a>`;
    },
  },
});

const purify = DOMPurify(window);
purify.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName !== "A") return;
  const href = node.getAttribute("href");
  if (href !== null && !SAFE_URL.test(href.trim())) node.removeAttribute("href");
  if (node.hasAttribute("href")) {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer nofollow");
  }
});

export function renderMarkdown(text: string): string {
  const html = marked.parse(text, { async: false });
  return purify.sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR,
    ALLOWED_URI_REGEXP: SAFE_URL,
  });
}
