/**
 * Personal MCP servers: each member's calls use their own account. A room
 * under `wrangler dev` (the MCP client) against a local OAuth-protected MCP
 * server with accounts (test/support/oauth-mcp-server.ts: every token
 * carries the subject that consented, and the server records which subject
 * each call came with), a scripted model, and members on real sockets.
 * Ann owns the room and connects the server; Bob and Charlie are members.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../support/dev-server";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai";
import { createSession, NodeMember, SESSION_COOKIE } from "../support/node-member";
import { startOAuthMcpServer, type OAuthMcpServer } from "../support/oauth-mcp-server";

let server: DevServer;
let oauth: OAuthMcpServer;
let model: FakeOpenAI;
let ann: NodeMember;
let bob: NodeMember;
let charlie: NodeMember;
const ids: Record<string, string> = {};
const sessions: Record<string, string> = {};
/** Every frame any member received, for the token scan. */
const frames: string[] = [];
const ROOM = "personal-room";

type McpFrame = Extract<NodeMember["frames"][number], { type: "mcp" }>;
const sec = (f: McpFrame) => f.servers.find((s) => s.name === "sec");
const send = (m: NodeMember, text: string) => m.send({ type: "send", id: crypto.randomUUID(), text });
const lastSeq = (m: NodeMember) => Math.max(0, ...m.all("message").map((f) => f.message.seq));
const settled = (m: NodeMember, after: number) =>
  m.next("message_updated", (f) => f.message.kind === "assistant" && f.message.seq > after && (f.message.status === "done" || f.message.status === "failed"), { timeoutMs: 30_000 });
const toolOutput = (m: NodeMember, after: number) =>
  m.next("message", (f) => f.message.kind === "tool" && f.message.seq > after).then((f) => JSON.stringify(f.message.parts[0]!.output));

async function join(name: string): Promise<NodeMember> {
  if (!sessions[name]) {
    const s = await createSession(server.url, name);
    sessions[name] = s.token;
    ids[name] = s.id;
  }
  const m = await NodeMember.connect(server.url, ROOM, sessions[name]!);
  m.ws.on("message", (d) => frames.push(d.toString()));
  await m.next("snapshot");
  return m;
}

/**
 * The person consents on the server's page, signed in there as `account`;
 * the popup follows the redirect to the room's callback in the browser of
 * `member` (their Hearth session cookie comes along).
 */
async function consent(authUrl: string, account: string, member = account): Promise<Response> {
  const url = new URL(authUrl);
  url.searchParams.set("account", account);
  const page = await fetch(url, { redirect: "manual" });
  expect(page.status).toBe(302);
  return fetch(page.headers.get("location")!, { headers: { cookie: `${SESSION_COOKIE}=${sessions[member]}` } });
}

beforeAll(async () => {
  oauth = await startOAuthMcpServer();
  model = await startFakeOpenAI([
    // Charlie, who has not authorized: his private card, then his own plate.
    { chunks: [], toolCalls: [{ name: "sec__plate", arguments: {} }] },
    { chunks: ["That is Charlie's plate."] },
    // A slow answer, so that Ann's and Bob's mentions meet in one turn.
    { chunks: ["One", " moment", " please", "…", " done", "."], delayMs: 300 },
    { chunks: [], toolCalls: [
      { id: "call-ann", name: "sec__plate", arguments: { on_behalf_of: "ann" } },
      { id: "call-bob", name: "sec__plate", arguments: { on_behalf_of: "bob" } },
    ] },
    { chunks: ["Both plates."] },
    // Code Mode, for Ann alone.
    { chunks: [], toolCalls: [{ name: "code", arguments: { code: "async () => (await codemode.sec__whoami({})).content[0].text" } }] },
    { chunks: ["Ran it."] },
    // Ann's prompt command.
    { chunks: ["Here is your agenda."] },
    // Bob's job, after he revoked.
    { chunks: [], toolCalls: [{ name: "sec__plate", arguments: {} }] },
    { chunks: ["Could not."] },
  ]);
  server = await startDevServer({
    vars: {
      MCP_ALLOW_HOSTS: `127.0.0.1:${oauth.port}`,
      AI_PROVIDER: "openai-compatible",
      OPENAI_BASE_URL: model.baseUrl,
      AI_MODEL: "scripted",
      ASSISTANT_TOOL_TOKENS: "1000000",
    },
  });
  ann = await join("ann");
  bob = await join("bob");
  charlie = await join("charlie");
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await oauth?.stop();
  await model?.close();
});

