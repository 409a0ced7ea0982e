/**
 * Browser notifications in a real Chromium against `wrangler dev`: while
 * Bob's tab is open but hidden, a message mentioning him is announced (and
 * one that does not is not); his level "Nothing" silences the next one.
 * The Notification API is Chromium's own, with the permission granted; the
 * page records each notification it makes. Web Push (no tab open) is the
 * process test test/node/webpush.test.ts, against a local push endpoint.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { eventually, messageRow, openRoom, send, uniqueRoom } from "./browser";
import { useBrowserRoom } from "./fixture";

const fixture = useBrowserRoom({ members: ["Alice", "Bob"] });
const [alice, bob] = fixture.members;
const room = uniqueRoom("notify");
const stamp = Date.now();

/** Records every notification the page makes, then makes it as usual. */
function recordNotifications() {
  const Real = window.Notification;
  const made: Array<{ title: string; body: string; tag: string }> = [];
  (window as unknown as { notes: typeof made }).notes = made;
  class Recorded extends Real {
    constructor(title: string, options: NotificationOptions = {}) {
      super(title, options);
      made.push({ title, body: options.body ?? "", tag: options.tag ?? "" });
    }
  }
  Object.defineProperty(window, "Notification", { value: Recorded, configurable: true });
}

/** As when the member switches to another tab: the page is told it is hidden. */
function hide(page: Page) {
  return page.evaluate(() => {
    Object.defineProperty(document, "visibilityState", { get: () => "hidden", configurable: true });
    Object.defineProperty(document, "hidden", { get: () => true, configurable: true });
    document.dispatchEvent(new Event("visibilitychange"));
  });
}

const notes = (page: Page) => page.evaluate(() => (window as unknown as { notes: Array<{ title: string; body: string; tag: string }> }).notes);

describe("browser notifications", () => {
  it("announces a mention to a hidden tab, not other messages, and nothing at level none", async () => {
    await openRoom(alice.page, `/r/${room}`);
    await bob.context.grantPermissions(["notifications"], { origin: fixture.server.url });
    await bob.page.addInitScript(recordNotifications);
    await openRoom(bob.page, `/r/${room}`);
    await hide(bob.page);

    await send(alice.page, `no one in particular ${stamp}`);
    await messageRow(bob.page, `no one in particular ${stamp}`).waitFor();
    await send(alice.page, `@Bob are you there ${stamp}`);
    await messageRow(bob.page, `are you there ${stamp}`).waitFor();
    await eventually(async () => (await notes(bob.page)).length, 1);
    const [note] = await notes(bob.page);
    expect(note!.title).toBe(`Hearth · ${room}`);
    expect(note!.body).toBe(`Alice mentioned you: @Bob are you there ${stamp}`);

    // "Nothing": the room keeps the level (the select shows it after a round trip), and the tab stays quiet.
    await bob.page.getByTestId("notify-level").selectOption("none");
    await send(alice.page, `@Bob still there ${stamp}`);
    await messageRow(bob.page, `still there ${stamp}`).waitFor();
    // The row is rendered in the same commit whose effect would have announced it.
    await bob.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 200))));
    expect((await notes(bob.page)).map((n) => n.body)).toEqual([`Alice mentioned you: @Bob are you there ${stamp}`]);
    await bob.page.reload();
    await messageRow(bob.page, `still there ${stamp}`).waitFor();
    await eventually(() => bob.page.getByTestId("notify-level").inputValue(), "none");
  });
});
