/// <reference types="@cloudflare/vitest-plugin/types" />
/**
 * Rooms their owners can run (issue 14): governed invites, role changes,
 * removal and bans, the last-owner rule, the members view and the audit.
 * Everything goes through the Worker's fetch and real sockets.
 */
import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { getAgentByName } from "agents";
import { beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../../server/auth/tokens";
import { CloseCode } from "../../shared/protocol";
import { api, connect, InviteRefused, msgId, ORIGIN, roomName, session, SESSION_COOKIE, type TestMember } from "./client";

const SECRET = (env as unknown as { SESSION_SECRET: string }).SESSION_SECRET;

beforeAll(async () => {
  await session("warm-up");
}, 60_000);

async function memberRows(room: string) {
  const stub = await getAgentByName(env.ChatRoom, room);
  return runInDurableObject(stub, (instance, state) => {
    void instance.members;
    return state.storage.sql.exec<{ name: string; role: string }>("SELECT name, role FROM members ORDER BY name").toArray();
  });
}

async function privateRoom(ownerToken: string): Promise<string> {
  const res = await api("/api/rooms", ownerToken, { visibility: "private" });
  expect(res.status).toBe(201);
  return ((await res.json()) as { room: string }).room;
}

async function makeInvite(room: string, token: string, body: Record<string, unknown>) {
  const res = await api(`/api/rooms/${room}/invites`, token, body);
  const json = (await res.json()) as { id: string; path: string; maxUses: number | null };
  return { status: res.status, id: json.id, maxUses: json.maxUses, token: res.ok ? decodeURIComponent(json.path.split("#invite=")[1]!) : "" };
}

async function join(room: string, token: string, invite: string) {
  return connect(room, token, { invite }).catch((e: unknown) => e);
}

/** Sends a member_action and waits for its result or error. */
async function act(m: TestMember, action: string, member?: string, role?: string) {
  const id = msgId();
  m.send({ type: "member_action", id, action, member, role });
  for (;;) {
    const done = m.frames.find((f) => (f.type === "command_result" && f.id === id) || (f.type === "error" && f.ref === id));
    if (done) return done;
    if (m.closed) return { type: "closed" as const, ...m.closed };
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function publicRoomWith(...names: string[]) {
  const room = roomName("run");
  const people: Array<{ token: string; id: string; ws: TestMember }> = [];
  for (const name of names) {
    const s = await session(name);
    const ws = await connect(room, s.token);
    await ws.next("welcome");
    people.push({ ...s, ws });
  }
  return { room, people };
}

describe("governed invites", () => {
  it("refuses a used-up, revoked or expired invite with its reason; a member reopening a link costs no use", async () => {
    const owner = await session("olive");
    const room = await privateRoom(owner.token);
    const once = await makeInvite(room, owner.token, { role: "member", maxUses: 1 });
    expect(once).toMatchObject({ status: 201, maxUses: 1, id: expect.stringMatching(/^inv_/) });

    const bob = await session("bob");
    const b = await join(room, bob.token, once.token);
    expect((await (b as TestMember).next("welcome")).self.role).toBe("member");
    // Bob again: already a member, so the link's one use is not spent twice (and he is let in).
    expect(await join(room, bob.token, once.token)).not.toBeInstanceOf(InviteRefused);
    const carol = await session("carol");
    expect(await join(room, carol.token, once.token)).toMatchObject({ status: 403, message: expect.stringMatching(/used as often/) });

    const revocable = await makeInvite(room, owner.token, { role: "viewer" });
    const o = await connect(room, owner.token);
    await o.next("welcome");
    const listed = await o.command("/invites");
    expect(listed.text).toContain(revocable.id);
    expect(listed.text).toMatch(new RegExp(`${once.id} — member, used_up, used 1/1`));
    expect((await o.command(`/invites revoke ${revocable.id}`)).ok).toBe(true);
    expect(await join(room, carol.token, revocable.token)).toMatchObject({ status: 403, message: expect.stringMatching(/revoked/) });

    const expiring = await makeInvite(room, owner.token, { role: "member", expiresInHours: 1 });
    // An hour passes: the row's expiry, which the room checks, is in the past (the token's is not).
    await runInDurableObject(await getAgentByName(env.ChatRoom, room), (_i, state) => {
      state.storage.sql.exec("UPDATE invites SET expires_at = ? WHERE id = ?", Date.now() - 1, expiring.id);
    });
    expect(await join(room, carol.token, expiring.token)).toMatchObject({ status: 403, message: expect.stringMatching(/expired/) });

    // A token from before invites had ids (no `iid`) is refused with a way forward.
    const legacy = await signToken(SECRET, { typ: "invite", room, role: "member", exp: Date.now() + 3_600_000 });
    expect(await join(room, carol.token, legacy)).toMatchObject({ status: 403, message: expect.stringMatching(/ask for a new link/) });
    expect(await memberRows(room)).toEqual([
      { name: "bob", role: "member" },
      { name: "olive", role: "owner" },
    ]);
  });

  it("lets only owners list, revoke and create invites", async () => {
    const owner = await session("olive");
    const room = await privateRoom(owner.token);
    const inv = await makeInvite(room, owner.token, { role: "member" });
    const bob = await session("bob");
    const b = (await join(room, bob.token, inv.token)) as TestMember;
    await b.next("welcome");
    expect(await b.command("/invites")).toMatchObject({ ok: false, text: expect.stringMatching(/owners/) });
    expect(await b.command(`/invites revoke ${inv.id}`)).toMatchObject({ ok: false });
    expect((await makeInvite(room, bob.token, { role: "member" })).status).toBe(403);
    // Still works: bob's attempt changed nothing.
    const carol = await session("carol");
    expect(await join(room, carol.token, inv.token)).not.toBeInstanceOf(InviteRefused);
    expect((await api(`/api/rooms/${room}/invites`, owner.token, { role: "member", maxUses: 0 })).status).toBe(400);
  });

  it("sends the invite list to owners' sockets only, and again when it changes", async () => {
    const owner = await session("olive");
    const room = await privateRoom(owner.token);
    const o = await connect(room, owner.token);
    await o.next("invites");
    const inv = await makeInvite(room, owner.token, { role: "member", maxUses: 2 });
    expect((await o.next("invites", (f) => f.items.some((i) => i.id === inv.id))).items[0]).toMatchObject({
      id: inv.id,
      role: "member",
      maxUses: 2,
      uses: 0,
      status: "active",
      createdBy: { name: "olive" },
    });
    const bob = await session("bob");
    const b = (await join(room, bob.token, inv.token)) as TestMember;
    await b.next("welcome");
    await o.next("invites", (f) => f.items.some((i) => i.id === inv.id && i.uses === 1));
    await o.command(`/invites revoke ${inv.id}`);
    await o.next("invites", (f) => f.items.some((i) => i.id === inv.id && i.status === "revoked"));
    await b.settle();
    expect(b.all("invites")).toEqual([]);
  });
});

describe("managing members", () => {
  it("changes a role at once on the member's open socket and tells everyone", async () => {
    const { people } = await publicRoomWith("alice", "bob");
    const [alice, bob] = people as [(typeof people)[0], (typeof people)[0]];
    expect(await act(alice.ws, "set_role", bob.id, "viewer")).toMatchObject({ type: "command_result", ok: true });
    const id = msgId();
    bob.ws.send({ type: "send", id, text: "still here?" });
    expect(await bob.ws.next("error", (f) => f.ref === id)).toMatchObject({ code: "read_only" });
    const view = await bob.ws.next("members", (f) => f.members.some((m) => m.id === bob.id && m.role === "viewer"));
    expect(view.members.find((m) => m.id === alice.id)).toMatchObject({ role: "owner", online: true });
    expect((await alice.ws.next("message", (f) => f.message.kind === "system")).message.text).toMatch(/alice made bob a viewer/);
    expect(await act(alice.ws, "set_role", bob.id, "owner")).toMatchObject({ ok: true });
    // Now an owner: bob may change roles himself.
    expect(await act(bob.ws, "set_role", alice.id, "member")).toMatchObject({ ok: true });
  });

  it("refuses owner actions from members and viewers, and bad input, with an error frame that changes nothing", async () => {
    const { room, people } = await publicRoomWith("alice", "bob", "vic");
    const [alice, bob, vic] = people as [(typeof people)[0], (typeof people)[0], (typeof people)[0]];
    await act(alice.ws, "set_role", vic.id, "viewer");
    const before = await memberRows(room);
    for (const [who, action, target, role] of [
      [bob, "set_role", alice.id, "viewer"],
      [bob, "remove", alice.id],
      [bob, "ban", vic.id],
      [vic, "set_role", vic.id, "owner"],
      [vic, "remove", bob.id],
    ] as const) {
      expect(await act(who.ws, action, target, role)).toMatchObject({ type: "error", code: "forbidden", message: expect.stringMatching(/owners/) });
    }
    expect(await act(alice.ws, "set_role", "m_nobody", "member")).toMatchObject({ type: "error", code: "not_found" });
    expect(await act(alice.ws, "set_role", bob.id)).toMatchObject({ type: "error", code: "invalid_frame" });
    expect(await act(alice.ws, "remove", alice.id)).toMatchObject({ type: "error", code: "invalid_frame", message: expect.stringMatching(/leave/) });
    alice.ws.send({ type: "member_action", id: "x1", action: "crown", member: bob.id });
    expect(await alice.ws.next("error", (f) => f.ref === "x1")).toMatchObject({ code: "invalid_frame" });
    expect(await bob.ws.command("/audit")).toMatchObject({ ok: false });
    expect(await memberRows(room)).toEqual(before);
  });

  it("closes a removed member's sockets at once with the reason; a ban keeps them out by URL and by invite", async () => {
    const { room, people } = await publicRoomWith("alice", "bob");
    const [alice, bob] = people as [(typeof people)[0], (typeof people)[0]];
    const bob2 = await connect(room, bob.token);
    await bob2.next("welcome");
    expect(await act(alice.ws, "remove", bob.id)).toMatchObject({ ok: true });
    for (const ws of [bob.ws, bob2]) {
      expect(await ws.closedWith()).toEqual({ code: CloseCode.removed, reason: "You were removed from this room by alice." });
    }
    const gone = await alice.ws.next("members", (f) => !f.members.some((m) => m.id === bob.id));
    expect(gone.total).toBe(1);
    // Removed, not banned: a public room's URL lets him back in, as a member.
    const back = await connect(room, bob.token);
    expect((await back.next("welcome")).self.role).toBe("member");
    expect((await alice.ws.command("/ban @bob")).ok).toBe(true);
    expect((await back.closedWith()).reason).toMatch(/banned from this room by alice/);
    const again = await connect(room, bob.token);
    expect(await again.closedWith()).toMatchObject({ code: CloseCode.forbidden, reason: "You are banned from this room." });

    // A private room: a banned member's fresh invite does not work either.
    const owner = await session("olive");
    const priv = await privateRoom(owner.token);
    const o = await connect(priv, owner.token);
    await o.next("welcome");
    const carol = await session("carol");
    const c = (await join(priv, carol.token, (await makeInvite(priv, owner.token, { role: "member" })).token)) as TestMember;
    await c.next("welcome");
    expect((await o.command("/ban carol")).ok).toBe(true);
    await c.closedWith();
    const fresh = await makeInvite(priv, owner.token, { role: "member" });
    expect(await join(priv, carol.token, fresh.token)).toMatchObject({ status: 403, message: expect.stringMatching(/banned/) });
    expect(await o.command("/invites")).toMatchObject({ text: expect.stringContaining(`${fresh.id} — member, active, used 0`) });
    expect((await o.command("/unban carol")).ok).toBe(true);
    expect(await join(priv, carol.token, fresh.token)).not.toBeInstanceOf(InviteRefused);
    const audit = (await o.command("/audit")).text;
    expect(audit).toMatch(/olive ban carol/);
    expect(audit).toMatch(/olive unban carol/);
  });

  it("keeps at least one owner: the last one cannot demote themself or leave without a successor", async () => {
    const { room, people } = await publicRoomWith("alice", "bob", "carol");
    const [alice, bob, carol] = people as [(typeof people)[0], (typeof people)[0], (typeof people)[0]];
    expect(await act(alice.ws, "set_role", alice.id, "member")).toMatchObject({ type: "error", code: "last_owner" });
    expect(await act(alice.ws, "leave")).toMatchObject({ type: "error", code: "last_owner" });
    expect(await memberRows(room)).toContainEqual({ name: "alice", role: "owner" });

    // Two owners: either may step down.
    await act(alice.ws, "set_role", bob.id, "owner");
    expect(await act(alice.ws, "set_role", alice.id, "member")).toMatchObject({ ok: true });
    // Transfer: carol owns, bob is a member; bob is no longer allowed owner things.
    expect((await bob.ws.command("/transfer @carol")).ok).toBe(true);
    expect(await act(bob.ws, "remove", alice.id)).toMatchObject({ code: "forbidden" });
    // Carol, the only owner, leaves naming alice; her socket closes as hers.
    expect(await act(carol.ws, "leave", alice.id)).toMatchObject({ type: "closed", code: CloseCode.removed, reason: "You left this room." });
    expect(await memberRows(room)).toEqual([
      { name: "alice", role: "owner" },
      { name: "bob", role: "member" },
    ]);
    // A member leaves without ceremony.
    expect(await act(bob.ws, "leave")).toMatchObject({ type: "closed", reason: "You left this room." });
    expect(await memberRows(room)).toEqual([{ name: "alice", role: "owner" }]);
  });

  it("runs the same changes as slash commands, by @name, refusing an ambiguous or unknown name", async () => {
    const { room, people } = await publicRoomWith("alice", "bob", "sam", "sam");
    const [alice, bob] = people as [(typeof people)[0], (typeof people)[0]];
    expect(await alice.ws.command("/role @bob viewer")).toMatchObject({ ok: true, text: "bob is now a viewer." });
    expect(await alice.ws.command("/role @sam viewer")).toMatchObject({ ok: false, text: expect.stringMatching(/Several members are called sam/) });
    expect(await alice.ws.command("/remove @nobody")).toMatchObject({ ok: false, text: expect.stringMatching(/Nobody called nobody/) });
    expect(await alice.ws.command("/role @bob")).toMatchObject({ ok: false, text: expect.stringMatching(/Use `\/role/) });
    expect(await alice.ws.command("/unban @bob")).toMatchObject({ ok: false, text: expect.stringMatching(/is banned here/) });
    expect(await bob.ws.command("/transfer @alice")).toMatchObject({ ok: false, text: expect.stringMatching(/owners/) });
    expect(await alice.ws.command("/members bo")).toMatchObject({ ok: true, text: expect.stringMatching(/^4 members:\nbob — viewer, joined \d{4}-/) });
    expect((await alice.ws.command("/help")).text).toMatch(/\/invites revoke <id>/);
    expect(await memberRows(room)).toEqual([
      { name: "alice", role: "owner" },
      { name: "bob", role: "viewer" },
      { name: "sam", role: "member" },
      { name: "sam", role: "member" },
    ]);
  });

  it("keeps the member's account in step: a new role is noted, a removal forgets the room", async () => {
    const { room, people } = await publicRoomWith("alice", "bob");
    const [alice, bob] = people as [(typeof people)[0], (typeof people)[0]];
    const rooms = async () => {
      const res = await exports.default.fetch(`${ORIGIN}/api/account`, { headers: { Cookie: `${SESSION_COOKIE}=${bob.token}` } });
      return ((await res.json()) as { rooms: Array<{ room: string; role: string }> }).rooms.filter((r) => r.room === room).map((r) => ({ room: r.room, role: r.role }));
    };
    const until = async (want: unknown) => {
      for (let i = 0; i < 100; i++) {
        const got = await rooms();
        if (JSON.stringify(got) === JSON.stringify(want)) return got;
        await new Promise((r) => setTimeout(r, 50));
      }
      return rooms();
    };
    await act(alice.ws, "set_role", bob.id, "viewer");
    expect(await until([{ room, role: "viewer" }])).toEqual([{ room, role: "viewer" }]);
    // Back to member within the same wake of the room: the account follows again.
    await act(alice.ws, "set_role", bob.id, "member");
    expect(await until([{ room, role: "member" }])).toEqual([{ room, role: "member" }]);
    await act(alice.ws, "remove", bob.id);
    expect(await until([])).toEqual([]);
  });
});
