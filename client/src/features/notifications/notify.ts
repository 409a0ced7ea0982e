/**
 * Browser notifications while this room's tab is open but hidden: a message
 * that mentions me (a reminder for me mentions me too) or, at level `all`,
 * any message by someone else; an MCP server's request waiting for me.
 * Approvals have their own (approvals/notify.ts). Only after the member
 * allowed notifications; once per event (tags dedupe across tabs too); what
 * was there when the room opened is not announced. With no tab open, the
 * room sends a Web Push instead (public/sw.js shows it).
 */
import { useEffect, useRef } from "react";
import type { ChatMessage, ElicitationItem, NotifyLevel } from "../../../../shared/protocol";
import { notificationsAllowed } from "../approvals/notify";
import { tokensToNames } from "../mentions/text";
import { mentionsMe } from "../unread/state";

const BODY_CHARS = 180;

function show(room: string, body: string, tag: string): void {
  if (!notificationsAllowed() || document.visibilityState === "visible") return;
  new Notification(`Hearth · ${room}`, { body: body.length > BODY_CHARS ? `${body.slice(0, BODY_CHARS - 1)}…` : body, tag: `${room}:${tag}`, icon: "/icon.svg" });
}

/** Whether this message is worth a notification for `me` at `level` (the server's rule for pushes, room/notifications.ts). */
export function worthNotifying(message: ChatMessage, me: string, level: NotifyLevel): boolean {
  if (level === "none" || message.deleted || message.author.id === me) return false;
  if (message.kind !== "user" && message.kind !== "assistant" && message.kind !== "reminder") return false;
  if (message.status === "streaming" || message.status === "waiting") return false;
  return level === "all" || mentionsMe(message, me);
}

export function useMessageNotifications(
  room: string,
  messages: ChatMessage[],
  me: string | undefined,
  level: NotifyLevel,
  nameOf: (id: string) => string | null,
): void {
  const seen = useRef<Set<number> | null>(null);
  useEffect(() => {
    if (!me) return;
    if (seen.current === null) {
      seen.current = new Set(messages.map((m) => m.seq));
      return;
    }
    // New rows arrive at the end; an answer still being written is looked at again once it is done.
    for (const m of messages.slice(-50)) {
      if (seen.current.has(m.seq) || m.status === "streaming" || m.status === "waiting") continue;
      seen.current.add(m.seq);
      if (!worthNotifying(m, me, level)) continue;
      const { text } = tokensToNames(m.text, nameOf);
      const mentioned = (m.mentions ?? []).includes(me);
      show(room, m.kind === "reminder" ? text : `${m.author.name}${mentioned ? " mentioned you" : ""}: ${text}`, `message:${m.seq}`);
    }
  }, [room, messages, me, level, nameOf]);
}

export function useElicitationNotifications(room: string, items: ElicitationItem[], level: NotifyLevel): void {
  const seen = useRef<Set<string> | null>(null);
  useEffect(() => {
    if (seen.current === null) {
      seen.current = new Set(items.map((i) => i.id));
      return;
    }
    for (const item of items) {
      if (seen.current.has(item.id)) continue;
      seen.current.add(item.id);
      if (item.state === "pending" && level !== "none") show(room, `${item.server} is waiting for your input.`, `elicitation:${item.id}`);
    }
  }, [room, items, level]);
}
