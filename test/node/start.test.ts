/**
 * `npm start` on a new machine: with no model configured it finds a local
 * OpenAI-compatible server where Ollama listens by default and answers with
 * its first chat model; with none there, a mention gets the setup message
 * (not an error). Runs scripts/start.ts, the script `npm start` runs.
 */
import { mkdtempSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../support/dev-server";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai";
import { createSession, NodeMember } from "../support/node-member";
import { LOCAL_MODEL_SERVERS } from "../../scripts/local-model";

let server: DevServer | undefined;
let model: FakeOpenAI | undefined;
afterEach(async () => {
  await server?.stop();
  await model?.close();
  server = model = undefined;
});

const listening = (port: number) =>
  new Promise<boolean>((res) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), res(true)));
    socket.once("error", () => res(false));
  });

// The test owns the default addresses: something real listening there would make it test that instead.
beforeAll(async () => {
  for (const { baseUrl } of LOCAL_MODEL_SERVERS) {
    const port = Number(new URL(baseUrl).port);
    if (await listening(port)) throw new Error(`port ${port} is in use on this machine; the test needs it free`);
  }
});

for (const key of ["AI_PROVIDER", "AI_MODEL", "OPENAI_BASE_URL", "OPENAI_API_KEY", "CLOUDFLARE_API_TOKEN"]) delete process.env[key];
// A developer's own `wrangler login` would make the start script choose Workers AI (remotely): not this test's subject.
process.env.XDG_CONFIG_HOME = process.env.HOME = mkdtempSync(join(tmpdir(), "hearth-start-home-"));

describe("npm start picks the assistant's model", () => {
  it("uses the first chat model of a server on Ollama's address, with no variables set", async () => {
    model = await startFakeOpenAI([{ chunks: ["Hello ", "from ", "Ollama."] }], { port: 11434, models: ["nomic-embed-text", "llama3.2:latest"] });
    server = await startDevServer({ viaStartScript: true });
    expect(server.output()).toContain("Assistant: llama3.2:latest from Ollama at 127.0.0.1:11434");
    const alice = await createSession(server.url, "alice");
    const a = await NodeMember.connect(server.url, "first-run", alice.token);
    await a.next("snapshot");
    a.send({ type: "send", id: crypto.randomUUID(), text: "@assistant hello" });
    const done = await a.next("message_updated", (f) => f.message.kind === "assistant" && f.message.status === "done");
    expect(done.message.text).toBe("Hello from Ollama.");
    expect(model.requests.map((r) => r.model)).toEqual(["llama3.2:latest"]);
  });

  it("without a model, a mention gets the setup message with the one step to take", async () => {
    server = await startDevServer({ viaStartScript: true });
    expect(server.output()).toContain("Assistant: no model found");
    const alice = await createSession(server.url, "alice");
    const a = await NodeMember.connect(server.url, "no-model", alice.token);
    await a.next("snapshot");
    a.send({ type: "send", id: crypto.randomUUID(), text: "@assistant hello" });
    const setup = await a.next("message", (f) => f.message.kind === "system");
    expect(setup.message.id).toMatch(/^setup-/);
    expect(setup.message.text).toContain("ollama serve");
    // No assistant message was started (no "failed" answer).
    expect(a.all("message").filter((f) => f.message.kind === "assistant")).toEqual([]);
  });
});
