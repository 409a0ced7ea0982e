/// <reference types="@cloudflare/vitest-plugin/types" />
/**
 * Sessions without secrets in URLs (issue 13): the session is an HttpOnly
 * cookie, renewed while in use; a room socket needs nothing in its query
 * string; an allowed other origin uses a single-use ticket; an older client's
 * token moves into the cookie as the same member.
 */
import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import app from "../../server/index";
import type { Env } from "../../server/env";
import { signToken, SESSION_TTL_MS } from "../../server/auth/tokens";
import { CloseCode } from "../../shared/protocol";
import { api, connect, createPublicRoom, ORIGIN, roomName, session, SESSION_COOKIE, sessionFromSetCookie, TestMember } from "./client";

const SECRET = (env as unknown as { SESSION_SECRET: string }).SESSION_SECRET;
const OTHER = "https://app.partner.example";
/** The Worker with OTHER listed in ALLOWED_ORIGINS. */
const withOther = () => ({ ...env, ALLOWED_ORIGINS: OTHER }) as unknown as Env;

function me(token: string | null, origin = ORIGIN) {
  return exports.default.fetch(`${origin}/api/me`, { headers: token ? { Cookie: `${SESSION_COOKIE}=${token}` } : {} });
}

async function upgrade(room: string, headers: Record<string, string>, query = "", e?: Env): Promise<TestMember> {
  const request = new Request(`${ORIGIN}/agents/chat-room/${room}${query}`, {
    headers: { Upgrade: "websocket", ...headers },
  });
  const res = e ? await app.fetch!(request as never, e) : await exports.default.fetch(request);
  expect(res.status).toBe(101);
  res.webSocket!.accept();
  return new TestMember(res.webSocket!);
}

describe("session cookie", () => {
  it("is HttpOnly and SameSite, and never in a response body", async () => {
    const res = await exports.default.fetch(`${ORIGIN}/api/session`, { method: "POST", body: JSON.stringify({ name: "alice" }) });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; Path=\//);
    const token = sessionFromSetCookie(res)!;
    expect(await res.text()).not.toContain(token);

    // Over https: the __Host- prefix and Secure.
    const secure = await exports.default.fetch("https://example.com/api/session", {
      method: "POST",
      headers: { Origin: "https://example.com" },
      body: JSON.stringify({ name: "alice" }),
    });
    expect(secure.headers.getSetCookie().join("\n")).toMatch(/^__Host-hearth_session=[^;]+; .*HttpOnly.*; Secure$/m);
  });

  it("opens a room socket with nothing in its URL, and ignores a token in the query", async () => {
    const room = roomName("cookie");
    const alice = await session("alice");
    await createPublicRoom(room, alice.token);
    const a = await upgrade(room, { Origin: ORIGIN, Cookie: `${SESSION_COOKIE}=${alice.token}` });
    expect((await a.next("welcome")).self).toMatchObject({ id: alice.id, role: "owner" });
    // What the room keeps about the socket (its attachment, with the URL)
    // holds no credential.
    const stub = env.ChatRoom.get(env.ChatRoom.idFromName(room));
    const kept = await runInDurableObject(stub, (_i, state) =>
      state.getWebSockets().map((ws) => JSON.stringify(ws.deserializeAttachment())),
    );
    expect(kept.length).toBe(1);
    expect(kept[0]).not.toContain(alice.token);
    // The old way in (a token in the URL) no longer is one.
    const b = await upgrade(room, { Origin: ORIGIN }, `?token=${encodeURIComponent((await session("bob")).token)}`);
    expect(await b.next("error")).toMatchObject({ code: "unauthorized" });
    expect((await b.closedWith()).code).toBe(CloseCode.unauthorized);
    a.close();
  });

  it("renews a session in use, keeping the member", async () => {
    const now = Date.now();
    const old = await signToken(SECRET, { typ: "session", sub: "m_renewme", name: "rita", iat: now - 2 * 86_400_000, exp: now + 86_400_000 });
    const res = await me(old);
    expect(await res.json()).toMatchObject({ member: { id: "m_renewme", name: "rita" } });
    const renewed = sessionFromSetCookie(res);
    expect(renewed).not.toBeNull();
    expect(renewed).not.toBe(old);
    const body = (await (await me(renewed)).json()) as { member: { id: string }; expiresAt: number };
    expect(body.member.id).toBe("m_renewme");
    expect(body.expiresAt).toBeGreaterThan(now + SESSION_TTL_MS - 60_000);

    // A fresh session is not re-issued on every request.
    const fresh = await session("fresh");
    expect(sessionFromSetCookie(await me(fresh.token))).toBeNull();
  });

  it("answers who an expired or forged cookie is with member: null, and refuses it at the room", async () => {
    const now = Date.now();
    const expired = await signToken(SECRET, { typ: "session", sub: "m_gone", name: "gus", iat: now - SESSION_TTL_MS - 5, exp: now - 5 });
    expect(await (await me(expired)).json()).toMatchObject({ member: null, reason: expect.stringMatching(/expired/) });
    expect(await (await me("forged.token")).json()).toMatchObject({ member: null });
    expect(await (await me(null)).json()).toMatchObject({ member: null });
    const s = await connect(roomName("expired"), expired);
    expect(await s.next("error")).toMatchObject({ code: "unauthorized" });
  });

  it("moves an older client's token into the cookie as the same member", async () => {
    const now = Date.now();
    const legacy = await signToken(SECRET, { typ: "session", sub: "m_legacy", name: "lee", exp: now + 86_400_000 });
    const res = await exports.default.fetch(`${ORIGIN}/api/session/exchange`, {
      method: "POST",
      headers: { Origin: ORIGIN },
      body: JSON.stringify({ token: legacy }),
    });
    expect(await res.json()).toMatchObject({ member: { id: "m_legacy", name: "lee" } });
    const cookie = sessionFromSetCookie(res)!;
    expect(await (await me(cookie)).json()).toMatchObject({ member: { id: "m_legacy" } });
    const bad = await exports.default.fetch(`${ORIGIN}/api/session/exchange`, {
      method: "POST",
      body: JSON.stringify({ token: legacy.slice(0, -2) + "xx" }),
    });
    expect(bad.status).toBe(401);
    expect(sessionFromSetCookie(bad)).toBeNull();
  });

  it("refuses a cross-site POST carrying the cookie (CSRF)", async () => {
    const { token } = await session("alice");
    const forged = await exports.default.fetch(`${ORIGIN}/api/rooms`, {
      method: "POST",
      headers: { Cookie: `${SESSION_COOKIE}=${token}`, Origin: "https://evil.example" },
      body: JSON.stringify({ visibility: "private" }),
    });
    expect(forged.status).toBe(403);
    expect(forged.headers.get("Access-Control-Allow-Origin")).toBeNull();
    expect((await api("/api/rooms", token, { visibility: "private" })).status).toBe(201);
  });
});

