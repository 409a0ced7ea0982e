/**
 * The AI assistant in a real Chromium against `wrangler dev`, with a scripted
 * OpenAI-compatible model (test/support/fake-openai.ts): answers stream to
 * every member as they are written, anyone may stop them, and whatever the
 * model writes is rendered inert.
 */
import type { Locator, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import type { CompletionScript } from "../support/fake-openai";
import { eventually, messageRow, openRoom, send, uniqueRoom } from "./browser";
import { useBrowserRoom, useScriptedModel } from "./fixture";

/** The fake model plays script n for its n-th request: each test adds its own before asking. */
const scripts: CompletionScript[] = [];
/** Every URL any member's page requested. */
const requests: string[] = [];

const model = useScriptedModel(scripts);
const fixture = useBrowserRoom({ server: model.start, members: ["Alice", "Bob"] });
const [alice, bob] = fixture.members;

beforeAll(() => {
  for (const m of [alice, bob]) m.page.on("request", (r) => requests.push(r.url()));
});

/** The assistant's rows on a page, oldest first. */
function assistantRows(page: Page): Locator {
  return page.locator('[data-testid="message"][data-kind="assistant"]');
}

/** The rendered answer text (tool cards excluded), whitespace-normalised. */
async function answerText(row: Locator): Promise<string> {
  const texts = await row.getByTestId("message-text").allInnerTexts();
  return texts.join(" ").replace(/\s+/g, " ").trim();
}

/**
 * Records, on every DOM change, the text of the newest assistant message and
 * its status — so intermediate states are seen even if they last a frame.
 */
async function recordAnswer(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __answer: Array<{ text: string; status: string | null }> };
    w.__answer = [];
    const observer = new MutationObserver(() => {
      const rows = document.querySelectorAll('[data-testid="message"][data-kind="assistant"]');
      const row = rows[rows.length - 1];
      if (!row) return;
      const text = [...row.querySelectorAll('[data-testid="message-text"]')]
        .map((el) => (el as HTMLElement).innerText)
        .join(" ")
        .replace(/\s+/g, " ")
        .trim();
      const status = row.getAttribute("data-status");
      const last = w.__answer[w.__answer.length - 1];
      if (!last || last.text !== text || last.status !== status) w.__answer.push({ text, status });
    });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  });
}

async function recorded(page: Page): Promise<Array<{ text: string; status: string | null }>> {
  return page.evaluate(() => (window as unknown as { __answer: Array<{ text: string; status: string | null }> }).__answer);
}

