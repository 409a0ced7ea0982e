/// <reference types="@cloudflare/vitest-plugin/types" />
/**
 * What is free to create is limited per client address: without it, the
 * assistant's per-member budgets cap nothing (a new session is a new member).
 */
import { env, exports } from "cloudflare:workers";
import app from "../../server/index";
import type { Env } from "../../server/env";
import { beforeAll, describe, expect, it } from "vitest";
import { ORIGIN, SESSION_COOKIE, sessionFromSetCookie } from "./client";

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return exports.default.fetch(`${ORIGIN}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
}

/** Posts until refused; returns how many went through and the refusal. */
async function untilRefused(send: () => Promise<Response>, most: number) {
  for (let i = 0; i < most; i++) {
    const res = await send();
    if (res.status === 429) return { allowed: i, refused: res };
    expect(res.status).toBeLessThan(300);
  }
  throw new Error(`never refused after ${most} requests`);
}

// The Worker's first request pays its cold start (slow on a loaded machine): not inside a test.
beforeAll(async () => {
  await exports.default.fetch(`${ORIGIN}/api/health`);
}, 60_000);

describe("creation limits per client address", () => {
  it("refuses new sessions from one address past the hourly limit with 429 and Retry-After; other addresses go on", async () => {
    const ip = { "CF-Connecting-IP": "198.51.100.7" };
    const { allowed, refused } = await untilRefused(() => post("/api/session", { name: "flood" }, ip), 200);
    expect(allowed).toBe(60);
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(3000);
    expect(await refused.json()).toEqual({
      error: { code: "rate_limited", message: expect.stringMatching(/Too many new sessions from your address: at most 60 an hour/) },
    });
    expect((await post("/api/session", { name: "other" }, { "CF-Connecting-IP": "198.51.100.8" })).status).toBe(200);
  });

  it("counts an IPv6 /64 as one address", async () => {
    const { allowed } = await untilRefused(
      () => post("/api/session", { name: "v6" }, { "CF-Connecting-IP": `2001:db8:1:2:${Math.floor(Math.random() * 65535).toString(16)}::1` }),
      200,
    );
    expect(allowed).toBe(60);
  });

  it("limits requests without CF-Connecting-IP (wrangler dev, tests) as one address, not as none", async () => {
    const { allowed } = await untilRefused(() => post("/api/session", { name: "local" }), 200);
    expect(allowed).toBe(60);
    expect((await post("/api/session", { name: "elsewhere" }, { "CF-Connecting-IP": "127.0.0.1" })).status).toBe(200);
  });

  it("refuses new rooms from one address past the hourly limit", async () => {
    const address = { "CF-Connecting-IP": "203.0.113.9" };
    const token = sessionFromSetCookie(await post("/api/session", { name: "roomy" }, address));
    const ip = { ...address, Cookie: `${SESSION_COOKIE}=${token}` };
    // The suite lifts this cap (its tests make many rooms): here the default applies.
    const defaults = { ...env, ROOMS_PER_ADDRESS_PER_HOUR: undefined } as Env;
    const create = () =>
      app.fetch!(new Request(`${ORIGIN}/api/rooms`, { method: "POST", headers: ip, body: JSON.stringify({ visibility: "private" }) }) as never, defaults) as Promise<Response>;
    const { allowed, refused } = await untilRefused(create, 100);
    expect(allowed).toBe(20);
    expect(refused.headers.get("Retry-After")).toMatch(/^\d+$/);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("rate_limited");
  });
});
