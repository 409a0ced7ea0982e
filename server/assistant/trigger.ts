/** Compiled once per assistant name: every chat message is checked. */
const patterns = new Map<string, RegExp>();

/** Does a message mention the assistant by name? (Replies are checked by the caller.) */
export function mentions(text: string, name: string): boolean {
  let pattern = patterns.get(name);
  if (!pattern) {
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    // "@assistant" as a word: not inside an email address or a longer name.
    pattern = new RegExp(`(^|[^\\w@.])@${escaped}(?![\\w-])`, "iu");
    patterns.set(name, pattern);
  }
  return pattern.test(text);
}
