/**
 * Search between two members, in a real Chromium against `wrangler dev`:
 * Bob searches for a word from long before the first page he was sent,
 * clicks the result, and the room loads the history around it and shows
 * the message highlighted; "Jump to the present" brings him back, where a
 * message sent meanwhile is waiting. The snippet is text, never markup.
 */
import { describe, expect, it } from "vitest";
import { NodeMember } from "../support/node-member";
import { artifactPath, eventually, messageRow, openRoom, send, uniqueRoom } from "./browser";
import { useBrowserRoom } from "./fixture";

const fixture = useBrowserRoom({ members: ["Alice", "Bob"] });
const [alice, bob] = fixture.members;
const room = uniqueRoom("search");
const stamp = Date.now();

describe("search", () => {
  it("jumps to an old message that was not loaded, highlighted, and back to the present", async () => {
    await openRoom(alice.page, `/r/${room}`);
    const old = `the zeppelin${stamp} lands at <b>noon</b>`;
    await send(alice.page, old);
    await messageRow(alice.page, `zeppelin${stamp}`).waitFor();
    // More than the first page of 50, from Alice's sockets in turn (each socket's rate limit allows a burst of 20).
    const later = 60;
    for (let batch = 0; batch < later / 15; batch++) {
      const sender = await NodeMember.connect(fixture.server.url, room, alice.token);
      await sender.next("welcome");
      for (let i = batch * 15 + 1; i <= (batch + 1) * 15; i++) sender.send({ type: "send", id: `later-${stamp}-${i}`, text: `later ${i} ${stamp}` });
      await sender.next("ack", (f) => f.id === `later-${stamp}-${(batch + 1) * 15}`);
      sender.close();
    }

    await openRoom(bob.page, `/r/${room}`);
    await messageRow(bob.page, `later ${later} ${stamp}`).waitFor();
    // Not in the first page.
    expect(await messageRow(bob.page, `zeppelin${stamp}`).count()).toBe(0);

    await bob.page.getByTestId("search-toggle").click();
    const input = bob.page.getByTestId("search-input");
    await input.fill(`zeppel`);
    await input.press("Enter");
    const result = bob.page.getByTestId("search-result");
    await result.first().waitFor();
    expect(await result.count()).toBe(1);
    // The match is marked; the message's "<b>" is shown as text, not markup.
    expect(await result.locator("mark").innerText()).toBe(`zeppelin${stamp}`);
    expect(await result.locator(".search-snippet").innerText()).toContain("<b>noon</b>");
    expect(await result.locator("b").count()).toBe(0);
    expect(await result.innerText()).toContain("Alice");

    await result.click();
    const target = messageRow(bob.page, `zeppelin${stamp}`);
    await target.waitFor();
    expect(await target.getAttribute("data-jumped")).toBe("true");
    await eventually(
      () =>
        target.evaluate((el) => {
          const box = el.getBoundingClientRect();
          const view = el.closest(".message-scroller")!.getBoundingClientRect();
          return box.top >= view.top && box.bottom <= view.bottom;
        }),
      true,
    );
    await bob.page.screenshot({ path: artifactPath("search-jump.png") });
    // The window is around the old message: the newest are not loaded now.
    expect(await messageRow(bob.page, `later ${later} ${stamp}`).count()).toBe(0);

    // Alice writes meanwhile; back in the present, Bob has it.
    await send(alice.page, `meanwhile ${stamp}`);
    await messageRow(alice.page, `meanwhile ${stamp}`).waitFor();
    const present = bob.page.getByTestId("jump-present");
    await present.click();
    await messageRow(bob.page, `meanwhile ${stamp}`).waitFor();
    await present.waitFor({ state: "detached" });
    expect(await messageRow(bob.page, `zeppelin${stamp}`).count()).toBe(0);

    // Sending from a window in the past goes back to the present, where the message shows.
    await result.click();
    await present.waitFor();
    await send(bob.page, `sent from the past ${stamp}`);
    await messageRow(bob.page, `sent from the past ${stamp}`).and(bob.page.locator('[data-state="sent"]')).waitFor();
    await present.waitFor({ state: "detached" });
    await messageRow(bob.page, `meanwhile ${stamp}`).waitFor();
  });

  it("says so when a search finds nothing, and explains a filter it cannot read", async () => {
    const input = bob.page.getByTestId("search-input");
    await input.fill(`nothing-like-this-${stamp}`);
    await input.press("Enter");
    await bob.page.getByTestId("search-empty").waitFor();
    await input.fill("zeppelin before:yesterday");
    await input.press("Enter");
    expect(await bob.page.getByTestId("search-error").innerText()).toContain("YYYY-MM-DD");
    // The room's error banner stays clear: the panel answered.
    expect(await bob.page.getByTestId("composer-error").innerText()).toBe("");
  });

  it("opens a thread reply's thread beside its parent", async () => {
    const sender = await NodeMember.connect(fixture.server.url, room, alice.token);
    await sender.next("welcome");
    sender.send({ type: "send", id: `parent-${stamp}`, text: `walrus plans ${stamp}` });
    const parent = await sender.next("ack", (f) => f.id === `parent-${stamp}`);
    sender.send({ type: "send", id: `reply-${stamp}`, text: `the walrus reply ${stamp}`, threadOf: parent.seq });
    await sender.next("ack", (f) => f.id === `reply-${stamp}`);
    sender.close();

    // The panel is still open from the test before.
    const input = bob.page.getByTestId("search-input");
    await input.fill(`"walrus reply"`);
    await input.press("Enter");
    const result = bob.page.getByTestId("search-result");
    await eventually(() => result.count(), 1);
    expect(await result.innerText()).toContain("in a thread");
    await result.click();
    await bob.page.getByTestId("thread-replies").getByText(`the walrus reply ${stamp}`).waitFor();
    // The room's row (the thread panel shows the parent too); the virtual list renders it a few frames after the jump.
    const inRoom = bob.page.getByRole("log", { name: "Messages" }).getByTestId("message").filter({ hasText: `walrus plans ${stamp}` });
    expect(await inRoom.getAttribute("data-jumped")).toBe("true");
  });
});
