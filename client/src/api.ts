/** The HTTP API under /api: every response is validated against shared/api.ts. */
import type { z } from "zod";
import {
  ApiError,
  CreateRoomResponse,
  InviteResponse,
  SessionResponse,
} from "../../shared/api";

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiRequestError";
  }
}

async function post<S extends z.ZodType>(
  path: string,
  body: unknown,
  schema: S,
  token?: string,
): Promise<z.infer<S>> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(path, { method: "POST", headers, body: JSON.stringify(body) });
  } catch {
    throw new ApiRequestError(0, "network", "The server could not be reached. Check your connection.");
  }
  const json: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const err = ApiError.safeParse(json);
    if (err.success) throw new ApiRequestError(res.status, err.data.error.code, err.data.error.message);
    throw new ApiRequestError(res.status, "http_error", `The server answered ${res.status}.`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    console.warn(`POST ${path}: unexpected response`, json, parsed.error);
    throw new ApiRequestError(res.status, "bad_response", "The server sent an unexpected answer.");
  }
  return parsed.data;
}

export function postSession(name: string, token?: string): Promise<SessionResponse> {
  return post("/api/session", token ? { name, token } : { name }, SessionResponse);
}

export function postPrivateRoom(token: string): Promise<CreateRoomResponse> {
  return post("/api/rooms", { visibility: "private" }, CreateRoomResponse, token);
}

export function postInvite(
  token: string,
  room: string,
  role: "member" | "viewer",
): Promise<InviteResponse> {
  return post(`/api/rooms/${encodeURIComponent(room)}/invites`, { role }, InviteResponse, token);
}
