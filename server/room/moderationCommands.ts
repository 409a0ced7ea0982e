/**
 * Slash commands for moderating a room: slow mode and the assistant's
 * feedback. The rules live in Governance (settings) and Reactions; this
 * only parses and words.
 */
import { LIMITS } from "../../shared/limits";
import type { Runners } from "./commands";
import type { Governance } from "./governance";
import type { Membership } from "./members";
import type { Reactions } from "./reactions";
import { describeInterval, parseInterval } from "./slowMode";

export interface ModerationDeps {
  members: Membership;
  governance: Governance;
  reactions: Reactions;
}

export function moderationCommands(deps: ModerationDeps): Runners<"moderation"> {
  return {
    "/slowmode": (actor, args) => {
      if (!args) {
        const seconds = deps.members.info()?.slowModeSeconds ?? 0;
        return {
          ok: true,
          text: seconds > 0 ? `Slow mode is on: members wait ${describeInterval(seconds)} between messages (owners do not).` : "Slow mode is off.",
        };
      }
      const seconds = parseInterval(args);
      if (seconds === null || seconds > LIMITS.slowModeMaxSeconds) {
        return { ok: false, text: `Use \`/slowmode 30s\`, \`/slowmode 5m\` (at most ${describeInterval(LIMITS.slowModeMaxSeconds)}) or \`/slowmode off\`.` };
      }
      const outcome = deps.governance.settings(actor, { slowModeSeconds: seconds });
      return { ok: outcome.ok, text: outcome.text };
    },
    "/feedback": (actor) => {
      if (deps.members.get(actor.id)?.role !== "owner") return { ok: false, text: "Only the room's owners can read the assistant's feedback." };
      const rows = deps.reactions.feedback();
      if (rows.length === 0) return { ok: true, text: "No 👍 or 👎 on the assistant's answers yet." };
      const lines = rows.map(({ message, up, down }) => {
        const text = message.text.replace(/\s+/g, " ").trim();
        const excerpt = text.length > 80 ? `${text.slice(0, 79)}…` : text;
        return `• #${message.seq} 👍 ${up} · 👎 ${down} — ${excerpt || "(no text)"}`;
      });
      return { ok: true, text: `The assistant's answers, newest first:\n${lines.join("\n")}` };
    },
  };
}
