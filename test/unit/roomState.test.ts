/** The client's pure room reducer: no browser, no server. */
import { describe, expect, it } from "vitest";
import type { ChatMessage, ReminderItem, ScriptItem, ServerFrame } from "../../shared/protocol";
import { activeTypers, unsentMessages } from "../../client/src/features/chat/state";
import { COMMANDS_KEPT, latestCommand } from "../../client/src/features/room/commandLog";
import { initialRoomState, roomReducer, type RoomState } from "../../client/src/features/room/roomState";

const ME = { id: "m_me", name: "Me" };
const THEM = { id: "m_them", name: "Them" };

function row(seq: number, over: Partial<ChatMessage> = {}): ChatMessage {
  return {
    seq,
    rev: seq,
    id: `id-${String(seq).padStart(6, "0")}`,
    kind: "user",
    author: THEM,
    text: `message ${seq}`,
    createdAt: 1_700_000_000_000 + seq,
    editedAt: null,
    deleted: false,
    replyTo: null,
    status: null,
    parts: [],
    ...over,
  };
}

function apply(state: RoomState, ...frames: ServerFrame[]): RoomState {
  return frames.reduce((s, frame) => roomReducer(s, { type: "frame", frame }), state);
}

const welcome: ServerFrame = {
  type: "welcome",
  self: { ...ME, role: "member" },
  room: { name: "general", visibility: "public", membersMayInvite: false },
  limits: { messageChars: 4000, frameBytes: 65536, pageMax: 100 },
  assistant: {
    name: "helper", source: "default", provider: "openai-compatible", model: "m", label: "m at 127.0.0.1:11434", problem: null,
    baseUrl: null, keySet: false, temperature: null, maxOutputTokens: 1024, maxOutputTokensCap: 1024, instructions: "",
    updatedBy: null, updatedAt: null,
  },
  assistantStatus: { activity: "idle", tool: null, seq: null },
};

function joined(messages: ChatMessage[], hasMore = false): RoomState {
  const rev = messages.reduce((m, r) => Math.max(m, r.rev), 0);
  return apply(initialRoomState(), welcome, { type: "snapshot", reason: "join", messages, hasMore, rev });
}

const seqs = (s: RoomState) => s.messages.map((m) => m.seq);

