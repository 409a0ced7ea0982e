/** The composer's `@` completion, kept pure for unit tests. */

/** Someone `@` can complete to: a member (by id) or the room's assistant (id null). */
export interface MentionCandidate {
  id: string | null;
  name: string;
}

/** Most options shown at once: typing more narrows them. */
export const MENTION_OPTIONS_MAX = 8;

/**
 * The partial mention right before the caret ("@as") and who it could
 * still become; the same word boundaries the server uses for mentions.
 * Nothing once the word is one candidate's whole name and no other's start.
 */
export function mentionAt(
  text: string,
  caret: number,
  candidates: readonly MentionCandidate[],
): { start: number; typed: string; options: MentionCandidate[] } | null {
  const match = /(^|[^\w@.])@([\p{L}\p{N}_.-]*)$/u.exec(text.slice(0, caret));
  if (!match) return null;
  const typed = match[2] ?? "";
  const lower = typed.toLowerCase();
  const options = candidates
    .filter((c) => c.name.toLowerCase().startsWith(lower) && c.name.toLowerCase() !== lower)
    .slice(0, MENTION_OPTIONS_MAX);
  if (options.length === 0) return null;
  return { start: caret - typed.length - 1, typed, options };
}
