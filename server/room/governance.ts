/**
 * The rules for changing who belongs to a room and with which role.
 *
 * Owners promote, demote, remove, ban and unban; several owners are peers.
 * The room always keeps an owner: the last one cannot demote themself or
 * leave without naming a successor. Anyone may leave. Every change is a
 * system message and a row in the audit; the host applies its effects on
 * open sockets (a new role at once, a removed member's sockets closed).
 * Invites are the way into a private room: who may make one, and what
 * redeeming one does.
 */
import type { ErrorCode, InviteItem, MemberAction, Role, RoomInfo } from "../../shared/protocol";
import type { Actor } from "./actor";
import type { InviteRole, Invites } from "./invites";
import type { RoomKernel } from "./kernel";
import type { Admission } from "./members";
import { describeInterval } from "./slowMode";

export type GovernanceOutcome = { ok: true; text: string } | { ok: false; code: ErrorCode; text: string };

export type InviteInput = { role: InviteRole; ttlMs: number; maxUses?: number };
export type InviteCreation = { ok: true; invite: InviteItem } | { ok: false; code: "forbidden" | "limit"; reason: string };

/** What governance needs beyond the kernel: the effects on open sockets and the lobby. */
export interface GovernanceHost {
  invites: Invites;
  /** Owners' invite panels follow a change to the invites. */
  invitesChanged(): void;
  /** The member's open sockets take the new role (or close, for null) at once. */
  applied(member: { id: string; name: string }, role: Role | null, closeReason?: string): void;
  /** The room's settings changed: members learn of it, the lobby lists or drops the room. */
  settingsApplied(info: RoomInfo): void;
}

const ROLES: Role[] = ["owner", "member", "viewer"];

export class Governance {
  constructor(
    private readonly room: RoomKernel,
    private readonly host: GovernanceHost,
  ) {}

  setRole(actor: Actor, targetId: string | undefined, role: Role | undefined): GovernanceOutcome {
    const denied = this.ownerOnly(actor, "change roles");
    if (denied) return denied;
    if (!role || !ROLES.includes(role)) return fail("invalid_frame", "Say which role: owner, member or viewer.");
    const target = this.target(targetId);
    if (!target.ok) return target;
    const member = target.member;
    if (member.role === role) return fail("invalid_frame", `${member.name} is ${article(role)} already; nothing changed.`);
    if (member.role === "owner" && this.room.members.owners().length === 1) {
      return fail("last_owner", `${member.name} is the room's only owner: make someone else an owner first.`);
    }
    this.room.members.setRole(member.id, role);
    this.record(actor, "set_role", member, `${member.role} → ${role}`);
    this.room.postSystem(`${actor.name} made ${member.name} ${article(role)}.`);
    this.host.applied(member, role);
    return { ok: true, text: `${member.name} is now ${article(role)}.` };
  }

  /** Makes `targetId` an owner and the actor a member: one act, so the room is never without an owner. */
  transfer(actor: Actor, targetId: string | undefined): GovernanceOutcome {
    const denied = this.ownerOnly(actor, "hand the room over");
    if (denied) return denied;
    const target = this.target(targetId);
    if (!target.ok) return target;
    if (target.member.id === actor.id) return fail("invalid_frame", "Name someone else to hand the room to.");
    if (target.member.role !== "owner") this.room.members.setRole(target.member.id, "owner");
    this.room.members.setRole(actor.id, "member");
    this.record(actor, "transfer", target.member);
    this.room.postSystem(`${actor.name} handed the room over to ${target.member.name}.`);
    this.host.applied(target.member, "owner");
    this.host.applied(actor, "member");
    return { ok: true, text: `${target.member.name} owns the room now; you are a member.` };
  }

  remove(actor: Actor, targetId: string | undefined, ban: boolean): GovernanceOutcome {
    const verb = ban ? "ban" : "remove";
    const denied = this.ownerOnly(actor, `${verb} members`);
    if (denied) return denied;
    const target = this.target(targetId);
    if (!target.ok) return target;
    const member = target.member;
    if (member.id === actor.id) return fail("invalid_frame", `You cannot ${verb} yourself: use leave.`);
    const now = Date.now();
    if (ban) this.room.members.ban(member, actor.id, now);
    else this.room.members.remove(member.id);
    this.record(actor, verb, member);
    this.room.postSystem(`${actor.name} ${ban ? "banned" : "removed"} ${member.name}.`);
    this.host.applied(member, null, ban ? `You were banned from this room by ${actor.name}.` : `You were removed from this room by ${actor.name}.`);
    return { ok: true, text: `${member.name} was ${ban ? "banned" : "removed"}.` };
  }

