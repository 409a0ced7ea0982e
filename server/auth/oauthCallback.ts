/**
 * A room's OAuth callback URL carries an HMAC of the room's name.
 *
 * The OAuth redirect from an MCP server's provider is the one plain HTTP
 * request that must reach a room, and it arrives without a session (it is a
 * browser popup following a redirect). Without a mark the Worker could not
 * tell a real callback from a request that wakes — and so creates — a room
 * nobody made. Only a room that started an OAuth flow ever hands out this
 * path, so the Worker checks the mark before touching any object; the
 * agents SDK inside the room then checks the flow itself (single-use state,
 * PKCE). The mark grants nothing by itself and is not a credential.
 */
const encoder = new TextEncoder();

async function mac(secret: string, room: string): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(`oauth-callback:${room}`)));
}

export async function oauthCallbackSignature(secret: string, room: string): Promise<string> {
  const bytes = await mac(secret, room);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export async function verifyOauthCallbackSignature(secret: string, room: string, signature: string): Promise<boolean> {
  const expected = encoder.encode(await oauthCallbackSignature(secret, room));
  const given = encoder.encode(signature);
  // Constant time: the runtime's timingSafeEqual needs equal lengths.
  return expected.byteLength === given.byteLength && crypto.subtle.timingSafeEqual(expected, given);
}
