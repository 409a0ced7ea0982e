/**
 * MCP elicitation end to end: `wrangler dev` (the room, an MCP client that
 * advertises form and URL elicitation) against the real
 * @modelcontextprotocol/server-everything. A server's request reaches only
 * the member whose call caused it, survives their reload, is answered
 * exactly as they answered (accept with validated values, decline, cancel),
 * is cancelled when nobody answers in time, and is shown as expired — never
 * answered — after the room restarts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../support/dev-server";
import { startEverything, type Everything } from "../support/mcp-everything";
import { createSession, NodeMember } from "../support/node-member";
import type { FrameOf } from "../support/room-member";

let server: DevServer;
let everything: Everything;
let alice: NodeMember;
let bob: NodeMember;
let aliceToken: string;
const ROOM = "elicit-room";
/** Short, so that the time-limit test is quick; the other tests answer well within it. */
const ANSWER_SECONDS = 12;

type Item = FrameOf<"elicitations">["items"][number];

/** Ids a test has taken already: frames received earlier still list them. */
const seen = new Set<string>();
/** The next pending request not seen before. */
async function pendingOf(m: NodeMember): Promise<Item> {
  const fresh = (i: Item) => i.state === "pending" && !seen.has(i.id);
  const frame = await m.next("elicitations", (f) => f.items.some(fresh), { timeoutMs: 20_000 });
  const item = frame.items.find(fresh)!;
  seen.add(item.id);
  return item;
}

/** Waits for a list, newer than every list that held `id`, without it. */
function goneFrom(m: NodeMember, id: string, timeoutMs = 10_000) {
  const lastWith = () => m.frames.findLastIndex((f) => f.type === "elicitations" && f.items.some((i) => i.id === id));
  return m.next("elicitations", (f) => !f.items.some((i) => i.id === id) && m.frames.indexOf(f) > lastWith(), { timeoutMs });
}

/** Starts a direct call without waiting: its answer comes once the elicitation is answered. */
function startCall(m: NodeMember, text: string): { id: string; result: Promise<FrameOf<"command_result">> } {
  const id = crypto.randomUUID();
  m.send({ type: "command", id, text });
  return { id, result: m.next("command_result", (f) => f.id === id, { timeoutMs: 60_000 }) };
}

/** The tool card the room posted for a direct call, as JSON text. */
async function cardOf(m: NodeMember, commandId: string): Promise<string> {
  const msg = await m.next("message", (f) => f.message.id === `tool-${commandId}`, { timeoutMs: 20_000 });
  return JSON.stringify(msg.message.parts);
}

const errorFor = (m: NodeMember, ref: string, count = 1) => m.next("error", (f) => f.ref === ref, { count });

beforeAll(async () => {
  everything = await startEverything();
  server = await startDevServer({
    vars: { MCP_ALLOW_HOSTS: `127.0.0.1:${everything.port}`, MCP_ELICITATION_SECONDS: String(ANSWER_SECONDS) },
  });
  const a = await createSession(server.url, "alice");
  aliceToken = a.token;
  alice = await NodeMember.connect(server.url, ROOM, a.token);
  await alice.next("snapshot");
  bob = await NodeMember.connect(server.url, ROOM, (await createSession(server.url, "bob")).token);
  await bob.next("snapshot");
  expect((await alice.command(`/mcp add everything ${everything.url}`)).ok).toBe(true);
  expect((await alice.command("/mcp access everything all")).ok).toBe(true);
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await everything?.stop();
});

