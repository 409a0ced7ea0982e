/**
 * Mentions of people. A mention is stored as a `<@memberId>` token in the
 * message's text (as Discord does), so that a rename never breaks it:
 * clients show the member's current name, and the assistant reads `@Name`.
 * The composer completes `@` and sends tokens; a plain `@name` typed by a
 * client without completion (a script, a node member) is resolved here when
 * exactly one member has that name.
 *
 * Which members a message mentions is kept beside it (MessageLog's
 * `mentions` column and index table), so the mention count of a member's
 * unread messages is one indexed count, whatever the history's length.
 */
import { LIMITS } from "../../shared/limits";
import { MENTION_TOKEN, mentionToken } from "../../shared/mentions";
import type { Membership } from "./members";
/** "@word" not inside an email address or a longer word. */
const PLAIN_MENTION = /(^|[^\w@.<])@([\p{L}\p{N}_.-]{1,64})(?![\p{L}\p{N}_-])/gu;
/** At most this many members notified by one message: beyond it, the rest stay text. */
export const MENTIONS_MAX = 20;

export interface ResolvedMentions {
  /** The text with every resolved plain `@name` turned into a token. */
  text: string;
  /** Members mentioned, each once, in order of first mention. */
  ids: string[];
}

/**
 * The mentions in a message's text. `reserved` names words that are not
 * people (the assistant's name, "room", "here").
 */
export function resolveMentions(text: string, members: Membership, reserved: (word: string) => boolean): ResolvedMentions {
  // Every message passes here: most mention nobody, and cost no regex pass.
  if (!text.includes("@")) return { text, ids: [] };
  const ids: string[] = [];
  const add = (id: string) => {
    if (!ids.includes(id) && ids.length < MENTIONS_MAX) ids.push(id);
  };
  for (const [, id] of text.matchAll(MENTION_TOKEN)) {
    // A token naming nobody in the room (a guess, a removed member) is just text.
    if (members.get(id!)) add(id!);
  }
  const resolved = text.replace(PLAIN_MENTION, (whole, before: string, word: string) => {
    if (reserved(word) || ids.length >= MENTIONS_MAX) return whole;
    const matches = members.byName(word);
    if (matches.length !== 1) return whole;
    add(matches[0]!.id);
    return `${before}${mentionToken(matches[0]!.id)}`;
  });
  // Tokens are longer than names: past the length cap the text stays as typed (the ids are still recorded).
  return { text: resolved.length <= LIMITS.messageChars ? resolved : text, ids };
}

/** The text with each token shown as `@Name` (for the assistant's context, previews, exports). */
export function mentionsAsNames(text: string, nameOf: (id: string) => string | null): string {
  return text.replace(MENTION_TOKEN, (whole, id: string) => {
    const name = nameOf(id);
    return name === null ? whole : `@${name}`;
  });
}
