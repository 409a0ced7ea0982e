/**
 * Tool cards at a glance, in a real Chromium against `wrangler dev`: a
 * `/mcp call` to the real server-everything shows the first lines of its
 * result (and its image) without a click, the full input and result behind
 * one Details disclosure; a Code Mode card's code is highlighted once
 * highlight.js's own chunk has loaded — fetched only then, not with the
 * page. Screenshots go to test-artifacts/.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer } from "../support/dev-server";
import { startFakeOpenAI, type CompletionScript, type FakeOpenAI } from "../support/fake-openai";
import { startEverything, type Everything } from "../support/mcp-everything";
import { artifactPath, eventually, openRoom, send, uniqueRoom } from "./browser";
import { useBrowserRoom } from "./fixture";

let everything: Everything;
let model: FakeOpenAI;
/** The fake model plays script n for its n-th request. */
const scripts: CompletionScript[] = [];
const room = uniqueRoom("previews");

beforeAll(async () => {
  everything = await startEverything();
  model = await startFakeOpenAI(scripts);
});
afterAll(async () => {
  await everything?.stop();
  await model?.close();
});

const fixture = useBrowserRoom({
  server: () =>
    startDevServer({
      vars: {
        MCP_ALLOW_HOSTS: `127.0.0.1:${everything.port}`,
        AI_PROVIDER: "openai-compatible",
        OPENAI_BASE_URL: model.baseUrl,
        OPENAI_API_KEY: "sk-test",
        AI_MODEL: "scripted",
      },
    }),
  members: ["Alice"],
});
const [alice] = fixture.members;

/** Highlight.js's chunk, as the build names it (client/src/features/codemode/highlightJs.ts). */
const HIGHLIGHT_CHUNK = /\/assets\/highlightJs-[^/]*\.js$/;
const highlightRequests: string[] = [];

async function command(page: Page, text: string): Promise<void> {
  await send(page, text);
  const result = page.locator('[data-testid="command-result"]:not([data-state="pending"])').last();
  await result.waitFor({ timeout: 30_000 });
  expect(await result.getAttribute("data-ok"), await result.innerText()).toBe("true");
}

/** The card of the newest `/mcp call` of `tool`. */
function lastCallCard(page: Page, tool: string) {
  return page.locator('[data-testid="message"][data-kind="tool"]').last().locator(`[data-testid="tool-card"][data-tool="${tool}"]`);
}

