/** Random ids for rows and names (members, rooms, invites, reminders, codes, tickets). */

/** A random id of `chars` characters, 5 bits of entropy each, in lowercase base32 (RFC 4648 alphabet). */
export function randomBase32(chars: number): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  const bytes = crypto.getRandomValues(new Uint8Array(chars));
  let out = "";
  for (const b of bytes) out += alphabet[b & 31];
  return out;
}
