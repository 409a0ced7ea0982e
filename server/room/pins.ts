/**
 * Pinned messages. A pin is a mark on the message row (who, when), so
 * pinning bumps the rev like an edit and catch-up carries it; the pinned
 * list is read through a partial index, as many rows as pins. Owners pin;
 * members too when the room's `membersMayPin` is set; viewers never.
 */
import { LIMITS } from "../../shared/limits";
import type { ChatMessage, PinnedItem, ServerFrame } from "../../shared/protocol";
import type { Actor } from "./actor";
import type { MessageLog } from "./messages";
import type { Membership } from "./members";

export type PinOutcome =
  | { ok: true; changed: boolean; message: ChatMessage }
  | { ok: false; code: "forbidden" | "read_only" | "not_found" | "too_many"; text: string };

export class Pins {
  constructor(
    private readonly log: MessageLog,
    private readonly members: Membership,
  ) {}

  mayPin(actor: Actor): boolean {
    return actor.role === "owner" || (actor.role === "member" && this.members.info()?.membersMayPin === true);
  }

  pin(actor: Actor, seq: number, on: boolean, now: number): PinOutcome {
    if (actor.role === "viewer") return { ok: false, code: "read_only", text: "Viewers cannot pin messages." };
    if (!this.mayPin(actor)) return { ok: false, code: "forbidden", text: "Only the room's owners can pin messages here." };
    const message = this.log.bySeq(seq);
    if (!message || message.deleted) return { ok: false, code: "not_found", text: `There is no message ${seq}.` };
    // Pinning what is pinned, or unpinning what is not, changes nothing.
    if (Boolean(message.pinned) === on) return { ok: true, changed: false, message };
    if (on && this.log.pinnedMessages(LIMITS.pinsPerRoom).length >= LIMITS.pinsPerRoom) {
      return { ok: false, code: "too_many", text: `A room keeps at most ${LIMITS.pinsPerRoom} pins: unpin one first.` };
    }
    const mark = on ? { by: { id: actor.id, name: actor.name }, at: now } : null;
    return { ok: true, changed: true, message: this.log.setPin(seq, mark) };
  }

  /** The pinned list every member gets on join and after each change. */
  frame(): ServerFrame {
    const items: PinnedItem[] = this.log.pinnedMessages(LIMITS.pinsPerRoom).map((m) => ({
      seq: m.seq,
      author: m.author,
      excerpt: m.text.length > LIMITS.pinExcerptChars ? `${m.text.slice(0, LIMITS.pinExcerptChars - 1)}…` : m.text,
      pinnedBy: m.pinned!.by,
      pinnedAt: m.pinned!.at,
    }));
    return { type: "pins", items };
  }
}
