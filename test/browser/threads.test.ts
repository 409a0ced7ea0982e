/**
 * Threads in a real Chromium against `wrangler dev`: a reply in a thread
 * reaches the other member's open thread live, the parent shows the reply
 * count and who replied, "also send to room" puts a reply in the timeline
 * too, and a mention in a thread is answered there (scripted model).
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { CompletionScript } from "../support/fake-openai";
import { artifactPath, eventually, messageRow, openRoom, send, uniqueRoom } from "./browser";
import { useBrowserRoom, useScriptedModel } from "./fixture";

const scripts: CompletionScript[] = [];
const model = useScriptedModel(scripts);
const fixture = useBrowserRoom({ server: model.start, members: ["Alice", "Bob"] });
const [alice, bob] = fixture.members;
const room = uniqueRoom("thread");
const parentText = `lunch on friday? ${Date.now()}`;

function threadReplies(page: Page): Promise<string[]> {
  return page.getByTestId("thread-replies").getByTestId("message-text").allInnerTexts();
}

function timeline(page: Page): Promise<string[]> {
  return page.getByRole("log", { name: "Messages" }).getByTestId("message-text").allInnerTexts();
}

describe("threads", () => {
  it("shows a thread reply live in the other member's thread, and the reply count on the parent", async () => {
    await openRoom(alice.page, `/r/${room}`);
    await openRoom(bob.page, `/r/${room}`);
    await send(alice.page, parentText);
    await messageRow(bob.page, parentText).waitFor();

    // Bob opens the thread first, so Alice's reply arrives in an open thread.
    await messageRow(bob.page, parentText).hover();
    await messageRow(bob.page, parentText).getByTestId("reply-in-thread").click();
    await bob.page.getByTestId("thread-panel").waitFor();
    await bob.page.getByTestId("thread-panel").getByText("No replies yet.").waitFor();

    await messageRow(alice.page, parentText).hover();
    await messageRow(alice.page, parentText).getByTestId("reply-in-thread").click();
    const input = alice.page.getByTestId("thread-input");
    await input.fill("tacos at noon");
    await input.press("Enter");

    await eventually(() => threadReplies(bob.page), ["tacos at noon"]);
    const summary = messageRow(bob.page, parentText).getByTestId("thread-summary");
    await summary.waitFor();
    expect(await summary.getByTestId("thread-count").innerText()).toBe("1 reply");
    expect(await summary.getByTestId("thread-repliers").innerText()).toBe("Alice");
    // A thread-only reply stays out of the room's timeline.
    expect(await timeline(bob.page)).toEqual([parentText]);
  });

  it("puts a reply also sent to the room in the timeline, marked as a thread reply", async () => {
    await bob.page.getByTestId("thread-also-to-room").check();
    const input = bob.page.getByTestId("thread-input");
    await input.fill("count me in");
    await bob.page.getByTestId("thread-send").click();

    await eventually(() => timeline(alice.page), [parentText, "count me in"]);
    await messageRow(alice.page, "count me in").getByTestId("thread-reply-marker").waitFor();
    await eventually(() => messageRow(alice.page, parentText).getByTestId("thread-count").innerText(), "2 replies");
    expect(await messageRow(alice.page, parentText).getByTestId("thread-repliers").innerText()).toBe("Bob, Alice");
  });

  it("answers a mention in the thread, in the thread, with the thread as context", async () => {
    scripts.push({ chunks: ["Noon ", "it is."], delayMs: 20 });
    const input = alice.page.getByTestId("thread-input");
    await input.fill("@assistant what time?");
    await input.press("Enter");

    await eventually(() => threadReplies(bob.page), ["tacos at noon", "count me in", "@assistant what time?", "Noon it is."]);
    expect(await timeline(bob.page)).toEqual([parentText, "count me in"]);
    const sent = JSON.stringify(model.fake.requests.at(-1)?.messages);
    expect(sent).toContain(parentText);
    expect(sent).toContain("tacos at noon");
    await bob.page.screenshot({ path: artifactPath("threads.png") });
  });
});
