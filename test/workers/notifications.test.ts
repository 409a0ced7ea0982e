/// <reference types="@cloudflare/vitest-plugin/types" />
/**
 * Notifications (issue 17, part 6): per-room levels and Web Push
 * subscriptions over the room socket; who a push goes to (away members
 * only, never the author, `none` silences everything). The delivery itself,
 * to a real push endpoint that decrypts it, is test/node/webpush.test.ts.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { getAgentByName } from "agents";
import { beforeAll, describe, expect, it } from "vitest";
import { connect, msgId, roomName, session, type TestMember } from "./client";

beforeAll(async () => {
  await session("warm-up");
}, 60_000);

function b64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** A browser's subscription keys: an ECDH P-256 public key and a 16-byte auth secret. */
async function subscriptionKeys(): Promise<{ p256dh: string; auth: string }> {
  const pair = (await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"])) as CryptoKeyPair;
  const raw = new Uint8Array((await crypto.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer);
  return { p256dh: b64url(raw), auth: b64url(crypto.getRandomValues(new Uint8Array(16))) };
}

async function joined(room: string, name: string) {
  const who = await session(name);
  const m = await connect(room, who.token);
  await m.next("welcome");
  await m.next("notifications");
  return { ...who, m };
}

function lastSettings(m: TestMember) {
  return m.all("notifications").at(-1)!;
}

async function subscribe(m: TestMember, endpoint: string, keys?: { p256dh: string; auth: string }) {
  const before = m.all("notifications").length;
  m.send({ type: "push_subscribe", endpoint, keys: keys ?? (await subscriptionKeys()) });
  return m.next("notifications", () => true, { count: before + 1 });
}

describe("notification settings", () => {
  it("starts at mentions, with the server's VAPID key; a change reaches only this member's sockets and survives a reconnect", async () => {
    const room = roomName("notify");
    const olive = await joined(room, "olive");
    const bob = await joined(room, "bob");
    const first = lastSettings(olive.m);
    expect(first).toMatchObject({ level: "mentions", subscriptions: 0 });
    // An uncompressed P-256 public key, base64url: 65 bytes → 87 characters.
    expect(first.vapidPublicKey).toMatch(/^[A-Za-z0-9_-]{87}$/);

    const second = await connect(room, olive.token);
    await second.next("notifications");
    olive.m.send({ type: "notify_settings", level: "all" });
    expect(await olive.m.next("notifications", (f) => f.level === "all")).toMatchObject({ level: "all", subscriptions: 0 });
    await second.next("notifications", (f) => f.level === "all");
    await bob.m.settle();
    expect(bob.m.all("notifications")).toHaveLength(1);
    expect(lastSettings(bob.m).level).toBe("mentions");

    const again = await connect(room, olive.token);
    expect(await again.next("notifications")).toMatchObject({ level: "all" });
  });

  it("refuses a level that is not one, and changes nothing", async () => {
    const olive = await joined(roomName("notify"), "olive");
    olive.m.send({ type: "notify_settings", level: "loud" } as never);
    expect(await olive.m.next("error")).toMatchObject({ code: "invalid_frame", ref: "notify_settings" });
    await olive.m.settle();
    expect(olive.m.all("notifications")).toHaveLength(1);
  });

  it("lets a viewer choose too (reminders and approvals can wait for them)", async () => {
    const room = roomName("notify");
    const olive = await joined(room, "olive");
    const vic = await joined(room, "vic");
    const id = msgId();
    olive.m.send({ type: "member_action", id, action: "set_role", member: vic.id, role: "viewer" });
    await olive.m.next("command_result", (f) => f.id === id);
    vic.m.send({ type: "notify_settings", level: "none" });
    expect(await vic.m.next("notifications", (f) => f.level === "none")).toBeTruthy();
  });
});

describe("push subscriptions", () => {
  it("stores a valid subscription once per endpoint and never sends its keys or endpoint to any client", async () => {
    const room = roomName("push");
    const olive = await joined(room, "olive");
    const bob = await joined(room, "bob");
    const keys = await subscriptionKeys();
    const endpoint = "https://push.example.com/send/secret-capability-path";
    expect(await subscribe(bob.m, endpoint, keys)).toMatchObject({ subscriptions: 1 });
    // The same endpoint again (new keys after a browser renewed it) replaces, not adds.
    expect(await subscribe(bob.m, endpoint)).toMatchObject({ subscriptions: 1 });
    const other = await connect(room, bob.token);
    expect(await other.next("notifications")).toMatchObject({ subscriptions: 1 });
    await olive.m.settle();
    for (const m of [olive.m, bob.m, other]) {
      const seen = JSON.stringify(m.frames);
      expect(seen).not.toContain(keys.auth);
      expect(seen).not.toContain(keys.p256dh);
      expect(seen).not.toContain("secret-capability-path");
    }
  });

  it("refuses endpoints that are not public https URLs, and malformed keys", async () => {
    const olive = await joined(roomName("push"), "olive");
    const keys = await subscriptionKeys();
    const refusals: Array<[string, { p256dh: string; auth: string }, RegExp]> = [
      ["not a url", keys, /not a URL/],
      ["http://push.example.com/x", keys, /https_only/],
      ["https://127.0.0.1:8443/push", keys, /loopback/],
      ["https://10.1.2.3/push", keys, /private/],
      ["https://169.254.169.254/latest", keys, /metadata/],
      ["https://[::ffff:192.168.0.1]/push", keys, /ipv4_mapped_private/],
      ["https://push.localhost/x", keys, /local_name/],
      ["https://push.example.com/x", { ...keys, p256dh: keys.auth }, /p256dh/],
      ["https://push.example.com/x", { ...keys, auth: keys.p256dh }, /auth/],
    ];
    for (const [endpoint, k, message] of refusals) {
      olive.m.send({ type: "push_subscribe", endpoint, keys: k });
      const error = await olive.m.next("error", () => true, { count: olive.m.all("error").length + 1 });
      expect(error).toMatchObject({ code: "invalid_frame", ref: "push_subscribe", message: expect.stringMatching(message) });
    }
    // Not base64url at all: the frame's schema refuses it.
    olive.m.send({ type: "push_subscribe", endpoint: "https://push.example.com/x", keys: { p256dh: "not base64!", auth: keys.auth } });
    expect(await olive.m.next("error", () => true, { count: olive.m.all("error").length + 1 })).toMatchObject({ code: "invalid_frame" });
    await olive.m.settle();
    expect(olive.m.all("notifications")).toHaveLength(1);
    expect(lastSettings(olive.m).subscriptions).toBe(0);
  });

  it("keeps at most five devices per member; unsubscribing frees one", async () => {
    const olive = await joined(roomName("push"), "olive");
    for (let i = 1; i <= 5; i++) expect(await subscribe(olive.m, `https://push.example.com/d${i}`)).toMatchObject({ subscriptions: i });
    olive.m.send({ type: "push_subscribe", endpoint: "https://push.example.com/d6", keys: await subscriptionKeys() });
    expect(await olive.m.next("error")).toMatchObject({ code: "too_many", ref: "push_subscribe" });
    // One already there is replaced, not refused.
    expect(await subscribe(olive.m, "https://push.example.com/d3")).toMatchObject({ subscriptions: 5 });
    const seen = olive.m.all("notifications").length;
    olive.m.send({ type: "push_unsubscribe", endpoint: "https://push.example.com/d1" });
    expect(await olive.m.next("notifications", () => true, { count: seen + 1 })).toMatchObject({ subscriptions: 4 });
    expect(await subscribe(olive.m, "https://push.example.com/d6")).toMatchObject({ subscriptions: 5 });
  });
});

describe("who is pushed to", () => {
  it("only members with no open socket, never the author; `all` hears everything, `mentions` its mentions, `none` nothing", async () => {
    const room = roomName("who");
    const olive = await joined(room, "olive");
    const bob = await joined(room, "bob");
    const carol = await joined(room, "carol");
    const dave = await joined(room, "dave");
    bob.m.send({ type: "notify_settings", level: "all" });
    await bob.m.next("notifications", (f) => f.level === "all");
    dave.m.send({ type: "notify_settings", level: "none" });
    await dave.m.next("notifications", (f) => f.level === "none");
    for (const [i, m] of [olive.m, bob.m, carol.m, dave.m].entries()) await subscribe(m, `https://push.example.com/who-${i}`);
    const stub = await getAgentByName(env.ChatRoom, room);
    const plain = { author: { id: olive.id, name: "olive" } };
    const mentioning = { ...plain, mentions: [bob.id, carol.id, dave.id, olive.id] };

    // Everyone has a tab open: the room's frames tell them, no push.
    expect(await runInDurableObject(stub, (r) => [...r.notifications.messageRecipients(mentioning)])).toEqual([]);

    for (const m of [olive.m, bob.m, carol.m, dave.m]) m.close();
    await Promise.all([olive.m, bob.m, carol.m, dave.m].map((m) => m.closedWith()));
    const watcher = await connect(room, (await session("watcher")).token);
    await watcher.next("presence", (f) => f.members.every((p) => p.name === "watcher"));

    const picked = await runInDurableObject(stub, (r) => ({
      plain: [...r.notifications.messageRecipients(plain)].sort(),
      mentioning: [...r.notifications.messageRecipients(mentioning)].sort(),
      byBob: [...r.notifications.messageRecipients({ author: { id: bob.id, name: "bob" } })],
      targeted: [...r.notifications.targetRecipients([bob.id, carol.id, dave.id])].sort(),
    }));
    expect(picked.plain).toEqual([bob.id]);
    expect(picked.mentioning).toEqual([bob.id, carol.id].sort());
    expect(picked.byBob).toEqual([]);
    // `mentions` (the default) lets targeted events through; `none` silences them too.
    expect(picked.targeted).toEqual([bob.id, carol.id].sort());
  });

  it("a push that cannot be delivered never fails the message that caused it", async () => {
    const room = roomName("who");
    const olive = await joined(room, "olive");
    const bob = await joined(room, "bob");
    bob.m.send({ type: "notify_settings", level: "all" });
    await bob.m.next("notifications", (f) => f.level === "all");
    // .invalid never resolves: the send fails in waitUntil, after the ack.
    await subscribe(bob.m, "https://push.hearth.invalid/nowhere");
    bob.m.close();
    await bob.m.closedWith();
    await olive.m.next("presence", (f) => f.members.length === 1);
    const id = msgId();
    olive.m.send({ type: "send", id, text: "anyone?" });
    expect(await olive.m.next("ack", (f) => f.id === id)).toMatchObject({ duplicate: false });
    await olive.m.settle();
    expect(olive.m.all("error")).toEqual([]);
  });
});
