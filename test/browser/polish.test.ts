/**
 * The finish people notice, in a real Chromium against `wrangler dev`: the
 * web app manifest and its icons are served, the header's toggles are SVG
 * icons (no emoji), the landing page describes today's product, and on a
 * phone (390×844) the room fits the screen and its panels open as sheets
 * that Escape closes. Screenshots of the phone views, light and dark, go to
 * test-artifacts/ for a person to look at.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { artifactPath, messageRow, openRoom, send, uniqueRoom } from "./browser";
import { useBrowserRoom } from "./fixture";

const PHONE = { width: 390, height: 844 };
const fixture = useBrowserRoom({
  members: ["Alice", { name: "Pia", options: { viewport: PHONE, isMobile: true, hasTouch: true } }],
});
const [alice, pia] = fixture.members;
const room = uniqueRoom("polish");

const screenshot = (page: Page, name: string) => page.screenshot({ path: artifactPath(`${name}.png`) });

/** Emoji and other pictographs, which the client no longer uses as icons. */
const PICTOGRAPH = /\p{Extended_Pictographic}/u;

/** Whether the page scrolls sideways (the phone layout must not). */
const overflowsSideways = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);

describe("polish", () => {
  it("serves an installable manifest with an SVG icon and a maskable one", async () => {
    const base = fixture.server.url;
    await alice.page.goto("/");
    const href = await alice.page.locator('link[rel="manifest"]').getAttribute("href");
    expect(href).toBe("/manifest.webmanifest");
    const res = await fetch(new URL(href!, base));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/manifest\+json/);
    const manifest = (await res.json()) as {
      name: string;
      start_url: string;
      display: string;
      icons: Array<{ src: string; type: string; purpose: string }>;
    };
    expect(manifest).toMatchObject({ name: "Hearth", start_url: "/", display: "standalone" });
    expect(manifest.icons.map((i) => i.purpose).sort()).toEqual(["any", "maskable"]);
    for (const icon of manifest.icons) {
      const image = await fetch(new URL(icon.src, base));
      expect(image.status, icon.src).toBe(200);
      expect(image.headers.get("content-type"), icon.src).toMatch(/^image\/svg\+xml/);
      expect(await image.text(), icon.src).toMatch(/^<svg[^>]+viewBox="0 0 512 512"/);
    }
  });

  it("describes the assistant on the landing page, not as coming soon", async () => {
    await alice.page.goto("/");
    const header = alice.page.locator(".landing-header");
    const text = await header.innerText();
    expect(text).toContain("AI assistant");
    expect(text).toContain("@assistant");
    expect(text).toMatch(/passkey/i);
    expect(text).not.toMatch(/soon/i);
    // Pia is still on the landing page she signed in on, on her phone.
    expect(await pia.page.locator(".landing-header").innerText()).toContain("@assistant");
    expect(await overflowsSideways(pia.page)).toBe(false);
    await screenshot(pia.page, "phone-landing");
  });

  it("draws the header's toggles with SVG icons, keeping their names", async () => {
    await openRoom(alice.page, `/r/${room}`);
    for (const [name, label] of [
      ["reminders", "Reminders"],
      ["mcp", "MCP"],
      ["scripts", "Scripts"],
    ] as const) {
      const toggle = alice.page.getByTestId(`${name}-toggle`);
      expect(await toggle.locator('svg[aria-hidden="true"]').count(), name).toBe(1);
      expect(await toggle.innerText(), name).not.toMatch(PICTOGRAPH);
      expect(await alice.page.getByRole("button", { name: label, exact: true }).count(), name).toBe(1);
    }
    // A wide screen shows the sidebar itself: no members toggle.
    expect(await alice.page.getByTestId("members-toggle").isVisible()).toBe(false);
    expect(await alice.page.locator(".room-layout").innerText()).not.toMatch(PICTOGRAPH);

    // Opening a panel moves the focus into it, so Escape reaches it at once.
    const toggle = alice.page.getByTestId("reminders-toggle");
    await toggle.click();
    const panel = alice.page.getByTestId("reminders-panel");
    await panel.waitFor();
    expect(await panel.evaluate((el) => el.contains(document.activeElement))).toBe(true);
    await screenshot(alice.page, "desktop-reminders-panel");
    await alice.page.keyboard.press("Escape");
    await expect.poll(() => panel.isVisible()).toBe(false);
    expect(await toggle.evaluate((el) => el === document.activeElement)).toBe(true);
  });

  it("fits a phone: no sideways scrolling, the composer on screen, long words wrapped", async () => {
    await openRoom(pia.page, `/r/${room}`);
    await send(pia.page, `a long word ${"x".repeat(300)} and \`${"code".repeat(60)}\``);
    await messageRow(pia.page, "a long word").waitFor();
    expect(await overflowsSideways(pia.page)).toBe(false);
    const header = await pia.page.locator(".room-header").evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    expect(header.scroll).toBeLessThanOrEqual(header.client);
    const composer = await pia.page.getByTestId("composer-input").boundingBox();
    expect(composer).not.toBeNull();
    expect(composer!.x).toBeGreaterThanOrEqual(0);
    expect(composer!.x + composer!.width).toBeLessThanOrEqual(PHONE.width);
    expect(composer!.y + composer!.height).toBeLessThanOrEqual(PHONE.height);
    // The sidebar waits behind its toggle, leaving the screen to the chat.
    expect(await pia.page.getByTestId("presence-member").first().isVisible()).toBe(false);
    await screenshot(pia.page, "phone-room");
  });

  it("opens the members as a full-width sheet on a phone, which Escape closes", async () => {
    const toggle = pia.page.getByTestId("members-toggle");
    expect(await toggle.locator("svg").count()).toBe(1);
    await toggle.click();
    const sheet = pia.page.locator(".room-sidebar");
    await pia.page.getByTestId("presence-member").first().waitFor();
    const box = await sheet.boundingBox();
    expect(box).toMatchObject({ x: 0, y: 0, width: PHONE.width, height: PHONE.height });
    expect(await overflowsSideways(pia.page)).toBe(false);
    await screenshot(pia.page, "phone-members-sheet");
    await pia.page.keyboard.press("Escape");
    await expect.poll(() => sheet.isVisible()).toBe(false);
    expect(await toggle.getAttribute("aria-expanded")).toBe("false");
    expect(await toggle.evaluate((el) => el === document.activeElement)).toBe(true);
  });

  it("opens a side panel as a sheet on a phone, with a close button", async () => {
    await pia.page.getByTestId("reminders-toggle").click();
    const panel = pia.page.getByTestId("reminders-panel");
    await panel.waitFor();
    expect((await pia.page.locator(".room-panel").boundingBox())?.width).toBe(PHONE.width);
    expect(await overflowsSideways(pia.page)).toBe(false);
    await pia.page.getByRole("button", { name: "Close reminders" }).click();
    await expect.poll(() => panel.isVisible()).toBe(false);
  });

  it("has a dark theme that follows the system", async () => {
    await pia.page.emulateMedia({ colorScheme: "dark" });
    try {
      // --bg of the dark theme in client/src/global.css.
      const background = () => pia.page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
      expect(await background()).toBe("rgb(22, 20, 18)");
      await screenshot(pia.page, "phone-room-dark");
      await pia.page.getByTestId("members-toggle").click();
      await pia.page.getByTestId("presence-member").first().waitFor();
      await screenshot(pia.page, "phone-members-sheet-dark");
      await pia.page.keyboard.press("Escape");
      await pia.page.emulateMedia({ colorScheme: "light" });
      expect(await background()).toBe("rgb(246, 245, 242)");
    } finally {
      await pia.page.emulateMedia({ colorScheme: null });
    }
  });
});