describe("socket tickets for allowed other origins", () => {
  async function ticketFor(token: string, room: string, e: Env): Promise<string> {
    const res = await app.fetch!(
      new Request(`${ORIGIN}/api/tickets`, {
        method: "POST",
        headers: { Cookie: `${SESSION_COOKIE}=${token}`, Origin: OTHER },
        body: JSON.stringify({ room }),
      }) as never,
      e,
    );
    expect(res.status).toBe(201);
    // The allowed origin may read the answer (CORS with credentials).
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(OTHER);
    expect(res.headers.get("Access-Control-Allow-Credentials")).toBe("true");
    return ((await res.json()) as { ticket: string }).ticket;
  }

  it("admits a ticket once, for its room only", async () => {
    const e = withOther();
    const room = roomName("ticket");
    const alice = await session("alice");
    await createPublicRoom(room, alice.token);
    const ticket = await ticketFor(alice.token, room, e);
    const first = await upgrade(room, { Origin: OTHER }, `?ticket=${encodeURIComponent(ticket)}`, e);
    expect((await first.next("welcome")).self.id).toBe(alice.id);
    // A copy of the ticket (from a log, a proxy) opens nothing.
    const replay = await upgrade(room, { Origin: OTHER }, `?ticket=${encodeURIComponent(ticket)}`, e);
    expect(await replay.next("error")).toMatchObject({ code: "unauthorized", message: expect.stringMatching(/used already/) });
    expect((await replay.closedWith()).code).toBe(CloseCode.unauthorized);
    // Nor does it open another room.
    const elsewhere = await upgrade(roomName("other"), { Origin: OTHER }, `?ticket=${encodeURIComponent(await ticketFor(alice.token, room, e))}`, e);
    expect(await elsewhere.next("error")).toMatchObject({ code: "unauthorized", message: expect.stringMatching(/another room/) });
    first.close();
  });

  it("refuses an expired ticket and a session token posing as one", async () => {
    const e = withOther();
    const room = roomName("ticket");
    const now = Date.now();
    const stale = await signToken(SECRET, { typ: "ticket", sub: "m_t", name: "t", room, jti: "j1", exp: now - 1 });
    const s1 = await upgrade(room, { Origin: OTHER }, `?ticket=${encodeURIComponent(stale)}`, e);
    expect(await s1.next("error")).toMatchObject({ code: "unauthorized", message: expect.stringMatching(/expired/) });
    const { token } = await session("alice");
    const s2 = await upgrade(room, { Origin: OTHER }, `?ticket=${encodeURIComponent(token)}`, e);
    expect(await s2.next("error")).toMatchObject({ code: "unauthorized", message: expect.stringMatching(/not a ticket/) });
  });

  it("gives origins that are not allowed no CORS access", async () => {
    const { token } = await session("alice");
    const res = await exports.default.fetch(`${ORIGIN}/api/me`, {
      headers: { Cookie: `${SESSION_COOKIE}=${token}`, Origin: "https://evil.example" },
    });
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });
});
