/**
 * Identity that lasts, in a real Chromium (issue 13): a guest adds a passkey
 * and so becomes an account in place; another browser (another device, its
 * own cookies and its own authenticator holding the same passkey) signs in
 * with it and is the same member — still the owner of the room it created;
 * a one-time code links a third; and no request URL or socket frame of any
 * of them ever carries a session or invite secret.
 *
 * WebAuthn needs a secure context and a domain as relying party, so the
 * pages use http://localhost:PORT (not 127.0.0.1). The authenticators are
 * the DevTools protocol's virtual ones.
 */
import type { BrowserContext, CDPSession, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { memberId, messageRow, openRoom, send, waitOnline, watchPage } from "./browser";
import { useBrowserRoom } from "./fixture";

const fixture = useBrowserRoom();
/** WebAuthn wants a domain: the pages use localhost, not 127.0.0.1. */
const base = () => fixture.server.url.replace("127.0.0.1", "localhost");
/** Every URL requested and every frame sent or received, by any page here. */
const seenUrls: string[] = [];
const seenFrames: string[] = [];

interface Device {
  context: BrowserContext;
  page: Page;
  cdp: CDPSession;
  authenticatorId: string;
  problems: string[];
}

async function device(): Promise<Device> {
  const context = await fixture.browser.newContext({ baseURL: base() });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  // Collected for failure messages, not checked: a device without a session
  // sees 401s by design (GET /api/me, a spent one-time code).
  const problems: string[] = [];
  watchPage(page, problems);
  page.on("request", (r) => seenUrls.push(r.url()));
  page.on("websocket", (ws) => {
    seenUrls.push(ws.url());
    ws.on("framesent", (f) => seenFrames.push(String(f.payload)));
    ws.on("framereceived", (f) => seenFrames.push(String(f.payload)));
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { context, page, cdp, authenticatorId, problems };
}

async function sessionCookie(d: Device): Promise<string> {
  const cookie = (await d.context.cookies()).find((c) => c.name === "hearth_session");
  if (!cookie) throw new Error("no session cookie");
  return cookie.value;
}


const secrets = new Set<string>();

describe("identity across devices", () => {
  let laptop: Device;
  let roomPath: string;
  let aliceId: string;

  it("upgrades a guest in place with a passkey: same member, same room", async () => {
    laptop = await device();
    await laptop.page.goto("/");
    await laptop.page.getByTestId("display-name-input").fill("Alice");
    await laptop.page.getByTestId("display-name-save").click();
    await laptop.page.getByTestId("create-private-room").waitFor();
    await laptop.page.getByTestId("create-private-room").click();
    await laptop.page.waitForURL(/\/r\/p_/);
    await waitOnline(laptop.page);
    roomPath = new URL(laptop.page.url()).pathname;
    aliceId = await memberId(laptop.page);
    secrets.add(await sessionCookie(laptop));
    const hello = `written as a guest ${Date.now()}`;
    await send(laptop.page, hello);
    await messageRow(laptop.page, hello).waitFor();
    // An invite link, whose token must never reach a URL a server sees.
    await laptop.page.getByTestId("create-invite-member").click();
    const link = await laptop.page.getByTestId("invite-member-link").inputValue();
    secrets.add(decodeURIComponent(new URL(link).hash.replace(/^#invite=/, "")));

    await laptop.page.goto("/settings");
    await laptop.page.getByTestId("no-passkeys").waitFor();
    await laptop.page.getByTestId("passkey-add").click();
    await laptop.page.getByTestId("passkey").first().waitFor();
    expect(await laptop.page.getByTestId("passkey").count()).toBe(1);
    // Still the same member: the upgrade changed nothing about who Alice is.
    expect(await memberId(laptop.page)).toBe(aliceId);
    const { credentials } = await laptop.cdp.send("WebAuthn.getCredentials", { authenticatorId: laptop.authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]!.isResidentCredential).toBe(true);
  });

  it("signs in on another device with the passkey as the same member, still the room's owner", async () => {
    const phone = await device();
    // The phone's authenticator holds the same passkey (a synced passkey).
    const { credentials } = await laptop.cdp.send("WebAuthn.getCredentials", { authenticatorId: laptop.authenticatorId });
    await phone.cdp.send("WebAuthn.addCredential", { authenticatorId: phone.authenticatorId, credential: credentials[0]! });

    await phone.page.goto("/");
    await phone.page.getByTestId("passkey-sign-in").click();
    await phone.page.getByTestId("settings-link").waitFor();
    expect(await memberId(phone.page)).toBe(aliceId);
    secrets.add(await sessionCookie(phone));

    // The private room lets the phone in without an invite, as its owner.
    await openRoom(phone.page, roomPath);
    await phone.page.getByTestId("create-invite-member").waitFor();
    const fromPhone = `written on the phone ${Date.now()}`;
    await send(phone.page, fromPhone);
    // The laptop, still in the room's page? It left for settings; the message is stored as Alice's.
    await messageRow(phone.page, fromPhone).waitFor();
    expect(await messageRow(phone.page, fromPhone).getAttribute("data-author")).toBe("Alice");
    // My rooms lists the room on the phone, with the role, from the account.
    await phone.page.goto("/");
    const mine = phone.page.locator(`[data-testid="my-room"][data-room="${roomPath.slice(3)}"]`);
    await mine.waitFor();
    expect(await mine.getAttribute("data-role")).toBe("owner");

    // A synced passkey carries its signature counter to every device; a
    // copy that fell behind looks like a cloned authenticator and is refused.
    const phoneCopy = (await phone.cdp.send("WebAuthn.getCredentials", { authenticatorId: phone.authenticatorId })).credentials[0]!;
    const stale = credentials[0]!;
    expect(phoneCopy.signCount).toBeGreaterThan(stale.signCount);
    await laptop.cdp.send("WebAuthn.removeCredential", { authenticatorId: laptop.authenticatorId, credentialId: stale.credentialId });
    await laptop.cdp.send("WebAuthn.addCredential", { authenticatorId: laptop.authenticatorId, credential: phoneCopy });
    await phone.context.close();
  });

  it("gets the same member back with the passkey after the session is gone", async () => {
    await laptop.context.clearCookies();
    await laptop.page.goto(roomPath);
    await laptop.page.getByTestId("session-expired").waitFor();
    await laptop.page.getByTestId("passkey-sign-in").click();
    await waitOnline(laptop.page);
    expect(await memberId(laptop.page)).toBe(aliceId);
    await laptop.page.getByTestId("create-invite-member").waitFor();
    secrets.add(await sessionCookie(laptop));
  });

  it("links a third device with a one-time code that works once", async () => {
    await laptop.page.goto("/settings");
    await laptop.page.getByTestId("device-code-create").click();
    const code = await laptop.page.getByTestId("device-code").innerText();
    expect(code).toMatch(/^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/);

    const tablet = await device();
    await tablet.page.goto("/");
    await tablet.page.getByTestId("device-code-input").fill(code);
    await tablet.page.getByTestId("device-code-submit").click();
    await tablet.page.getByTestId("settings-link").waitFor();
    expect(await memberId(tablet.page)).toBe(aliceId);
    secrets.add(await sessionCookie(tablet));

    // The same code again, on a fourth browser: refused.
    const other = await device();
    await other.page.goto("/");
    await other.page.getByTestId("device-code-input").fill(code);
    await other.page.getByTestId("device-code-submit").click();
    expect(await other.page.getByTestId("sign-in-error").innerText()).toMatch(/does not work/);
    await tablet.context.close();
    await other.context.close();
  });

  it("removes a passkey from the settings view", async () => {
    await laptop.page.goto("/settings");
    await laptop.page.getByTestId("passkey-remove").first().click();
    await laptop.page.getByTestId("no-passkeys").waitFor();
    // The removed passkey signs nobody in any more.
    await laptop.context.clearCookies();
    await laptop.page.goto("/");
    await laptop.page.getByTestId("passkey-sign-in").click();
    expect(await laptop.page.getByTestId("sign-in-error").innerText()).toMatch(/not known/);
  });

  it("never put a session or invite secret into a URL or a frame", () => {
    expect(secrets.size).toBeGreaterThanOrEqual(5);
    expect(seenUrls.length).toBeGreaterThan(10);
    expect(seenFrames.length).toBeGreaterThan(10);
    for (const secret of secrets) {
      for (const url of seenUrls) expect(decodeURIComponent(url).includes(secret), url).toBe(false);
      for (const frame of seenFrames) expect(frame.includes(secret), frame.slice(0, 200)).toBe(false);
    }
  });
});

describe("the page-load identity check", () => {
  it("keeps a name saved while the first GET /api/me is still on its way (a slow server under load)", async () => {
    const d = await device();
    // Hold the page-load /api/me until the name has been saved: its answer
    // ("nobody", for the cookie-less request it was) arrives last.
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let held = 0;
    await d.page.route("**/api/me", async (route) => {
      if (held++ > 0) return route.continue();
      // Answered by the server now (no cookie yet), delivered later.
      const response = await route.fetch();
      await released;
      await route.fulfill({ response });
    });
    await d.page.goto("/");
    await d.page.getByTestId("display-name-input").fill("Late Me");
    await d.page.getByTestId("display-name-save").click();
    await d.page.getByTestId("settings-link").waitFor();
    expect(held).toBe(1);
    const answered = d.page.waitForResponse("**/api/me");
    release();
    // Let the held answer land (and the page act on it): still "Late Me".
    await answered;
    await d.page.waitForTimeout(200);
    expect(await d.page.getByTestId("session-expired").count()).toBe(0);
    expect(await d.page.getByTestId("create-private-room").isEnabled()).toBe(true);
    await d.context.close();
  });
});
