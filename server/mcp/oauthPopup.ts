/**
 * What the OAuth popup shows when the provider redirects back to the room.
 * It tells the opener (the room page) and closes itself; the room's `mcp`
 * frame then shows the server as ready. No token or code is echoed.
 */
export function oauthPopupResponse(result: { serverId?: string; authSuccess: boolean; authError?: string }): Response {
  const message = result.authSuccess ? "Authorized. You can close this window." : `Authorization failed: ${result.authError ?? "unknown error"}`;
  const escaped = message.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const html = `<!doctype html><meta charset="utf-8"><title>Hearth — MCP authorization</title>
<p>${escaped}</p>
<script>
  try { window.opener && window.opener.postMessage({ type: "hearth-mcp-oauth", ok: ${result.authSuccess}, server: ${JSON.stringify(result.serverId ?? null).replace(/</g, "\\u003c")} }, location.origin); } catch {}
  ${result.authSuccess ? "setTimeout(() => window.close(), 300);" : ""}
</script>`;
  return new Response(html, {
    status: result.authSuccess ? 200 : 400,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "referrer-policy": "no-referrer" },
  });
}
