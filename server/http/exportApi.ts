/**
 * GET /api/rooms/<room>/export?format=md|json — an owner downloads the room.
 * A GET so that a plain link downloads it (the session cookie goes with a
 * same-site navigation; another site can make the browser ask, but never
 * read the answer). The room checks the caller is an owner and streams the
 * body (room/export.ts); the Worker passes the stream through unread.
 */
import { getAgentByName } from "agents";
import { isRoomName } from "../../shared/rooms";
import { checkSession } from "../auth/sessionCookie";
import { apiError } from "./respond";

const EXPORT_PATH = /^\/api\/rooms\/([^/]+)\/export$/;

const TYPES = { md: "text/markdown; charset=utf-8", json: "application/json; charset=utf-8" } as const;

export async function handleExportApi(request: Request, env: Cloudflare.Env, secret: string, path: string): Promise<Response | null> {
  const match = EXPORT_PATH.exec(path);
  if (!match) return null;
  if (request.method !== "GET") return apiError(405, "method_not_allowed", "Use GET.");
  let room: string;
  try {
    room = decodeURIComponent(match[1]!);
  } catch {
    return apiError(400, "bad_path", "The room name in the path is not valid percent-encoding.");
  }
  if (!isRoomName(room)) return apiError(400, "bad_room", "Not a room name.");
  const format = new URL(request.url).searchParams.get("format") ?? "md";
  if (format !== "md" && format !== "json") return apiError(400, "bad_format", "format is md or json.");
  const session = await checkSession(secret, request);
  if (!session.ok) return apiError(401, "unauthorized", `Sign in again: ${session.reason}.`);
  const exported = await (await getAgentByName(env.ChatRoom, room)).exportFor(session.claims.sub, format, new URL(request.url).origin);
  if (!exported.ok) return apiError(exported.status, exported.status === 404 ? "not_found" : "forbidden", exported.message);
  const day = new Date().toISOString().slice(0, 10);
  const response = new Response(exported.body, {
    headers: {
      "Content-Type": TYPES[format],
      "Content-Disposition": `attachment; filename="hearth-${room.replace(/[^\w.-]/g, "_")}-${day}.${format}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
  if (session.renewed) response.headers.append("Set-Cookie", session.renewed);
  return response;
}
