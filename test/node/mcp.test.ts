/**
 * MCP servers in a room, end to end: `wrangler dev` (the room is the MCP
 * client) against the real @modelcontextprotocol/server-everything over
 * streamable HTTP, a scripted OpenAI-compatible model for the assistant, and
 * a loopback canary that must never be reached by a refused URL.
 */
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startDevServer, type DevServer } from "../support/dev-server";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai";
import { startEverything, type Everything } from "../support/mcp-everything";
import { createSession, NodeMember } from "../support/node-member";

let server: DevServer;
let everything: Everything;
let model: FakeOpenAI;
let canary: Server;
let canaryPort: number;
let canaryHits = 0;
let trap: Server;
let trapPort: number;
let alice: NodeMember;
let bob: NodeMember;
let aliceId: string;
const ROOM = "mcp-room";

async function listen(handler: Parameters<typeof createServer>[1]): Promise<[Server, number]> {
  const port = await freePort();
  const srv = createServer(handler);
  await new Promise<void>((r) => srv.listen(port, "127.0.0.1", r));
  return [srv, port];
}

const everythingView = (m: NodeMember) =>
  m.next("mcp", (f) => f.servers.some((s) => s.name === "everything" && s.state === "ready" && s.tools.length > 0), { timeoutMs: 30_000 });

beforeAll(async () => {
  everything = await startEverything();
  [canary, canaryPort] = await listen((_req, res) => {
    canaryHits += 1;
    res.end("canary");
  });
  // An allowed MCP server that demands OAuth and names the canary as its
  // authorization server: the OAuth discovery request must be refused too.
  [trap, trapPort] = await listen((req, res) => {
    const base = `http://127.0.0.1:${trapPort}`;
    if (req.url?.startsWith("/.well-known/oauth-protected-resource")) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ resource: `${base}/mcp`, authorization_servers: [`http://127.0.0.1:${canaryPort}`] }));
      return;
    }
    res.writeHead(401, {
      "WWW-Authenticate": `Bearer resource_metadata="${base}/.well-known/oauth-protected-resource"`,
      "content-type": "application/json",
    });
    res.end(JSON.stringify({ error: "unauthorized" }));
  });
  model = await startFakeOpenAI([
    { chunks: [], toolCalls: [{ name: "everything__echo", arguments: { message: "from the model" } }] },
    { chunks: ["The server echoed it."] },
    { chunks: [], toolCalls: [{ name: "everything__toggle-simulated-logging", arguments: {} }] },
    { chunks: ["Logging toggled."] },
    {
      chunks: [],
      toolCalls: [
        {
          name: "code",
          arguments: {
            code: "async () => { const e = await codemode.everything__echo({ message: 'via code' }); const s = await codemode.everything__get_sum({ a: 2, b: 3 }); return { e, s }; }",
          },
        },
      ],
    },
    { chunks: ["Ran it as code."] },
  ]);
  server = await startDevServer({
    vars: {
      MCP_ALLOW_HOSTS: `127.0.0.1:${everything.port},127.0.0.1:${trapPort}`,
      AI_PROVIDER: "openai-compatible",
      OPENAI_BASE_URL: model.baseUrl,
      AI_MODEL: "scripted",
      // These tests are about direct tool calls; Code Mode has its own tests.
      ASSISTANT_TOOL_TOKENS: "1000000",
    },
  });
  const a = await createSession(server.url, "alice");
  aliceId = a.id;
  alice = await NodeMember.connect(server.url, ROOM, a.token);
  await alice.next("snapshot");
  bob = await NodeMember.connect(server.url, ROOM, (await createSession(server.url, "bob")).token);
  await bob.next("snapshot");
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await everything?.stop();
  await model?.close();
  canary?.close();
  trap?.close();
});

