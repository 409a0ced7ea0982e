/// <reference types="@cloudflare/vitest-plugin/types" />
/**
 * Export (issue 18, part 3): owners download the room as Markdown or JSON
 * through GET /api/rooms/<room>/export — every kind of row (threads,
 * reactions, edits, tombstones, tool cards with inputs, outputs and
 * approvals, reminders, the MCP audit), streamed a page at a time, and
 * refused to everyone but the room's owners.
 */
import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { getAgentByName } from "agents";
import { beforeAll, describe, expect, it } from "vitest";
import type { ChatMessage } from "../../shared/protocol";
import { EXPORT_PAGE } from "../../server/room/export";
import { McpStore } from "../../server/mcp/store";
import { connect, msgId, oliveAndBob, ORIGIN, roomName, session, SESSION_COOKIE, TINY_PNG, uploadFile, type TestMember } from "./client";

beforeAll(async () => {
  await session("warm-up");
}, 60_000);

function download(room: string, token: string | null, format = "json"): Promise<Response> {
  return exports.default.fetch(`${ORIGIN}/api/rooms/${room}/export?format=${format}`, {
    headers: token ? { Cookie: `${SESSION_COOKIE}=${token}` } : {},
  });
}

async function uploadPng(room: string, token: string): Promise<string> {
  const res = await uploadFile(room, token, TINY_PNG, "image/png", "plan.png");
  expect(res.status).toBe(201);
  return ((await res.json()) as { file: { id: string } }).file.id;
}

async function post(from: TestMember, text: string, extra: Record<string, unknown> = {}) {
  const id = msgId();
  from.send({ type: "send", id, text, ...extra });
  return (await from.next("message", (f) => f.message.id === id)).message;
}

/** olive owns a room where bob talks, reacts, threads, edits and deletes; one tool card; one reminder. */
async function busyRoom() {
  const { room, olive, bob, o, b } = await oliveAndBob("export");
  const plan = await post(b, `the plan, <@${olive.id}>: ship friday`);
  const reply = await post(b, "in the thread", { threadOf: plan.seq });
  const file = await uploadPng(room, bob.token);
  const withFile = await post(b, "the sketch", { attachments: [file] });
  b.send({ type: "react", seq: plan.seq, emoji: "🎉", on: true });
  const edited = await post(b, "typo hree");
  b.send({ type: "edit", seq: edited.seq, text: "typo here" });
  const gone = await post(b, "oops, wrong room");
  o.send({ type: "delete", seq: gone.seq });
  await o.next("message_updated", (f) => f.message.seq === gone.seq && f.message.deleted);
  await b.command("/remind me to water the plants in 10 minutes");
  // A member's tool card, as `/mcp call` posts one (kernel.post with its card), and its audit row.
  await runInDurableObject(await getAgentByName(env.ChatRoom, room), (instance, state) => {
    instance.kernel.post({
      id: `tool-${msgId()}`,
      kind: "tool",
      author: { id: bob.id, name: "bob" },
      text: "",
      status: "done",
      parts: [
        {
          type: "tool", callId: "call_1", tool: "everything__echo", input: { message: "hello ```world" }, state: "done",
          output: { content: [{ type: "text", text: "Echo: hello" }] }, textOffset: 0, startedAt: 1, durationMs: 12,
          approvals: [{ id: olive.id, name: "olive", at: 2 }],
        },
      ],
    });
    new McpStore(state.storage.sql).audit({
      at: 3, server: "everything", tool: "echo", args: '{"message":"hello"}', via: "command", requestedBy: "bob",
      approvedBy: "olive", outcome: "ok", durationMs: 12, error: null,
    });
  });
  await o.next("message_updated", (f) => f.message.seq === edited.seq);
  return { room, olive, bob, o, b, plan, reply, gone, file, withFile };
}

