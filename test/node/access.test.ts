/**
 * Cloudflare Access in front of the real app (`wrangler dev`): the team's
 * keys are served by this test on 127.0.0.1 (IDENTITY_ALLOW_HOSTS) and the
 * Worker fetches them over the network through its egress guard. A JWT the
 * test signs with the team key signs the browser in, as the same member on
 * every device; one signed with another key, for another audience or
 * expired signs no one in. (The checks one by one: test/workers/identity-access.test.ts.)
 */
import { createServer, type Server } from "node:http";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startDevServer, type DevServer } from "../support/dev-server";
import { NodeMember, SESSION_COOKIE } from "../support/node-member";

let app: DevServer;
let certs: Server;
let team: string;
let key: CryptoKey;
let otherKey: CryptoKey;
let certRequests = 0;
const AUD = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

beforeAll(async () => {
  const pair = await generateKeyPair("RS256", { extractable: true });
  key = pair.privateKey;
  otherKey = (await generateKeyPair("RS256")).privateKey;
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: "team-key", alg: "RS256", use: "sig" }] });
  const port = await freePort();
  team = `http://127.0.0.1:${port}`;
  certs = createServer((req, res) => {
    if (req.url !== "/cdn-cgi/access/certs") return void res.writeHead(404).end();
    certRequests++;
    res.writeHead(200, { "Content-Type": "application/json" }).end(jwks);
  });
  await new Promise<void>((resolve) => certs.listen(port, "127.0.0.1", resolve));
  app = await startDevServer({ vars: { ACCESS_TEAM_DOMAIN: team, ACCESS_AUD: AUD, IDENTITY_ALLOW_HOSTS: `127.0.0.1:${port}` } });
});

afterAll(async () => {
  await app?.stop();
  await new Promise((resolve) => certs?.close(resolve));
});

function jwt(sub: string, opts: { signer?: CryptoKey; aud?: string; exp?: number } = {}) {
  return new SignJWT({ email: "ada@example.com" })
    .setProtectedHeader({ alg: "RS256", kid: "team-key" })
    .setSubject(sub)
    .setIssuer(team)
    .setAudience(opts.aud ?? AUD)
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? Math.floor(Date.now() / 1000) + 600)
    .sign(opts.signer ?? key);
}

async function me(assertion: string) {
  const res = await fetch(`${app.url}/api/me`, { headers: { "Cf-Access-Jwt-Assertion": assertion } });
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  const body = (await res.json()) as { member: { id: string; name: string } | null };
  return { member: body.member, token: cookie?.slice(SESSION_COOKIE.length + 1).split(";")[0] };
}

describe("Cloudflare Access (real network, real wrangler dev)", () => {
  it("signs in with a JWT the team key signed, as the same member on a second device, and that session opens a room", async () => {
    const first = await me(await jwt("ada-sub"));
    expect(first.member).toMatchObject({ id: expect.stringMatching(/^m_/), name: "ada" });
    expect(certRequests).toBeGreaterThan(0);
    const second = await me(await jwt("ada-sub"));
    expect(second.member?.id).toBe(first.member!.id);

    const member = await NodeMember.connect(app.url, "access-room", second.token!);
    const welcome = await member.next("welcome");
    expect(JSON.stringify(welcome)).toContain(first.member!.id);
    member.ws.close();
  });

  it("signs no one in with another key's signature, another audience or an expired JWT", async () => {
    for (const assertion of [
      await jwt("mallory", { signer: otherKey }),
      await jwt("mallory", { aud: "another-app" }),
      await jwt("mallory", { exp: Math.floor(Date.now() / 1000) - 3600 }),
    ]) {
      const refused = await me(assertion);
      expect(refused.member).toBeNull();
      expect(refused.token).toBeUndefined();
    }
  });
});
