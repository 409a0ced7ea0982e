/// <reference types="@cloudflare/vitest-plugin/types" />
/**
 * Cloudflare Access in front of Hearth (issue 13): a verified
 * `Cf-Access-Jwt-Assertion` signs the browser in as the member linked to
 * that Access identity — a guest in place the first time, the same member
 * on every later device — and a JWT that does not verify signs no one in.
 *
 * The team's keys are generated here, and the team "domain" is a local
 * address (allowed by IDENTITY_ALLOW_HOSTS, as in development): the
 * Worker's own fetch of `<team>/cdn-cgi/access/certs` is answered with the
 * test's JWKS, everything else goes through untouched.
 */
import { env } from "cloudflare:workers";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import worker from "../../server/index";
import type { Env } from "../../server/env";
import { ORIGIN, session, SESSION_COOKIE, sessionFromSetCookie } from "./client";

const TEAM = "http://127.0.0.1:9787";
const AUD = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";
const accessEnv = { ...(env as unknown as Env), ACCESS_TEAM_DOMAIN: TEAM, ACCESS_AUD: AUD, IDENTITY_ALLOW_HOSTS: "127.0.0.1:*" };

let key: CryptoKey;
let otherKey: CryptoKey;
let jwks: { keys: JWK[] };
let certFetches = 0;

beforeAll(async () => {
  const team = await generateKeyPair("RS256", { extractable: true });
  key = team.privateKey;
  otherKey = (await generateKeyPair("RS256")).privateKey;
  const publicKey = team.publicKey;
  jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" }] };
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url === `${TEAM}/cdn-cgi/access/certs`) {
      certFetches++;
      return Response.json(jwks);
    }
    return realFetch(input, init);
  });
  await session("warm-up");
}, 60_000);

afterAll(() => vi.restoreAllMocks());

let subjects = 0;
function newSubject() {
  return `access-user-${Date.now()}-${subjects++}`;
}

async function accessJwt(sub: string, opts: { signer?: CryptoKey; aud?: string; iss?: string; exp?: number; email?: string } = {}) {
  return new SignJWT({ email: opts.email ?? "ada@example.com", type: "app" })
    .setProtectedHeader({ alg: "RS256", kid: "k1" })
    .setSubject(sub)
    .setIssuer(opts.iss ?? TEAM)
    .setAudience([opts.aud ?? AUD])
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? Math.floor(Date.now() / 1000) + 600)
    .sign(opts.signer ?? key);
}

async function me(jwt: string | null, cookie?: string, workerEnv: Env = accessEnv) {
  const headers: Record<string, string> = {};
  if (jwt) headers["Cf-Access-Jwt-Assertion"] = jwt;
  if (cookie) headers.Cookie = `${SESSION_COOKIE}=${cookie}`;
  const res = await worker.fetch(new Request(`${ORIGIN}/api/me`, { headers }), workerEnv);
  const text = await res.text();
  return { res, text, body: JSON.parse(text) as { member: { id: string; name: string } | null; reason?: string }, cookie: sessionFromSetCookie(res) };
}