describe("MCP servers in a room", () => {
  it("connects a real server and shows its tools, prompts and resources to every member", async () => {
    const result = await alice.command(`/mcp add everything ${everything.url}`);
    expect(result).toMatchObject({ ok: true, text: "everything is connected." });
    const view = await everythingView(bob);
    const server = view.servers.find((s) => s.name === "everything")!;
    expect(server.addedBy.name).toBe("alice");
    expect(server.tools.map((t) => t.name)).toEqual(expect.arrayContaining(["echo", "get-sum", "toggle-simulated-logging"]));
    expect(server.tools.find((t) => t.name === "echo")).toMatchObject({ readOnly: true, enabled: true, changed: false });
    expect(server.tools.find((t) => t.name === "toggle-simulated-logging")?.readOnly).toBe(false);
    expect(server.prompts.length).toBeGreaterThan(0);
    expect(server.resources.length).toBeGreaterThan(0);
    expect(server.authUrl).toBeNull();
    // By default others' calls need alice's approval (mcp-trust.test.ts);
    // these tests are about calls, so she shares the server with everyone.
    expect(server.access).toBe("approval");
    expect((await alice.command("/mcp access everything all")).ok).toBe(true);
  });

  it("calls a tool without a model and shows the result to everyone as a card", async () => {
    const result = await bob.command('/mcp call everything.echo {"message":"hi there"}');
    expect(result.ok).toBe(true);
    const card = await alice.next("message", (f) => f.message.kind === "tool");
    expect(card.message).toMatchObject({ author: { name: "bob" }, status: "done" });
    expect(card.message.parts[0]).toMatchObject({ tool: "everything.echo", state: "done", input: { message: "hi there" } });
    expect(JSON.stringify(card.message.parts[0]!.output)).toContain("Echo: hi there");
  });

  it("turns a failing tool into a failed card and audits it", async () => {
    const result = await bob.command('/mcp call everything.get-sum {"a":"one","b":2}');
    expect(result.ok).toBe(false);
    const card = await alice.next("message", (f) => f.message.kind === "tool" && f.message.status === "failed");
    expect(card.message.parts[0]!.state).toBe("error");
    const audit = await alice.next("mcp", (f) => f.audit.some((e) => e.tool === "get-sum"));
    expect(audit.audit.find((e) => e.tool === "get-sum")).toMatchObject({ outcome: "error", via: "command", requestedBy: "bob" });
  });

  it("keeps direct calls of non-read-only tools to the member who connected the server", async () => {
    const result = await bob.command("/mcp call everything.toggle-simulated-logging {}");
    expect(result).toMatchObject({ ok: false, text: expect.stringMatching(/not read-only.*alice/) });
  });

  it("lets the assistant use a read-only MCP tool and shows the call as a card", async () => {
    bob.send({ type: "send", id: crypto.randomUUID(), text: "@assistant echo something" });
    const done = await alice.next("message_updated", (f) => f.message.kind === "assistant" && f.message.status === "done", { timeoutMs: 30_000 });
    expect(done.message.text).toBe("The server echoed it.");
    expect(done.message.parts[0]).toMatchObject({ tool: "everything__echo", state: "done" });
    expect(JSON.stringify(done.message.parts[0]!.output)).toContain("from the model");
    // The model was offered the MCP tools and got the result as a tool message.
    expect(model.requests[0]!.tools?.map((t) => t.function.name)).toContain("everything__echo");
    expect(JSON.stringify(model.requests[1]!.messages)).toContain("Echo: from the model");
  });

  it("asks the member who connected the server to approve a non-read-only call, and audits the approver", async () => {
    bob.send({ type: "send", id: crypto.randomUUID(), text: "@assistant toggle logging" });
    const waiting = await bob.next("tool", (f) => f.part.state === "awaiting_approval", { timeoutMs: 30_000 });
    expect(waiting.part.approvers).toContain(aliceId);
    bob.send({ type: "approve", seq: waiting.seq, callId: waiting.part.callId, approved: true });
    expect(await bob.next("error", (f) => f.code === "not_approver")).toBeTruthy();
    alice.send({ type: "approve", seq: waiting.seq, callId: waiting.part.callId, approved: true });
    const done = await bob.next("message_updated", (f) => f.message.seq === waiting.seq && f.message.status === "done", { timeoutMs: 30_000 });
    expect(done.message.parts[0]).toMatchObject({ state: "done", decidedBy: { name: "alice" } });
    const audit = await bob.next("mcp", (f) => f.audit.some((e) => e.tool === "toggle-simulated-logging"));
    expect(audit.audit.find((e) => e.tool === "toggle-simulated-logging")).toMatchObject({
      via: "assistant",
      requestedBy: "bob",
      approvedBy: "alice",
      outcome: "ok",
    });
  });

  it("runs model-written code against the server in the sandbox, with nested cards and audit rows", async () => {
    expect((await alice.command("/codemode code")).ok).toBe(true);
    bob.send({ type: "send", id: crypto.randomUUID(), text: "@assistant do both as code" });
    const done = await alice.next(
      "message_updated",
      (f) => f.message.kind === "assistant" && f.message.status === "done" && f.message.parts.some((p) => p.tool === "code"),
      { timeoutMs: 30_000 },
    );
    const card = done.message.parts.find((p) => p.tool === "code")!;
    expect(card.state).toBe("done");
    expect(JSON.stringify(card.output)).toContain("Echo: via code");
    const nested = done.message.parts.filter((p) => p.parentCallId === card.callId).map((p) => [p.tool, p.state]);
    expect(nested).toEqual([
      ["everything__echo", "done"],
      ["everything__get-sum", "done"],
    ]);
    // The model saw one tool, not the server's catalog.
    expect(model.requests.at(-2)!.tools?.map((t) => t.function.name)).toEqual(["code"]);
    const audit = await alice.next("mcp", (f) => f.audit.some((e) => e.tool === "echo" && e.args.includes("via code")));
    expect(audit.audit.find((e) => e.args.includes("via code"))).toMatchObject({ via: "assistant", requestedBy: "bob", outcome: "ok" });
    expect((await alice.command("/codemode direct")).ok).toBe(true);
  });

  it("disables a tool on request and refuses calls to it", async () => {
    alice.send({ type: "mcp_tool", id: "toggle-1", server: "everything", tool: "get-sum", enabled: false });
    await alice.next("mcp", (f) => f.servers[0]?.tools.find((t) => t.name === "get-sum")?.enabled === false);
    const result = await alice.command('/mcp call everything.get-sum {"a":1,"b":2}');
    expect(result).toMatchObject({ ok: false, text: expect.stringMatching(/disabled/) });
  });

  it("refuses private and loopback URLs by rule, also when OAuth discovery points at them", async () => {
    const refused = [
      [`http://127.0.0.1:${canaryPort}/mcp`, "https_only"],
      [`https://127.0.0.1:${canaryPort}/mcp`, "loopback"],
      [`https://localhost:${canaryPort}/mcp`, "local_name"],
      [`https://[::1]:${canaryPort}/mcp`, "loopback"],
      [`https://2130706433:${canaryPort}/mcp`, "loopback"],
      [`https://0x7f.1:${canaryPort}/mcp`, "loopback"],
      ["https://169.254.169.254/mcp", "metadata"],
      ["https://10.1.2.3/mcp", "private"],
    ] as const;
    for (const [i, [url, rule]] of refused.entries()) {
      const result = await alice.command(`/mcp add bad${i} ${url}`);
      expect(result).toMatchObject({ ok: false, text: expect.stringContaining(`(${rule})`) });
    }
    const trapped = await alice.command(`/mcp add trap http://127.0.0.1:${trapPort}/mcp`);
    expect(trapped.ok).toBe(false);
    expect(trapped.text).toMatch(/egress guard/);
    expect(canaryHits).toBe(0);
  });

  it("reconnects transparently to a restarted server that forgot our session", async () => {
    const port = everything.port;
    await everything.stop();
    everything = await startEverything(port);
    const result = await bob.command('/mcp call everything.echo {"message":"after restart"}');
    expect(result).toMatchObject({ ok: true });
  });

  it("lets only the connector or an owner remove the server", async () => {
    expect((await bob.command("/mcp remove everything")).ok).toBe(false);
    expect((await alice.command("/mcp remove everything")).ok).toBe(true);
    await bob.next("mcp", (f) => f.servers.length === 0);
  });
});
