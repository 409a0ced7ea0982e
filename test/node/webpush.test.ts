/**
 * Web Push end to end (issue 17, part 6): a member subscribes over the room
 * socket with keys this test generated (ECDH P-256 and a 16-byte auth
 * secret, as a browser does), leaves, and is mentioned; the room — a real
 * `wrangler dev` — POSTs to a push endpoint this test serves on 127.0.0.1
 * (allowed by PUSH_ALLOW_HOSTS). The test checks the VAPID JWT's signature
 * against the server's public key and decrypts the aes128gcm body with the
 * subscription's private key (http_ece), then reads the payload. A 410 from
 * the endpoint makes the room forget the subscription. A tool call waiting
 * for an owner's approval is pushed to that owner, naming the tool only, and
 * an MCP server's request for input to the member it waits for.
 */
import { createECDH, randomBytes, type ECDH } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { decrypt } from "http_ece";
import { decodeJwt, importJWK, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startDevServer, type DevServer } from "../support/dev-server";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai";
import { startEverything, type Everything } from "../support/mcp-everything";
import { createSession, NodeMember } from "../support/node-member";

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A push service of our own: records every POST, answers 201 unless told otherwise for a path. */
class PushEndpoint {
  readonly received: Received[] = [];
  readonly statusFor = new Map<string, number>();
  private server!: Server;
  port = 0;

