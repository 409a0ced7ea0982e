/**
 * An owner connects the room's model from the UI (issue 15): the room
 * starts with none (what `npm start` runs when it finds none), so the
 * assistant is "not connected" in the member list; the owner points it at
 * an OpenAI-compatible server with a key, picks a model from the server's
 * list, and every member sees which model answers and gets its answer. The
 * key goes to the model server and nowhere else: no socket frame any page
 * receives carries it, not even the provider's error quoting a wrong key.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer } from "../support/dev-server";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai";
import { artifactPath, messageRow, openRoom, send, uniqueRoom } from "./browser";
import { useBrowserRoom } from "./fixture";

const KEY = "sk-browser-7c2e91d4-secret";
const WRONG_KEY = "sk-wrong-5a8b3f-should-not-show";

let fake: FakeOpenAI;
beforeAll(async () => {
  fake = await startFakeOpenAI([{ chunks: ["Hello ", "from ", "qwen."] }], { apiKey: KEY, models: ["llama-test", "nomic-embed-text", "qwen-test"] });
});
afterAll(async () => {
  await fake?.close();
});

const fixture = useBrowserRoom({
  server: () => startDevServer({ vars: { AI_PROVIDER: "none", MCP_ALLOW_HOSTS: `127.0.0.1:${new URL(fake.baseUrl).port}` } }),
  members: ["Alice", "Bob"],
});
const [alice, bob] = fixture.members;

/** Every frame the page's sockets receive, as text. */
function receivedFrames(page: Page): string[] {
  const frames: string[] = [];
  page.on("websocket", (ws) => ws.on("framereceived", (f) => frames.push(typeof f.payload === "string" ? f.payload : f.payload.toString())));
  return frames;
}

describe("room model settings", () => {
  it("an owner connects a model with a key; members see it and get answers; the key is in no frame", async () => {
    const aliceFrames = receivedFrames(alice.page);
    const bobFrames = receivedFrames(bob.page);
    const room = uniqueRoom("model");
    await openRoom(alice.page, `/r/${room}`);
    await openRoom(bob.page, `/r/${room}`);

    // No model yet: the assistant is listed, and says so.
    const bobAssistant = bob.page.getByTestId("assistant-presence");
    await bobAssistant.getByTestId("assistant-activity").filter({ hasText: "not connected" }).waitFor();
    // Members see the settings, but only owners get the form.
    await bob.page.getByTestId("assistant-summary").waitFor();
    expect(await bob.page.getByTestId("assistant-form").count()).toBe(0);

    const form = alice.page.getByTestId("assistant-form");
    await form.getByTestId("assistant-provider").selectOption("openai-compatible");
    await form.getByTestId("assistant-base-url").fill(fake.baseUrl);
    await form.getByTestId("assistant-api-key").fill(KEY);
    await form.getByTestId("assistant-list-models").click();
    await alice.page.getByTestId("assistant-models-result").filter({ hasText: "2 models" }).waitFor();
    // The server's chat models are offered; its embedding model is not.
    const offered = await form.locator("datalist option").evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
    expect(offered).toEqual(["llama-test", "qwen-test"]);
    await form.getByTestId("assistant-model-input").fill("qwen-test");
    await form.getByTestId("assistant-temperature").fill("0.5");
    await form.getByTestId("assistant-save").click();
    await alice.page.getByTestId("assistant-result").filter({ hasText: "qwen-test" }).waitFor();

    // Every member sees which model answers now, and that it is ready.
    const host = new URL(fake.baseUrl).host;
    await bobAssistant.getByTestId("assistant-model").filter({ hasText: `qwen-test at ${host}` }).waitFor();
    await bobAssistant.getByTestId("assistant-activity").filter({ hasText: "idle" }).waitFor();
    await messageRow(bob.page, "Alice changed the assistant: model qwen-test").waitFor();

    await send(bob.page, "@assistant hello?");
    await messageRow(alice.page, "Hello from qwen.").waitFor();
    await messageRow(bob.page, "Hello from qwen.").waitFor();
    await alice.page.screenshot({ path: artifactPath("model-settings-owner.png"), fullPage: true });
    await bob.page.screenshot({ path: artifactPath("model-settings-member.png"), fullPage: true });
    const chat = fake.requests.at(-1)!;
    expect(chat).toMatchObject({ model: "qwen-test", temperature: 0.5, authorization: `Bearer ${KEY}` });

    // The key field is write-only: after a reload it is empty and says a key is set.
    await alice.page.reload();
    const key = alice.page.getByTestId("assistant-api-key");
    await key.waitFor();
    expect(await key.inputValue()).toBe("");
    expect(await key.getAttribute("placeholder")).toMatch(/key is set/);

    for (const frames of [aliceFrames, bobFrames]) {
      expect(frames.length).toBeGreaterThan(10);
      expect(frames.join("\n")).not.toContain(KEY);
    }
  });

  it("a provider error that quotes a wrong key shows the room without the key", async () => {
    const bobFrames = receivedFrames(bob.page);
    const room = uniqueRoom("wrongkey");
    await openRoom(alice.page, `/r/${room}`);
    await openRoom(bob.page, `/r/${room}`);
    const form = alice.page.getByTestId("assistant-form");
    await form.getByTestId("assistant-provider").selectOption("openai-compatible");
    await form.getByTestId("assistant-base-url").fill(fake.baseUrl);
    await form.getByTestId("assistant-api-key").fill(WRONG_KEY);
    await form.getByTestId("assistant-model-input").fill("qwen-test");
    await form.getByTestId("assistant-save").click();
    await alice.page.getByTestId("assistant-result").filter({ hasText: "qwen-test" }).waitFor();

    await send(bob.page, "@assistant are you there?");
    const failure = messageRow(bob.page, "The assistant's model failed");
    await failure.waitFor();
    expect(await failure.innerText()).toContain("[the room's API key]");
    expect(bobFrames.join("\n")).not.toContain(WRONG_KEY);
  });
});
