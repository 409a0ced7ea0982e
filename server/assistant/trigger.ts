/** Does a message ask the assistant? A mention by name, or a reply to one of its messages. */
export function mentions(text: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  // "@assistant" as a word: not inside an email address or a longer name.
  return new RegExp(`(^|[^\\w@.])@${escaped}(?![\\w-])`, "iu").test(text);
}
