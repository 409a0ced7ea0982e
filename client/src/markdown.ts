/**
 * Message text → safe HTML. Anyone in a room can write anything, so:
 * raw HTML is shown as text rather than interpreted; images become links
 * (an auto-loading image would tell its host who read the message and when);
 * DOMPurify with a small allow-list then removes whatever slips through,
 * including every URL scheme except http(s) and mailto.
 */
import DOMPurify from "dompurify";
import { Marked, type TokenizerAndRendererExtension, type Tokens } from "marked";

const ALLOWED_TAGS = [
  "a", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6",
  "hr", "i", "li", "ol", "p", "pre", "s", "strong", "table", "tbody", "td", "th", "thead",
  "tr", "ul", "span",
];
// class and data-member only ever come from the mention renderer below: raw HTML in a message is escaped.
const ALLOWED_ATTR = ["href", "title", "start", "align", "class", "data-member"];
const SAFE_URL = /^(?:https?:|mailto:)/i;

function escapeHtml(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** Who a mention token names, for the one render in progress (parse is synchronous). */
export interface MentionNames {
  nameOf(memberId: string): string | null;
  /** This member's id: a mention of them is marked so they see it. */
  self?: string | undefined;
}
let names: MentionNames | null = null;

/** `<@memberId>` (shared/mentions.ts) → the member's current name, as a span. */
const mention: TokenizerAndRendererExtension = {
  name: "mention",
  level: "inline",
  start: (src) => src.indexOf("<@"),
  tokenizer(src) {
    const match = /^<@([\w:.-]{1,100})>/.exec(src);
    if (match) return { type: "mention", raw: match[0], id: match[1]! };
    return undefined;
  },
  renderer(token) {
    const id = String(token.id);
    const name = names?.nameOf(id) ?? null;
    const self = names?.self === id ? " self" : "";
    return `<span class="mention${self}" data-member="${escapeHtml(id)}">@${escapeHtml(name ?? "unknown member")}</span>`;
  },
};

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
  extensions: [mention],
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

export function renderMarkdown(text: string, mentionNames: MentionNames | null = null): string {
  names = mentionNames;
  let html: string;
  try {
    html = marked.parse(text, { async: false });
  } finally {
    names = null;
  }
  return purify.sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR,
    ALLOWED_URI_REGEXP: SAFE_URL,
  });
}