  unban(actor: Actor, targetId: string | undefined): GovernanceOutcome {
    const denied = this.ownerOnly(actor, "lift bans");
    if (denied) return denied;
    if (!targetId) return fail("invalid_frame", "Say whose ban to lift.");
    const lifted = this.room.members.unban(targetId);
    if (!lifted) return fail("not_found", "Nobody with that id is banned here.");
    this.record(actor, "unban", lifted);
    this.room.postSystem(`${actor.name} lifted the ban on ${lifted.name}.`);
    return { ok: true, text: `${lifted.name} may come back with an invite (or the URL of a public room).` };
  }

  /** Anyone may leave; the last owner names a successor, who becomes an owner. */
  leave(actor: Actor, successorId: string | undefined): GovernanceOutcome {
    const self = this.room.members.get(actor.id);
    if (!self) return fail("not_found", "You are not a member of this room.");
    let successor: Actor | null = null;
    if (self.role === "owner" && this.room.members.owners().length === 1) {
      if (!successorId) return fail("last_owner", "You are the room's only owner: name who takes it over when you leave.");
      const target = this.target(successorId);
      if (!target.ok) return target;
      if (target.member.id === actor.id) return fail("invalid_frame", "Name someone else to take the room over.");
      successor = target.member;
      this.room.members.setRole(successor.id, "owner");
    }
    this.room.members.remove(actor.id);
    this.record(actor, "leave", successor ?? undefined, successor ? `successor ${successor.name}` : undefined);
    this.room.postSystem(successor ? `${actor.name} left and handed the room to ${successor.name}.` : `${actor.name} left the room.`);
    if (successor) this.host.applied(successor, "owner");
    this.host.applied(self, null, "You left this room.");
    return { ok: true, text: "You left the room." };
  }

  /**
   * Owners switch the room between public (in the lobby, open to anyone
   * signed in) and private (members and invitees only), and decide whether
   * members may create invite links. Going private removes nobody: who
   * belongs stays, only newcomers need an invite.
   */
  settings(
    actor: Actor,
    change: { visibility?: RoomInfo["visibility"]; membersMayInvite?: boolean; membersMayPin?: boolean | undefined; slowModeSeconds?: number | undefined },
  ): GovernanceOutcome {
    const denied = this.ownerOnly(actor, "change the room's settings");
    if (denied) return denied;
    const before = this.room.members.info();
    if (!before) return fail("not_found", "This room does not exist.");
    const said: string[] = [];
    if (change.visibility !== undefined && change.visibility !== before.visibility) {
      this.room.members.setVisibility(change.visibility);
      this.record(actor, "set_visibility", undefined, `${before.visibility} → ${change.visibility}`);
      said.push(
        change.visibility === "public"
          ? "made the room public: it is listed in the lobby and anyone signed in may join"
          : "made the room private: newcomers need an invite",
      );
    }
    if (change.membersMayInvite !== undefined && change.membersMayInvite !== before.membersMayInvite) {
      this.room.members.setMembersMayInvite(change.membersMayInvite);
      this.record(actor, "set_members_may_invite", undefined, String(change.membersMayInvite));
      said.push(change.membersMayInvite ? "let members create invite links" : "made invite links an owners' matter again");
    }
    if (change.membersMayPin !== undefined && change.membersMayPin !== (before.membersMayPin ?? false)) {
      this.room.members.setMembersMayPin(change.membersMayPin);
      this.record(actor, "set_members_may_pin", undefined, String(change.membersMayPin));
      said.push(change.membersMayPin ? "let members pin messages" : "made pinning an owners' matter again");
    }
    if (change.slowModeSeconds !== undefined && change.slowModeSeconds !== (before.slowModeSeconds ?? 0)) {
      this.room.members.setSlowModeSeconds(change.slowModeSeconds);
      this.record(actor, "set_slow_mode", undefined, describeInterval(change.slowModeSeconds));
      said.push(
        change.slowModeSeconds > 0
          ? `turned on slow mode: members wait ${describeInterval(change.slowModeSeconds)} between messages`
          : "turned slow mode off",
      );
    }
    if (said.length === 0) return fail("invalid_frame", "The room is set up like that already; nothing changed.");
    this.room.postSystem(`${actor.name} ${said.join(" and ")}.`);
    this.host.settingsApplied(this.room.members.info()!);
    return { ok: true, text: `Done: ${said.join("; ")}.` };
  }

