/** A small history router: `/` (landing), `/settings`, and `/r/<room>` (a room). */
import { useSyncExternalStore } from "react";
import { isRoomName, PublicRoomName } from "../../shared/rooms";

export type Route =
  | { kind: "landing" }
  | { kind: "settings" }
  | { kind: "room"; room: string; invite: string | null }
  | { kind: "bad-room"; raw: string }
  | { kind: "not-found" };

const CHANGE = "hearth:navigate";

export function navigate(path: string, { replace = false } = {}): void {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  window.dispatchEvent(new Event(CHANGE));
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener("popstate", onChange);
  window.addEventListener(CHANGE, onChange);
  return () => {
    window.removeEventListener("popstate", onChange);
    window.removeEventListener(CHANGE, onChange);
  };
}

// The snapshot must be a primitive so useSyncExternalStore sees it as stable.
const snapshot = () => location.pathname + location.hash;

export function useRoute(): Route {
  return parseRoute(useSyncExternalStore(subscribe, snapshot));
}

export function parseRoute(pathAndHash: string): Route {
  const hashAt = pathAndHash.indexOf("#");
  const path = hashAt < 0 ? pathAndHash : pathAndHash.slice(0, hashAt);
  const hash = hashAt < 0 ? "" : pathAndHash.slice(hashAt + 1);
  if (path === "/" || path === "") return { kind: "landing" };
  if (path === "/settings") return { kind: "settings" };
  const match = /^\/r\/([^/]+)\/?$/.exec(path);
  if (!match?.[1]) return { kind: "not-found" };
  let raw: string;
  try {
    raw = decodeURIComponent(match[1]);
  } catch {
    return { kind: "bad-room", raw: match[1] };
  }
  if (!isRoomName(raw)) return { kind: "bad-room", raw };
  return { kind: "room", room: raw, invite: new URLSearchParams(hash).get("invite") };
}

/** `General ` → `general`, so a hand-typed URL still reaches the room. */
export function canonicalRoomPath(raw: string): string | null {
  const parsed = PublicRoomName.safeParse(raw);
  return parsed.success ? roomPath(parsed.data) : null;
}

export function roomPath(room: string): string {
  return `/r/${encodeURIComponent(room)}`;
}