describe("the assistant in the browser", () => {
  const room = uniqueRoom("ai");
  const words = ["Streaming ", "answers ", "arrive ", "word ", "by ", "word ", "for ", "every ", "member ", "in ", "the ", "room."];

  it("streams an answer progressively to another member, then marks it done", async () => {
    await openRoom(alice.page, `/r/${room}`);
    await openRoom(bob.page, `/r/${room}`);
    await recordAnswer(bob.page);
    scripts.push({ chunks: words, delayMs: 120 });
    const question = `@assistant how do answers arrive? ${Date.now()}`;
    await send(alice.page, question);

    const final = words.join("").trim();
    for (const page of [alice.page, bob.page]) {
      const row = assistantRows(page).last();
      await row.and(page.locator('[data-status="done"]')).waitFor();
      expect(await answerText(row)).toBe(final);
      expect(await row.getAttribute("data-author")).toBe("assistant");
      expect(await row.locator(".avatar-ai").innerText()).toBe("AI");
      // A finished answer has no indicator, no label and no Stop button.
      expect(await row.getByTestId("assistant-status").count()).toBe(0);
      expect(await row.getByTestId("stop-turn").count()).toBe(0);
    }

    const seen = await recorded(bob.page);
    const whileStreaming = seen.filter((s) => s.status === "streaming" && s.text !== "" && s.text !== final);
    const distinct = [...new Set(whileStreaming.map((s) => s.text))];
    // Strictly growing prefixes of the final answer, shown while it was still being written.
    expect(distinct.length, JSON.stringify(seen)).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < distinct.length; i++) expect(distinct[i]!.length).toBeGreaterThan(distinct[i - 1]!.length);
    for (const text of distinct) expect(final.startsWith(text), `${text} is not a prefix of the answer`).toBe(true);
    expect(seen.at(-1)).toEqual({ text: final, status: "done" });
    // The server asked the model with Alice's words.
    expect(JSON.stringify(model.fake.requests.at(-1)?.messages)).toContain(question);
  });

  it("shows the streaming indicator, and lets another member stop the answer with its partial text kept", async () => {
    scripts.push({ chunks: ["Partial ", "answer ", "so ", "far"], delayMs: 60, hang: true });
    await send(alice.page, "@assistant tell me everything, forever");

    const bobsRow = assistantRows(bob.page).last();
    await bobsRow.and(bob.page.locator('[data-status="streaming"]')).waitFor();
    await eventually(() => answerText(bobsRow), "Partial answer so far");
    expect(await bobsRow.getByTestId("assistant-status").innerText()).toContain("writing");

    await bobsRow.getByTestId("stop-turn").click();
    for (const page of [alice.page, bob.page]) {
      const row = assistantRows(page).last();
      await row.and(page.locator('[data-status="stopped"]')).waitFor();
      expect(await row.getByTestId("assistant-status").innerText()).toBe("stopped");
      expect(await answerText(row)).toBe("Partial answer so far");
      expect(await row.getByTestId("stop-turn").count()).toBe(0);
    }
  });

  it("asks the assistant again by replying to one of its answers", async () => {
    scripts.push({ chunks: ["A ", "follow-up ", "answer."], delayMs: 20 });
    const before = await assistantRows(bob.page).count();
    const asked = assistantRows(bob.page).last();
    await asked.getByTestId("reply").click();
    const banner = bob.page.getByTestId("reply-banner");
    expect(await banner.innerText()).toContain("Replying to assistant");
    // No mention: only the reply asks the assistant.
    const followUp = `and then what? ${Date.now()}`;
    await send(bob.page, followUp);
    await banner.waitFor({ state: "detached" });

    await eventually(() => assistantRows(alice.page).count(), before + 1);
    const answer = assistantRows(alice.page).last();
    await answer.and(alice.page.locator('[data-status="done"]')).waitFor();
    expect(await answerText(answer)).toBe("A follow-up answer.");
    // The answer replies to Bob's message, which replies to the stopped answer.
    const bobsMessage = messageRow(alice.page, followUp);
    expect(await bobsMessage.getByTestId("reply-context").innerText()).toContain("assistant");
    expect(await answer.getByTestId("reply-context").innerText()).toContain("Bob");
  });

  it("offers @assistant while typing a mention, accepted with Tab", async () => {
    const input = bob.page.getByTestId("composer-input");
    await input.fill("");
    await input.pressSequentially("hi @As");
    const option = bob.page.getByTestId("mention-option");
    await option.waitFor();
    expect(await option.getAttribute("aria-selected")).toBe("true");
    expect(await input.getAttribute("aria-activedescendant")).toBe(await option.getAttribute("id"));
    await input.press("Tab");
    expect(await input.inputValue()).toBe("hi @assistant ");
    expect(await bob.page.getByTestId("mention-list").count()).toBe(0);
    // Not offered once written out, nor inside an email address.
    await input.fill("mail me at bob@ass");
    expect(await bob.page.getByTestId("mention-list").count()).toBe(0);
    await input.fill("");
  });

  it("shows a member who reloads mid-answer the text so far, then the rest", async () => {
    const chunks = Array.from({ length: 14 }, (_, i) => `part${i + 1} `);
    scripts.push({ chunks, delayMs: 250 });
    await send(alice.page, "@assistant count slowly");
    const row = () => assistantRows(bob.page).last();
    await eventually(async () => (await answerText(row())).includes("part3"), true);
    await bob.page.reload();
    await bob.page.locator('[data-testid="connection-status"][data-status="online"]').waitFor();
    // Back in the room before the answer is over: the text so far, still being written.
    await eventually(async () => (await answerText(row())).startsWith("part1 part2 part3"), true);
    expect(await row().getAttribute("data-status")).toBe("streaming");
    expect(await answerText(row())).not.toContain("part14");
    await row().and(bob.page.locator('[data-status="done"]')).waitFor();
    expect(await answerText(row())).toBe(chunks.join("").trim());
  });
});

