/**
 * Running a room (issue 14) in Chromium: two members of a public room; the
 * owner removes the other from the members view, and the other's window
 * shows the reason at once and does not reconnect; the owner hands a room
 * over; invites are limited and revoked.
 */
import { describe, expect, it } from "vitest";
import { openRoom, uniqueRoom, waitOnline } from "./browser";
import { useBrowserRoom } from "./fixture";

const fixture = useBrowserRoom({ members: ["Olivia", "Milo"] });
const [owner, other] = fixture.members;

describe("members view", () => {
  it("lets the owner remove a member, whose window says why and stops reconnecting", async () => {
    const room = `/r/${uniqueRoom("members")}`;
    await openRoom(owner.page, room);
    await waitOnline(owner.page);
    let sockets = 0;
    other.page.on("websocket", (ws) => {
      if (ws.url().includes("/agents/chat-room/")) sockets++;
    });
    await openRoom(other.page, room);
    await waitOnline(other.page);

    const row = owner.page.locator(`[data-testid="member-row"][data-member-id="${other.id}"]`);
    await row.waitFor();
    expect(await row.innerText()).toMatch(/member/);
    // Searching narrows the list.
    await owner.page.getByTestId("members-search").fill("oliv");
    await row.waitFor({ state: "detached" });
    await owner.page.getByTestId("members-search").fill("");
    // A member sees no management controls.
    expect(await other.page.getByTestId("member-remove").count()).toBe(0);

    owner.page.once("dialog", (d) => void d.accept());
    await row.getByTestId("member-remove").click();

    const reason = other.page.getByTestId("refused-reason");
    await reason.waitFor();
    expect(await reason.innerText()).toMatch(/removed from this room by Olivia/);
    expect(await other.page.locator('[data-testid="connection-status"]').getAttribute("data-status")).toBe("refused");
    await row.waitFor({ state: "detached" });
    // partysocket's first retry would come within a few seconds.
    await other.page.waitForTimeout(4500);
    expect(sockets).toBe(1);
  });

  it("lets the owner hand the room over from the members view: both windows follow at once", async () => {
    const room = `/r/${uniqueRoom("handover")}`;
    await openRoom(owner.page, room);
    await openRoom(other.page, room);
    const otherRow = owner.page.locator(`[data-testid="member-row"][data-member-id="${other.id}"]`);
    await otherRow.waitFor();
    expect(await other.page.getByTestId("room-settings").count()).toBe(0);

    owner.page.once("dialog", (d) => void d.accept());
    await otherRow.getByTestId("member-transfer").click();
    // The new owner's window gets the owner's controls, the old owner's loses them.
    await other.page.getByTestId("room-settings").waitFor();
    await owner.page.locator(`[data-testid="member-row"][data-member-id="${owner.id}"][data-role="member"]`).waitFor();
    await owner.page.getByTestId("room-settings").waitFor({ state: "detached" });
    expect(await owner.page.getByTestId("member-transfer").count()).toBe(0);
    await other.page.getByText(/Olivia handed the room over to Milo/).first().waitFor();
  });

  it("lets the owner limit an invite's uses, see it listed, and revoke it; the revoked link says so", async () => {
    await owner.page.goto("/");
    await owner.page.getByTestId("create-private-room").click();
    await waitOnline(owner.page);
    await owner.page.getByTestId("invite-max-uses").fill("3");
    await owner.page.getByTestId("create-invite-member").click();
    const link = await owner.page.getByTestId("invite-member-link").inputValue();
    const listed = owner.page.locator('[data-testid="invite-row"][data-status="active"]');
    await listed.waitFor();
    expect(await listed.innerText()).toMatch(/member · active · used 0\/3/);
    await listed.getByTestId("invite-revoke").click();
    await owner.page.locator('[data-testid="invite-row"][data-status="revoked"]').waitFor();

    // Unchecked: the revoked link's refusal is a 403 in her console.
    const guest = await fixture.newMember("Gwen", {}, false);
    await guest.page.goto(link);
    const reason = guest.page.getByTestId("refused-reason");
    await reason.waitFor();
    expect(await reason.innerText()).toMatch(/revoked/);
    await guest.context.close();
  });
});
