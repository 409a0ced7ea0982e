/**
 * Approval policies (issue 16): who decides an MCP server's calls, and how
 * many must agree — against the real server-everything. alice connects it
 * and lets every member use it; `/mcp approvals … 2 of @bob @carol` makes a
 * call of `toggle-simulated-logging` need two of those two. Nobody else's
 * decision counts (not even the owner's), nobody approves twice, one denial
 * denies, and every decision is attributed on the card.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../support/dev-server";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai";
import { startEverything, type Everything } from "../support/mcp-everything";
import { createSession, NodeMember } from "../support/node-member";

let server: DevServer;
let everything: Everything;
let model: FakeOpenAI;
let alice: NodeMember;
let bob: NodeMember;
let carol: NodeMember;
let ids: Record<string, string>;
const ROOM = "approval-policy";
const TOGGLE = { chunks: [], toolCalls: [{ name: "everything__toggle-simulated-logging", arguments: {} }] };

beforeAll(async () => {
  everything = await startEverything();
  model = await startFakeOpenAI([TOGGLE, { chunks: ["Toggled."] }, TOGGLE, { chunks: ["Not toggled."] }]);
  server = await startDevServer({
    vars: {
      MCP_ALLOW_HOSTS: `127.0.0.1:${everything.port}`,
      AI_PROVIDER: "openai-compatible",
      OPENAI_BASE_URL: model.baseUrl,
      AI_MODEL: "scripted",
      ASSISTANT_TOOL_TOKENS: "1000000",
    },
  });
  ids = {};
  const members: NodeMember[] = [];
  for (const name of ["alice", "bob", "carol"]) {
    const s = await createSession(server.url, name);
    ids[name] = s.id;
    const m = await NodeMember.connect(server.url, ROOM, s.token);
    await m.next("snapshot");
    members.push(m);
  }
  [alice, bob, carol] = members as [NodeMember, NodeMember, NodeMember];
  expect((await alice.command(`/mcp add everything ${everything.url}`)).ok).toBe(true);
  await alice.next("mcp", (f) => f.servers.some((s) => s.name === "everything" && s.state === "ready" && s.tools.length > 0), { timeoutMs: 30_000 });
  expect((await alice.command("/mcp access everything all")).ok).toBe(true);
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await everything?.stop();
  await model?.close();
});

/** The first card waiting for approval in a message after `afterSeq`. */
const waitingCard = (m: NodeMember, afterSeq = 0) =>
  m.next("tool", (f) => f.seq > afterSeq && f.part.tool === "everything__toggle-simulated-logging" && f.part.state === "awaiting_approval", { timeoutMs: 30_000 });
let firstSeq = 0;

describe("approval policies", () => {
  it("refuses a policy nobody could meet, and only the connector or an owner sets one", async () => {
    expect((await bob.command("/mcp approvals everything owners")).text).toMatch(/Only alice/);
    expect((await alice.command("/mcp approvals everything 3 of @bob @carol")).text).toMatch(/3 approvals cannot come from 2 people/);
    expect((await alice.command("/mcp approvals everything 1 of @nobody")).text).toMatch(/Nobody who may write here is called nobody/);
    const set = await alice.command("/mcp approvals everything.toggle-simulated-logging 2 of @bob @carol for 2h");
    expect(set).toMatchObject({ ok: true });
    const view = await carol.next("mcp", (f) => f.servers.some((s) => s.approvalPolicies.length > 0));
    expect(view.servers[0]!.approvalPolicies).toEqual([{ tool: "toggle-simulated-logging", label: "2 of bob, carol, within 2 hours" }]);
    // A direct call cannot stand in for two people's decision.
    expect((await bob.command("/mcp call everything.toggle-simulated-logging {}")).text).toMatch(/needs the approval of 2 of bob, carol/);
  });

  it("needs two of the named: the owner's decision does not count, nobody approves twice", async () => {
    bob.send({ type: "send", id: crypto.randomUUID(), text: "@assistant toggle the logging" });
    const waiting = await waitingCard(alice);
    firstSeq = waiting.seq;
    expect(waiting.part.approvers).toEqual([ids.bob, ids.carol]);
    expect(waiting.part.approvalsRequired).toBe(2);
    // Within the policy's 2 hours, not the default day.
    expect(waiting.part.expiresAt! - Date.now()).toBeLessThan(2 * 3_600_000 + 60_000);

    alice.send({ type: "approve", seq: waiting.seq, callId: waiting.part.callId, approved: true });
    expect(await alice.next("error", (f) => f.ref === waiting.seq)).toMatchObject({ code: "not_approver" });
    bob.send({ type: "approve", seq: waiting.seq, callId: waiting.part.callId, approved: true });
    const half = await carol.next("tool", (f) => f.part.callId === waiting.part.callId && (f.part.approvals?.length ?? 0) === 1);
    expect(half.part).toMatchObject({ state: "awaiting_approval", approvals: [{ id: ids.bob, name: "bob" }] });
    bob.send({ type: "approve", seq: waiting.seq, callId: waiting.part.callId, approved: true });
    expect(await bob.next("error", (f) => f.ref === waiting.seq)).toMatchObject({ code: "not_approver", message: expect.stringMatching(/approved this call already/) });

    carol.send({ type: "approve", seq: waiting.seq, callId: waiting.part.callId, approved: true });
    const done = await alice.next("message_updated", (f) => f.message.seq === waiting.seq && f.message.status === "done", { timeoutMs: 30_000 });
    const card = done.message.parts.find((p) => p.callId === waiting.part.callId)!;
    expect(card).toMatchObject({ state: "done", decidedBy: { name: "carol" } });
    expect(card.approvals!.map((a) => a.name)).toEqual(["bob", "carol"]);
    expect(done.message.text).toBe("Toggled.");
  });

  it("one denial among the named denies the call", async () => {
    bob.send({ type: "send", id: crypto.randomUUID(), text: "@assistant toggle it again" });
    const waiting = await waitingCard(alice, firstSeq);
    bob.send({ type: "approve", seq: waiting.seq, callId: waiting.part.callId, approved: true });
    await carol.next("tool", (f) => f.part.callId === waiting.part.callId && (f.part.approvals?.length ?? 0) === 1);
    carol.send({ type: "approve", seq: waiting.seq, callId: waiting.part.callId, approved: false });
    const done = await alice.next("message_updated", (f) => f.message.seq === waiting.seq && f.message.status === "done", { timeoutMs: 30_000 });
    expect(done.message.parts.find((p) => p.callId === waiting.part.callId)).toMatchObject({ state: "denied", decidedBy: { name: "carol" } });
    // The server was not called: its audit has no second toggle.
    const audit = alice.all("mcp").at(-1)!.audit.filter((e) => e.tool === "toggle-simulated-logging");
    expect(audit).toHaveLength(1);
  });
});
