/**
 * "Push notifications on this device" for one room. The browser holds one
 * subscription for the whole origin; which rooms it is given to is
 * remembered here (localStorage), and it is given again on every connect,
 * so the room has the current endpoint even after the browser renewed it.
 * Turning it off tells this room only: other rooms keep using it.
 */
import { useCallback, useEffect, useState } from "react";
import type { RoomActions } from "../room/useRoom";
import { currentSubscription, pushSupported, subscribe } from "./push";

const key = (room: string) => `hearth:push:${room}`;

function remembered(room: string): boolean {
  try {
    return localStorage.getItem(key(room)) === "on";
  } catch {
    return false;
  }
}

function remember(room: string, on: boolean): void {
  try {
    if (on) localStorage.setItem(key(room), "on");
    else localStorage.removeItem(key(room));
  } catch {
    // Private mode: the choice lasts for this page only.
  }
}

export interface PushToggle {
  supported: boolean;
  on: boolean;
  busy: boolean;
  problem: string | null;
  set(on: boolean): Promise<void>;
}

export function usePushToggle(room: string, vapidPublicKey: string | null, connected: boolean, actions: RoomActions): PushToggle {
  const supported = pushSupported() && vapidPublicKey !== null;
  const [on, setOn] = useState(() => remembered(room));
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  // Each connect: the room gets this device's subscription again (or learns it is gone).
  useEffect(() => {
    if (!supported || !connected || !on) return;
    let live = true;
    void currentSubscription().then((sub) => {
      if (!live) return;
      if (sub) actions.pushSubscribe(sub);
      else {
        remember(room, false);
        setOn(false);
      }
    });
    return () => {
      live = false;
    };
  }, [supported, connected, on, room, actions]);

  const set = useCallback(
    async (next: boolean) => {
      if (!vapidPublicKey) return;
      setBusy(true);
      setProblem(null);
      try {
        if (next) {
          const sub = await subscribe(vapidPublicKey);
          if (!sub) {
            setProblem("Notifications are blocked for this site: allow them in the browser's site settings.");
            return;
          }
          actions.pushSubscribe(sub);
        } else {
          const sub = await currentSubscription();
          if (sub) actions.pushUnsubscribe(sub.endpoint);
        }
        remember(room, next);
        setOn(next);
      } catch (err) {
        setProblem(`This browser could not turn push on: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        setBusy(false);
      }
    },
    [vapidPublicKey, room, actions],
  );

  return { supported, on, busy, problem, set };
}
