/**
 * A browser notification when a call starts waiting for this member while
 * the tab is in the background — only after they allowed it, and once per
 * call (ids already seen are remembered for the tab's life).
 */
import { useEffect, useRef } from "react";
import type { NotifyLevel } from "../../../../shared/protocol";
import type { WaitingCall } from "./waiting";

export function notificationsAllowed(): boolean {
  return typeof Notification !== "undefined" && Notification.permission === "granted";
}

export async function requestNotifications(): Promise<boolean> {
  if (typeof Notification === "undefined") return false;
  return (await Notification.requestPermission()) === "granted";
}

export function useApprovalNotifications(items: WaitingCall[], room: string, level: NotifyLevel = "mentions"): void {
  const seen = useRef<Set<string> | null>(null);
  useEffect(() => {
    // What is waiting when the room opens is shown in the panel, not announced.
    if (seen.current === null) {
      seen.current = new Set(items.map((i) => i.part.callId));
      return;
    }
    for (const { part } of items) {
      if (seen.current.has(part.callId)) continue;
      seen.current.add(part.callId);
      if (level === "none" || !notificationsAllowed() || document.visibilityState === "visible") continue;
      // Text only: the tool's name, never its input (it may hold private data).
      new Notification(`Hearth · ${room}`, { body: `${part.tool.replace("__", ".")} is waiting for your approval.`, tag: part.callId });
    }
  }, [items, room, level]);
}
