/** The composer's `@` completion, kept pure for unit tests. */

/**
 * The partial mention right before the caret ("@as") when it could still
 * become `@name`; the same word boundaries the server uses for mentions.
 */
export function mentionAt(text: string, caret: number, name: string): { start: number; typed: string } | null {
  const match = /(^|[^\w@.])@([\w-]*)$/u.exec(text.slice(0, caret));
  if (!match) return null;
  const typed = match[2] ?? "";
  const lower = typed.toLowerCase();
  if (lower === name.toLowerCase() || !name.toLowerCase().startsWith(lower)) return null;
  return { start: caret - typed.length - 1, typed };
}
