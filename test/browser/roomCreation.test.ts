/**
 * Rooms are created, not claimed (issue 14), in Chromium: a name nobody
 * created shows "no such room — create it?"; its creator owns it; the next
 * visitor joins as a member; the owner makes it private from the room
 * settings (the lobby drops it, a newcomer is refused, the member stays)
 * and lets members invite.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { eventually, uniqueRoom, waitOnline } from "./browser";
import { useBrowserRoom } from "./fixture";

const fixture = useBrowserRoom({ members: ["Alice", "Bob"] });
const [alice, bob] = fixture.members;
const room = uniqueRoom("made");

async function joinFromLanding(page: Page, name: string): Promise<void> {
  await page.goto("/");
  // As a person would, once the landing page has loaded its lobby list (leaving
  // while the lobby socket is still connecting makes Chromium log a warning).
  await page.getByTestId("lobby-room").or(page.getByText("No public rooms yet.")).first().waitFor();
  await page.getByTestId("room-name-input").fill(name);
  await page.getByTestId("join-room").click();
}

function listedInLobby(page: Page): Promise<boolean> {
  return page.locator(`[data-testid="lobby-room"][data-room="${room}"]`).isVisible();
}

describe("creating a public room", () => {
  it("offers to create a name nobody created, and makes its creator the owner", async () => {
    await joinFromLanding(alice.page, room);
    await alice.page.getByTestId("no-such-room").waitFor();
    expect(await alice.page.getByTestId("no-such-room").innerText()).toContain(`No room is called #${room} yet`);
    await alice.page.getByTestId("create-room").click();
    await waitOnline(alice.page);
    // Only an owner sees the room's settings.
    await alice.page.getByTestId("room-settings").waitFor();
    expect(await alice.page.getByTestId("room-visibility-public").isChecked()).toBe(true);
  });

  it("lets the next visitor in as a member, with no offer to create and no settings", async () => {
    await joinFromLanding(bob.page, room);
    await waitOnline(bob.page);
    expect(await bob.page.getByTestId("no-such-room").count()).toBe(0);
    expect(await bob.page.getByTestId("room-settings").count()).toBe(0);
    const row = alice.page.locator(`[data-testid="member-row"][data-member-id="${bob.id}"]`);
    await row.waitFor();
    expect(await row.getAttribute("data-role")).toBe("member");
  });

  it("says a taken name is taken when someone tries to create it from the landing page", async () => {
    // Unchecked: the taken name's refusal is a 409 in her console.
    const carol = await fixture.newMember("Carol", {}, false);
    await carol.page.getByTestId("room-name-input").fill(room);
    await carol.page.getByTestId("create-public-room").click();
    await carol.page.getByRole("alert").filter({ hasText: "exists already" }).waitFor();
    expect(carol.page.url()).not.toContain(`/r/${room}`);
    await carol.context.close();
  });

  it("lets the owner make it private: the lobby drops it, a newcomer is refused, the member stays", async () => {
    const watcher = await fixture.newMember("Watcher");
    await eventually(() => listedInLobby(watcher.page), true);
    // The controls show what the room says: they change once its `room` frame came back.
    await alice.page.getByTestId("room-visibility-private").click();
    await alice.page.locator('[data-testid="room-visibility-private"]:checked').waitFor();
    await alice.page.locator('[data-testid="settings-result"][data-ok="true"]').waitFor();
    // Bob's view follows without a reconnect; he may not invite (yet).
    await bob.page.getByText(/Alice made the room private/).waitFor();
    expect(await bob.page.getByTestId("create-invite-member").count()).toBe(0);
    await eventually(() => listedInLobby(watcher.page), false);

    await watcher.page.goto(`/r/${room}`);
    expect(await watcher.page.getByTestId("refused-reason").innerText()).toMatch(/private: ask its owner for an invite/);
    await watcher.context.close();

    // Members may invite once the owner says so: Bob's invite panel appears.
    await alice.page.getByTestId("members-may-invite").click();
    await alice.page.locator('[data-testid="members-may-invite"]:checked').waitFor();
    await bob.page.getByTestId("create-invite-member").waitFor();
    await bob.page.getByTestId("create-invite-member").click();
    expect(await bob.page.getByTestId("invite-member-link").inputValue()).toContain(`/r/${room}#invite=`);
    await waitOnline(bob.page);
  });
});
