/**
 * Files attached to messages, over HTTP (the bytes never ride a socket frame):
 *
 * - POST /api/rooms/<room>/files?name=…[&width=…&height=…]  the raw bytes,
 *   typed by Content-Type, sized by Content-Length. The room says whether the
 *   caller may post and reserves an id; the body streams into R2 (never
 *   gathered in memory) with its first bytes checked against the type.
 * - GET /api/rooms/<room>/files/<id>  with the session cookie: the room says
 *   whether the caller may read it now; the answer is a redirect to a
 *   short-lived signed link (…?t=…), which works without the cookie but asks
 *   the room again, so a member removed or a message deleted since is refused.
 *
 * The session cookie (and Origin check for the POST) is what every API call
 * has: http/api.ts hands over the signed-in caller.
 */
import { getAgentByName } from "agents";
import { fileTypeOf, formatBytes, isImageType, isTextType, type FileType } from "../../shared/files";
import { LIMITS } from "../../shared/limits";
import type { Attachment } from "../../shared/protocol";
import { isRoomName } from "../../shared/rooms";
import type { UploadResponse } from "../../shared/api";
import { signToken, verifyFileLink, type SessionClaims } from "../auth/tokens";
import { apiError, json } from "./respond";
import { checkedStream, ContentMismatch } from "./sniff";

type Env = Cloudflare.Env;

/** `/api/rooms/<room>/files` and `/api/rooms/<room>/files/<id>`. */
const FILES_PATH = /^\/api\/rooms\/([^/]+)\/files(?:\/([^/]+))?$/;

export function isFilesPath(path: string): boolean {
  return FILES_PATH.test(path);
}

/** A signed link's GET: no cookie needed, the token names the member. */
export async function handleFileLink(request: Request, env: Env, secret: string, path: string): Promise<Response | null> {
  const url = new URL(request.url);
  const token = url.searchParams.get("t");
  const match = FILES_PATH.exec(path);
  if (request.method !== "GET" || !match?.[2] || token === null) return null;
  const link = await verifyFileLink(secret, token);
  if (!link.ok) return apiError(403, "forbidden", `This file link does not work: ${link.reason}. Open the file from the room again.`);
  const room = decode(match[1]!);
  if (room === null || link.claims.room !== room || link.claims.fid !== match[2]) return apiError(403, "forbidden", "This link is for another file.");
  const access = await (await getAgentByName(env.ChatRoom, room)).fileAccess(link.claims.sub, link.claims.fid);
  if (!access.ok) return apiError(access.status, access.code, access.message);
  const object = await env.FILES.get(access.key);
  if (!object) return apiError(404, "not_found", "This file is not here any more.");
  return new Response(object.body, { headers: downloadHeaders(access.file, object.size) });
}

/** The signed-in part: uploads, and the redirect to a signed link. */
export async function handleFilesApi(request: Request, env: Env, secret: string, caller: SessionClaims, path: string): Promise<Response> {
  const match = FILES_PATH.exec(path)!;
  const room = decode(match[1]!);
  if (room === null || !isRoomName(room)) return apiError(400, "bad_room", "Not a room name.");
  const id = match[2];
  if (id === undefined) {
    if (request.method !== "POST") return apiError(405, "method_not_allowed", "Upload with POST.");
    const response = await upload(request, env, caller, room);
    // A refused upload's bytes are not read: say so to the runtime rather than leave the stream hanging.
    if (!request.bodyUsed) await request.body?.cancel().catch(() => {});
    return response;
  }
  if (request.method !== "GET") return apiError(405, "method_not_allowed", "Download with GET.");
  const access = await (await getAgentByName(env.ChatRoom, room)).fileAccess(caller.sub, id);
  if (!access.ok) return apiError(access.status, access.code, access.message);
  const exp = Date.now() + LIMITS.fileUrlTtlMs;
  const token = await signToken(secret, { typ: "file", sub: caller.sub, room, fid: id, exp });
  const location = `${path}?t=${encodeURIComponent(token)}`;
  // The browser may reuse the redirect for a minute (an image shown twice costs one room call).
  return new Response(null, { status: 302, headers: { location, "cache-control": "private, max-age=60", vary: "Cookie" } });
}

