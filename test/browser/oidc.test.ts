/**
 * Sign-in with an OpenID Connect provider in a real Chromium (issue 13):
 * a guest links the provider from Settings and stays the same member; a
 * second browser signs in with "Sign in with …" on the landing page and is
 * that member too. The provider is a real `oidc-provider` on 127.0.0.1 that
 * signs in whoever the test names. The browser ends on clean URLs, and no
 * token the provider issued shows in any URL or socket frame.
 */
import type { Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { startAppWithOidc, type TestOidcProvider } from "../support/oidc-provider";
import { memberId, messageRow, openRoom, send, uniqueRoom } from "./browser";
import { useBrowserRoom } from "./fixture";

let idp: TestOidcProvider;
afterAll(async () => {
  await idp?.stop();
});
const fixture = useBrowserRoom({
  server: async () => {
    const started = await startAppWithOidc();
    idp = started.idp;
    return started.app;
  },
});
const seenUrls: string[] = [];
const seenFrames: string[] = [];

async function newPage(): Promise<{ page: Page; problems: string[] }> {
  const context = await fixture.browser.newContext({ baseURL: fixture.server.url });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const problems = fixture.watch(page, "page");
  page.on("request", (r) => seenUrls.push(r.url()));
  page.on("websocket", (ws) => {
    ws.on("framesent", (f) => seenFrames.push(String(f.payload)));
    ws.on("framereceived", (f) => seenFrames.push(String(f.payload)));
  });
  return { page, problems };
}


describe("OpenID Connect in the browser", () => {
  it("links the provider from Settings in place, and signs a second browser in as the same member", async () => {
    const laptop = await newPage();
    await laptop.page.goto("/");
    await laptop.page.getByTestId("display-name-input").fill("Olive");
    await laptop.page.getByTestId("display-name-save").click();
    await laptop.page.getByTestId("settings-link").waitFor();
    const oliveId = await memberId(laptop.page);

    idp.signInAs("olive-at-testid");
    await laptop.page.goto("/settings");
    await laptop.page.getByTestId("oidc-link").click();
    await laptop.page.getByTestId("identities").waitFor();
    expect(await laptop.page.getByTestId("identities").innerText()).toContain("Signed in with TestID");
    // Back on a clean URL, as the same member; nothing more to link.
    expect(new URL(laptop.page.url()).pathname + new URL(laptop.page.url()).search).toBe("/settings");
    expect(await memberId(laptop.page)).toBe(oliveId);
    expect(await laptop.page.getByTestId("oidc-link").count()).toBe(0);

    const phone = await newPage();
    await phone.page.goto("/");
    await phone.page.getByTestId("oidc-sign-in").click();
    await phone.page.getByTestId("settings-link").waitFor();
    expect(new URL(phone.page.url()).search).toBe("");
    expect(await memberId(phone.page)).toBe(oliveId);

    const room = uniqueRoom("oidc");
    await openRoom(phone.page, `/r/${room}`);
    const text = `hello via TestID ${Date.now()}`;
    await send(phone.page, text);
    await messageRow(phone.page, text).waitFor();
    expect(await messageRow(phone.page, text).getAttribute("data-author")).toBe("Olive");

    // The code rode once in the callback URL (that is OAuth); no token ever did, nor in a frame.
    const tokens = idp.issued.filter((t) => t.split(".").length === 3);
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    for (const t of [...tokens, idp.clientSecret]) {
      for (const u of seenUrls) expect(u).not.toContain(t);
      for (const f of seenFrames) expect(f).not.toContain(t);
    }
    expect(laptop.problems.filter((p) => !/favicon/.test(p))).toEqual([]);
  });

  it("comes back to the landing page with a message when the sign-in fails", async () => {
    const stranger = await newPage();
    // A callback this browser never started.
    await stranger.page.goto("/api/oidc/callback?code=planted&state=planted");
    await stranger.page.getByTestId("oidc-failed").waitFor();
    expect(new URL(stranger.page.url()).pathname).toBe("/");
    expect(await memberId(stranger.page)).toBeUndefined();
  });
});
