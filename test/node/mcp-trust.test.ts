/**
 * Whose credentials an MCP call uses, and calls that must not run twice or
 * be confused: `wrangler dev` (the room is the MCP client) against the real
 * server-everything and small scripted MCP servers, a scripted model, and
 * members on real room sockets. Olivia owns the room, alice connects the
 * servers (her connection, her credentials), bob is another member.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LIMITS } from "../../shared/limits";
import { startDevServer, type DevServer } from "../support/dev-server";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai";
import { startEverything, type Everything } from "../support/mcp-everything";
import { createSession, NodeMember } from "../support/node-member";
import { startScriptedMcpServer, type ScriptedMcpServer } from "../support/scripted-mcp-server";

let server: DevServer;
let everything: Everything;
let model: FakeOpenAI;
let pay: ScriptedMcpServer;
let ghA: ScriptedMcpServer;
let ghB: ScriptedMcpServer;
let many: ScriptedMcpServer;
let twin: ScriptedMcpServer;
let broken: ScriptedMcpServer;
let olivia: NodeMember;
let alice: NodeMember;
let bob: NodeMember;
let aliceId: string;
const sessions: Record<string, string> = {};
const ROOM = "trust-room";

type McpFrame = Extract<NodeMember["frames"][number], { type: "mcp" }>;
const serverIn = (f: McpFrame, name: string) => f.servers.find((s) => s.name === name);
const ready = (m: NodeMember, name: string) => m.next("mcp", (f) => serverIn(f, name)?.state === "ready" && serverIn(f, name)!.toolCount > 0, { timeoutMs: 30_000 });
const send = (m: NodeMember, text: string) => m.send({ type: "send", id: crypto.randomUUID(), text });
const settled = (m: NodeMember, after: number) =>
  m.next("message_updated", (f) => f.message.kind === "assistant" && f.message.seq > after && (f.message.status === "done" || f.message.status === "failed"), { timeoutMs: 30_000 });
const lastSeq = (m: NodeMember) => Math.max(0, ...m.all("message").map((f) => f.message.seq));

function vars(): Record<string, string> {
  const ports = [everything, pay, ghA, ghB, many, twin, broken].map((s) => `127.0.0.1:${s.port}`);
  return {
    MCP_ALLOW_HOSTS: ports.join(","),
    AI_PROVIDER: "openai-compatible",
    OPENAI_BASE_URL: model.baseUrl,
    AI_MODEL: "scripted",
    // Direct tool calls here; Code Mode has its own tests.
    ASSISTANT_TOOL_TOKENS: "1000000",
  };
}

async function join(name: string): Promise<NodeMember> {
  sessions[name] ??= (await createSession(server.url, name)).token;
  const m = await NodeMember.connect(server.url, ROOM, sessions[name]!);
  await m.next("snapshot");
  return m;
}

beforeAll(async () => {
  everything = await startEverything();
  // A tool that does its work, then fails with text that mentions a session.
  pay = await startScriptedMcpServer([{ name: "charge", failWith: "upstream session not found" }]);
  // `gh__issues` + `create` and `gh` + `issues__create` share the assistant name gh__issues__create.
  ghA = await startScriptedMcpServer([{ name: "create", readOnly: true, text: "A: listed issues" }]);
  ghB = await startScriptedMcpServer([{ name: "issues__create", readOnly: false, text: "B: created an issue" }]);
  many = await startScriptedMcpServer(Array.from({ length: LIMITS.mcpToolsListed + 20 }, (_, i) => ({ name: `t${i}`, readOnly: true })));
  twin = await startScriptedMcpServer([{ name: "ping", readOnly: true }]);
  broken = await startScriptedMcpServer([{ name: "x" }]);
  broken.setBroken(true);
  model = await startFakeOpenAI([
    { chunks: [], toolCalls: [{ name: "everything__echo", arguments: { message: "for bob" } }] },
    { chunks: ["Echoed for bob."] },
    { chunks: [], toolCalls: [{ name: "everything__echo", arguments: { message: "kept" } }] },
    { chunks: ["Could not."] },
    { chunks: [], toolCalls: [{ name: "gh__issues__create", arguments: {} }] },
    { chunks: ["Done."] },
    { chunks: [], toolCalls: [{ name: "code", arguments: { code: "async () => codemode.everything__echo({ message: 'code for bob' })" } }] },
    { chunks: ["Ran it."] },
    { chunks: [], toolCalls: [{ name: "code", arguments: { code: "async () => codemode.everything__echo({ message: 'owner approves' })" } }] },
    { chunks: ["Refused."] },
  ]);
  server = await startDevServer({ vars: vars() });
  olivia = await join("olivia");
  const a = await createSession(server.url, "alice");
  sessions.alice = a.token;
  aliceId = a.id;
  alice = await join("alice");
  bob = await join("bob");
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await everything?.stop();
  await model?.close();
  for (const s of [pay, ghA, ghB, many, twin, broken]) await s?.stop();
});

describe("MCP trust", () => {
  it("by default needs the connector's approval for anyone else's call, read-only or not", async () => {
    expect((await alice.command(`/mcp add everything ${everything.url}`)).ok).toBe(true);
    const view = await ready(bob, "everything");
    expect(serverIn(view, "everything")).toMatchObject({ access: "approval", addedBy: { name: "alice" } });
    expect(serverIn(view, "everything")!.tools.find((t) => t.name === "echo")?.readOnly).toBe(true);

    // A read-only tool, called directly by another member or by an owner: refused.
    expect(await bob.command('/mcp call everything.echo {"message":"x"}')).toMatchObject({ ok: false, text: expect.stringMatching(/alice's approval/) });
    expect(await olivia.command('/mcp call everything.echo {"message":"x"}')).toMatchObject({ ok: false, text: expect.stringMatching(/alice's approval/) });
    // The connector's own call runs.
    expect((await alice.command('/mcp call everything.echo {"message":"mine"}')).ok).toBe(true);

    // Through the assistant: alice is asked, and the call runs once she approves.
    const after = lastSeq(bob);
    send(bob, "@assistant echo for me");
    const waiting = await bob.next("tool", (f) => f.seq > after && f.part.state === "awaiting_approval", { timeoutMs: 30_000 });
    expect(waiting.part.approvers).toContain(aliceId);
    alice.send({ type: "approve", seq: waiting.seq, callId: waiting.part.callId, approved: true });
    const done = await settled(bob, after);
    expect(done.message.parts[0]).toMatchObject({ tool: "everything__echo", state: "done", decidedBy: { name: "alice" } });
    const audit = await bob.next("mcp", (f) => f.audit.some((e) => e.args.includes("for bob")));
    expect(audit.audit.find((e) => e.args.includes("for bob"))).toMatchObject({ requestedBy: "bob", approvedBy: "alice", outcome: "ok" });
  });

  it("lets only the connector or an owner set the access, and `me` keeps the server to the connector", async () => {
    expect(await bob.command("/mcp access everything all")).toMatchObject({ ok: false, text: expect.stringMatching(/Only alice/) });
    expect((await bob.command("/mcp access everything sometimes")).ok).toBe(false);
    expect((await alice.command("/mcp access everything me")).ok).toBe(true);
    await bob.next("mcp", (f) => serverIn(f, "everything")?.access === "me");

    expect(await bob.command('/mcp call everything.echo {"message":"x"}')).toMatchObject({ ok: false, text: expect.stringMatching(/keeps to themselves/) });
    const after = lastSeq(bob);
    send(bob, "@assistant echo it anyway");
    const done = await settled(bob, after);
    // Refused outright: nobody is asked to approve, and the server is not called.
    expect(done.message.parts[0]).toMatchObject({ tool: "everything__echo", state: "error", error: expect.stringMatching(/keeps to themselves/) });
    expect(bob.all("tool").some((f) => f.seq === done.message.seq && f.part.state === "awaiting_approval")).toBe(false);
    expect((await alice.command('/mcp call everything.echo {"message":"still mine"}')).ok).toBe(true);

    // `all`: every member may use the read-only tools without asking.
    expect((await olivia.command("/mcp access everything all")).ok).toBe(true);
    await bob.next("mcp", (f) => serverIn(f, "everything")?.access === "all");
    expect((await bob.command('/mcp call everything.echo {"message":"shared"}')).ok).toBe(true);
    expect((await alice.command("/mcp access everything approval")).ok).toBe(true);
  });

  it("offers only the first of two tools whose assistant names collide, and says why in the panel", async () => {
    expect((await alice.command(`/mcp add gh__issues ${ghA.url}`)).ok).toBe(true);
    expect((await alice.command(`/mcp add gh ${ghB.url}`)).ok).toBe(true);
    const view = await alice.next("mcp", (f) => serverIn(f, "gh")?.tools.some((t) => t.name === "issues__create") === true, { timeoutMs: 30_000 });

    // The model calls the shared name: the one offered (read-only, alice's
    // own turn: no approval) runs, never the other (which would need one).
    const after = lastSeq(alice);
    send(alice, "@assistant create it");
    const done = await settled(alice, after);
    expect(done.message.parts[0]).toMatchObject({ tool: "gh__issues__create", state: "done" });
    expect(JSON.stringify(done.message.parts[0]!.output)).toContain("A: listed issues");
    expect(ghB.calls.issues__create ?? 0).toBe(0);
    expect(model.requests.at(-2)!.tools!.filter((t) => t.function.name === "gh__issues__create")).toHaveLength(1);
    // The panel says why.
    expect(serverIn(view, "gh")!.tools[0]!.blocked).toMatch(/gh__issues__create.*gh__issues\.create/);
    expect(serverIn(view, "gh__issues")!.tools[0]!.blocked).toBeNull();
    // Nor can it be called directly.
    expect(await alice.command("/mcp call gh.issues__create {}")).toMatchObject({ ok: false, text: expect.stringMatching(/not offered/) });
    expect(ghB.calls.issues__create ?? 0).toBe(0);
  });

  it("asks the connector to approve a read-only call that code makes for someone else; an owner's approval does not count", async () => {
    expect((await olivia.command("/codemode code")).ok).toBe(true);
    const after = lastSeq(bob);
    send(bob, "@assistant echo it as code");
    const waiting = await bob.next(
      "tool",
      (f) => f.seq > after && f.part.tool === "everything__echo" && f.part.state === "awaiting_approval",
      { timeoutMs: 30_000 },
    );
    expect(waiting.part.parentCallId).toBeTruthy();
    expect(waiting.part.approvers).toContain(aliceId);
    alice.send({ type: "approve", seq: waiting.seq, callId: waiting.part.callId, approved: true });
    const done = await settled(bob, after);
    expect(done.message.parts.find((p) => p.tool === "everything__echo")).toMatchObject({ state: "done", decidedBy: { name: "alice" } });
    expect(JSON.stringify(done.message.parts.find((p) => p.tool === "code")!.output)).toContain("code for bob");

    // An owner may decide the card, but her approval does not lend out alice's connection.
    const next = lastSeq(bob);
    send(bob, "@assistant once more as code");
    const again = await bob.next("tool", (f) => f.seq > next && f.part.tool === "everything__echo" && f.part.state === "awaiting_approval", { timeoutMs: 30_000 });
    olivia.send({ type: "approve", seq: again.seq, callId: again.part.callId, approved: true });
    const refused = await settled(bob, next);
    expect(refused.message.parts.find((p) => p.tool === "everything__echo")).toMatchObject({
      state: "error",
      error: expect.stringMatching(/only alice's approval counts \(not olivia's\)/),
    });
    const audit = await bob.next("mcp", (f) => f.audit.some((e) => e.args.includes("owner approves")));
    expect(audit.audit.find((e) => e.args.includes("owner approves"))).toMatchObject({ outcome: "denied", approvedBy: "olivia" });
    expect((await olivia.command("/codemode direct")).ok).toBe(true);
  });

  it("never retries a tool's own error, whatever its text says", async () => {
    expect((await alice.command(`/mcp add pay ${pay.url}`)).ok).toBe(true);
    await ready(alice, "pay");
    const result = await alice.command("/mcp call pay.charge {}");
    expect(result).toMatchObject({ ok: false, text: expect.stringMatching(/session not found/) });
    expect(pay.calls.charge).toBe(1);
  });

  it("lists a bounded number of tools per server, with the count", async () => {
    expect((await alice.command(`/mcp add many ${many.url}`)).ok).toBe(true);
    const view = await ready(bob, "many");
    const listed = serverIn(view, "many")!;
    expect(listed.toolCount).toBe(LIMITS.mcpToolsListed + 20);
    expect(listed.tools).toHaveLength(LIMITS.mcpToolsListed);
  });

  it("connects one server for two concurrent adds of one name", async () => {
    const ids = [crypto.randomUUID(), crypto.randomUUID()];
    for (const id of ids) alice.send({ type: "command", id, text: `/mcp add twin ${twin.url}` });
    const results = await Promise.all(ids.map((id) => alice.next("command_result", (f) => f.id === id, { timeoutMs: 30_000 })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)?.text).toMatch(/being added already/);
    const list = await alice.command("/mcp list");
    expect(list.text.match(/• twin /g)).toHaveLength(1);
  });

  it("caps the servers of a room", async () => {
    const count = (await alice.command("/mcp list")).text.split("\n").length;
    for (let i = count; i < LIMITS.mcpServersPerRoom; i++) {
      expect((await alice.command(`/mcp add cap${i} ${twin.url}`)).ok).toBe(true);
    }
    expect(await alice.command(`/mcp add one-too-many ${twin.url}`)).toMatchObject({
      ok: false,
      text: expect.stringContaining(`at most ${LIMITS.mcpServersPerRoom}`),
    });
    // Room for the next test.
    expect((await alice.command(`/mcp remove cap${LIMITS.mcpServersPerRoom - 1}`)).ok).toBe(true);
  });

  it("leaves nothing behind after a failed add: no reconnects on the next wake", async () => {
    const result = await alice.command(`/mcp add broken ${broken.url}`);
    expect(result.ok).toBe(false);
    expect(broken.requests()).toBeGreaterThan(0);
    const seen = broken.requests();
    const { persistDir, port } = server;
    for (const m of [olivia, alice, bob]) m.close();
    await server.stop();
    server = await startDevServer({ persistDir, port, vars: vars() });
    alice = await join("alice");
    // The room restored its connections (everything is ready again) …
    await ready(alice, "everything");
    await new Promise((r) => setTimeout(r, 2_000));
    // … and the failed one was not among them.
    expect(broken.requests()).toBe(seen);
    // The name is free again.
    broken.setBroken(false);
    expect((await alice.command(`/mcp add broken ${broken.url}`)).ok).toBe(true);
  }, 90_000);
});
