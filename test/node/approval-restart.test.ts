/**
 * An approval that comes after a crash (issue 16): bob's request makes code
 * call a tool of the real server-everything that changes something
 * (`toggle-simulated-logging`, which needs alice's approval: she connected
 * the server). Time passes — past the sandbox's limit — then `wrangler dev`
 * is SIGKILLed and restarted on the same storage. alice approves; the run
 * replays (its earlier `echo` is not called again), makes the approved call
 * and finishes, and both members see the answer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../support/dev-server";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai";
import { startEverything, type Everything } from "../support/mcp-everything";
import { createSession, NodeMember } from "../support/node-member";

let server: DevServer | undefined;
let everything: Everything;
let model: FakeOpenAI;
const ROOM = "approval-restart";
const CODE =
  "async () => { const e = await codemode.everything__echo({ message: 'before the pause' });" +
  " const t = await codemode.everything__toggle_simulated_logging({}); return { e, t }; }";

beforeAll(async () => {
  everything = await startEverything();
  model = await startFakeOpenAI([
    { chunks: [], toolCalls: [{ name: "code", arguments: { code: CODE } }] },
    { chunks: ["Logging is toggled, after the restart."] },
  ]);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await everything?.stop();
  await model?.close();
});

const ready = (m: NodeMember) =>
  m.next("mcp", (f) => f.servers.some((s) => s.name === "everything" && s.state === "ready" && s.tools.length > 0), { timeoutMs: 30_000 });

describe("a durable approval across a crash", () => {
  it("finishes the paused code run after a SIGKILL and restart, making each earlier call once", async () => {
    const vars = {
      MCP_ALLOW_HOSTS: `127.0.0.1:${everything.port}`,
      AI_PROVIDER: "openai-compatible",
      OPENAI_BASE_URL: model.baseUrl,
      AI_MODEL: "scripted",
    };
    server = await startDevServer({ vars });
    const { persistDir, port } = server;
    const alice = await createSession(server.url, "alice");
    const bob = await createSession(server.url, "bob");
    const a = await NodeMember.connect(server.url, ROOM, alice.token);
    await a.next("snapshot");
    const b = await NodeMember.connect(server.url, ROOM, bob.token);
    await b.next("snapshot");
    expect((await a.command(`/mcp add everything ${everything.url}`)).ok).toBe(true);
    await ready(a);
    expect((await a.command("/mcp access everything all")).ok).toBe(true);
    expect((await a.command("/codemode code")).ok).toBe(true);
    // A short limit, so that the wait below is well past it.
    expect((await a.command("/codemode limits timeout=1000")).ok).toBe(true);

    b.send({ type: "send", id: crypto.randomUUID(), text: "@assistant please toggle the logging" });
    const waiting = await a.next("tool", (f) => f.part.tool === "everything__toggle-simulated-logging" && f.part.state === "awaiting_approval", { timeoutMs: 30_000 });
    expect(waiting.part.approvers).toContain(alice.id);
    await a.next("message_updated", (f) => f.message.kind === "assistant" && f.message.status === "waiting");
    // People take longer than code may: wait past the sandbox's limit (and its grace), then crash.
    await new Promise((r) => setTimeout(r, 4_000));
    await server.kill();

    server = await startDevServer({ vars, persistDir, port });
    const a2 = await NodeMember.connect(server.url, ROOM, alice.token);
    const b2 = await NodeMember.connect(server.url, ROOM, bob.token);
    const snapshot = await a2.next("snapshot");
    const card = snapshot.messages.flatMap((m) => m.parts).find((p) => p.callId === waiting.part.callId);
    expect(card?.state).toBe("awaiting_approval");
    const view = await ready(a2);
    const echoesBefore = view.audit.filter((e) => e.tool === "echo").length;

    a2.send({ type: "approve", seq: waiting.seq, callId: waiting.part.callId, approved: true });
    for (const m of [a2, b2]) {
      const done = await m.next("message_updated", (f) => f.message.kind === "assistant" && f.message.status === "done", { timeoutMs: 30_000 });
      expect(done.message.text).toBe("Logging is toggled, after the restart.");
      const code = done.message.parts.find((p) => p.tool === "code")!;
      expect(code.state).toBe("done");
      expect(JSON.stringify(code.output)).toContain("Echo: before the pause");
      expect(JSON.stringify(code.output)).toMatch(/logging/i);
      expect(done.message.parts.find((p) => p.callId === waiting.part.callId)).toMatchObject({ state: "done", decidedBy: { name: "alice" } });
    }
    // The model got the run's real result, and echo ran once in all: before the pause, not again on replay.
    expect(JSON.stringify(model.requests[1]!.messages)).toContain("Echo: before the pause");
    const audit = (await a2.next("mcp", (f) => f.audit.some((e) => e.tool === "toggle-simulated-logging"))).audit;
    expect(audit.filter((e) => e.tool === "echo").length).toBe(echoesBefore);
    expect(echoesBefore).toBe(1);
  }, 120_000);
});
