/**
 * A mention of a member as message text holds it: `<@memberId>` (as in
 * Discord), so a rename never breaks it. Member ids are `m_` plus base32
 * (server/accounts/identity.ts): letters, digits and a few separators.
 */
export const MENTION_TOKEN = /<@([\w:.-]{1,100})>/g;

export function mentionToken(memberId: string): string {
  return `<@${memberId}>`;
}
