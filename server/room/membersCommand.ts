/**
 * Slash commands for running a room: members, roles, bans, invites, audit.
 * The rules live in Governance and Invites; this only parses and words.
 */
import type { Role } from "../../shared/protocol";
import type { Actor } from "./actor";
import type { Governance, GovernanceOutcome } from "./governance";
import type { Invites } from "./invites";
import type { Membership } from "./members";
import type { Outcome, Runner, Runners } from "./commands";

export interface MembersCommandContext {
  actor: Actor;
  members: Membership;
  invites: Invites;
  governance: Governance;
  now: number;
}

/** What the runners need beyond the actor; `invitesChanged` refreshes owners' invite panels after a revoke. */
export type MembersCommandDeps = Omit<MembersCommandContext, "actor" | "now"> & { invitesChanged(): void };

/** The membership commands, bound to the room's services. */
export function membersCommands(deps: MembersCommandDeps): Runners<"members"> {
  const bind =
    (run: (ctx: MembersCommandContext, args: string[]) => Outcome): Runner =>
    (actor, text) =>
      run({ ...deps, actor, now: Date.now() }, text ? text.split(" ") : []);
  return {
    "/members": bind((ctx, args) => listMembers(ctx, args.join(" "))),
    "/role": bind((ctx, [who, role]) => {
      if (!who || !role) return { ok: false, text: "Use `/role @name owner|member|viewer`." };
      return resolveThen(ctx, who, (id) => ctx.governance.setRole(ctx.actor, id, role as Role));
    }),
    "/remove": bind((ctx, args) => {
      if (!args[0]) return { ok: false, text: "Use `/remove @name`." };
      return resolveThen(ctx, args[0], (id) => ctx.governance.remove(ctx.actor, id, false));
    }),
    "/ban": bind((ctx, args) => {
      if (!args[0]) return { ok: false, text: "Use `/ban @name`." };
      return resolveThen(ctx, args[0], (id) => ctx.governance.remove(ctx.actor, id, true));
    }),
    "/unban": bind((ctx, args) => {
      if (!args[0]) return { ok: false, text: "Use `/unban @name`." };
      const id = ctx.members.bannedId(args[0].replace(/^@/, ""));
      return result(id ? ctx.governance.unban(ctx.actor, id) : { ok: false, code: "not_found", text: `Nobody called ${args[0]} is banned here.` });
    }),
    "/transfer": bind((ctx, args) => {
      if (!args[0]) return { ok: false, text: "Use `/transfer @name`: they become an owner and you a member." };
      return resolveThen(ctx, args[0], (id) => ctx.governance.transfer(ctx.actor, id));
    }),
    "/leave": bind((ctx, args) =>
      args[0] ? resolveThen(ctx, args[0], (id) => ctx.governance.leave(ctx.actor, id)) : result(ctx.governance.leave(ctx.actor, undefined)),
    ),
    "/audit": bind((ctx) => audit(ctx)),
    "/invites": bind((ctx, args) => {
      const outcome = invitesCommand(ctx, args);
      if (outcome.ok && args[0] === "revoke") deps.invitesChanged();
      return outcome;
    }),
    "/room": bind((ctx, args) => roomCommand(ctx, args)),
  };
}

/** `/room` shows the settings; `/room public|private`, `/room invites owners|members` change them. */
function roomCommand(ctx: MembersCommandContext, args: string[]): Outcome {
  const [what = "", value = ""] = args.map((a) => a.toLowerCase());
  if (what === "") {
    const info = ctx.members.info();
    if (!info) return { ok: false, text: "This room does not exist." };
    return {
      ok: true,
      text: `This room is ${info.visibility}; ${info.membersMayInvite ? "members and owners" : "only owners"} can create invite links.`,
    };
  }
  if (what === "public" || what === "private") return result(ctx.governance.settings(ctx.actor, { visibility: what }));
  if (what === "invites" && (value === "owners" || value === "members")) {
    return result(ctx.governance.settings(ctx.actor, { membersMayInvite: value === "members" }));
  }
  return { ok: false, text: "Use `/room`, `/room public|private` or `/room invites owners|members`." };
}

function resolveThen(ctx: MembersCommandContext, who: string, act: (id: string) => GovernanceOutcome): Outcome {
  const name = who.replace(/^@/, "");
  if (ctx.members.get(name)) return result(act(name));
  const matches = ctx.members.byName(name);
  if (matches.length === 0) return { ok: false, text: `Nobody called ${name} belongs to this room.` };
  if (matches.length > 1) return { ok: false, text: `Several members are called ${name}: use the members view.` };
  return result(act(matches[0]!.id));
}

function result(outcome: GovernanceOutcome): Outcome {
  return { ok: outcome.ok, text: outcome.text };
}

function listMembers(ctx: MembersCommandContext, query: string): Outcome {
  const { members, total } = ctx.members.list(1000);
  const q = query.toLowerCase();
  const shown = members.filter((m) => !q || m.name.toLowerCase().includes(q));
  if (shown.length === 0) return { ok: true, text: q ? `No member matches “${query}”.` : "This room has no members." };
  const lines = shown.slice(0, 50).map((m) => `${m.name} — ${m.role}, joined ${new Date(m.joinedAt).toISOString().slice(0, 10)}`);
  return { ok: true, text: `${total} member${total === 1 ? "" : "s"}:\n${lines.join("\n")}${shown.length > 50 ? `\n… and ${shown.length - 50} more` : ""}` };
}

function audit(ctx: MembersCommandContext): Outcome {
  if (ctx.members.get(ctx.actor.id)?.role !== "owner") return { ok: false, text: "Only the room's owners can read the audit." };
  const rows = ctx.members.auditLog(50);
  if (rows.length === 0) return { ok: true, text: "No membership changes yet." };
  return {
    ok: true,
    text: rows
      .map((r) => `${new Date(r.at).toISOString().slice(0, 16).replace("T", " ")} ${r.actor} ${r.action}${r.target ? ` ${r.target}` : ""}${r.detail ? ` (${r.detail})` : ""}`)
      .join("\n"),
  };
}

function invitesCommand(ctx: MembersCommandContext, args: string[]): Outcome {
  if (ctx.members.get(ctx.actor.id)?.role !== "owner") return { ok: false, text: "Only the room's owners can see and revoke invites." };
  if (args[0] === "revoke") {
    if (!args[1]) return { ok: false, text: "Use `/invites revoke <id>` (ids are in `/invites`)." };
    const revoked = ctx.invites.revoke(args[1], ctx.now);
    if (!revoked) return { ok: false, text: `There is no invite ${args[1]} in this room.` };
    ctx.members.audit({ actor: ctx.actor, action: "revoke_invite", detail: revoked.id }, ctx.now);
    return { ok: true, text: `Invite ${revoked.id} is revoked: nobody gets in with it any more.` };
  }
  if (args.length > 0) return { ok: false, text: "Use `/invites` or `/invites revoke <id>`." };
  const items = ctx.invites.list(ctx.now);
  if (items.length === 0) return { ok: true, text: "No invites. Make one with the Invite panel." };
  return {
    ok: true,
    text: items
      .map(
        (i) =>
          `${i.id} — ${i.role}, ${i.status}, used ${i.uses}${i.maxUses ? `/${i.maxUses}` : ""}, by ${i.createdBy.name}, ` +
          `expires ${new Date(i.expiresAt).toISOString().slice(0, 16).replace("T", " ")} UTC`,
      )
      .join("\n"),
  };
}
