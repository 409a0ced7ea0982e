/**
 * Sign-in with an OpenID Connect provider (issue 13), end to end: the real
 * app under `wrangler dev` and a real provider (`oidc-provider`) on
 * 127.0.0.1, the redirects followed by hand with a cookie jar per "device",
 * as a browser would. Checks: a guest who signs in is linked in place (same
 * member id); a second device lands on the same member; a forged state, a
 * replayed callback and a callback without the browser's flow cookie sign
 * no one in; no code or token of the provider's appears in any response
 * body, any URL the app redirects to, or any room frame.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevServer } from "../support/dev-server";
import { createSession, NodeMember, SESSION_COOKIE } from "../support/node-member";
import { startAppWithOidc, type TestOidcProvider } from "../support/oidc-provider";

let app: DevServer;
let idp: TestOidcProvider;
/** Everything the app sent back: bodies and Location headers. */
const fromApp: string[] = [];

/** A browser's cookies: per host (ports share cookies, as in browsers), with paths. */
class Jar {
  private cookies = new Map<string, { value: string; path: string }>();
  set(name: string, value: string, path = "/") {
    this.cookies.set(name, { value, path });
  }
  get(name: string) {
    return this.cookies.get(name)?.value;
  }
  take(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const path = attrs.map((a) => a.trim()).find((a) => a.toLowerCase().startsWith("path="))?.slice(5) ?? "/";
      const gone = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || /^\s*expires=Thu, 01 Jan 1970/i.test(attrs.join(";"));
      if (gone || value === "") this.cookies.delete(name);
      else this.cookies.set(name, { value, path });
    }
  }
  header(url: URL) {
    return [...this.cookies].filter(([, c]) => url.pathname.startsWith(c.path)).map(([n, c]) => `${n}=${c.value}`).join("; ");
  }
}

async function get(jar: Jar, url: URL): Promise<Response> {
  const res = await fetch(url, { redirect: "manual", headers: { Cookie: jar.header(url) } });
  jar.take(res);
  if (url.origin === app.url) {
    fromApp.push(await res.clone().text());
    const location = res.headers.get("Location");
    if (location) fromApp.push(location);
  }
  return res;
}

/**
 * From `/api/oidc/start` through the provider to the app's callback URL
 * (returned, not yet visited), following every redirect by hand.
 */
async function toCallback(jar: Jar, subject: string, start = "/api/oidc/start", email?: string): Promise<URL> {
  idp.signInAs(subject, email);
  let url = new URL(start, app.url);
  for (let hop = 0; hop < 20; hop++) {
    const res = await get(jar, url);
    const location = res.headers.get("Location");
    if (!location) throw new Error(`no redirect from ${url.pathname}: ${res.status} ${await res.text()}`);
    const next = new URL(location, url);
    if (next.origin === app.url && next.pathname === "/api/oidc/callback") return next;
    url = next;
  }
  throw new Error("too many redirects");
}

/** Visits the callback; returns where the app sent the browser and who it now is. */
async function finish(jar: Jar, callback: URL) {
  const res = await get(jar, callback);
  expect(res.status).toBe(302);
  const location = res.headers.get("Location")!;
  const me = await get(jar, new URL("/api/me", app.url));
  return { location, member: ((await me.json()) as { member: { id: string; name: string } | null }).member };
}

beforeAll(async () => {
  ({ idp, app } = await startAppWithOidc());
});

afterAll(async () => {
  await app?.stop();
  await idp?.stop();
});

