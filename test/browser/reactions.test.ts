/**
 * Reactions and pins between two members, in a real Chromium against
 * `wrangler dev`: a reaction picked in one window is counted, with who,
 * in the other; a pinned message shows in everyone's Pinned panel.
 */
import { describe, expect, it } from "vitest";
import { artifactPath, eventually, messageRow, openRoom, send, uniqueRoom, waitOnline } from "./browser";
import { useBrowserRoom } from "./fixture";

const fixture = useBrowserRoom({ members: ["Alice", "Bob"] });
const [alice, bob] = fixture.members;
const room = uniqueRoom("react");
const plan = `the plan: ship on friday ${Date.now()}`;

describe("reactions and pins", () => {
  it("counts a reaction live in the other member's window, and takes it back", async () => {
    await alice.page.getByTestId("room-name-input").fill(room);
    await alice.page.getByTestId("create-public-room").click();
    await waitOnline(alice.page);
    await openRoom(bob.page, `/r/${room}`);
    await send(alice.page, plan);
    const atBob = messageRow(bob.page, plan);
    await atBob.waitFor();

    // Bob picks 🎉 from the picker on Alice's message.
    await atBob.hover();
    await atBob.getByTestId("add-reaction").click();
    await atBob.locator('[data-testid="pick-reaction"][data-emoji="🎉"]').click();
    const atAlice = messageRow(alice.page, plan);
    const party = atAlice.locator('[data-testid="reaction"][data-emoji="🎉"]');
    await party.waitFor();
    expect(await party.getAttribute("data-count")).toBe("1");
    expect(await party.getAttribute("title")).toBe("Bob reacted with 🎉");
    expect(await party.getAttribute("aria-pressed")).toBe("false");

    // Alice adds hers by clicking the chip: two, and pressed for her.
    await party.click();
    const bobsParty = atBob.locator('[data-testid="reaction"][data-emoji="🎉"]');
    await eventually(() => bobsParty.getAttribute("data-count"), "2");
    expect(await bobsParty.getAttribute("title")).toBe("Bob and Alice reacted with 🎉");
    await eventually(() => party.getAttribute("aria-pressed"), "true");

    // Bob takes his back.
    await bobsParty.click();
    await eventually(() => party.getAttribute("data-count"), "1");
    expect(await party.getAttribute("title")).toBe("Alice reacted with 🎉");
  });

  it("shows a pinned message in both members' Pinned panels", async () => {
    const atAlice = messageRow(alice.page, plan);
    await atAlice.hover();
    await atAlice.getByTestId("pin-message").click();
    await messageRow(bob.page, plan).getByTestId("pin-mark").waitFor();
    // Bob is a member of a room where members may not pin: no pin button for him.
    expect(await messageRow(bob.page, plan).getByTestId("pin-message").count()).toBe(0);

    await eventually(() => bob.page.getByTestId("pinned-count").innerText().catch(() => ""), "1");
    await bob.page.getByTestId("pinned-toggle").click();
    const item = bob.page.getByTestId("pinned-item");
    await item.waitFor();
    expect(await item.innerText()).toContain(plan);
    expect(await item.innerText()).toContain("pinned by Alice");
    await bob.page.screenshot({ path: artifactPath("reactions-and-pins.png") });

    // Unpinned by Alice, it leaves Bob's list at once.
    await atAlice.hover();
    await atAlice.getByTestId("unpin-message").click();
    await bob.page.getByTestId("pinned-empty").waitFor();
  });
});