describe("roomReducer", () => {
  it("goes online on welcome and takes the snapshot sorted, with its rev", () => {
    const s = joined([row(3), row(1), row(2)]);
    expect(s.connection).toBe("online");
    expect(s.self?.id).toBe(ME.id);
    expect(seqs(s)).toEqual([1, 2, 3]);
    expect(s.rev).toBe(3);
  });

  it("keeps an own message pending until its broadcast, then shows the row once", () => {
    let s = joined([row(1)]);
    s = roomReducer(s, { type: "send", id: "abcdefgh-1", text: "hi", at: 5 });
    expect(s.pending.map((p) => [p.id, p.state])).toEqual([["abcdefgh-1", "pending"]]);
    expect(unsentMessages(s).map((p) => p.id)).toEqual(["abcdefgh-1"]);

    s = apply(s, { type: "message", message: row(2, { id: "abcdefgh-1", author: ME, text: "hi", rev: 7 }) });
    expect(s.pending).toEqual([]);
    expect(seqs(s)).toEqual([1, 2]);
    expect(s.rev).toBe(7);

    s = apply(s, { type: "ack", id: "abcdefgh-1", seq: 2, rev: 7, duplicate: false });
    expect(seqs(s)).toEqual([1, 2]);
    expect(s.pending).toEqual([]);
  });

  it("confirms a pending message by ack alone", () => {
    let s = roomReducer(joined([]), { type: "send", id: "abcdefgh-2", text: "x", at: 1 });
    s = apply(s, { type: "ack", id: "abcdefgh-2", seq: 9, rev: 12, duplicate: true });
    expect(s.pending).toEqual([]);
    expect(s.rev).toBe(12);
  });

  it("does not confirm a pending message by another member's row with the same id", () => {
    let s = roomReducer(joined([]), { type: "send", id: "abcdefgh-3", text: "x", at: 1 });
    s = apply(s, { type: "message", message: row(1, { id: "abcdefgh-3" }) });
    expect(s.pending.map((p) => p.id)).toEqual(["abcdefgh-3"]);
  });

  it("marks a pending message failed on an error that refers to it, and retries it as pending", () => {
    let s = roomReducer(joined([]), { type: "send", id: "abcdefgh-4", text: "x", at: 1 });
    s = apply(s, { type: "error", code: "rate_limited", message: "Slow down.", ref: "abcdefgh-4" });
    expect(s.pending[0]).toMatchObject({ state: "failed", error: "Slow down." });
    expect(s.error).toEqual({ code: "rate_limited", message: "Slow down." });
    expect(unsentMessages(s)).toEqual([]);

    s = roomReducer(s, { type: "retry", id: "abcdefgh-4" });
    expect(s.pending[0]?.state).toBe("pending");
    expect(s.pending[0]?.error).toBeUndefined();
    expect(s.error).toBeNull();
  });

  it("shows an error without a matching ref without touching pending messages", () => {
    let s = roomReducer(joined([]), { type: "send", id: "abcdefgh-5", text: "x", at: 1 });
    s = apply(s, { type: "error", code: "read_only", message: "Viewers cannot write.", ref: "send" });
    expect(s.error?.code).toBe("read_only");
    expect(s.pending[0]?.state).toBe("pending");
  });

  it("merges a catch-up by seq: edits, deletes and new rows, and advances rev", () => {
    let s = joined([row(1), row(2), row(3)]);
    s = apply(s, {
      type: "catchup",
      rev: 10,
      messages: [
        row(2, { rev: 8, text: "edited", editedAt: 99 }),
        row(3, { rev: 9, text: "", deleted: true }),
        row(4, { rev: 10 }),
      ],
    });
    expect(seqs(s)).toEqual([1, 2, 3, 4]);
    expect(s.messages[1]).toMatchObject({ text: "edited", editedAt: 99 });
    expect(s.messages[2]).toMatchObject({ deleted: true, text: "" });
    expect(s.rev).toBe(10);
  });

  it("ignores an older version of a row it already has", () => {
    let s = joined([row(1, { rev: 5, text: "new" })]);
    s = apply(s, { type: "message_updated", message: row(1, { rev: 4, text: "old" }) });
    expect(s.messages[0]?.text).toBe("new");
  });

  it("leaves out live rows older than the loaded window while older history exists", () => {
    let s = joined([row(50), row(51)], true);
    s = apply(s, { type: "message_updated", message: row(3, { rev: 60, text: "old edit" }) });
    expect(seqs(s)).toEqual([50, 51]);
    // …but the revision still counts as seen.
    expect(s.rev).toBe(60);
  });

  it("resolves pending messages that arrive in a catch-up after a reconnect", () => {
    let s = roomReducer(joined([row(1)]), { type: "send", id: "abcdefgh-6", text: "x", at: 1 });
    s = roomReducer(s, { type: "disconnected" });
    expect(s.connection).toBe("reconnecting");
    s = apply(s, welcome, { type: "catchup", rev: 2, messages: [row(2, { id: "abcdefgh-6", author: ME })] });
    expect(s.pending).toEqual([]);
    expect(seqs(s)).toEqual([1, 2]);
    expect(s.connection).toBe("online");
  });

  it("replaces everything on a gap snapshot but keeps pending messages", () => {
    let s = roomReducer(joined([row(1), row(2)]), { type: "send", id: "abcdefgh-7", text: "x", at: 1 });
    s = apply(s, { type: "snapshot", reason: "gap", messages: [row(700), row(701)], hasMore: true, rev: 900 });
    expect(seqs(s)).toEqual([700, 701]);
    expect(s.hasMore).toBe(true);
    expect(s.rev).toBe(900);
    expect(s.pending.map((p) => p.id)).toEqual(["abcdefgh-7"]);
  });

  it("prepends an older page that answers the current oldest row", () => {
    let s = joined([row(10), row(11)], true);
    s = roomReducer(s, { type: "history_requested" });
    expect(s.loadingOlder).toBe(true);
    s = apply(s, { type: "page", before: 10, messages: [row(8), row(9)], hasMore: false });
    expect(seqs(s)).toEqual([8, 9, 10, 11]);
    expect(s.hasMore).toBe(false);
    expect(s.loadingOlder).toBe(false);
  });

  it("drops a page that answers a question about a list that has since been replaced", () => {
    let s = roomReducer(joined([row(10)], true), { type: "history_requested" });
    s = apply(s, { type: "snapshot", reason: "gap", messages: [row(800)], hasMore: true, rev: 800 });
    s = roomReducer(s, { type: "history_requested" });
    s = apply(s, { type: "page", before: 10, messages: [row(9)], hasMore: true });
    expect(seqs(s)).toEqual([800]);
    expect(s.loadingOlder).toBe(false);
  });

  it("stops loading and forgets typers when the connection drops", () => {
    let s = apply(joined([row(1)], true), { type: "typing", typers: [{ ...THEM, until: 10 }] });
    s = roomReducer(s, { type: "history_requested" });
    s = roomReducer(s, { type: "disconnected" });
    expect(s.loadingOlder).toBe(false);
    expect(s.typers).toEqual([]);
  });

  it("stays refused once refused", () => {
    let s = roomReducer(initialRoomState(), { type: "refused", code: 4403, reason: "Invite needed." });
    s = roomReducer(s, { type: "disconnected" });
    expect(s.connection).toBe("refused");
    expect(s.refused).toEqual({ code: 4403, reason: "Invite needed." });
  });

  it("lists other members typing until their deadline, never oneself", () => {
    const s = apply(joined([]), {
      type: "typing",
      typers: [
        { ...THEM, until: 2000 },
        { ...ME, until: 2000 },
        { id: "m_late", name: "Late", until: 500 },
      ],
    });
    expect(activeTypers(s, 1000).map((t) => t.id)).toEqual([THEM.id]);
    expect(activeTypers(s, 2500)).toEqual([]);
  });

  it("replaces presence with each frame", () => {
    let s = apply(joined([]), { type: "presence", members: [{ ...THEM, role: "member", connections: 2 }] });
    s = apply(s, { type: "presence", members: [{ ...ME, role: "member", connections: 1 }] });
    expect(s.presence.map((m) => m.id)).toEqual([ME.id]);
  });

  it("patches streamed assistant text from the given offset, and skips a gap", () => {
    let s = joined([row(1, { kind: "assistant", text: "Hel", status: "streaming" })]);
    s = apply(s, { type: "draft", seq: 1, offset: 3, text: "lo" });
    expect(s.messages[0]?.text).toBe("Hello");
    s = apply(s, { type: "draft", seq: 1, offset: 0, text: "Hi there" });
    expect(s.messages[0]?.text).toBe("Hi there");
    s = apply(s, { type: "draft", seq: 1, offset: 50, text: "lost" });
    expect(s.messages[0]?.text).toBe("Hi there");
    s = apply(s, { type: "draft", seq: 99, offset: 0, text: "unknown row" });
    expect(seqs(s)).toEqual([1]);
  });

  it("adds a tool card and then updates it in place", () => {
    const part = {
      type: "tool" as const,
      callId: "c1",
      tool: "search",
      input: { q: "x" },
      state: "running" as const,
      textOffset: 0,
      startedAt: 1,
    };
    let s = joined([row(1, { kind: "assistant", status: "streaming" })]);
    s = apply(s, { type: "tool", seq: 1, part });
    s = apply(s, { type: "tool", seq: 1, part: { ...part, state: "done", output: 42 } });
    expect(s.messages[0]?.parts).toEqual([{ ...part, state: "done", output: 42 }]);
  });

  it("keeps a reply's target on the pending message, through failure and retry", () => {
    let s = roomReducer(joined([row(1, { kind: "assistant", status: "done" })]), {
      type: "send",
      id: "abcdefgh-9",
      text: "and then?",
      at: 1,
      replyTo: 1,
    });
    expect(unsentMessages(s).map((p) => [p.id, p.replyTo])).toEqual([["abcdefgh-9", 1]]);
    s = apply(s, { type: "error", code: "rate_limited", message: "Slow down.", ref: "abcdefgh-9" });
    s = roomReducer(s, { type: "retry", id: "abcdefgh-9" });
    expect(s.pending).toEqual([{ id: "abcdefgh-9", text: "and then?", replyTo: 1, createdAt: 1, state: "pending" }]);
    // A plain message carries no replyTo at all (the frame must not send one).
    s = roomReducer(s, { type: "send", id: "abcdefgh-10", text: "plain", at: 2 });
    expect("replyTo" in s.pending[1]!).toBe(false);
  });

  it("keeps streamed text and tool cards until the final row replaces them", () => {
    const part = {
      type: "tool" as const,
      callId: "c1",
      tool: "delete_message",
      input: { seq: 1 },
      state: "awaiting_approval" as const,
      textOffset: 5,
      startedAt: 1,
      approvers: [ME.id],
    };
    let s = joined([row(2, { kind: "assistant", text: "", status: "streaming", rev: 2 })]);
    s = apply(s, { type: "draft", seq: 2, offset: 0, text: "Sure." }, { type: "tool", seq: 2, part });
    expect(s.messages[0]).toMatchObject({ text: "Sure.", status: "streaming", parts: [part] });
    const decided = { ...part, state: "denied" as const, approvers: undefined, decidedBy: ME };
    s = apply(s, {
      type: "message_updated",
      message: row(2, { kind: "assistant", text: "Sure. Not deleted.", status: "done", rev: 3, parts: [decided] }),
    });
    expect(s.messages[0]).toMatchObject({ text: "Sure. Not deleted.", status: "done", parts: [decided] });
    // A late draft for a finished message changes nothing it should not.
    s = apply(s, { type: "draft", seq: 2, offset: 99, text: "late" });
    expect(s.messages[0]?.text).toBe("Sure. Not deleted.");
  });

  it("keeps its state on a frame it has no view for", () => {
    const s = joined([row(1)]);
    const frame = { type: "from_the_future", items: [] } as unknown as ServerFrame;
    expect(roomReducer(s, { type: "frame", frame })).toBe(s);
  });

  it("removes a discarded failed message", () => {
    let s = roomReducer(joined([]), { type: "send", id: "abcdefgh-8", text: "x", at: 1 });
    s = roomReducer(s, { type: "discard", id: "abcdefgh-8" });
    expect(s.pending).toEqual([]);
  });
});

