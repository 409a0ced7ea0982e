/**
 * Mention tokens in text the member edits. The composer shows `@Name` and
 * remembers which member each completed name meant; sending turns those
 * back into `<@id>` tokens (shared/mentions.ts), so the room stores ids.
 */
import { MENTION_TOKEN, mentionToken } from "../../../../shared/mentions";

/** `@Name` as typed → the member id it was completed to. */
export type PickedMentions = ReadonlyMap<string, string>;

/** The text to edit: tokens shown as `@Name`, and which id each name means. */
export function tokensToNames(text: string, nameOf: (id: string) => string | null): { text: string; picked: Map<string, string> } {
  const picked = new Map<string, string>();
  const shown = text.replace(MENTION_TOKEN, (whole, id: string) => {
    const name = nameOf(id);
    if (name === null) return whole;
    picked.set(`@${name}`, id);
    return `@${name}`;
  });
  return { text: shown, picked };
}

/** The text to send: each completed `@Name` still in it becomes its member's token. */
export function namesToTokens(text: string, picked: PickedMentions): string {
  // Longest first, so "@Ann Lee" is not taken for "@Ann".
  const names = [...picked.keys()].sort((a, b) => b.length - a.length);
  if (names.length === 0) return text;
  const pattern = new RegExp(`(^|[^\\w@.])(${names.map(escapeRegExp).join("|")})(?![\\p{L}\\p{N}_-])`, "gu");
  return text.replace(pattern, (_whole, before: string, name: string) => `${before}${mentionToken(picked.get(name)!)}`);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