async function upload(request: Request, env: Env, caller: SessionClaims, room: string): Promise<Response> {
  const url = new URL(request.url);
  const name = (url.searchParams.get("name") ?? "").trim();
  if (name === "" || name.length > LIMITS.fileNameChars || /[\u0000-\u001f/\\]/.test(name)) {
    return apiError(400, "bad_name", `A file needs a name of 1 to ${LIMITS.fileNameChars} characters, without slashes.`);
  }
  const type = fileTypeOf(name, request.headers.get("content-type") ?? "");
  if (!type) {
    return apiError(415, "bad_type", "This kind of file cannot be attached: images (PNG, JPEG, GIF, WebP), text, Markdown, CSV, JSON, PDF and ZIP can.");
  }
  const lengthHeader = request.headers.get("content-length");
  const size = lengthHeader !== null && /^\d{1,12}$/.test(lengthHeader) ? Number(lengthHeader) : null;
  if (size === null) return apiError(411, "length_required", "Say the file's size (Content-Length).");
  if (size > LIMITS.fileBytes) {
    return apiError(413, "too_large", `This file is ${formatBytes(size)}; files are at most ${formatBytes(LIMITS.fileBytes)}.`);
  }
  if (size === 0 || !request.body) return apiError(400, "empty_file", "This file is empty.");
  const stub = await getAgentByName(env.ChatRoom, room);
  const reserved = await stub.reserveFile(caller.sub, { name, type, size, ...dimensions(url, type) });
  if (!reserved.ok) return apiError(reserved.status, reserved.code, reserved.message);
  try {
    // Content-Length is what the runtime lets through: the body cannot grow past the cap checked above.
    // FixedLengthStream tells R2 the length of the checked stream.
    const sized = new FixedLengthStream(size);
    void checkedStream(request.body, type).pipeTo(sized.writable).catch(() => {});
    await env.FILES.put(reserved.key, sized.readable, { httpMetadata: { contentType: type } });
  } catch (err) {
    await stub.uploadDone(caller.sub, reserved.id, false);
    if (err instanceof ContentMismatch || (err instanceof Error && err.message.includes("contents are not"))) {
      return apiError(415, "bad_content", err.message);
    }
    console.error(`room ${room}: upload failed`, err);
    return apiError(500, "upload_failed", "The file could not be stored; try again.");
  }
  const file = await stub.uploadDone(caller.sub, reserved.id, true);
  if (!file) return apiError(500, "upload_failed", "The file could not be stored; try again.");
  return json({ file } satisfies UploadResponse, 201);
}

/** The uploader's measure of an image: a layout hint for other members, clamped, never trusted for anything else. */
function dimensions(url: URL, type: FileType): { width?: number; height?: number } {
  if (!isImageType(type)) return {};
  const read = (key: string) => {
    const value = Number(url.searchParams.get(key));
    return Number.isInteger(value) && value > 0 && value <= 100_000 ? value : undefined;
  };
  const width = read("width");
  const height = read("height");
  return width && height ? { width, height } : {};
}

/**
 * Images are shown inline; everything else is a download, text included
 * (served as plain text so no browser renders it as a page). No file is
 * ever a document that runs script here: nosniff, and a CSP that allows nothing.
 */
function downloadHeaders(file: Attachment, size: number): Headers {
  const inline = isImageType(file.type);
  return new Headers({
    "content-type": inline ? file.type : isTextType(file.type) ? "text/plain; charset=utf-8" : file.type,
    "content-length": String(size),
    "content-disposition": `${inline ? "inline" : "attachment"}; filename*=UTF-8''${encodeURIComponent(file.name)}`,
    "x-content-type-options": "nosniff",
    "content-security-policy": "default-src 'none'; sandbox",
    "cross-origin-resource-policy": "same-origin",
    "cache-control": "private, max-age=300",
  });
}

function decode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}
