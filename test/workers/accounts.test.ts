/// <reference types="@cloudflare/vitest-plugin/types" />
/**
 * Accounts (issue 13): the rooms a member belongs to live with the member,
 * a one-time code links another device as the same member, and the passkey
 * endpoints refuse what they must. (Passkey ceremonies themselves run in
 * Chromium with a virtual authenticator: test/browser/identity.test.ts.)
 */
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { api, connect, ORIGIN, roomName, session, SESSION_COOKIE, sessionFromSetCookie } from "./client";

async function account(token: string) {
  const res = await exports.default.fetch(`${ORIGIN}/api/account`, { headers: { Cookie: `${SESSION_COOKIE}=${token}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as { member: { id: string }; passkeys: unknown[]; rooms: Array<{ room: string; role: string; visibility: string }> };
}

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

// The first request of a file loads the Worker (and here a new object
// class) cold, which on a loaded two-core machine can take most of a
// test's timeout; take it outside the tests.
beforeAll(async () => {
  await session("warm-up");
}, 60_000);

describe("my rooms", () => {
  it("lists the rooms a member entered, public and private, with the role", async () => {
    const alice = await session("alice");
    const pub = roomName("mine");
        const a = await connect(pub, alice.token);
    await a.next("welcome");
        const created = await api("/api/rooms", alice.token, { visibility: "private" });
    const priv = ((await created.json()) as { room: string }).room;
    const bob = await session("bob");
    const b = await connect(pub, bob.token);
    await b.next("welcome");

        const mine = await eventually(() => account(alice.token), (x) => x.rooms.length === 2);
    expect(mine.rooms).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ room: pub, role: "owner", visibility: "public" }),
        expect.objectContaining({ room: priv, role: "owner", visibility: "private" }),
      ]),
    );
    const bobs = await eventually(() => account(bob.token), (x) => x.rooms.length === 1);
    expect(bobs.rooms).toEqual([expect.objectContaining({ room: pub, role: "member" })]);
    a.close();
    b.close();
  });
});

describe("linking a device", () => {
  async function codeFor(token: string): Promise<string> {
    const res = await api("/api/devices/code", token, {});
    expect(res.status).toBe(201);
    return ((await res.json()) as { code: string }).code;
  }
  const redeem = (code: string) =>
    exports.default.fetch(`${ORIGIN}/api/devices/redeem`, { method: "POST", headers: { Origin: ORIGIN }, body: JSON.stringify({ code }) });

  it("signs another device in as the same member, once", async () => {
    const alice = await session("alice");
    const code = await codeFor(alice.token);
    expect(code).toMatch(/^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/);
    const res = await redeem(code.toLowerCase().replace(/-/g, " "));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ member: { id: alice.id, name: "alice" } });
    const cookie = sessionFromSetCookie(res)!;
    expect((await account(cookie)).member.id).toBe(alice.id);

    const again = await redeem(code);
    expect(again.status).toBe(401);
    expect(await again.json()).toMatchObject({ error: { code: "bad_code" } });
    expect(sessionFromSetCookie(again)).toBeNull();
  });

  it("lets only the newest code of a member work, and refuses a made-up one", async () => {
    const alice = await session("alice");
    const first = await codeFor(alice.token);
    const second = await codeFor(alice.token);
    expect((await redeem(first)).status).toBe(401);
    expect((await redeem("AAAA-AAAA-AAAA")).status).toBe(401);
    expect((await redeem(second)).status).toBe(200);
  });

  it("needs a session to make a code", async () => {
    const res = await exports.default.fetch(`${ORIGIN}/api/devices/code`, { method: "POST", headers: { Origin: ORIGIN }, body: "{}" });
    expect(res.status).toBe(401);
  });
});

describe("passkey endpoints", () => {
  it("refuses a sign-in without the challenge cookie, or with a registration's challenge", async () => {
    const noChallenge = await exports.default.fetch(`${ORIGIN}/api/passkeys/login/verify`, {
      method: "POST",
      headers: { Origin: ORIGIN },
      body: JSON.stringify({ response: { id: "x", response: { userHandle: "bV94" } } }),
    });
    expect(noChallenge.status).toBe(400);
    expect(await noChallenge.json()).toMatchObject({ error: { code: "bad_challenge" } });

    const alice = await session("alice");
    const options = await api("/api/passkeys/register/options", alice.token, {});
    expect(options.status).toBe(200);
    const challengeCookie = options.headers.getSetCookie().find((c) => c.startsWith("hearth_webauthn="))!;
    expect(challengeCookie).toMatch(/HttpOnly; SameSite=Strict/);
    const body = (await options.json()) as { options: { user: { id: string }; rp: { id: string }; authenticatorSelection: { residentKey: string } } };
    // The user handle is the member id: a passkey signs in as this very member.
    expect(atob(body.options.user.id.replace(/-/g, "+").replace(/_/g, "/"))).toBe(alice.id);
    expect(body.options.rp.id).toBe(new URL(ORIGIN).hostname);
    expect(body.options.authenticatorSelection.residentKey).toBe("required");

    const crossed = await exports.default.fetch(`${ORIGIN}/api/passkeys/login/verify`, {
      method: "POST",
      headers: { Origin: ORIGIN, Cookie: challengeCookie.split(";")[0]! },
      body: JSON.stringify({ response: { id: "x", response: { userHandle: "bV94" } } }),
    });
    expect(crossed.status).toBe(400);
    expect(await crossed.json()).toMatchObject({ error: { code: "bad_challenge", message: expect.stringMatching(/something else/) } });
  });

  it("needs a session to list or add passkeys", async () => {
    for (const path of ["/api/passkeys/register/options", "/api/passkeys/remove"]) {
      const res = await exports.default.fetch(`${ORIGIN}${path}`, { method: "POST", headers: { Origin: ORIGIN }, body: "{}" });
      expect(res.status, path).toBe(401);
    }
    expect((await exports.default.fetch(`${ORIGIN}/api/account`)).status).toBe(401);
  });
});
