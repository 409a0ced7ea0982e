/**
 * Export in a real Chromium against `wrangler dev`: an owner clicks
 * "Markdown" in the room settings and gets a file holding the room's
 * messages and a tool card the assistant made (scripted model), with its
 * input and output; a member's browser gets a refusal, not the room.
 */
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import type { CompletionScript } from "../support/fake-openai";
import { SESSION_COOKIE } from "../support/node-member";
import { messageRow, openRoom, send, uniqueRoom } from "./browser";
import { useBrowserRoom, useScriptedModel } from "./fixture";

const scripts: CompletionScript[] = [];
const model = useScriptedModel(scripts);
const fixture = useBrowserRoom({ server: model.start, members: ["Alice", "Bob"] });
const [alice, bob] = fixture.members;
const room = uniqueRoom("export");

describe("export", () => {
  it("downloads the room as Markdown with the assistant's tool card, for owners only", async () => {
    await openRoom(alice.page, `/r/${room}`);
    await openRoom(bob.page, `/r/${room}`);
    await send(bob.page, `what we decided ${Date.now()}`);
    scripts.push(
      { chunks: ["Let me ", "look."], delayMs: 10, toolCalls: [{ id: "call_info", name: "room_info", arguments: {} }] },
      { chunks: ["Two of you ", "are here."], delayMs: 10 },
    );
    await send(bob.page, "@assistant who is here?");
    await messageRow(alice.page, "are here.").waitFor();
    await alice.page.locator('[data-testid="message"][data-kind="assistant"][data-status="done"]').waitFor();

    const [download] = await Promise.all([alice.page.waitForEvent("download"), alice.page.getByTestId("export-md").click()]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^hearth-${room}-\\d{4}-\\d\\d-\\d\\d\\.md$`));
    const md = await readFile((await download.path())!, "utf8");
    expect(md).toContain(`# #${room} — Hearth export`);
    expect(md).toContain("what we decided");
    expect(md).toContain("**Tool call `room_info`** — done");
    // The card's output: who was online, by name.
    expect(md).toMatch(/Output:\n```json\n[\s\S]*"name": "Alice"/);
    expect(md).toContain("Two of you are here.");

    // Bob is a member, not an owner: no export controls, and the URL itself refuses him.
    expect(await bob.page.getByTestId("export-md").count()).toBe(0);
    const refused = await fetch(`${fixture.server.url}/api/rooms/${room}/export?format=json`, { headers: { Cookie: `${SESSION_COOKIE}=${bob.token}` } });
    expect(refused.status).toBe(403);
    expect(await refused.text()).not.toContain("what we decided");
  });
});