describe("MCP elicitation", () => {
  it("advertises form and URL elicitation: the server offers its elicitation tools", async () => {
    const view = await bob.next("mcp", (f) => f.servers.some((s) => s.state === "ready" && s.tools.length > 0), { timeoutMs: 30_000 });
    const tools = view.servers[0]!.tools.map((t) => t.name);
    expect(tools).toEqual(expect.arrayContaining(["trigger-elicitation-request", "trigger-url-elicitation"]));
    // Everyone starts with an empty list of their own.
    expect(alice.all("elicitations").at(-1)?.items).toEqual([]);
  });

  it("asks only the caller, refuses bad answers without changing anything, shows the form again after a reconnect, and gives the server exactly the accepted values", async () => {
    const call = startCall(alice, "/mcp call everything.trigger-elicitation-request {}");
    const item = await pendingOf(alice);
    expect(item).toMatchObject({ server: "everything", tool: "everything.trigger-elicitation-request", mode: "form", url: null });
    expect(item.message).toMatch(/provide inputs/);
    const field = (name: string) => item.fields.find((f) => f.name === name)!;
    expect(field("name")).toMatchObject({ kind: "string", required: true, secret: false, problem: null });
    expect(field("email")).toMatchObject({ kind: "string", format: "email", required: false });
    expect(field("integer")).toMatchObject({ kind: "integer", minimum: 1, maximum: 100, default: 42 });
    expect(field("check").kind).toBe("boolean");
    expect(field("untitledSingleSelectEnum")).toMatchObject({ kind: "enum", default: "Monica" });
    expect(field("titledSingleSelectEnum").options).toContainEqual({ value: "hero-2", label: "Green Lantern" });
    expect(field("untitledMultipleSelectEnum")).toMatchObject({ kind: "multi", minItems: 1, maxItems: 3 });

    // Bob's sockets never saw it.
    await bob.settle();
    expect(bob.all("elicitations").every((f) => f.items.length === 0)).toBe(true);
    expect(bob.raw.some((r) => r.includes(item.id))).toBe(false);

    // Bad answers: each refused with a reason, and the request stays pending.
    bob.send({ type: "elicitation_answer", id: item.id, action: "accept", content: { name: "Bob" } });
    expect((await errorFor(bob, item.id)).code).toBe("not_found");
    const bad = [
      [{ check: true }, /String is required/],
      [{ name: 42 }, /must be text/],
      [{ name: "A", integer: 500 }, /at most 100/],
      [{ name: "A", integer: 2.5 }, /whole number/],
      [{ name: "A", email: "not-an-email" }, /email address/],
      [{ name: "A", untitledSingleSelectEnum: "Gunther" }, /one of Monica/],
      [{ name: "A", untitledMultipleSelectEnum: ["Piano", "Piano"] }, /each choice once/],
      [{ name: "A", password: "hunter2" }, /no field password/],
    ] as const;
    for (const [i, [content, message]] of bad.entries()) {
      alice.send({ type: "elicitation_answer", id: item.id, action: "accept", content });
      expect((await errorFor(alice, item.id, i + 1)).message).toMatch(message);
    }
    alice.send({ type: "elicitation_answer", id: item.id, action: "decline", content: { name: "x" } });
    expect((await errorFor(alice, item.id, bad.length + 1)).message).toMatch(/carries no values/);

    // A reload: a new socket of alice's gets the same pending form.
    const reloaded = await NodeMember.connect(server.url, ROOM, aliceToken);
    const again = await reloaded.next("elicitations");
    expect(again.items).toHaveLength(1);
    expect(again.items[0]).toMatchObject({ id: item.id, state: "pending" });

    // Answered from the reloaded tab.
    const values = { name: "Alice Example", check: true, integer: 7, untitledSingleSelectEnum: "Joey", untitledMultipleSelectEnum: ["Piano"] };
    reloaded.send({ type: "elicitation_answer", id: item.id, action: "accept", content: values });
    expect(await call.result).toMatchObject({ ok: true });
    const card = await cardOf(alice, call.id);
    expect(card).toContain("Name: Alice Example");
    expect(card).toContain("Favorite Integer: 7");
    expect(card).toContain('\\"action\\": \\"accept\\"');
    expect(card).toContain("Piano");
    // Both of alice's sockets see it gone; a second answer is refused.
    await goneFrom(alice, item.id);
    await goneFrom(reloaded, item.id);
    reloaded.send({ type: "elicitation_answer", id: item.id, action: "accept", content: values });
    expect((await errorFor(reloaded, item.id)).message).toMatch(/answered already/);
    reloaded.close();
    // (Only the refusal of his own attempt names it.)
    expect(bob.raw.filter((r) => r.includes(item.id) && !r.startsWith('{"type":"error"'))).toEqual([]);
  });

  it("passes a decline and a cancel on as they are", async () => {
    for (const action of ["decline", "cancel"] as const) {
      const call = startCall(alice, "/mcp call everything.trigger-elicitation-request {}");
      const item = await pendingOf(alice);
      alice.send({ type: "elicitation_answer", id: item.id, action });
      expect(await call.result).toMatchObject({ ok: true });
      const card = await cardOf(alice, call.id);
      expect(card).toContain(action === "decline" ? "User declined" : "User cancelled");
      expect(card).toContain(`\\"action\\": \\"${action}\\"`);
    }
  });

  it("routes by the call that caused it while another member's call to the same server runs", async () => {
    // Bob's call is in flight on the same server: only the call's own context can tell whose request it is.
    const bobs = startCall(bob, '/mcp call everything.trigger-long-running-operation {"duration":6,"steps":2}');
    await new Promise((r) => setTimeout(r, 500));
    const call = startCall(alice, "/mcp call everything.trigger-elicitation-request {}");
    const item = await pendingOf(alice);
    alice.send({ type: "elicitation_answer", id: item.id, action: "decline" });
    expect(await call.result).toMatchObject({ ok: true });
    expect(await bobs.result).toMatchObject({ ok: true });
    expect(bob.raw.some((r) => r.includes(item.id))).toBe(false);
  });

  it("asks for consent before a URL and shows its domain", async () => {
    const call = startCall(alice, '/mcp call everything.trigger-url-elicitation {"url":"https://example.com/consent?x=1"}');
    const item = await pendingOf(alice);
    expect(item).toMatchObject({ mode: "url", url: "https://example.com/consent?x=1", domain: "example.com", fields: [] });
    alice.send({ type: "elicitation_answer", id: item.id, action: "accept", content: { name: "x" } });
    expect((await errorFor(alice, item.id)).message).toMatch(/no values/);
    alice.send({ type: "elicitation_answer", id: item.id, action: "accept" });
    expect(await call.result).toMatchObject({ ok: true });
    expect(await cardOf(alice, call.id)).toContain("User completed the URL elicitation flow");
  });

  it("cancels an elicitation nobody answers in time and takes the form away", async () => {
    const call = startCall(alice, "/mcp call everything.trigger-elicitation-request {}");
    const item = await pendingOf(alice);
    await goneFrom(alice, item.id, (ANSWER_SECONDS + 10) * 1000);
    expect(Date.now() - item.createdAt).toBeGreaterThanOrEqual(ANSWER_SECONDS * 1000 - 500);
    expect(await call.result).toMatchObject({ ok: true });
    expect(await cardOf(alice, call.id)).toContain("User cancelled");
  }, 60_000);

  it("after a crash, shows a pending request as expired, never answers it, and lets the member dismiss it", async () => {
    // Its answer never comes: the socket drops with the crash.
    startCall(alice, "/mcp call everything.trigger-elicitation-request {}").result.catch(() => {});
    const item = await pendingOf(alice);
    const { persistDir, port } = server;
    await server.kill();
    server = await startDevServer({ persistDir, port, vars: { MCP_ALLOW_HOSTS: `127.0.0.1:${everything.port}`, MCP_ELICITATION_SECONDS: String(ANSWER_SECONDS) } });
    const back = await NodeMember.connect(server.url, ROOM, aliceToken);
    const list = await back.next("elicitations");
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({ id: item.id, state: "expired", note: expect.stringMatching(/restarted/) });
    back.send({ type: "elicitation_answer", id: item.id, action: "accept", content: { name: "Too late" } });
    expect((await errorFor(back, item.id)).message).toMatch(/can no longer be answered/);
    back.send({ type: "elicitation_dismiss", id: item.id });
    await goneFrom(back, item.id);
    back.close();
  }, 120_000);
});