describe("personal MCP servers", () => {
  it("uses each member's own account, and asks a member without one privately", async () => {
    const added = await ann.command(`/mcp add sec ${oauth.url} personal`);
    expect(added).toMatchObject({ ok: true, text: expect.stringMatching(/needs authorization/) });
    const annView = await ann.next("mcp", (f) => sec(f)?.grant?.state === "authenticating" && !!sec(f)!.authUrl);
    expect(sec(annView)).toMatchObject({ mode: "personal", grant: { domain: `127.0.0.1:${oauth.port}` } });
    const annUrl = sec(annView)!.authUrl!;
    // Bob sees the server, but neither Ann's consent URL nor a grant of his own.
    const bobView = await bob.next("mcp", (f) => sec(f)?.mode === "personal");
    expect(sec(bobView)).toMatchObject({ authUrl: null, grant: { state: "none", asked: false } });

    expect((await consent(annUrl, "ann")).status).toBe(200);
    // Listed for everyone once one grant works.
    await bob.next("mcp", (f) => sec(f)?.state === "ready" && sec(f)!.toolCount === 3, { timeoutMs: 30_000 });
    let after = lastSeq(ann);
    expect((await ann.command("/mcp call sec.whoami {}")).ok).toBe(true);
    expect(await toolOutput(ann, after)).toMatch(/subject ann/);

    // Bob has no grant: his call is refused, and only he gets the Authorize card.
    const refused = await bob.command("/mcp call sec.whoami {}");
    expect(refused).toMatchObject({ ok: false, text: expect.stringMatching(/bob has not authorized sec/) });
    const asked = await bob.next("mcp", (f) => sec(f)?.grant?.asked === true && !!sec(f)!.authUrl);
    const bobUrl = sec(asked)!.authUrl!;
    expect(bobUrl).not.toBe(annUrl);
    // Bob's link, finished in Ann's browser (with her account on the server): refused, and Bob's grant stays unauthorized.
    const foreign = await consent(bobUrl, "ann", "ann");
    expect(foreign.status).toBe(400);
    expect(await foreign.text()).toContain("as the member who started this authorization");
    expect((await consent(bobUrl, "bob")).status).toBe(200);
    await bob.next("mcp", (f) => sec(f)?.grant?.state === "ready", { timeoutMs: 30_000 });
    after = lastSeq(bob);
    expect((await bob.command("/mcp call sec.whoami {}")).ok).toBe(true);
    expect(await toolOutput(bob, after)).toMatch(/subject bob/);

    // Nobody else ever had Bob's consent URL, or a card of his.
    for (const m of [ann, charlie]) {
      expect(m.all("mcp").some((f) => f.servers.some((s) => s.authUrl === bobUrl))).toBe(false);
      expect(m.all("mcp").some((f) => sec(f)?.grant?.asked)).toBe(false);
    }
    expect(oauth.calls.map((c) => c.subject)).toEqual(["ann", "bob"]);
    // The audit says whose account each call used.
    const audit = await ann.next("mcp", (f) => f.audit.some((e) => e.grantOf === "bob"));
    expect(audit.audit.filter((e) => e.tool === "whoami").map((e) => [e.requestedBy, e.grantOf, e.outcome])).toEqual([
      ["bob", "bob", "ok"],
      ["bob", null, "denied"],
      ["ann", "ann", "ok"],
    ]);
  });

  it("holds an assistant turn until its asker consents, then uses their account", async () => {
    const after = lastSeq(charlie);
    send(charlie, "@assistant what's on my plate?");
    const card = await charlie.next("mcp", (f) => sec(f)?.grant?.asked === true && !!sec(f)!.authUrl, { timeoutMs: 30_000 });
    expect(sec(card)!.grant!.domain).toBe(`127.0.0.1:${oauth.port}`);
    expect(ann.all("mcp").some((f) => sec(f)?.grant?.asked)).toBe(false);
    expect((await consent(sec(card)!.authUrl!, "charlie")).status).toBe(200);
    const done = await settled(charlie, after);
    expect(done.message.status).toBe("done");
    expect(JSON.stringify(done.message.parts.find((p) => p.tool === "sec__plate")!.output)).toContain("plate of charlie");
    expect(oauth.calls.at(-1)).toEqual({ tool: "plate", subject: "charlie" });
    // The card is gone once the grant is ready.
    const latest = charlie.all("mcp").at(-1)!;
    expect(sec(latest)!.grant).toMatchObject({ state: "ready", asked: false });
  });

  it("in a turn for several askers, uses each one's account only with their own approval", async () => {
    const after = lastSeq(ann);
    send(ann, "@assistant say something slowly");
    await ann.next("draft", (f) => f.seq > after);
    send(ann, "@assistant what's on my plate?");
    send(bob, "@assistant and on mine?");
    const annCard = await ann.next("tool", (f) => f.part.callId === "call-ann" && f.part.state === "awaiting_approval", { timeoutMs: 30_000 });
    const bobCard = await bob.next("tool", (f) => f.part.callId === "call-bob" && f.part.state === "awaiting_approval", { timeoutMs: 30_000 });
    // Each card is its account holder's alone (owners cannot consent for someone else's account).
    expect(annCard.part.approvers).toEqual([ids.ann]);
    expect(bobCard.part.approvers).toEqual([ids.bob]);
    const calls = oauth.calls.length;
    // Ann (an owner) cannot approve the call that uses Bob's account.
    ann.send({ type: "approve", seq: bobCard.seq, callId: "call-bob", approved: true });
    await ann.settle();
    expect(oauth.calls.length).toBe(calls);
    ann.send({ type: "approve", seq: annCard.seq, callId: "call-ann", approved: true });
    bob.send({ type: "approve", seq: bobCard.seq, callId: "call-bob", approved: true });
    const done = await settled(bob, annCard.seq - 1);
    const parts = done.message.parts.filter((p) => p.tool === "sec__plate");
    expect(parts.map((p) => [p.callId, p.state, JSON.stringify(p.output).match(/plate of (\w+)/)?.[1]])).toEqual([
      ["call-ann", "done", "ann"],
      ["call-bob", "done", "bob"],
    ]);
    expect(oauth.calls.slice(calls)).toEqual([
      { tool: "plate", subject: "ann" },
      { tool: "plate", subject: "bob" },
    ]);
  });

  it("uses the asker's account inside Code Mode", async () => {
    expect((await ann.command("/codemode code")).ok).toBe(true);
    const after = lastSeq(ann);
    send(ann, "@assistant who am I, as code");
    const done = await settled(ann, after);
    expect(JSON.stringify(done.message.parts.find((p) => p.tool === "code")!.output)).toContain("subject ann");
    expect(oauth.calls.at(-1)).toEqual({ tool: "whoami", subject: "ann" });
    expect((await ann.command("/codemode direct")).ok).toBe(true);
  });

  it("runs a server's prompt as a slash command with the member's own account, completing its argument", async () => {
    const listed = ann.all("mcp").at(-1)!;
    expect(sec(listed)!.prompts).toEqual([{ name: "agenda", description: "The caller's agenda on a topic", arguments: [{ name: "topic", description: "", required: true }] }]);
    ann.send({ type: "mcp_complete", id: "c1", server: "sec", prompt: "agenda", argument: "topic", value: "re" });
    expect((await ann.next("mcp_completion", (f) => f.id === "c1")).values).toEqual(["reviews", "releases", "retro"]);
    // Not a prompt argument: nothing to complete (and nothing asked of the server).
    ann.send({ type: "mcp_complete", id: "c2", server: "sec", prompt: "agenda", argument: "nope", value: "" });
    expect((await ann.next("mcp_completion", (f) => f.id === "c2")).values).toEqual([]);

    expect(await ann.command("/sec:agenda")).toMatchObject({ ok: false, text: expect.stringMatching(/Missing topic/) });
    const requests = model.requests.length;
    const after = lastSeq(ann);
    expect(await ann.command("/sec:agenda topic=reviews")).toMatchObject({ ok: true });
    const shown = await bob.next("message", (f) => f.message.seq > after && f.message.kind === "user");
    expect(shown.message).toMatchObject({ text: "/sec:agenda topic=reviews", author: { name: "ann" } });
    await settled(ann, after);
    // The assistant got the prompt as filled in for Ann's account.
    expect(JSON.stringify(model.requests[requests]!.messages)).toContain("List ann's open reviews.");
  });

  it("stops a revoked grant at its next use, pauses its creator's job, and never shows a token", async () => {
    expect((await bob.command("/mcp grants")).text).toMatch(/sec — ready at 127\.0\.0\.1/);
    expect(await bob.command("/mcp revoke sec")).toMatchObject({ ok: true });
    await bob.next("mcp", (f) => sec(f)?.grant?.state === "none");
    const calls = oauth.calls.length;
    expect(await bob.command("/mcp call sec.whoami {}")).toMatchObject({ ok: false, text: expect.stringMatching(/bob has not authorized sec/) });

    // A job of Bob's that needs his account does not wait for him: he is told, by mention.
    const after = lastSeq(bob);
    expect((await bob.command("/schedule in 2 seconds: what's on my plate?")).ok).toBe(true);
    const told = await bob.next("message", (f) => f.message.seq > after && f.message.kind === "system" && f.message.mentions?.includes(ids.bob!) === true, { timeoutMs: 30_000 });
    expect(told.message.text).toMatch(/could not run: it needs bob's own authorization of sec/);
    await settled(bob, after);
    expect(oauth.calls.length).toBe(calls);

    // A removed member's grants go with them: back in the room, Charlie has none.
    expect((await ann.command("/remove @charlie")).ok).toBe(true);
    charlie = await join("charlie");
    const fresh = await charlie.next("mcp", (f) => sec(f) !== undefined);
    expect(sec(fresh)!.grant).toMatchObject({ state: "none" });

    expect(oauth.secrets.length).toBeGreaterThanOrEqual(6);
    for (const secret of oauth.secrets) expect(frames.some((f) => f.includes(secret))).toBe(false);
  });
});