  /** A `member_action` frame: the one rule each action is. */
  act(actor: Actor, action: MemberAction, member?: string, role?: Role): GovernanceOutcome {
    switch (action) {
      case "set_role":
        return this.setRole(actor, member, role);
      case "remove":
        return this.remove(actor, member, false);
      case "ban":
        return this.remove(actor, member, true);
      case "unban":
        return this.unban(actor, member);
      case "leave":
        return this.leave(actor, member);
    }
  }

  /**
   * An invite token the Worker verified: the invite's row decides whether
   * it still works (revoked, expired, used up), and the member's role is
   * recorded, so that their socket needs nothing but the session. A use is
   * counted only when it let someone in or raised their role; a member
   * opening the link again costs none.
   */
  redeemInvite(identity: { id: string; name: string }, inviteId: string | undefined): Admission {
    if (!inviteId) {
      // Tokens from before invites had rows cannot be revoked, so they are not honoured.
      return { ok: false, code: "forbidden", reason: "This invite link is from an older version and no longer works: ask for a new link." };
    }
    const now = Date.now();
    if (!this.room.members.info()) return { ok: false, code: "not_found", reason: "This private room does not exist." };
    if (this.room.members.banned(identity.id)) return { ok: false, code: "forbidden", reason: "You are banned from this room." };
    const check = this.host.invites.check(inviteId, now);
    const before = this.room.members.get(identity.id);
    // A member opening an old link again is simply let in, with the role they have.
    if (!check.ok && before) return this.room.members.admit(identity, now);
    if (!check.ok) return { ok: false, code: "forbidden", reason: check.reason };
    const admission = this.room.members.admit({ ...identity, inviteRole: check.role }, now);
    if (!admission.ok) return admission;
    if (before?.role !== admission.member.role) {
      this.host.invites.use(inviteId);
      this.host.invitesChanged();
      this.room.members.audit({ actor: identity, action: "join_invite", target: identity, detail: `${inviteId} as ${admission.member.role}` }, now);
      this.host.applied(admission.member, admission.member.role);
    }
    return admission;
  }

  /** A member makes an invite (owners, or members where the owners allow it); the Worker signs a token naming it. */
  createInvite(creator: { id: string; name: string }, input: InviteInput): InviteCreation {
    const role = this.room.members.get(creator.id)?.role;
    const info = this.room.members.info();
    // Members only where the owners allowed it; an invite never grants more than "member".
    if (role !== "owner" && !(role === "member" && info?.membersMayInvite)) {
      return { ok: false, code: "forbidden", reason: "Only the room's owners can create invite links here." };
    }
    const made = this.host.invites.create({ ...input, creator }, Date.now());
    if ("error" in made) return { ok: false, code: "limit", reason: made.error };
    this.room.members.audit({ actor: creator, action: "create_invite", detail: `${made.id} ${made.role}` }, Date.now());
    this.host.invitesChanged();
    return { ok: true, invite: made };
  }

  private ownerOnly(actor: Actor, what: string): GovernanceOutcome | null {
    // The stored role, not the socket's: it is the one that changes first.
    const role = this.room.members.get(actor.id)?.role;
    return role === "owner" ? null : fail("forbidden", `Only the room's owners can ${what}.`);
  }

  private target(id: string | undefined): { ok: true; member: Actor } | { ok: false; code: ErrorCode; text: string } {
    if (!id) return fail("invalid_frame", "Say which member.");
    const member = this.room.members.get(id);
    return member ? { ok: true, member } : fail("not_found", "Nobody with that id belongs to this room.");
  }

  private record(actor: Actor, action: string, target?: { id: string; name: string }, detail?: string): void {
    this.room.members.audit({ actor: { id: actor.id, name: actor.name }, action, target, detail }, Date.now());
  }
}

function fail(code: ErrorCode, text: string): { ok: false; code: ErrorCode; text: string } {
  return { ok: false, code, text };
}

function article(role: Role): string {
  return role === "owner" ? "an owner" : `a ${role}`;
}
