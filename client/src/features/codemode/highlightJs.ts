/**
 * JavaScript → highlighted HTML. Imported only through `loadHighlighter`
 * (useHighlightedHtml.ts), so highlight.js lands in a chunk of its own that
 * the browser fetches the first time a card shows code, not in the main
 * bundle. Only highlight.js's core and its JavaScript grammar: Code Mode
 * and saved scripts are JavaScript.
 *
 * Why the result is safe to set as HTML: highlight.js escapes every piece
 * of the source it emits (`&`, `<`, `>`, quotes) and adds only
 * `<span class="hljs-…">` around tokens, so the markup can hold nothing but
 * the code as text. DOMPurify then keeps only those spans and their class,
 * so even a grammar bug cannot put another element or attribute on the page.
 */
import DOMPurify from "dompurify";
import hljs from "highlight.js/lib/core";
import javascript from "highlight.js/lib/languages/javascript";

hljs.registerLanguage("javascript", javascript);

const purify = DOMPurify(window);

export function highlightJavaScript(code: string): string {
  const html = hljs.highlight(code, { language: "javascript", ignoreIllegals: true }).value;
  return purify.sanitize(html, { ALLOWED_TAGS: ["span"], ALLOWED_ATTR: ["class"] });
}
