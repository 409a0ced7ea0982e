/**
 * A room of 2,000 messages in the virtualised list: it opens at the newest
 * message, scrolls back through all of its history page by page, and keeps
 * only the rows near the viewport in the DOM — far fewer than it holds.
 * (How fast is the bench's business: npm run bench:browser.)
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createSession, NodeMember } from "../support/node-member";
import { startDevServer } from "../support/dev-server";
import { openRoom, uniqueRoom } from "./browser";
import { useBrowserRoom } from "./fixture";

const TOTAL = 2000;
/** Sends in flight while seeding: acks pace the sender. */
const WINDOW = 64;

const fixture = useBrowserRoom({
  members: ["Rita"],
  // Seeding 2,000 messages from one socket is far beyond a member's rate limit.
  server: () => startDevServer({ vars: { RATE_LIMIT_PER_SECOND: "100000", RATE_LIMIT_BURST: "100000" } }),
});
const [reader] = fixture.members;
const room = uniqueRoom("large");
let first = 0;
let newest = 0;
let seeder = "";

beforeAll(async () => {
  const { token } = await createSession(fixture.server.url, "Seeder");
  seeder = token;
  const m = await NodeMember.connect(fixture.server.url, room, token);
  await m.next("welcome");
  let sent = 0;
  let acked = 0;
  const send = () => m.send({ type: "send", id: `seed-${room}-${String(sent).padStart(5, "0")}`, text: `line ${++sent}` });
  await new Promise<void>((resolve, reject) => {
    m.ws.on("message", (data) => {
      // A busy room batches its frames (docs/protocol.md, `batch`): the acks may come inside one.
      const wire = JSON.parse(data.toString()) as { type: string; seq?: number; frames?: Array<{ type: string; seq?: number }> };
      for (const f of wire.type === "batch" ? wire.frames! : [wire]) {
        if (f.type === "error") reject(new Error(`seeding failed: ${data.toString()}`));
        if (f.type !== "ack") continue;
        acked++;
        first = first || f.seq!;
        first = Math.min(first, f.seq!);
        newest = Math.max(newest, f.seq!);
        if (sent < TOTAL) send();
        if (acked === TOTAL) resolve();
      }
    });
    for (let i = 0; i < WINDOW; i++) send();
  });
  m.close();
}, 60_000);

const scroller = () => reader.page.locator(".message-scroller");
const rows = () => reader.page.getByTestId("message");
const row = (seq: number) => reader.page.locator(`[data-testid="message"][data-seq="${seq}"]`);

describe("a room of 2,000 messages", () => {
  it("opens at its newest message", async () => {
    await openRoom(reader.page, `/r/${room}`);
    await row(newest).waitFor();
    const gap = await scroller().evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
    expect(gap).toBeLessThan(5);
  });

  it("scrolls back through all of it with few rows in the DOM", async () => {
    // To the top, again and again: each time at the top the next older page loads.
    const reached = await scroller().evaluate(async (el, seq) => {
      const deadline = Date.now() + 60_000;
      while (!el.querySelector(`[data-testid="message"][data-seq="${seq}"]`)) {
        if (Date.now() > deadline) return false;
        el.scrollTop = 0;
        await new Promise((r) => requestAnimationFrame(r));
      }
      return true;
    }, first);
    expect(reached).toBe(true);
    expect(Number(await reader.page.getByTestId("message-pane").getAttribute("data-loaded"))).toBeGreaterThanOrEqual(TOTAL);
    expect(await reader.page.getByTestId("load-older").count()).toBe(0);
    // Rows are recycled: what is in the DOM is what is near the viewport.
    const inDom = await rows().count();
    expect(inDom).toBeGreaterThan(0);
    expect(inDom).toBeLessThan(TOTAL / 10);
    const seqs = await rows().evaluateAll((els) => els.map((el) => Number(el.getAttribute("data-seq"))));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));

    // And back down to the newest.
    await scroller().evaluate(async (el) => {
      for (let i = 0; i < 20; i++) {
        el.scrollTop = el.scrollHeight;
        await new Promise((r) => setTimeout(r, 50));
      }
    });
    await row(newest).waitFor();
    expect(await rows().count()).toBeLessThan(TOTAL / 10);
  });

  it("tells screen readers of a new message, not of rows scrolled into the DOM", async () => {
    // The log's own aria-live would read out every row scrolling adds; the announcer speaks arrivals only.
    expect(await reader.page.getByRole("log", { name: "Messages" }).getAttribute("aria-live")).toBe("off");
    const announcer = reader.page.getByTestId("message-announcer");
    expect(await announcer.innerText()).toBe("");
    const m = await NodeMember.connect(fixture.server.url, room, seeder);
    await m.next("welcome");
    m.send({ type: "send", id: `late-${room}`, text: "a late arrival" });
    await m.next("ack");
    m.close();
    await expect.poll(() => announcer.innerText()).toBe("Seeder: a late arrival");
    expect(await announcer.getAttribute("aria-live")).toBe("polite");
  });
});