const reminder = (id: string, nextAt: number, over: Partial<ReminderItem> = {}): ReminderItem => ({
  id,
  kind: "reminder",
  text: `text of ${id}`,
  target: { type: "room", id: null, name: "room" },
  creator: THEM,
  repeat: "once",
  recurring: false,
  timeZone: "Europe/Berlin",
  nextAt,
  paused: false,
  ...over,
});

describe("roomReducer: assistant name, reminders, MCP and commands", () => {
  it("takes the assistant's name from welcome, and starts with the default", () => {
    expect(initialRoomState().assistantName).toBe("assistant");
    expect(joined([]).assistantName).toBe("helper");
  });

  it("replaces the reminders with every frame, soonest first, and keeps the messages", () => {
    let s = joined([row(1)]);
    s = apply(s, { type: "reminders", items: [reminder("r_b", 300), reminder("r_a", 100), reminder("r_c", 200)] });
    expect(s.reminders.map((r) => r.id)).toEqual(["r_a", "r_c", "r_b"]);
    expect(seqs(s)).toEqual([1]);
    s = apply(s, { type: "reminders", items: [reminder("r_c", 200)] });
    expect(s.reminders.map((r) => r.id)).toEqual(["r_c"]);
  });

  it("replaces the scripts with every frame, by name, and keeps the messages and reminders", () => {
    const script = (name: string, version = 1): ScriptItem => ({
      name,
      version,
      savedBy: THEM,
      savedAt: 1_700_000_000_000 + version,
      size: 20,
    });
    expect(initialRoomState().scripts).toEqual([]);
    let s = apply(joined([row(1)]), { type: "reminders", items: [reminder("r_a", 100)] });
    const before = s;
    s = apply(s, { type: "scripts", items: [script("digest"), script("counter", 2)] });
    expect(s.scripts.map((x) => [x.name, x.version])).toEqual([["counter", 2], ["digest", 1]]);
    expect(s.scripts[0]).toEqual(script("counter", 2));
    expect(seqs(s)).toEqual([1]);
    expect(s.reminders.map((r) => r.id)).toEqual(["r_a"]);
    // Pure: the earlier state is untouched.
    expect(before.scripts).toEqual([]);
    s = apply(s, { type: "scripts", items: [script("counter", 3)] });
    expect(s.scripts.map((x) => [x.name, x.version])).toEqual([["counter", 3]]);
    s = apply(s, { type: "scripts", items: [] });
    expect(s.scripts).toEqual([]);
  });

  it("keeps fetched script code for the listed version only", () => {
    const item = (version: number): ScriptItem => ({ name: "digest", version, savedBy: THEM, savedAt: version, size: 9 });
    let s = apply(joined([row(1)]), { type: "scripts", items: [item(1)] });
    expect(s.scriptCode).toEqual({});
    s = apply(s, { type: "script", script: { ...item(1), code: "async()=>1" } });
    expect(s.scriptCode.digest?.code).toBe("async()=>1");
    // The same version listed again: the code stays; a new version: it goes.
    s = apply(s, { type: "scripts", items: [item(1)] });
    expect(s.scriptCode.digest?.version).toBe(1);
    s = apply(s, { type: "scripts", items: [item(2)] });
    expect(s.scriptCode).toEqual({});
  });

  it("replaces the MCP servers and audit with every frame", () => {
    const server = {
      id: "everything",
      name: "everything",
      url: "http://127.0.0.1:1/mcp",
      state: "ready" as const,
      error: null,
      addedBy: THEM,
      access: "approval" as const,
      approvalPolicies: [],
      toolCount: 1,
      tools: [{ name: "echo", description: "Echoes", readOnly: true, enabled: true, changed: false, blocked: null }],
      prompts: [],
      resources: [],
      authUrl: null,
      mode: "shared" as const,
      grant: null,
    };
    const audit = {
      at: 5, server: "everything", tool: "echo", args: "{}", via: "command" as const,
      requestedBy: "Them", approvedBy: null, outcome: "ok" as const, durationMs: 3, error: null,
    };
    let s = apply(joined([]), { type: "mcp", servers: [server], audit: [audit] });
    expect(s.mcp.servers.map((x) => [x.name, x.state])).toEqual([["everything", "ready"]]);
    expect(s.mcp.audit).toEqual([audit]);
    s = apply(s, { type: "mcp", servers: [], audit: [] });
    expect(s.mcp).toEqual({ servers: [], audit: [] });
  });

  it("answers a sent command by id, and keeps answers apart by origin", () => {
    let s = roomReducer(joined([]), { type: "command_sent", id: "cmd-00001", origin: "composer", label: "/remind me x in 5 min" });
    s = roomReducer(s, { type: "command_sent", id: "r_abc", origin: "reminders", label: "Cancel “x”" });
    expect(latestCommand(s, "composer")).toMatchObject({ id: "cmd-00001", state: "pending", text: "" });

    s = apply(s, { type: "command_result", id: "r_abc", ok: false, text: "Only its creator may." });
    expect(latestCommand(s, "reminders")).toMatchObject({ state: "failed", text: "Only its creator may." });
    expect(latestCommand(s, "composer")?.state).toBe("pending");

    s = apply(s, { type: "command_result", id: "cmd-00001", ok: true, text: "I'll remind you." });
    expect(latestCommand(s, "composer")).toMatchObject({ state: "ok", text: "I'll remind you." });
    expect(latestCommand(s, "mcp")).toBeNull();
  });

  it("answers the newest pending action when the same id is used twice, and re-renders a repeated answer", () => {
    let s = roomReducer(joined([]), { type: "command_sent", id: "everything.echo", origin: "mcp", label: "Disable" });
    s = apply(s, { type: "command_result", id: "everything.echo", ok: true, text: "Disabled." });
    const first = latestCommand(s, "mcp")!;
    s = roomReducer(s, { type: "command_sent", id: "everything.echo", origin: "mcp", label: "Enable" });
    s = apply(s, { type: "command_result", id: "everything.echo", ok: true, text: "Enabled." });
    expect(s.commands.map((c) => [c.label, c.text])).toEqual([
      ["Disable", "Disabled."],
      ["Enable", "Enabled."],
    ]);
    expect(latestCommand(s, "mcp")!.n).toBeGreaterThan(first.n);
  });

  it("shows an answer nobody here asked for by the composer", () => {
    const s = apply(joined([]), { type: "command_result", id: "unknown-1", ok: false, text: "Unknown command /x." });
    expect(latestCommand(s, "composer")).toMatchObject({ id: "unknown-1", state: "failed", text: "Unknown command /x." });
  });

  it("fails commands that could not be sent or whose connection dropped, and forgets dismissed ones", () => {
    let s = roomReducer(joined([]), { type: "command_sent", id: "cmd-a", origin: "composer", label: "/help" });
    s = roomReducer(s, { type: "command_unsent", id: "cmd-a", reason: "Not connected." });
    expect(latestCommand(s, "composer")).toMatchObject({ state: "failed", text: "Not connected." });

    s = roomReducer(s, { type: "command_sent", id: "cmd-b", origin: "mcp", label: "/mcp add x http://x" });
    s = roomReducer(s, { type: "disconnected" });
    expect(latestCommand(s, "mcp")?.state).toBe("failed");
    expect(latestCommand(s, "mcp")?.text).toMatch(/connection dropped/);
    // The failed one from before keeps its own reason.
    expect(latestCommand(s, "composer")?.text).toBe("Not connected.");

    s = roomReducer(s, { type: "dismiss_command", id: "cmd-b" });
    expect(latestCommand(s, "mcp")).toBeNull();
  });

  it("keeps only the most recent commands", () => {
    let s = joined([]);
    for (let i = 0; i < COMMANDS_KEPT + 5; i++) {
      s = roomReducer(s, { type: "command_sent", id: `cmd-${i}`, origin: "composer", label: `/help ${i}` });
    }
    expect(s.commands).toHaveLength(COMMANDS_KEPT);
    expect(s.commands[0]?.id).toBe("cmd-5");
  });
});