describe("OpenID Connect sign-in", () => {
  it("links a guest in place, lands a second device on the same member, and no provider token leaks", async () => {
    const provider = await (await fetch(`${app.url}/api/oidc`)).json();
    expect(provider).toEqual({ provider: { name: "TestID", issuer: expect.stringContaining(idp.issuer) } });

    const guest = await createSession(app.url, "gwen");
    const laptop = new Jar();
    laptop.set(SESSION_COOKIE, guest.token);
    const callback = await toCallback(laptop, "gwen-at-idp", "/api/oidc/start?then=settings");
    const linked = await finish(laptop, callback);
    // A clean URL: no code, no state.
    expect(linked.location).toBe("/settings");
    expect(linked.member).toEqual({ id: guest.id, name: "gwen" });

    const account = await get(laptop, new URL("/api/account", app.url));
    expect(((await account.json()) as { identities: unknown[] }).identities).toEqual([expect.objectContaining({ provider: "TestID" })]);

    // Another device: a fresh jar, signs in at the provider as the same person.
    const phone = new Jar();
    const onPhone = await finish(phone, await toCallback(phone, "gwen-at-idp"));
    expect(onPhone.location).toBe("/");
    expect(onPhone.member).toEqual({ id: guest.id, name: "gwen" });

    // A room, as that member, from the phone's session: frames carry nothing of the provider's.
    const member = await NodeMember.connect(app.url, "oidc-room", phone.get(SESSION_COOKIE)!);
    await member.next("snapshot");
    member.send({ type: "send", id: "oidc-msg-1", text: "hello from the phone" });
    await member.next("message");
    const frames = JSON.stringify(member.frames);
    member.ws.close();

    // The collection is real: it holds the code the provider sent this browser.
    expect(idp.issued).toContain(callback.searchParams.get("code"));
    expect(idp.issued.length).toBeGreaterThanOrEqual(6); // two codes, two ID tokens, two access tokens
    for (const secret of [...idp.issued, idp.clientSecret]) {
      for (const text of fromApp) expect(text).not.toContain(secret);
      expect(frames).not.toContain(secret);
    }
  });

  it("makes a new member for a first sign-in without a session, and tells people apart by subject, not email", async () => {
    const jar = new Jar();
    const first = await finish(jar, await toCallback(jar, "newcomer", undefined, "shared@example.test"));
    expect(first.member).toMatchObject({ id: expect.stringMatching(/^m_/), name: "newcomer" });
    // Someone else at the provider claiming the same address is someone else here.
    const other = new Jar();
    const someoneElse = await finish(other, await toCallback(other, "someone-else", undefined, "shared@example.test"));
    expect(someoneElse.member!.id).not.toBe(first.member!.id);
  });

  it("refuses a forged state, a replayed callback and a callback without the browser's flow cookie", async () => {
    // Forged state: the code is genuine, the state is not the one this browser started with.
    const forger = new Jar();
    const genuine = await toCallback(forger, "victim");
    const forged = new URL(genuine);
    forged.searchParams.set("state", "forged-state-value");
    const refused = await finish(forger, forged);
    expect(refused.location).toBe("/?signin=failed");
    expect(refused.member).toBeNull();

    // Replay: a finished callback visited again with the same flow cookie.
    const jar = new Jar();
    const callback = await toCallback(jar, "replayer");
    const flowCookie = jar.get("hearth_oidc")!;
    expect((await finish(jar, callback)).member).not.toBeNull();
    const replayJar = new Jar();
    replayJar.set("hearth_oidc", flowCookie, "/api/oidc/");
    const replayed = await finish(replayJar, callback);
    expect(replayed.location).toBe("/?signin=failed");
    expect(replayed.member).toBeNull();

    // Login CSRF: someone else's callback link opened in a browser that started no flow.
    const attacker = new Jar();
    const attackersCallback = await toCallback(attacker, "attacker");
    const victim = new Jar();
    const planted = await finish(victim, attackersCallback);
    expect(planted.location).toBe("/?signin=failed");
    expect(planted.member).toBeNull();
  });

  // Last: over everything every test above made the app send.
  it("never sends a provider code or token (or the client secret) in any body or redirect, in any of the flows above", () => {
    expect(fromApp.length).toBeGreaterThan(20);
    for (const secret of [...idp.issued, idp.clientSecret]) for (const text of fromApp) expect(text).not.toContain(secret);
  });
});