describe("export", () => {
  it("gives an owner every kind of row as JSON", async () => {
    const { room, olive, plan, reply, gone, file, withFile } = await busyRoom();
    const res = await download(room, olive.token, "json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(new RegExp(`^attachment; filename="hearth-${room}-\\d{4}-\\d\\d-\\d\\d\\.json"$`));
    const doc = (await res.json()) as { room: { name: string }; messages: ChatMessage[]; reminders: Array<{ text: string }>; mcpAudit: unknown[] };
    expect(doc.room.name).toBe(room);
    const bySeq = new Map(doc.messages.map((m) => [m.seq, m]));
    expect(bySeq.get(plan.seq)?.reactions?.[0]).toMatchObject({ emoji: "🎉", count: 1 });
    expect(bySeq.get(plan.seq)?.thread?.count).toBe(1);
    expect(bySeq.get(plan.seq)?.mentions).toEqual([olive.id]);
    expect(bySeq.get(reply.seq)?.threadOf).toBe(plan.seq);
    expect(bySeq.get(withFile.seq)?.attachments).toEqual([expect.objectContaining({ id: file, name: "plan.png", type: "image/png" })]);
    expect((doc as unknown as { fileUrl: string }).fileUrl).toBe(`${ORIGIN}/api/rooms/${room}/files/{id}`);
    expect(bySeq.get(gone.seq)).toMatchObject({ deleted: true, text: "", removedBy: { name: "olive" } });
    expect(doc.messages.find((m) => m.text === "typo here")?.editedAt).toEqual(expect.any(Number));
    const card = doc.messages.find((m) => m.kind === "tool")!.parts[0]!;
    expect(card).toMatchObject({ tool: "everything__echo", input: { message: "hello ```world" }, approvals: [{ name: "olive" }] });
    expect(doc.reminders.map((r) => r.text)).toEqual(["water the plants"]);
    expect(doc.mcpAudit).toEqual([expect.objectContaining({ server: "everything", tool: "echo", requestedBy: "bob", approvedBy: "olive" })]);
    // In seq order, each once.
    expect(doc.messages.map((m) => m.seq)).toEqual([...new Set(doc.messages.map((m) => m.seq))].sort((x, y) => x - y));
  });

  it("writes readable Markdown: names for mentions, threads quoted, tool cards fenced, tombstones named", async () => {
    const { room, olive, file } = await busyRoom();
    const res = await download(room, olive.token, "md");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/markdown; charset=utf-8");
    const md = await res.text();
    expect(md).toMatch(new RegExp(`^# #${room} — Hearth export`));
    expect(md).toContain("the plan, @olive: ship friday");
    expect(md).not.toContain(`<@${olive.id}>`);
    expect(md).toMatch(/in the thread of #\d+\n\n> in the thread/);
    expect(md).toContain("Reactions: 🎉 1 (bob)");
    expect(md).toContain("_Removed by an owner (olive)._");
    expect(md).toContain("**Tool call `everything.echo`** — done in 12 ms · approved by olive");
    // The input's own backticks cannot close its fence.
    expect(md).toContain('````json\n{\n  "message": "hello ```world"\n}\n````');
    expect(md).toContain("| reminder | @bob | water the plants |");
    // Attachments as links that ask the reader to sign in as a member.
    expect(md).toContain(`📎 [plan.png](${ORIGIN}/api/rooms/${room}/files/${file}) (image/png, ${TINY_PNG.byteLength} bytes)`);
  });

  it("refuses members who are not owners, strangers, the signed-out, and bad formats, changing nothing", async () => {
    const { room, bob } = await busyRoom();
    const stranger = await session("mallory");
    const member = await download(room, bob.token);
    expect(member.status).toBe(403);
    expect(await member.text()).not.toContain("ship friday");
    expect((await download(room, stranger.token)).status).toBe(403);
    expect((await download(room, null)).status).toBe(401);
    expect((await download(room, bob.token, "csv")).status).toBe(400);
    expect((await download(roomName("nobody-made-this"), stranger.token)).status).toBe(404);
  });

  it("streams a 10,000-message room a page at a time", async () => {
    const room = roomName("export-big");
    const olive = await session("olive");
    const o = await connect(room, olive.token);
    await o.next("welcome");
    const total = 10_000;
    await runInDurableObject(await getAgentByName(env.ChatRoom, room), (instance) => {
      for (let i = 1; i <= total; i++) {
        instance.log.insert({ id: `seed-${i}`, kind: "user", author: { id: olive.id, name: "olive" }, text: `message ${i} ${"x".repeat(100)}`, now: i });
      }
    });
    const res = await download(room, olive.token, "json");
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    let chunks = 0;
    let largest = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks++;
      largest = Math.max(largest, value.byteLength);
      text += decoder.decode(value, { stream: true });
    }
    const doc = JSON.parse(text) as { messages: ChatMessage[] };
    expect(doc.messages).toHaveLength(total);
    expect(doc.messages.at(-1)!.text).toMatch(/^message 10000 /);
    // Many pieces, none holding much more than one page of messages: the room never built the whole body.
    expect(chunks).toBeGreaterThanOrEqual(total / EXPORT_PAGE);
    expect(largest).toBeLessThan(EXPORT_PAGE * 600);
  });
});
