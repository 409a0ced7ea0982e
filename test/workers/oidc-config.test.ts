/// <reference types="@cloudflare/vitest-plugin/types" />
/**
 * OpenID Connect configuration (issue 13): the provider is announced only
 * when fully configured; a partial or unsafe configuration is a clear
 * `misconfigured`, never a half-open door or a fetch to a private address.
 * (The sign-in flow itself runs against a real provider: test/node/oidc.test.ts.)
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../server/index";
import type { Env } from "../../server/env";
import { ORIGIN } from "./client";

const base = env as unknown as Env;
const full = { OIDC_ISSUER: "https://id.example.com", OIDC_CLIENT_ID: "hearth", OIDC_CLIENT_SECRET: "s3cret-value-never-shown" };

async function call(path: string, vars: Partial<Env>) {
  const res = await worker.fetch(new Request(`${ORIGIN}${path}`, { redirect: "manual" }), { ...base, ...vars });
  return { res, text: await res.text() };
}

describe("OpenID Connect configuration", () => {
  it("announces no provider when none is configured, and has no flow to start", async () => {
    const { text } = await call("/api/oidc", {});
    expect(JSON.parse(text)).toEqual({ provider: null });
    expect((await call("/api/oidc/start", {})).res.status).toBe(404);
    expect((await call("/api/oidc/callback?code=x&state=y", {})).res.status).toBe(404);
  });

  it("announces the provider by OIDC_NAME, or by the issuer's host", async () => {
    expect(JSON.parse((await call("/api/oidc", { ...full, OIDC_NAME: "Okta" })).text)).toEqual({ provider: { name: "Okta", issuer: "https://id.example.com/" } });
    expect(JSON.parse((await call("/api/oidc", full)).text).provider.name).toBe("id.example.com");
  });

  it.each([
    ["a client id without a secret", { OIDC_ISSUER: full.OIDC_ISSUER, OIDC_CLIENT_ID: "hearth" }, "go together"],
    ["an issuer that is not a URL", { ...full, OIDC_ISSUER: "not a url" }, "must be the provider's issuer URL"],
    ["a private issuer address", { ...full, OIDC_ISSUER: "https://10.0.0.5" }, "egress guard"],
    ["a plain-http issuer", { ...full, OIDC_ISSUER: "http://id.example.com" }, "https_only"],
  ] as const)("answers misconfigured for %s, without the secret", async (_label, vars, message) => {
    const { res, text } = await call("/api/oidc", vars);
    expect(res.status).toBe(500);
    expect(JSON.parse(text).error).toMatchObject({ code: "misconfigured", message: expect.stringContaining(message) });
    expect(text).not.toContain(full.OIDC_CLIENT_SECRET);
  });

  it("refuses a callback from a browser that started no flow, with a clean redirect", async () => {
    const { res } = await call("/api/oidc/callback?code=stolen-code&state=some-state", full);
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/?signin=failed");
    expect(res.headers.getSetCookie().some((c) => c.startsWith("hearth_session="))).toBe(false);
  });

  it("takes only GET (a top-level navigation)", async () => {
    const res = await worker.fetch(new Request(`${ORIGIN}/api/oidc/start`, { method: "POST", headers: { Origin: ORIGIN } }), { ...base, ...full });
    expect(res.status).toBe(405);
  });
});