describe("model output is untrusted", () => {
  const room = uniqueRoom("ai-xss");
  const corpus = [
    "Here is everything:",
    "<img src=x onerror=window.__pwned=1>",
    "<svg onload=window.__pwned=1>",
    "<script>window.__pwned=1</script>",
    "[click](javascript:window.__pwned=1)",
    '<a href="javascript:window.__pwned=1">x</a>',
    '<iframe src="javascript:window.__pwned=1">',
    "![t](http://127.0.0.1:9/t.png)",
    '<math><mi xlink:href="javascript:window.__pwned=1">x</mi></math>',
    "<details open ontoggle=window.__pwned=1>",
    "<style>body{background:url(http://127.0.0.1:9/x)}</style>",
    '<form action="javascript:window.__pwned=1"><button>go</button></form>',
    "```html\n<script>window.__pwned=1</script>\n```",
    '<img src="data:image/svg+xml,<svg onload=window.__pwned=1>">',
    "The end.",
  ].join("\n\n");
  // Cut at fixed widths, so tags and URLs arrive in pieces.
  const chunks = corpus.match(/[\s\S]{1,9}/g)!;

  /** Everything in message bodies that must never exist; recorded on every DOM change. */
  async function watchForDanger(page: Page): Promise<void> {
    await page.evaluate(() => {
      const w = window as unknown as { __danger: string[]; __checks: number };
      w.__danger = [];
      w.__checks = 0;
      const check = () => {
        w.__checks++;
        for (const body of document.querySelectorAll('[data-testid="message"] [data-testid="message-text"]')) {
          const found = body.querySelectorAll("script, iframe, img, svg, style, form, object, embed, math, details, input");
          for (const el of found) w.__danger.push(`element ${el.tagName}`);
          for (const el of body.querySelectorAll("*")) {
            for (const name of el.getAttributeNames()) {
              const value = el.getAttribute(name) ?? "";
              if (name.startsWith("on")) w.__danger.push(`${el.tagName} ${name}`);
              if (/^\s*(javascript|data|vbscript):/i.test(value)) w.__danger.push(`${el.tagName} ${name}=${value}`);
              if (name === "src" || name === "srcset" || name === "style") w.__danger.push(`${el.tagName} ${name}`);
            }
          }
        }
      };
      new MutationObserver(check).observe(document.body, {
        subtree: true,
        childList: true,
        characterData: true,
        attributes: true,
      });
    });
  }

  it("renders the corpus inert while it streams and after, for every member", async () => {
    const before = model.fake.requests.length;
    await openRoom(alice.page, `/r/${room}`);
    await openRoom(bob.page, `/r/${room}`);
    for (const page of [alice.page, bob.page]) await watchForDanger(page);
    scripts.push({ chunks, delayMs: 15 });
    await send(alice.page, "@assistant show me some HTML");
    await eventually(async () => model.fake.requests.length, before + 1);

    for (const page of [alice.page, bob.page]) {
      const row = assistantRows(page).last();
      await row.and(page.locator('[data-status="done"]')).waitFor();
      // Give anything that slipped through the chance to run or load.
      await page.waitForTimeout(300);
      const body = row.getByTestId("message-text");
      const seen = await page.evaluate(() => {
        const w = window as unknown as { __pwned?: unknown; __danger: string[]; __checks: number };
        return { pwned: w.__pwned, danger: w.__danger, checks: w.__checks };
      });
      const html = (await body.evaluateAll((els) => els.map((e) => e.innerHTML))).join("\n");
      expect(seen.pwned, html).toBeUndefined();
      expect(seen.danger, html).toEqual([]);
      // The watcher ran during the stream, not only at the end.
      expect(seen.checks).toBeGreaterThan(10);

      const text = await answerText(row);
      expect(text).toContain("The end.");
      // Raw HTML shows as text, the code block's script too.
      expect(text).toContain("<img src=x onerror=window.__pwned=1>");
      expect(await row.locator("pre code").innerText()).toContain("<script>window.__pwned=1</script>");

      // Links: only http(s) targets survive, opened without an opener.
      const links = await body.locator("a").evaluateAll((as) =>
        as.map((a) => ({ href: a.getAttribute("href"), rel: a.getAttribute("rel"), target: a.getAttribute("target") })),
      );
      expect(links.length, html).toBe(2);
      for (const link of links) {
        if (link.href === null) continue;
        expect(link.href).toMatch(/^https?:/);
        expect(link.rel?.split(" ")).toContain("noopener");
        expect(link.target).toBe("_blank");
      }
      // The image became a link to its address, not a request for it.
      expect(links.map((l) => l.href)).toContain("http://127.0.0.1:9/t.png");
      // Clicking what used to be javascript: links does nothing.
      for (const link of await body.locator("a:not([href])").all()) await link.click();
      expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
      expect(page.url()).toContain(`/r/${room}`);
    }
    expect(requests.filter((url) => new URL(url).port === "9")).toEqual([]);
  });
});