describe("Cloudflare Access", () => {
  it("a verified Access JWT and no session: a session for a new member, and the same member on another device", async () => {
    const sub = newSubject();
    const jwt = await accessJwt(sub, { email: "ada@example.com" });
    const first = await me(jwt);
    expect(first.res.status).toBe(200);
    expect(first.body.member).toMatchObject({ id: expect.stringMatching(/^m_[a-z2-7]{20}$/), name: "ada" });
    expect(first.cookie).toBeTruthy();
    // The session cookie alone works from then on (no Access header needed).
    const again = await me(null, first.cookie!);
    expect(again.body.member?.id).toBe(first.body.member!.id);

    // Another device: a fresh cookie jar, a fresh Access JWT for the same person.
    const second = await me(await accessJwt(sub));
    expect(second.body.member?.id).toBe(first.body.member!.id);
    // The JWT is never echoed back.
    for (const r of [first, second]) expect(r.text).not.toContain(jwt.split(".")[2]);
  });

  it("a guest who arrives with an Access identity for the first time is linked in place (same member id)", async () => {
    const guest = await session("grace");
    const sub = newSubject();
    const linked = await me(await accessJwt(sub), guest.token);
    expect(linked.body.member).toEqual({ id: guest.id, name: "grace" });
    const account = await worker.fetch(new Request(`${ORIGIN}/api/account`, { headers: { Cookie: `${SESSION_COOKIE}=${guest.token}` } }), accessEnv);
    const identities = ((await account.json()) as { identities: Array<{ issuer: string; provider: string }> }).identities;
    expect(identities).toEqual([expect.objectContaining({ issuer: TEAM, provider: "Cloudflare Access" })]);

    // Later, on a device with no session, the same identity is that guest.
    const elsewhere = await me(await accessJwt(sub));
    expect(elsewhere.body.member).toEqual({ id: guest.id, name: "grace" });
    // And a browser holding another member's session becomes the Access member.
    const other = await session("someone-else");
    const switched = await me(await accessJwt(sub), other.token);
    expect(switched.body.member?.id).toBe(guest.id);
  });

  it.each([
    ["a signature by another key", { signer: "other" }, "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"],
    ["another application's audience", { aud: "someone-elses-aud" }, "ERR_JWT_CLAIM_VALIDATION_FAILED"],
    ["another issuer", { iss: "https://evil.cloudflareaccess.com" }, "ERR_JWT_CLAIM_VALIDATION_FAILED"],
    ["an expired token", { exp: Math.floor(Date.now() / 1000) - 3600 }, "ERR_JWT_EXPIRED"],
  ] as const)("refuses %s: no session, no member, and the reason names the check", async (_label, opts, code) => {
    const { signer, ...rest } = opts as { signer?: string; aud?: string; iss?: string; exp?: number };
    const jwt = await accessJwt(newSubject(), { ...rest, signer: signer === "other" ? otherKey : undefined });
    const refused = await me(jwt);
    expect(refused.body.member).toBeNull();
    expect(refused.cookie).toBeNull();
    expect(refused.body.reason).toContain(code);
    expect(refused.text).not.toContain(jwt);
  });

  it("refuses a token that is not a JWT, and an alg other than RS256", async () => {
    expect((await me("not-a-jwt")).body.member).toBeNull();
    const hs = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256", kid: "k1" })
      .setSubject(newSubject())
      .setIssuer(TEAM)
      .setAudience(AUD)
      .setExpirationTime("10m")
      .sign(new TextEncoder().encode("x".repeat(32)));
    const refused = await me(hs);
    expect(refused.body.member).toBeNull();
    expect(refused.cookie).toBeNull();
  });

  it("without ACCESS_TEAM_DOMAIN/ACCESS_AUD the header means nothing", async () => {
    const before = certFetches;
    const plain = await me(await accessJwt(newSubject()), undefined, env as unknown as Env);
    expect(plain.body.member).toBeNull();
    expect(plain.cookie).toBeNull();
    expect(certFetches).toBe(before);
  });

  it("fetches the team's keys through the egress guard: a local team domain without IDENTITY_ALLOW_HOSTS is refused", async () => {
    const before = certFetches;
    const guarded = { ...accessEnv, IDENTITY_ALLOW_HOSTS: "" };
    const refused = await me(await accessJwt(newSubject()), undefined, guarded);
    expect(refused.body.member).toBeNull();
    expect(refused.body.reason).toContain("the Access keys could not be fetched (https_only)");
    expect(refused.cookie).toBeNull();
    expect(certFetches).toBe(before);
  });

  it("only one of ACCESS_TEAM_DOMAIN and ACCESS_AUD is a configuration error, not a silent open door", async () => {
    const half = { ...(env as unknown as Env), ACCESS_TEAM_DOMAIN: TEAM };
    const res = await worker.fetch(new Request(`${ORIGIN}/api/me`, { headers: { "Cf-Access-Jwt-Assertion": await accessJwt(newSubject()) } }), half);
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("misconfigured");
  });
});
