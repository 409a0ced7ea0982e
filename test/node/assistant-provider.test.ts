/**
 * The assistant through the real provider path: `wrangler dev` configured
 * with AI_PROVIDER=openai-compatible talks to a scripted OpenAI-compatible
 * server started by the test. Then a crash in the middle of a stream: the
 * message must end up stored as interrupted, and the room must keep working.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../support/dev-server";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai";
import { createSession, NodeMember } from "../support/node-member";

let server: DevServer | undefined;
let model: FakeOpenAI | undefined;
afterEach(async () => {
  await server?.stop();
  await model?.close();
  server = model = undefined;
});

const providerVars = (m: FakeOpenAI) => ({
  AI_PROVIDER: "openai-compatible",
  OPENAI_BASE_URL: m.baseUrl,
  OPENAI_API_KEY: "sk-test-not-a-secret",
  AI_MODEL: "scripted-model",
});

describe("assistant with an OpenAI-compatible server", () => {
  it("streams the provider's answer to every member", async () => {
    const chunks = ["The ", "answer ", "is ", "42", "."];
    model = await startFakeOpenAI([{ chunks, delayMs: 80 }]);
    server = await startDevServer({ vars: providerVars(model) });
    const alice = await createSession(server.url, "alice");
    const bob = await createSession(server.url, "bob");
    const a = await NodeMember.connect(server.url, "provider-room", alice.token);
    const b = await NodeMember.connect(server.url, "provider-room", bob.token);
    await b.next("snapshot");
    a.send({ type: "send", id: crypto.randomUUID(), text: "@assistant what is the answer?" });

    const done = await b.next("message_updated", (f) => f.message.kind === "assistant" && f.message.status === "done");
    expect(done.message.text).toBe(chunks.join(""));
    expect(b.all("draft").length).toBeGreaterThanOrEqual(3);
    expect(model.requests).toHaveLength(1);
    expect(model.requests[0]!.model).toBe("scripted-model");
    // Each member message reaches the provider as one JSON object naming its speaker.
    const userTurns = model.requests[0]!.messages.filter((m) => m.role === "user").map((m) => String(m.content));
    expect(userTurns.map((c) => JSON.parse(c) as unknown)).toContainEqual({ from: "alice", text: "@assistant what is the answer?" });
  });

  it("stores a turn cut off by a crash as interrupted, and the room works after the restart", async () => {
    model = await startFakeOpenAI([{ chunks: ["Partial ", "answer ", "before ", "the ", "crash"], delayMs: 400, hang: true }]);
    server = await startDevServer({ vars: providerVars(model) });
    const { persistDir, port } = server;
    const alice = await createSession(server.url, "alice");
    const a = await NodeMember.connect(server.url, "crash-room", alice.token);
    await a.next("snapshot");
    a.send({ type: "send", id: crypto.randomUUID(), text: "@assistant tell me a long story" });
    const started = await a.next("message", (f) => f.message.kind === "assistant");
    // Wait until more than a second of text has streamed (one checkpoint at least).
    await a.next("draft", (d) => d.offset + d.text.length >= "Partial answer before ".length, { timeoutMs: 15_000 });
    await new Promise((r) => setTimeout(r, 300));
    await server.kill();

    server = await startDevServer({ persistDir, port, vars: providerVars(model) });
    const a2 = await NodeMember.connect(server.url, "crash-room", alice.token);
    const history = await a2.fullHistory();
    const turn = history.find((m) => m.seq === started.message.seq);
    expect(turn?.status).toBe("interrupted");
    expect(turn?.text.startsWith("Partial ")).toBe(true);

    a2.send({ type: "send", id: crypto.randomUUID(), text: "still works?" });
    await a2.next("ack");
  });
});
