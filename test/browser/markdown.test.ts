/**
 * Message text is untrusted: script-bearing HTML, javascript: links and
 * tracking images must neither run nor load — for the sender or a reader.
 */
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { messageRow, openRoom, send, uniqueRoom } from "./browser";
import { useBrowserRoom } from "./fixture";

const fixture = useBrowserRoom({ members: ["Wendy", "Reggie"] });
const [writer, reader] = fixture.members;
const requests: string[] = [];
const room = uniqueRoom("md");
const marker = `md-${Date.now()}`;
const hostile = [
  marker,
  '<img src=x onerror="window.__pwned=1">',
  "[click me](javascript:window.__pwned=1)",
  "<script>window.__pwned=1</script>",
  "![tracker](http://127.0.0.1:9/track.png)",
  "**bold** and `code`",
].join("\n\n");

beforeAll(() => {
  for (const m of [writer, reader]) m.page.on("request", (r) => requests.push(r.url()));
});

async function inspect(page: Page) {
  const text = messageRow(page, marker).getByTestId("message-text");
  return {
    pwned: await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned),
    imgs: await text.locator("img").count(),
    scripts: await text.locator("script").count(),
    handlers: await text.evaluate(
      (el) => [...el.querySelectorAll("*")].flatMap((n) => n.getAttributeNames()).filter((a) => a.startsWith("on")).length,
    ),
    hrefs: await text.locator("a[href]").evaluateAll((as) => as.map((a) => a.getAttribute("href"))),
    rels: await text.locator("a[href]").evaluateAll((as) => as.map((a) => `${a.getAttribute("rel")}|${a.getAttribute("target")}`)),
    html: await text.innerHTML(),
    bold: await text.locator("strong").count(),
  };
}

describe("message Markdown", () => {
  it("renders hostile text inert for the sender and for readers", async () => {
    await openRoom(writer.page, `/r/${room}`);
    await openRoom(reader.page, `/r/${room}`);
    await send(writer.page, hostile);
    await writer.page.locator('[data-testid="message"][data-state="sent"]').filter({ hasText: marker }).waitFor();
    await messageRow(reader.page, marker).waitFor();
    // Give any image or script that slipped through the chance to load.
    await reader.page.waitForTimeout(500);

    for (const page of [writer.page, reader.page]) {
      const seen = await inspect(page);
      expect(seen.pwned, seen.html).toBeUndefined();
      expect(seen.imgs, seen.html).toBe(0);
      expect(seen.scripts, seen.html).toBe(0);
      expect(seen.handlers, seen.html).toBe(0);
      // The image became a plain link; the javascript: link lost its target.
      expect(seen.hrefs, seen.html).toEqual(["http://127.0.0.1:9/track.png"]);
      expect(seen.rels).toEqual(["noopener noreferrer nofollow|_blank"]);
      expect(seen.bold).toBe(1);
      expect(await messageRow(page, marker).innerText()).toContain("tracker");
    }
    expect(requests.filter((url) => url.includes(":9/"))).toEqual([]);
  });
});
