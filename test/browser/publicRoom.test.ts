/**
 * Two people in a public room, in a real Chromium against `wrangler dev`:
 * delivery, history after reload, typing, presence, and the lobby's counts.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { createSession } from "../support/node-member";
import { eventually, messageRow, openRoom, send, uniqueRoom, waitOnline } from "./browser";
import { useBrowserRoom } from "./fixture";

const fixture = useBrowserRoom({ members: ["Alice", "Bob"] });
const [alice, bob] = fixture.members;
const room = uniqueRoom("pub");
const hello = `hello from alice ${Date.now()}`;

function lobbyOnline(page: Page): Promise<string | null> {
  return page
    .locator(`[data-testid="lobby-room"][data-room="${room}"]`)
    .getAttribute("data-online", { timeout: 1000 })
    .catch(() => null);
}

function presenceIds(page: Page): Promise<string[]> {
  return page
    .getByTestId("presence-member")
    .evaluateAll((els) => els.map((el) => el.getAttribute("data-member-id") ?? "").sort());
}

describe("a public room", () => {
  it("is created from the landing page's form (the name normalised), and entered from it", async () => {
    // Rooms are created explicitly (issue 14): Create makes Alice its owner.
    await alice.page.getByTestId("room-name-input").fill(room.toUpperCase());
    await alice.page.getByTestId("create-public-room").click();
    await waitOnline(alice.page);
    expect(new URL(alice.page.url()).pathname).toBe(`/r/${room}`);
    // Bob types the same name and joins it.
    await bob.page.goto("/");
    // As a person would, once the landing page has loaded its lobby list (leaving
    // while the lobby socket is still connecting makes Chromium log a warning).
    await bob.page.getByTestId("lobby-room").or(bob.page.getByText("No public rooms yet.")).first().waitFor();
    await bob.page.getByTestId("room-name-input").fill(room);
    await bob.page.getByTestId("join-room").click();
    await waitOnline(bob.page);
    expect(new URL(bob.page.url()).pathname).toBe(`/r/${room}`);
  });

  it("delivers a message to the other member with its author", async () => {
    await openRoom(bob.page, `/r/${room}`);
    await send(alice.page, hello);

    const seen = messageRow(bob.page, hello);
    await seen.waitFor();
    expect(await seen.getAttribute("data-author")).toBe("Alice");
    expect(await seen.getAttribute("data-author-id")).toBe(alice.id);
    expect(await seen.getAttribute("data-state")).toBe("sent");
    expect(Number(await seen.getAttribute("data-seq"))).toBeGreaterThan(0);
    expect(await seen.getByTestId("message-text").innerText()).toBe(hello);

    // The sender's own row leaves the pending state once the server confirmed it.
    const own = alice.page.locator('[data-testid="message"][data-state="sent"]').filter({ hasText: hello });
    await own.waitFor();
    expect(await own.getAttribute("data-seq")).toBe(await seen.getAttribute("data-seq"));
    expect(await alice.page.getByTestId("message").filter({ hasText: hello }).count()).toBe(1);
  });

  it("shows edits and deletions of one's own messages to the others", async () => {
    const draft = `draft ${Date.now()}`;
    const fixed = `fixed ${Date.now()}`;
    await send(alice.page, draft);
    const sent = alice.page.locator('[data-testid="message"][data-state="sent"]').filter({ hasText: draft });
    await sent.waitFor();
    const seq = await sent.getAttribute("data-seq");
    // By seq: the text this test changes cannot identify the row.
    const own = alice.page.locator(`[data-testid="message"][data-seq="${seq}"]`);
    const theirs = bob.page.locator(`[data-testid="message"][data-seq="${seq}"]`);
    await theirs.waitFor();
    expect(await theirs.getByRole("button", { name: /edit/i }).count()).toBe(0);

    await own.hover();
    await own.getByRole("button", { name: /edit/i }).click();
    const editor = own.getByRole("textbox", { name: /edit message/i });
    await editor.fill(fixed);
    await editor.press("Enter");
    await theirs.filter({ hasText: fixed }).waitFor();
    expect(await theirs.innerText()).toContain("(edited)");
    expect(await theirs.innerText()).not.toContain(draft);

    await own.hover();
    await own.getByRole("button", { name: /delete/i }).click();
    await own.getByRole("button", { name: /confirm delete/i }).click();
    await theirs.filter({ hasText: "message deleted" }).waitFor();
    expect(await theirs.innerText()).not.toContain(fixed);
  });

  it("keeps the history across a reload", async () => {
    await bob.page.reload();
    await waitOnline(bob.page);
    const row = messageRow(bob.page, hello);
    await row.waitFor();
    expect(await row.getAttribute("data-author")).toBe("Alice");
  });

  it("shows the other member typing, but not oneself", async () => {
    const aliceTyping = alice.page.getByTestId("typing-line");
    expect(await aliceTyping.innerText()).not.toContain("Bob");
    await bob.page.getByTestId("composer-input").pressSequentially("still thinking", { delay: 20 });
    await eventually(async () => (await aliceTyping.innerText()).includes("Bob is typing"), true);
    expect(await bob.page.getByTestId("typing-line").innerText()).not.toContain("Bob");

    // Emptying the composer takes the indicator away without waiting for it to expire.
    await bob.page.getByTestId("composer-input").fill("");
    await eventually(async () => (await aliceTyping.innerText()).includes("Bob"), false, 4000);
  });

  it("lists each present member once, even with two tabs", async () => {
    const expected = [alice.id, bob.id].sort();
    await eventually(() => presenceIds(alice.page), expected);

    const secondTab = await alice.context.newPage();
    await openRoom(secondTab, `/r/${room}`);
    await eventually(() => presenceIds(bob.page), expected);
    await eventually(() => presenceIds(secondTab), expected);
    const self = secondTab.locator(`[data-testid="presence-member"][data-member-id="${alice.id}"]`);
    expect(await self.innerText()).toContain("(you)");
    await secondTab.close();
    await eventually(() => presenceIds(bob.page), expected);
  });

  it("shows a rename to the others without leaving the room", async () => {
    let newSockets = 0;
    bob.page.on("websocket", () => newSockets++);
    const form = bob.page.locator(".room-sidebar");
    await form.getByTestId("display-name-input").fill("Robert");
    await form.getByTestId("display-name-save").click();
    const seenByAlice = alice.page.locator(`[data-testid="presence-member"][data-member-id="${bob.id}"]`);
    await eventually(async () => (await seenByAlice.innerText()).includes("Robert"), true);
    // The open socket carried the rename (set_name); nothing reconnected.
    expect(newSockets).toBe(0);
    // Same member, new name: the identity survived the rename.
    expect(await bob.page.evaluate(() => JSON.parse(localStorage.getItem("hearth.session") ?? "null")?.member?.id)).toBe(bob.id);
  });

  it("shows the room in the lobby with a live online count", async () => {
    const watcherContext = await fixture.browser.newContext({ baseURL: fixture.server.url });
    const watcher = await watcherContext.newPage();
    await watcher.goto("/");
    await eventually(() => lobbyOnline(watcher), "2");

    const carol = await fixture.newMember("Carol");
    await openRoom(carol.page, `/r/${room}`);
    await eventually(() => lobbyOnline(watcher), "3");

    await carol.context.close();
    await eventually(() => lobbyOnline(watcher), "2");

    // The row links into the room.
    const link = watcher.locator(`[data-testid="lobby-room"][data-room="${room}"] a`);
    expect(await link.getAttribute("href")).toBe(`/r/${room}`);
    await watcherContext.close();
  });

  it("moves an older client's stored token into the cookie, as the same member", async () => {
    // What a browser that ran the previous version has: a token in localStorage.
    const legacy = await createSession(fixture.server.url, "Erin");
    const context = await fixture.browser.newContext({ baseURL: fixture.server.url });
    const page = await context.newPage();
    await page.goto("/");
    await page.evaluate((stored) => localStorage.setItem("hearth.session", JSON.stringify(stored)), {
      token: legacy.token,
      member: { id: legacy.id, name: "Erin" },
      expiresAt: Date.now() + 86_400_000,
    });
    await openRoom(page, `/r/${room}`);
    const seen = alice.page.locator(`[data-testid="presence-member"][data-member-id="${legacy.id}"]`);
    await seen.waitFor();
    // The token left the page's storage; the session is now an HttpOnly cookie.
    const stored = await page.evaluate(() => JSON.parse(localStorage.getItem("hearth.session") ?? "null"));
    expect(stored.token).toBeUndefined();
    expect(stored.member.id).toBe(legacy.id);
    const cookie = (await context.cookies()).find((c) => c.name === "hearth_session");
    expect(cookie?.httpOnly).toBe(true);
    await context.close();
  });

  it("says so when the session is refused, instead of quietly becoming someone else", async () => {
    const dave = await fixture.newMember("Dave");
    await dave.context.addCookies([{ name: "hearth_session", value: "not-a-valid-token", url: fixture.server.url }]);
    await dave.page.goto(`/r/${room}`);
    await dave.page.getByTestId("session-expired").waitFor();
    expect(await dave.page.getByTestId("session-expired").innerText()).toContain("Dave");
    // No socket was opened as a new member.
    const stored = await dave.page.evaluate(() => JSON.parse(localStorage.getItem("hearth.session") ?? "null"));
    expect(stored.member.id).toBe(dave.id);
    await dave.context.close();
  });
});