  async start(): Promise<void> {
    this.port = await freePort();
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        this.received.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(this.statusFor.get(req.url ?? "") ?? 201).end();
      });
    });
    await new Promise<void>((res) => this.server.listen(this.port, "127.0.0.1", res));
  }

  stop(): Promise<void> {
    return new Promise((res) => this.server.close(() => res()));
  }

  async waitFor(count: number, timeoutMs = 15_000): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (Date.now() > deadline) throw new Error(`push endpoint got ${this.received.length} requests, waited for ${count}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.received[count - 1]!;
  }
}

/** What a browser holds for one subscription. */
interface Device {
  ecdh: ECDH;
  p256dh: string;
  auth: string;
  endpoint: string;
}

function newDevice(endpointBase: string, name: string): Device {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  return { ecdh, p256dh: ecdh.getPublicKey("base64url"), auth: randomBytes(16).toString("base64url"), endpoint: `${endpointBase}/push/${name}` };
}

/** Checks the VAPID Authorization header (RFC 8292) and returns the JWT's claims. */
async function verifyVapid(headers: IncomingHttpHeaders, vapidPublicKey: string, audience: string) {
  const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(headers.authorization ?? "");
  expect(match, `Authorization: ${headers.authorization}`).not.toBeNull();
  const [, token, k] = match!;
  expect(k).toBe(vapidPublicKey);
  const raw = Buffer.from(vapidPublicKey, "base64url");
  expect(raw).toHaveLength(65);
  const key = await importJWK({ kty: "EC", crv: "P-256", x: raw.subarray(1, 33).toString("base64url"), y: raw.subarray(33).toString("base64url") }, "ES256");
  const { payload, protectedHeader } = await jwtVerify(token!, key, { audience });
  expect(protectedHeader.alg).toBe("ES256");
  return payload;
}

function open(device: Device, body: Buffer): { title: string; body: string; url: string; tag: string } {
  return JSON.parse(decrypt(body, { version: "aes128gcm", privateKey: device.ecdh, authSecret: device.auth }).toString("utf8"));
}

let server: DevServer;
let model: FakeOpenAI;
let everything: Everything;
const push = new PushEndpoint();

beforeAll(async () => {
  await push.start();
  // In test order: the approval test's turn calls delete_message (owners approve; nobody does, so it
  // asks nothing more); the elicitation test's calls a tool whose server then asks its principal for input.
  model = await startFakeOpenAI([
    { chunks: [], toolCalls: [{ name: "delete_message", arguments: { seq: 1, reason: "spam, token sk-do-not-leak" } }] },
    { chunks: [], toolCalls: [{ name: "everything__trigger-elicitation-request", arguments: {} }] },
    { chunks: ["Asked."] },
  ]);
  everything = await startEverything();
  server = await startDevServer({
    vars: {
      PUSH_ALLOW_HOSTS: `127.0.0.1:${push.port}`,
      MCP_ALLOW_HOSTS: `127.0.0.1:${everything.port}`,
      AI_PROVIDER: "openai-compatible",
      OPENAI_BASE_URL: model.baseUrl,
      AI_MODEL: "scripted",
      ASSISTANT_TOOL_TOKENS: "1000000",
    },
  });
}, 90_000);
afterAll(async () => {
  await server?.stop();
  await push.stop();
  await model?.close();
  await everything?.stop();
});

/** Opens a socket and waits for the member's notification settings (sent last on join). */
async function enter(room: string, token: string): Promise<NodeMember> {
  const m = await NodeMember.connect(server.url, room, token);
  await m.next("welcome");
  await m.next("notifications");
  return m;
}

async function leave(m: NodeMember, watcher: NodeMember, memberId: string): Promise<void> {
  const seen = watcher.all("presence").length;
  m.close();
  // A presence frame after the close that shows them gone (an earlier one, from before they came, would too).
  await watcher.next("presence", (f) => watcher.all("presence").indexOf(f) >= seen && !f.members.some((p) => p.id === memberId), { timeoutMs: 15_000 });
}

describe("Web Push to a member with no open tab", () => {
  it("delivers a mention, VAPID-signed and encrypted to the subscription's keys; level all delivers any message; a 410 forgets the subscription", async () => {
    const room = `push-${Date.now().toString(36)}`;
    const alice = await createSession(server.url, "alice");
    const bob = await createSession(server.url, "bob");
    const a = await enter(room, alice.token);
    const b = await enter(room, bob.token);
    const { vapidPublicKey } = b.all("notifications").at(-1)!;
    expect(vapidPublicKey).toMatch(/^[A-Za-z0-9_-]{87}$/);

    const device = newDevice(`http://127.0.0.1:${push.port}`, "bob-phone");
    b.send({ type: "push_subscribe", endpoint: device.endpoint, keys: { p256dh: device.p256dh, auth: device.auth } });
    await b.next("notifications", (f) => f.subscriptions === 1);
    await leave(b, a, bob.id);

    // Level `mentions` (the default): a plain message pushes nothing, a mention does.
    a.send({ type: "send", id: crypto.randomUUID(), text: "lunch at noon?" });
    a.send({ type: "send", id: crypto.randomUUID(), text: `<@${bob.id}> are you in?` });
    const first = await push.waitFor(1);
    expect(first.path).toBe("/push/bob-phone");
    expect(first.headers["content-encoding"]).toBe("aes128gcm");
    expect(Number(first.headers.ttl)).toBeGreaterThan(0);
    // The library signs for an https push service; a local http endpoint is reached only because PUSH_ALLOW_HOSTS lists it.
    const claims = await verifyVapid(first.headers, vapidPublicKey!, `https://127.0.0.1:${push.port}`);
    expect(claims.sub).toMatch(/^(mailto:|https:)/);
    expect(claims.exp! - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(24 * 3600);
    expect(decodeJwt(first.headers.authorization!.slice("vapid t=".length).split(",")[0]!).aud).toBe(`https://127.0.0.1:${push.port}`);
    const payload = open(device, first.body);
    expect(payload).toEqual({
      title: `Hearth · ${room}`,
      body: "alice mentioned you: @bob are you in?",
      url: `/r/${room}`,
      tag: expect.stringMatching(new RegExp(`^${room}:message:\\d+$`)),
    });
    // The plain message before it pushed nothing.
    expect(push.received).toHaveLength(1);
    // A typed `@name` the room resolves to the member's id mentions them too.
    a.send({ type: "send", id: crypto.randomUUID(), text: "@bob typed by hand" });
    expect(open(device, (await push.waitFor(2)).body)).toMatchObject({ body: "alice mentioned you: @bob typed by hand" });

    // Level `all`: any message by someone else.
    const b2 = await enter(room, bob.token);
    b2.send({ type: "notify_settings", level: "all" });
    await b2.next("notifications", (f) => f.level === "all");
    await leave(b2, a, bob.id);
    a.send({ type: "send", id: crypto.randomUUID(), text: "the cake is in the kitchen" });
    expect(open(device, (await push.waitFor(3)).body)).toMatchObject({ body: "alice: the cake is in the kitchen", url: `/r/${room}` });

    // The push service says the subscription is gone: the room deletes it.
    push.statusFor.set("/push/bob-phone", 410);
    a.send({ type: "send", id: crypto.randomUUID(), text: "still there?" });
    await push.waitFor(4);
    // The room reads the 410 just after the endpoint sent it: look until it has.
    let b3 = await enter(room, bob.token);
    for (let i = 0; i < 20 && b3.all("notifications").at(-1)!.subscriptions > 0; i++) {
      await leave(b3, a, bob.id);
      await new Promise((r) => setTimeout(r, 250));
      b3 = await enter(room, bob.token);
    }
    expect(b3.all("notifications").at(-1)).toMatchObject({ level: "all", subscriptions: 0 });
    await leave(b3, a, bob.id);
    const id = crypto.randomUUID();
    a.send({ type: "send", id, text: "hello?" });
    await a.next("ack", (f) => f.id === id);
    await new Promise((r) => setTimeout(r, 1500));
    expect(push.received).toHaveLength(4);
    a.close();
  });

  it("pushes a call waiting for an away owner's approval, with the tool's name and none of its input", async () => {
    const room = `approve-${Date.now().toString(36)}`;
    const olive = await createSession(server.url, "olive");
    const bob = await createSession(server.url, "bob");
    const o = await enter(room, olive.token);
    const b = await enter(room, bob.token);
    const device = newDevice(`http://127.0.0.1:${push.port}`, "olive-laptop");
    o.send({ type: "push_subscribe", endpoint: device.endpoint, keys: { p256dh: device.p256dh, auth: device.auth } });
    await o.next("notifications", (f) => f.subscriptions === 1);
    await leave(o, b, olive.id);
    const before = push.received.length;

    b.send({ type: "send", id: crypto.randomUUID(), text: "buy cheap watches" });
    b.send({ type: "send", id: crypto.randomUUID(), text: "@assistant please delete the spam" });
    const card = await b.next("tool", (f) => f.part.tool === "delete_message" && f.part.state === "awaiting_approval", { timeoutMs: 30_000 });
    expect(card.part.approvers).toEqual([olive.id]);
    const got = await push.waitFor(before + 1, 30_000);
    expect(got.path).toBe("/push/olive-laptop");
    const payload = open(device, got.body);
    expect(payload).toEqual({
      title: `Hearth · ${room}`,
      body: "delete_message is waiting for your approval.",
      url: `/r/${room}`,
      tag: `${room}:approval:${card.seq}:${card.part.callId}`,
    });
    // The call's input (its reason) never travels in a push.
    expect(JSON.stringify(payload)).not.toContain("sk-do-not-leak");
    // Bob, the requester, has a tab open and no subscription: nothing else was pushed.
    expect(push.received).toHaveLength(before + 1);
    b.close();
  });

  it("pushes an MCP server's request for input to the member it waits for, who left after asking", async () => {
    const room = `elicit-${Date.now().toString(36)}`;
    const olive = await createSession(server.url, "olive");
    const bob = await createSession(server.url, "bob");
    const o = await enter(room, olive.token);
    const b = await enter(room, bob.token);
    // Olive connects the server and lets members use it, each call by someone else approved by her.
    expect((await o.command(`/mcp add everything ${everything.url}`)).ok).toBe(true);
    await o.next("mcp", (f) => f.servers.some((s) => s.name === "everything" && s.state === "ready" && s.tools.length > 0), { timeoutMs: 30_000 });
    expect((await o.command("/mcp access everything approval")).ok).toBe(true);
    const device = newDevice(`http://127.0.0.1:${push.port}`, "bob-tablet");
    b.send({ type: "push_subscribe", endpoint: device.endpoint, keys: { p256dh: device.p256dh, auth: device.auth } });
    await b.next("notifications", (f) => f.subscriptions === 1);
    const before = push.received.length;

    // Bob asks and closes his tab; olive (here: no push for her) approves; the server then asks bob.
    const id = crypto.randomUUID();
    b.send({ type: "send", id, text: "@assistant ask me something" });
    await b.next("ack", (f) => f.id === id);
    await leave(b, o, bob.id);
    const card = await o.next("tool", (f) => f.part.tool.endsWith("trigger-elicitation-request") && f.part.state === "awaiting_approval", { timeoutMs: 30_000 });
    o.send({ type: "approve", seq: card.seq, callId: card.part.callId, approved: true });
    const got = await push.waitFor(before + 1, 30_000);
    expect(got.path).toBe("/push/bob-tablet");
    expect(open(device, got.body)).toEqual({
      title: `Hearth · ${room}`,
      body: "everything is waiting for your input.",
      url: `/r/${room}`,
      tag: expect.stringMatching(new RegExp(`^${room}:elicitation:[0-9a-f-]{36}$`)),
    });
    expect(push.received).toHaveLength(before + 1);
    // He comes back to the form itself in the room.
    const back = await enter(room, bob.token);
    expect((await back.next("elicitations", (f) => f.items.length === 1)).items[0]).toMatchObject({ server: "everything", state: "pending" });
    back.close();
    o.close();
  });
});