describe("tool result previews and highlighted code", () => {
  it("shows an MCP echo's first lines without a click, as text, and everything in one Details disclosure", async () => {
    const page = alice.page;
    page.on("request", (r) => {
      if (HIGHLIGHT_CHUNK.test(new URL(r.url()).pathname)) highlightRequests.push(r.url());
    });
    await openRoom(page, `/r/${room}`);
    await command(page, `/mcp add everything ${everything.url}`);
    await page.getByTestId("mcp-toggle").click();
    await page.locator('[data-testid="mcp-server"][data-name="everything"][data-state="ready"]').waitFor({ timeout: 30_000 });

    // Five lines, one with markup in it: the preview keeps three, as text.
    await command(page, String.raw`/mcp call everything.echo {"message":"line 1\nline 2 <b>bold?</b>\nline 3\nline 4\nline 5"}`);
    const card = lastCallCard(page, "everything.echo");
    await card.and(page.locator('[data-state="done"]')).waitFor();
    const preview = card.getByTestId("tool-preview");
    expect(await preview.isVisible()).toBe(true);
    expect(await preview.innerText()).toBe("Echo: line 1\nline 2 <b>bold?</b>\nline 3…");
    expect(await preview.locator("b").count()).toBe(0);

    // One disclosure, closed: the full input and result are in it, not shown.
    const details = card.getByTestId("tool-details");
    expect(await details.count()).toBe(1);
    expect(await card.locator("details").count()).toBe(1);
    expect(await details.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    expect(await card.getByTestId("tool-output").isVisible()).toBe(false);
    await page.screenshot({ path: artifactPath("previews-echo-collapsed.png") });

    await details.locator("summary").filter({ hasText: "Details" }).click();
    expect(await card.getByTestId("tool-input").isVisible()).toBe(true);
    expect(JSON.parse((await card.getByTestId("tool-input").textContent()) ?? "null")).toEqual({
      message: "line 1\nline 2 <b>bold?</b>\nline 3\nline 4\nline 5",
    });
    const output = JSON.parse((await card.getByTestId("tool-output").textContent()) ?? "null");
    expect(output).toMatchObject({ content: [{ type: "text", text: "Echo: line 1\nline 2 <b>bold?</b>\nline 3\nline 4\nline 5" }] });
    await card.screenshot({ path: artifactPath("previews-echo-details.png") });
  });

  it("shows an MCP image result as a thumbnail from its own data", async () => {
    const page = alice.page;
    await command(page, "/mcp call everything.get-tiny-image {}");
    const card = lastCallCard(page, "everything.get-tiny-image");
    await card.and(page.locator('[data-state="done"]')).waitFor();
    const image = card.getByTestId("tool-preview-image");
    expect(await image.count()).toBe(1);
    expect(await image.getAttribute("src")).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
    // Decoded as a picture: server-everything's MCP logo is 20×20.
    await eventually(() => image.evaluate((img) => (img as HTMLImageElement).naturalWidth), 20);
    expect(await card.getByTestId("tool-preview-text").innerText()).toBe(
      "Here's the image you requested:\nThe image above is the MCP logo.",
    );
    await card.screenshot({ path: artifactPath("previews-image.png") });
  });

  it("highlights a Code Mode card's code once highlight.js has loaded, and previews the calls inside it", async () => {
    const page = alice.page;
    // Nothing on the page so far showed code: highlight.js was not fetched with it.
    expect(highlightRequests).toEqual([]);
    await command(page, "/codemode code");
    const source = [
      "async () => {",
      "  // who is here",
      "  const info = await codemode.room_info({});",
      '  return { online: info.online.length, note: "<img src=x onerror=alert(1)>" };',
      "}",
    ].join("\n");
    scripts.push({ chunks: [], toolCalls: [{ name: "code", arguments: { code: source } }] }, { chunks: ["Counted."] });
    await send(page, "@assistant who is here?");

    const row = page.locator('[data-testid="message"][data-kind="assistant"]').last();
    await row.and(page.locator('[data-status="done"]')).waitFor();
    const code = row.getByTestId("code-card").getByTestId("code-source");
    await code.and(page.locator('[data-highlighted="true"]')).waitFor();
    expect(highlightRequests).toHaveLength(1);
    // The code exactly as written, newlines kept, in highlight spans and nothing else.
    expect(await code.textContent()).toBe(source);
    expect(await code.locator(".hljs-keyword").count()).toBeGreaterThan(0);
    expect(await code.locator(".hljs-comment").innerText()).toBe("// who is here");
    expect(await code.locator("*:not(code):not(span[class^='hljs-'])").count()).toBe(0);
    expect(await code.locator("img").count()).toBe(0);
    expect(await code.evaluate((el) => getComputedStyle(el).whiteSpace)).toBe("pre-wrap");

    // Token colours follow the colour scheme.
    const keywordColor = () => code.locator(".hljs-keyword").first().evaluate((el) => getComputedStyle(el).color);
    await page.emulateMedia({ colorScheme: "light" });
    expect(await keywordColor()).toBe("rgb(160, 38, 122)");
    await page.screenshot({ path: artifactPath("previews-codemode-light.png") });
    await page.emulateMedia({ colorScheme: "dark" });
    expect(await keywordColor()).toBe("rgb(243, 138, 196)");
    await page.screenshot({ path: artifactPath("previews-codemode-dark.png") });
    await page.emulateMedia({ colorScheme: null });

    // The call the code made is a tool card with its own preview.
    const nested = row.locator('[data-testid="code-nested"] [data-testid="tool-card"][data-tool="room_info"]');
    expect(await nested.getByTestId("tool-preview").innerText()).toContain("Alice");
  });
});
