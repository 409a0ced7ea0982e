/**
 * Code Mode in a real Chromium against `wrangler dev`, with a scripted
 * OpenAI-compatible model: the assistant's one `code` call shows as a code
 * card with the calls its code made nested inside it (approvals included),
 * then its console output and result — the same for every member.
 */
import type { Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { CompletionScript } from "../support/fake-openai";
import { eventually, messageRow, openRoom, send, uniqueRoom, type Member } from "./browser";
import { useBrowserRoom, useScriptedModel } from "./fixture";

/** The fake model plays script n for its n-th request: each test adds its own before asking. */
const scripts: CompletionScript[] = [];

const model = useScriptedModel(scripts);
const fixture = useBrowserRoom({ server: model.start, members: ["Alice", "Bob"] });
/** Alice owns every room here: she opens each one first. */
const [alice, bob] = fixture.members;

/** A public room Alice owns, both members in it, the assistant set to Code Mode. */
async function codeModeRoom(prefix: string): Promise<void> {
  const room = uniqueRoom(prefix);
  await openRoom(alice.page, `/r/${room}`);
  await openRoom(bob.page, `/r/${room}`);
  await send(alice.page, "/codemode code");
  const result = alice.page.locator('[data-testid="command-result"]:not([data-state="pending"])');
  await result.waitFor();
  expect(await result.getAttribute("data-ok"), await result.innerText()).toBe("true");
  // A command is never posted as a message.
  expect(await messageRow(alice.page, "/codemode").count()).toBe(0);
}

function assistantRows(page: Page): Locator {
  return page.locator('[data-testid="message"][data-kind="assistant"]');
}

/** The tools of the cards nested in `card`, in order. */
async function nestedTools(card: Locator): Promise<Array<string | null>> {
  const cards = card.locator('[data-testid="code-nested"] > [data-testid="tool-card"]');
  const tools: Array<string | null> = [];
  for (let i = 0; i < (await cards.count()); i++) tools.push(await cards.nth(i).getAttribute("data-tool"));
  return tools;
}

function problemsOf(...members: Member[]): string {
  return members.flatMap((m) => m.problems.map((p) => `${m.name}: ${p}`)).join("\n");
}

describe("Code Mode cards", () => {
  const source =
    "async () => { const i = await codemode.room_info({}); console.log('n', i.online.length); const s = await codemode.search_messages({ query: 'hello' }); return { online: i.online.length, hits: s.length }; }";

  it("shows the run's code, its calls nested inside it in order, its console and result, to every member", async () => {
    await codeModeRoom("code");
    const before = model.fake.requests.length;
    scripts.push({ chunks: [], toolCalls: [{ name: "code", arguments: { code: source } }] }, { chunks: ["Done."] });
    await send(bob.page, "hello everyone");
    await messageRow(alice.page, "hello everyone").waitFor();
    await send(bob.page, "@assistant count things");

    for (const page of [alice.page, bob.page]) {
      const row = assistantRows(page).last();
      await row.and(page.locator('[data-status="done"]')).waitFor();
      const cards = row.getByTestId("code-card");
      expect(await cards.count()).toBe(1);
      const card = cards.first();
      expect(await card.getAttribute("data-state")).toBe("done");
      // The code as written, highlighted: inside it only highlight.js's spans, never other HTML.
      await card.getByTestId("code-source").and(page.locator('[data-highlighted="true"]')).waitFor();
      expect(await card.getByTestId("code-source").textContent()).toBe(source);
      expect(await card.getByTestId("code-source").locator("*:not(code):not(span[class^='hljs-'])").count()).toBe(0);
      expect(await card.getByTestId("code-source").locator(".hljs-keyword").count()).toBeGreaterThan(0);
      // Both calls inside the code card, in call order, each done…
      expect(await nestedTools(card)).toEqual(["room_info", "search_messages"]);
      for (const state of await card.locator('[data-testid="code-nested"] [data-testid="tool-state"]').allInnerTexts()) {
        expect(state).toBe("done");
      }
      // …and nowhere else: the only tool cards in the whole answer are those two.
      expect(await row.getByTestId("tool-card").count()).toBe(2);
      expect(await row.locator('[data-testid="assistant-body"] > [data-testid="tool-card"]').count()).toBe(0);
      expect(await card.getByTestId("code-logs").innerText()).toBe("n 2");
      const result = JSON.parse((await card.getByTestId("code-result").locator("pre").textContent()) ?? "null");
      expect(result).toMatchObject({ online: 2 });
      expect(result.hits).toBeGreaterThanOrEqual(1);
      expect(await card.getByTestId("code-error").count()).toBe(0);
      expect(await row.getByTestId("message-text").last().innerText()).toBe("Done.");
    }
    // The model was offered one tool, `code`, and got the run's result back.
    const asked = model.fake.requests[before];
    expect(asked?.tools?.map((t) => t.function.name)).toEqual(["code"]);
    expect(JSON.stringify(model.fake.requests[before + 1]?.messages)).toContain("n 2");
    expect(problemsOf(alice, bob)).toBe("");
  });

  it("fills the composer with /scripts save from the newest done run, and saving works", async () => {
    const card = assistantRows(alice.page).last().getByTestId("code-card");
    await card.getByTestId("code-save").click();
    const input = alice.page.getByTestId("composer-input");
    // The composer is filled by an effect after the click: wait for it (a loaded machine is slower).
    await expect.poll(() => input.inputValue()).toBe("/scripts save ");
    await expect.poll(() => input.evaluate((el) => el === document.activeElement)).toBe(true);
    await input.pressSequentially("counter");
    await input.press("Enter");
    const result = alice.page.locator('[data-testid="command-result"]:not([data-state="pending"])');
    await eventually(() => result.getAttribute("data-ok"), "true");
    expect(await result.innerText()).toContain("Saved counter v1");
    await messageRow(bob.page, "saved the script").waitFor();
  });

  it("lists the saved script in every member's Scripts panel; another member's Run posts a done code card to both", async () => {
    for (const page of [alice.page, bob.page]) {
      await eventually(() => page.getByTestId("scripts-count").innerText(), "1");
      const toggle = page.getByTestId("scripts-toggle");
      if ((await toggle.getAttribute("aria-expanded")) !== "true") await toggle.click();
      expect(await toggle.getAttribute("aria-expanded")).toBe("true");
      await page.getByTestId("scripts-panel").waitFor();
      const items = page.getByTestId("script-item");
      expect(await items.count()).toBe(1);
      const item = items.first();
      expect(await item.getAttribute("data-name")).toBe("counter");
      expect(await item.getByTestId("script-version").innerText()).toBe("v1");
      expect(await item.getByTestId("script-saved-by").innerText()).toBe("Alice");
      expect(await item.getByTestId("script-size").innerText()).toContain(String(source.length));
      // The list carries no code; opening the details fetches it (get_script), highlighted, never other HTML.
      expect(await item.getByTestId("script-code").count()).toBe(0);
      await item.getByTestId("script-code-toggle").click();
      await item.getByTestId("script-code").waitFor();
      await item.getByTestId("script-code").and(page.locator('[data-highlighted="true"]')).waitFor();
      expect(await item.getByTestId("script-code").textContent()).toBe(source);
      expect(await item.getByTestId("script-code").locator("*:not(code):not(span[class^='hljs-'])").count()).toBe(0);
      expect(await item.getByTestId("script-code").locator(".hljs-keyword").count()).toBeGreaterThan(0);
      expect(await item.getByTestId("script-run").count()).toBe(1);
    }

    const toolRows = (page: Page) => page.locator('[data-testid="message"][data-kind="tool"]');
    const before = await toolRows(alice.page).count();
    const requests = model.fake.requests.length;
    await bob.page.getByTestId("script-item").first().getByTestId("script-run").click();
    const result = bob.page.locator('[data-testid="scripts-result"]:not([data-state="pending"])');
    await result.waitFor();
    expect(await result.getAttribute("data-ok"), await result.innerText()).toBe("true");

    for (const page of [alice.page, bob.page]) {
      await eventually(() => toolRows(page).count(), before + 1);
      const card = toolRows(page).last().getByTestId("code-card");
      await eventually(() => card.getAttribute("data-state"), "done");
      expect(await card.getByTestId("code-error").count()).toBe(0);
      expect(JSON.parse((await card.getByTestId("code-result").locator("pre").textContent()) ?? "null")).toMatchObject({ online: 2 });
    }
    // A script run needs no model.
    expect(model.fake.requests.length).toBe(requests);
    expect(problemsOf(alice, bob)).toBe("");
  });

  it("waits inside the run for an owner's approval of a nested call, then finishes it", async () => {
    await codeModeRoom("code-approve");
    const spam = `buy pills ${Date.now()}`;
    await send(bob.page, spam);
    const spamOnAlice = messageRow(alice.page, spam);
    await spamOnAlice.waitFor();
    const spamSeq = Number(await spamOnAlice.getAttribute("data-seq"));
    expect(spamSeq).toBeGreaterThan(0);
    const code =
      'async () => { const m = await codemode.search_messages({ query: "buy pills" }); return await codemode.delete_message({ seq: m[0].seq, reason: "spam" }); }';
    scripts.push({ chunks: [], toolCalls: [{ name: "code", arguments: { code } }] }, { chunks: ["Removed it."] });
    await send(bob.page, "@assistant please clean up the spam");

    const cardOn = (page: Page) => assistantRows(page).last().getByTestId("code-card");
    const deleteOn = (page: Page) => cardOn(page).locator('[data-testid="code-nested"] [data-testid="tool-card"][data-tool="delete_message"]');

    // Bob asked, but only an owner may decide: he sees who, she sees the buttons.
    await deleteOn(bob.page).and(bob.page.locator('[data-state="awaiting_approval"]')).waitFor();
    await deleteOn(alice.page).and(alice.page.locator('[data-state="awaiting_approval"]')).waitFor();
    expect(await deleteOn(bob.page).getByTestId("approve-tool").count()).toBe(0);
    expect(await deleteOn(bob.page).getByTestId("deny-tool").count()).toBe(0);
    expect(await deleteOn(bob.page).getByTestId("tool-waiting").innerText()).toContain("Alice");
    expect(await deleteOn(alice.page).getByTestId("deny-tool").count()).toBe(1);
    for (const page of [alice.page, bob.page]) {
      // The run is still open while it waits; the nested cards are not shown twice.
      expect(await cardOn(page).getAttribute("data-state")).toBe("running");
      expect(await assistantRows(page).last().getByTestId("assistant-status").innerText()).toBe("waiting for approval");
      expect(await nestedTools(cardOn(page))).toEqual(["search_messages", "delete_message"]);
      expect(await assistantRows(page).last().getByTestId("tool-card").count()).toBe(2);
      expect(JSON.parse((await deleteOn(page).getByTestId("tool-input").textContent()) ?? "null")).toEqual({ seq: spamSeq, reason: "spam" });
    }
    // The spam is still there until she decides.
    expect(await spamOnAlice.getByTestId("message-text").innerText()).toBe(spam);

    await deleteOn(alice.page).getByTestId("approve-tool").click();

    for (const page of [alice.page, bob.page]) {
      const spamRow = page.locator(`[data-testid="message"][data-seq="${spamSeq}"]`);
      await eventually(() => spamRow.getByTestId("message-text").innerText(), "message deleted");
      const row = assistantRows(page).last();
      await row.and(page.locator('[data-status="done"]')).waitFor();
      expect(await cardOn(page).getAttribute("data-state")).toBe("done");
      expect(await deleteOn(page).getAttribute("data-state")).toBe("done");
      expect(await deleteOn(page).getByTestId("tool-decided").innerText()).toBe("Approved by Alice");
      expect(await deleteOn(page).getByTestId("approve-tool").count()).toBe(0);
      const result = JSON.parse((await cardOn(page).getByTestId("code-result").locator("pre").textContent()) ?? "null");
      expect(result).toEqual({ deleted: spamSeq, reason: "spam" });
      expect(await row.getByTestId("tool-card").count()).toBe(2);
    }
    expect(problemsOf(alice, bob)).toBe("");
  });
});