describe("members", () => {
  it("takes the member's own role from a members frame, and answers a refused member action in its entry", () => {
    let state = apply(initialRoomState(), welcome);
    const role = state.self!.role;
    const demoted = role === "viewer" ? "member" : "viewer";
    state = apply(state, {
      type: "members",
      total: 2,
      members: [
        { ...state.self!, role: demoted, joinedAt: 1, online: true },
        { ...THEM, role: "owner", joinedAt: 2, online: false },
      ],
    });
    expect(state.self!.role).toBe(demoted);
    expect(state.membersTotal).toBe(2);
    state = roomReducer(state, { type: "command_sent", id: "act-1", origin: "members", label: "Remove Them" });
    state = apply(state, { type: "error", code: "forbidden", message: "Only the room's owners can remove members.", ref: "act-1" });
    expect(latestCommand(state, "members")).toMatchObject({ state: "failed", text: /owners/ });
    expect(state.error).toBeNull();
  });
});

describe("jumping to a message (search)", () => {
  const present = () => joined([row(100), row(101), row(102)], true);

  it("replaces the window with the one around the message, keeps pending and never moves rev back", () => {
    let s = roomReducer(present(), { type: "send", id: "p-1", text: "unsent", at: 1 });
    s = apply(s, { type: "around", seq: 10, messages: [row(9), row(10), row(11)], hasMore: true, hasNewer: true });
    expect(seqs(s)).toEqual([9, 10, 11]);
    expect(s.jump).toEqual({ seq: 10, n: 1 });
    expect(s.hasNewer).toBe(true);
    expect(s.rev).toBe(102);
    expect(s.pending.map((p) => p.id)).toEqual(["p-1"]);
    // An older page still joins the window from above.
    s = apply(s, { type: "page", before: 9, messages: [row(8)], hasMore: true });
    expect(seqs(s)).toEqual([8, 9, 10, 11]);
  });

  it("leaves newer live rows out of a window in the past, applies edits inside it, and comes back with the newest page", () => {
    let s = apply(present(), { type: "around", seq: 10, messages: [row(9), row(10), row(11)], hasMore: true, hasNewer: true });
    s = apply(
      s,
      { type: "message", message: row(103, { rev: 103 }) },
      { type: "message_updated", message: row(10, { rev: 104, text: "edited" }) },
    );
    expect(seqs(s)).toEqual([9, 10, 11]);
    expect(s.messages[1]!.text).toBe("edited");
    expect(s.rev).toBe(104);
    s = apply(s, { type: "around", seq: null, messages: [row(102), row(103, { rev: 103 })], hasMore: true, hasNewer: false });
    expect(seqs(s)).toEqual([102, 103]);
    expect(s.hasNewer).toBe(false);
    expect(s.jump).toBeNull();
    s = apply(s, { type: "message", message: row(105, { rev: 105 }) });
    expect(seqs(s)).toEqual([102, 103, 105]);
  });

  it("files only the latest search's answer, and shows its refusal in the panel, not the banner", () => {
    let s = roomReducer(present(), { type: "search_started", id: "s1", query: "old", more: false });
    s = roomReducer(s, { type: "search_started", id: "s2", query: "new", more: false });
    const result = { message: row(5), snippet: "message 5", highlights: [[0, 7]] as Array<[number, number]> };
    s = apply(s, { type: "search_results", id: "s1", query: "old", before: null, results: [result], hasMore: false, indexing: false });
    expect(s.search).toMatchObject({ id: "s2", loading: true, results: [] });
    s = apply(s, { type: "error", code: "invalid_frame", message: "before: takes a day", ref: "s2" });
    expect(s.search).toMatchObject({ loading: false, error: "before: takes a day" });
    expect(s.error).toBeNull();
  });
});