describe("tool calls", () => {
  const room = uniqueRoom("ai-tools");

  it("shows tool cards where the calls happened, and lets only an approver decide", async () => {
    // Alice is the room's owner: she joins first.
    await openRoom(alice.page, `/r/${room}`);
    await openRoom(bob.page, `/r/${room}`);
    const spam = `cheap pills at spam.example ${Date.now()}`;
    await send(bob.page, spam);
    const spamRow = bob.page.locator('[data-testid="message"][data-state="sent"]').filter({ hasText: spam });
    await spamRow.waitFor();
    const spamSeq = Number(await spamRow.getAttribute("data-seq"));

    scripts.push(
      { chunks: ["Let me ", "look around."], delayMs: 20, toolCalls: [{ id: "call_info", name: "room_info", arguments: {} }] },
      {
        chunks: ["Found it, ", "deleting."],
        delayMs: 20,
        toolCalls: [{ id: "call_del", name: "delete_message", arguments: { seq: spamSeq, reason: "spam" } }],
      },
      { chunks: ["Deleted ", "the spam."], delayMs: 20 },
    );
    await send(bob.page, "@assistant please remove the spam above");

    // Bob asked but is no owner: he sees who may decide, and no buttons.
    const bobsCard = bob.page.locator('[data-testid="tool-card"][data-tool="delete_message"]');
    await bobsCard.and(bob.page.locator('[data-state="awaiting_approval"]')).waitFor();
    await assistantRows(bob.page).last().and(bob.page.locator('[data-status="waiting"]')).waitFor();
    expect(await bobsCard.getByTestId("approve-tool").count()).toBe(0);
    expect(await bobsCard.getByTestId("tool-waiting").innerText()).toBe("Waiting for approval by Alice.");
    // A waiting turn can still be stopped.
    expect(await assistantRows(bob.page).last().getByTestId("stop-turn").count()).toBe(1);
    expect(await bobsCard.getByTestId("tool-input").textContent()).toContain(`"seq": ${spamSeq}`);

    // The first card ran by itself and shows its result and duration.
    const infoCard = bob.page.locator('[data-testid="tool-card"][data-tool="room_info"]');
    expect(await infoCard.getAttribute("data-state")).toBe("done");
    expect(await infoCard.getByTestId("tool-output").textContent()).toContain(room);
    expect(await infoCard.locator(".tool-duration").innerText()).toMatch(/^\d+(\.\d)? m?s$/);

    const alicesCard = alice.page.locator('[data-testid="tool-card"][data-tool="delete_message"]');
    await alicesCard.getByTestId("approve-tool").click();

    for (const page of [alice.page, bob.page]) {
      const row = assistantRows(page).last();
      await row.and(page.locator('[data-status="done"]')).waitFor();
      const card = row.locator('[data-testid="tool-card"][data-tool="delete_message"]');
      expect(await card.getAttribute("data-state")).toBe("done");
      expect(await card.getByTestId("tool-decided").innerText()).toBe("Approved by Alice");
      expect(await card.getByTestId("approve-tool").count()).toBe(0);
      // Text and cards in the order they happened.
      const order = await row.getByTestId("assistant-body").evaluate((body) =>
        [...body.children].map((el) =>
          el.getAttribute("data-testid") === "tool-card"
            ? `[${el.getAttribute("data-tool")}]`
            : (el as HTMLElement).innerText.replace(/\s+/g, " ").trim(),
        ),
      );
      expect(order).toEqual(["Let me look around.", "[room_info]", "Found it, deleting.", "[delete_message]", "Deleted the spam."]);
      await page.locator(`[data-testid="message"][data-seq="${spamSeq}"]`).filter({ hasText: "message deleted" }).waitFor();
    }
  });

  it("shows a denial and who made it", async () => {
    const target = `more spam ${Date.now()}`;
    await send(bob.page, target);
    const targetRow = bob.page.locator('[data-testid="message"][data-state="sent"]').filter({ hasText: target });
    await targetRow.waitFor();
    const seq = Number(await targetRow.getAttribute("data-seq"));
    scripts.push(
      { chunks: ["Deleting."], toolCalls: [{ id: "call_del2", name: "delete_message", arguments: { seq, reason: "spam" } }] },
      { chunks: ["Understood, ", "I left it."] },
    );
    await send(bob.page, "@assistant delete that one too");
    const alicesCard = alice.page.locator('[data-testid="tool-card"][data-call-id="call_del2"]');
    await alicesCard.getByTestId("deny-tool").click();
    for (const page of [alice.page, bob.page]) {
      const card = page.locator('[data-testid="tool-card"][data-call-id="call_del2"]');
      await card.and(page.locator('[data-state="denied"]')).waitFor();
      await card.getByTestId("tool-decided").filter({ hasText: "Denied by Alice" }).waitFor();
      await assistantRows(page).last().and(page.locator('[data-status="done"]')).waitFor();
      expect(await page.locator(`[data-testid="message"][data-seq="${seq}"]`).getByTestId("message-text").innerText()).toBe(target);
    }
  });
});
