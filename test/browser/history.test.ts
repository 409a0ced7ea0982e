/**
 * A room with more history than one page: the newest page arrives first, the
 * view starts at the bottom, and scrolling up loads the rest without
 * moving what the reader was looking at.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { LIMITS } from "../../shared/limits";
import { createSession, NodeMember } from "../support/node-member";
import { openRoom, uniqueRoom } from "./browser";
import { useBrowserRoom } from "./fixture";

const TOTAL = 70;
/** Below the server's per-connection burst, so seeding is not rate limited. */
const PER_CONNECTION = 15;

const fixture = useBrowserRoom({ members: ["Rita"] });
const [reader] = fixture.members;
const room = uniqueRoom("hist");

/** Sends `texts` over one socket (as a script would) and waits for every ack. */
async function seed(token: string, texts: string[]): Promise<void> {
  const m = await NodeMember.connect(fixture.server.url, room, token);
  await m.next("welcome");
  texts.forEach((text, i) => m.send({ type: "send", id: `seed-${room}-${text.replace(/\D/g, "")}-${i}`, text }));
  const failed = m.next("error", () => true, { timeoutMs: 15_000 }).then((f) => {
    throw new Error(`seeding failed: ${JSON.stringify(f)}`);
  });
  await Promise.race([m.next("ack", () => true, { count: texts.length, timeoutMs: 15_000 }), failed]);
  m.close();
}

beforeAll(async () => {
  const { token } = await createSession(fixture.server.url, "Seeder");
  const texts = Array.from({ length: TOTAL }, (_, i) => `history line ${i + 1}`);
  for (let i = 0; i < TOTAL; i += PER_CONNECTION) await seed(token, texts.slice(i, i + PER_CONNECTION));
});

const scroller = () => reader.page.locator(".message-scroller");
/** How many messages the window holds: the list is virtualised, so most are not in the DOM. */
const loaded = async () => Number(await reader.page.getByTestId("message-pane").getAttribute("data-loaded"));
/** "history line 1" must not also match "history line 10". */
const line = (n: number) =>
  reader.page
    .getByTestId("message")
    .filter({ has: reader.page.getByTestId("message-text").getByText(`history line ${n}`, { exact: true }) });

describe("room history", () => {
  it("opens on the newest page, scrolled to the bottom", async () => {
    await openRoom(reader.page, `/r/${room}`);
    await line(TOTAL).waitFor();
    expect(await loaded()).toBe(LIMITS.pageSize);
    expect(await line(1).count()).toBe(0);
    await reader.page.getByTestId("load-older").waitFor({ state: "attached" });
    const gap = await scroller().evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
    expect(gap).toBeLessThan(5);
  });

  it("loads older messages on scrolling up and keeps the reader's place", async () => {
    const anchor = line(TOTAL - LIMITS.pageSize + 1);
    await scroller().evaluate((el) => el.scrollTo({ top: 0 }));
    await anchor.waitFor();
    await expect.poll(loaded).toBe(TOTAL);

    // The row that was at the top is still on screen, not pushed away by the new rows above it.
    const box = await anchor.boundingBox();
    const view = await scroller().boundingBox();
    expect(box && view).toBeTruthy();
    expect(box!.y).toBeGreaterThanOrEqual(view!.y - box!.height);
    expect(box!.y).toBeLessThan(view!.y + view!.height);

    // Above it, the oldest messages, and nothing older to load.
    await scroller().evaluate((el) => el.scrollTo({ top: 0 }));
    await line(1).waitFor();
    expect(await reader.page.getByTestId("load-older").count()).toBe(0);
    const seqs = await reader.page
      .getByTestId("message")
      .evaluateAll((els) => els.map((el) => Number(el.getAttribute("data-seq"))));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
  });
});
