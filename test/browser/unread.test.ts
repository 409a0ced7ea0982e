/**
 * Mentions and unread state between two members, in a real Chromium
 * against `wrangler dev`: `@` completes a member and sends their id; the
 * mention is marked for the person mentioned and follows their renames;
 * what someone missed while away shows as counts on the landing page and
 * a "new messages" divider when they come back, until they mark it read.
 */
import { describe, expect, it } from "vitest";
import { NodeMember } from "../support/node-member";
import { artifactPath, eventually, messageRow, openRoom, send, uniqueRoom } from "./browser";
import { useBrowserRoom } from "./fixture";

const fixture = useBrowserRoom({ members: ["Alice", "Bob"] });
const [alice, bob] = fixture.members;
const room = uniqueRoom("unread");
const stamp = Date.now();

async function unreadOnLanding(): Promise<{ unread: string | null; mentions: string | null }> {
  const row = bob.page.locator(`[data-testid="my-room"][data-room="${room}"]`);
  return { unread: await row.getAttribute("data-unread"), mentions: await row.getAttribute("data-mentions") };
}

describe("mentions and unread", () => {
  it("counts what Bob missed, marks the mention for him, and shows the divider until he reads", async () => {
    await openRoom(alice.page, `/r/${room}`);
    await openRoom(bob.page, `/r/${room}`);
    await send(alice.page, `before you left ${stamp}`);
    await messageRow(bob.page, `before you left ${stamp}`).waitFor();
    // Bob reads, then leaves for the landing page.
    await bob.page.waitForTimeout(800);
    await bob.page.goto("/");

    await send(alice.page, `first while away ${stamp}`);
    // Alice completes "@Bo" to Bob: the option names his id, the text shows his name.
    const input = alice.page.getByTestId("composer-input");
    await input.pressSequentially("@Bo");
    await alice.page.locator(`[data-testid="mention-option"][data-member="${bob.id}"]`).waitFor();
    await input.press("Tab");
    expect(await input.inputValue()).toBe("@Bob ");
    await input.pressSequentially(`lunch? ${stamp}`);
    await input.press("Enter");
    const atAlice = messageRow(alice.page, `lunch? ${stamp}`);
    const shown = atAlice.locator(".mention");
    await shown.waitFor();
    expect(await shown.innerText()).toBe("@Bob");
    expect(await shown.getAttribute("data-member")).toBe(bob.id);
    // A mention of someone else is not marked as Alice's.
    expect(await atAlice.getAttribute("data-mentions-me")).toBeNull();
    await send(alice.page, `third while away ${stamp}`);
    await messageRow(alice.page, `third while away ${stamp}`).waitFor();

    // The landing page counts them: three unread, one mention.
    await bob.page.reload();
    await bob.page.locator(`[data-testid="my-room"][data-room="${room}"]`).waitFor();
    await eventually(unreadOnLanding, { unread: "3", mentions: "1" });

    // Back in the room: the divider sits before the first message he missed.
    await openRoom(bob.page, `/r/${room}`);
    const divider = bob.page.getByTestId("unread-divider");
    await divider.waitFor();
    const afterDivider = bob.page.locator('[data-testid="unread-divider"] + [data-testid="message"]');
    expect(await afterDivider.innerText()).toContain(`first while away ${stamp}`);
    expect(await bob.page.getByTestId("unread-bar").innerText()).toMatch(/1 for you/);
    const forBob = messageRow(bob.page, `lunch? ${stamp}`);
    expect(await forBob.getAttribute("data-mentions-me")).toBe("true");
    expect(await forBob.locator(".mention.self").innerText()).toBe("@Bob");
    await bob.page.screenshot({ path: artifactPath("unread-divider.png") });

    // Reading at the bottom of a visible tab moves his marker: the landing page shows nothing unread.
    await eventually(
      () =>
        bob.page.evaluate(async (name) => {
          const res = await fetch("/api/account/unread", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
          const { rooms } = (await res.json()) as { rooms: Array<{ room: string; unread: number; mentions: number }> };
          return rooms.find((r) => r.room === name) ?? null;
        }, room),
      { room, unread: 0, mentions: 0 },
    );
    // The divider stays while he reads on, until he marks the room read.
    expect(await divider.count()).toBe(1);
    await bob.page.getByTestId("mark-read").click();
    expect(await divider.count()).toBe(0);
    await bob.page.reload();
    await messageRow(bob.page, `third while away ${stamp}`).waitFor();
    expect(await bob.page.getByTestId("unread-divider").count()).toBe(0);
  });

  it("shows a mention under the member's new name after a rename", async () => {
    await bob.page.getByTestId("display-name-input").fill("Robert");
    await bob.page.getByTestId("display-name-save").click();
    const mention = messageRow(alice.page, `lunch? ${stamp}`).locator(".mention");
    await eventually(() => mention.innerText(), "@Robert");
    expect(await mention.getAttribute("data-member")).toBe(bob.id);
  });

  it("jumps to the first unread message through older pages, and leaves the divider in view", async () => {
    // Bob has read everything (his tab was visible at the bottom), then leaves.
    await bob.page.waitForTimeout(800);
    await bob.page.goto("/");
    // More than the first page of 50, from Alice's sockets in turn (each socket's rate limit allows a burst of 20).
    const away = 60;
    for (let batch = 0; batch < away / 15; batch++) {
      const sender = await NodeMember.connect(fixture.server.url, room, alice.token);
      await sender.next("welcome");
      for (let i = batch * 15 + 1; i <= (batch + 1) * 15; i++) sender.send({ type: "send", id: `away-${stamp}-${i}`, text: `away ${i} ${stamp}` });
      await sender.next("ack", (f) => f.id === `away-${stamp}-${(batch + 1) * 15}`);
      sender.close();
    }

    await openRoom(bob.page, `/r/${room}`);
    const bar = bob.page.getByTestId("unread-bar");
    await bar.waitFor();
    expect(await bar.innerText()).toContain(`${away} new messages`);
    // The first page does not reach back to where he left off.
    expect(await bob.page.getByTestId("unread-divider").count()).toBe(0);
    await bob.page.getByTestId("jump-unread").click();
    const divider = bob.page.getByTestId("unread-divider");
    await divider.waitFor();
    const afterDivider = bob.page.locator('[data-testid="unread-divider"] + [data-testid="message"]');
    expect(await afterDivider.innerText()).toContain(`away 1 ${stamp}`);
    await eventually(
      () =>
        divider.evaluate((el) => {
          const box = el.getBoundingClientRect();
          const view = el.closest(".message-scroller")!.getBoundingClientRect();
          return box.top >= view.top && box.bottom <= view.bottom;
        }),
      true,
    );
  });

  it("completes a member in a thread's composer too, and sends their id", async () => {
    // The newest message: one 60 messages up is outside the virtual list's viewport, so not in the DOM.
    const parent = messageRow(alice.page, `away 60 ${stamp}`);
    await parent.hover();
    await parent.getByTestId("reply-in-thread").click();
    const input = alice.page.getByTestId("thread-input");
    await input.pressSequentially("@Rob");
    await alice.page.locator(`[data-testid="mention-option"][data-member="${bob.id}"]`).waitFor();
    await input.press("Tab");
    expect(await input.inputValue()).toBe("@Robert ");
    await input.pressSequentially(`see here ${stamp}`);
    await input.press("Enter");
    const reply = alice.page.getByTestId("thread-replies").getByTestId("message").filter({ hasText: `see here ${stamp}` });
    await reply.waitFor();
    expect(await reply.locator(".mention").getAttribute("data-member")).toBe(bob.id);
  });

  it("keeps what is typed right after a completion where it was typed, however late the browser's frames are", async () => {
    // A busy tab paints late: a frame 150 ms after the completion lands in the middle of the next word.
    await alice.page.evaluate(() => {
      (window as { realRaf?: typeof requestAnimationFrame }).realRaf = window.requestAnimationFrame;
      window.requestAnimationFrame = (cb) => window.setTimeout(() => cb(performance.now()), 150);
    });
    try {
      for (const id of ["composer-input", "thread-input"]) {
        const input = alice.page.getByTestId(id);
        await input.fill("");
        await input.pressSequentially("@Rob");
        await alice.page.locator(`[data-testid="mention-option"][data-member="${bob.id}"]`).waitFor();
        await input.press("Tab");
        await input.pressSequentially("lunch later", { delay: 40 });
        expect(await input.inputValue()).toBe("@Robert lunch later");
        await input.fill("");
      }
    } finally {
      await alice.page.evaluate(() => {
        window.requestAnimationFrame = (window as { realRaf?: typeof requestAnimationFrame }).realRaf!;
      });
    }
  });
});
