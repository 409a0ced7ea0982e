/**
 * A private room: the owner creates it and hands out invite links; a viewer
 * reads but cannot write (not even with a hand-made frame); a stranger
 * without an invite is refused with a reason and no retry loop.
 */
import { describe, expect, it } from "vitest";
import { PRIVATE_ROOM_PATTERN } from "../../shared/rooms";
import { eventually, messageRow, openRoom, send, waitOnline } from "./browser";
import { useBrowserRoom } from "./fixture";

const fixture = useBrowserRoom({ members: ["Olivia", "Victor"] });
const [owner, viewer] = fixture.members;
let roomPath = "";
let viewerLink = "";
const secret = `secret plans ${Date.now()}`;

describe("a private room", () => {
  it("is created by its owner from the landing page", async () => {
    await owner.page.getByTestId("create-private-room").click();
    await waitOnline(owner.page);
    roomPath = new URL(owner.page.url()).pathname;
    const room = roomPath.replace(/^\/r\//, "");
    expect(room).toMatch(PRIVATE_ROOM_PATTERN);
    const self = owner.page.locator(`[data-testid="presence-member"][data-member-id="${owner.id}"]`);
    expect(await self.innerText()).toMatch(/owner/i);
    await send(owner.page, secret);
    await owner.page.locator('[data-testid="message"][data-state="sent"]').filter({ hasText: secret }).waitFor();
  });

  it("gives the owner a viewer invite link", async () => {
    await owner.page.getByTestId("create-invite-viewer").click();
    const field = owner.page.getByTestId("invite-viewer-link");
    await field.waitFor();
    viewerLink = await field.inputValue();
    const url = new URL(viewerLink);
    expect(url.origin).toBe(fixture.server.url);
    expect(url.pathname).toBe(roomPath);
    expect(url.hash).toMatch(/^#invite=./);
  });

  it("lets the viewer read but not write", async () => {
    await openRoom(viewer.page, viewerLink);
    const row = messageRow(viewer.page, secret);
    await row.waitFor();
    expect(await row.getAttribute("data-author")).toBe("Olivia");

    expect(await viewer.page.getByTestId("composer-input").isDisabled()).toBe(true);
    expect(await viewer.page.getByTestId("composer-send").isDisabled()).toBe(true);
    expect(await viewer.page.locator(".composer").innerText()).toMatch(/viewer/i);
    const self = viewer.page.locator(`[data-testid="presence-member"][data-member-id="${viewer.id}"]`);
    expect(await self.innerText()).toMatch(/viewer/i);
    // Invites are the owner's business only.
    expect(await viewer.page.getByTestId("create-invite-viewer").count()).toBe(0);
  });

  it("answers a forged send from the viewer with read_only, and stores nothing", async () => {
    const room = roomPath.replace(/^\/r\//, "");
    const forged = `forged ${Date.now()}`;
    const answer = await viewer.page.evaluate(
      ({ room, forged }) =>
        new Promise<string>((resolve) => {
          // Same origin: the browser sends the session cookie with the upgrade.
          const ws = new WebSocket(`ws://${location.host}/agents/chat-room/${room}`);
          const timer = setTimeout(() => resolve("timeout"), 8000);
          ws.onmessage = (e) => {
            const frame = JSON.parse(String(e.data)) as { type: string; code?: string };
            if (frame.type === "welcome") {
              ws.send(JSON.stringify({ type: "send", id: "forged-0001", text: forged }));
            } else if (frame.type === "error" || frame.type === "ack") {
              clearTimeout(timer);
              ws.close();
              resolve(frame.type === "error" ? `error:${frame.code}` : "ack");
            }
          };
        }),
      { room, forged },
    );
    expect(answer).toBe("error:read_only");
    await owner.page.waitForTimeout(300);
    expect(await messageRow(owner.page, forged).count()).toBe(0);
  });

  it("lets a member invited as member write", async () => {
    await owner.page.getByTestId("create-invite-member").click();
    const memberLink = await owner.page.getByTestId("invite-member-link").inputValue();
    const mia = await fixture.newMember("Mia");
    await openRoom(mia.page, memberLink);
    expect(await mia.page.getByTestId("composer-input").isDisabled()).toBe(false);
    const text = `member says hi ${Date.now()}`;
    await send(mia.page, text);
    const row = messageRow(owner.page, text);
    await row.waitFor();
    expect(await row.getAttribute("data-author")).toBe("Mia");
    await mia.context.close();
  });

  it("refuses a member without an invite, shows why, and does not retry", async () => {
    const stranger = await fixture.newMember("Stan");
    let sockets = 0;
    stranger.page.on("websocket", (ws) => {
      if (ws.url().includes("/agents/chat-room/")) sockets++;
    });
    await stranger.page.goto(roomPath);
    const reason = stranger.page.getByTestId("refused-reason");
    await reason.waitFor();
    expect((await reason.innerText()).trim().length).toBeGreaterThan(5);
    expect(await stranger.page.locator('[data-testid="connection-status"]').getAttribute("data-status")).toBe(
      "refused",
    );
    expect(await stranger.page.getByRole("link", { name: /lobby/i }).getAttribute("href")).toBe("/");
    expect(await messageRow(stranger.page, secret).count()).toBe(0);
    // partysocket's first retry would come within a few seconds.
    await stranger.page.waitForTimeout(4500);
    expect(sockets).toBe(1);
    await stranger.context.close();
  });

  it("shows the owner the people who came in", async () => {
    await eventually(
      () =>
        owner.page
          .getByTestId("presence-member")
          .evaluateAll((els) => els.map((el) => el.getAttribute("data-member-id") ?? "").sort()),
      [owner.id, viewer.id].sort(),
    );
  });
});
