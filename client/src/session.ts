/**
 * The browser's identity: the session token and member from POST /api/session,
 * kept in localStorage so every tab of this browser is the same member.
 */
import { useSyncExternalStore } from "react";
import { z } from "zod";
import { SessionResponse } from "../../shared/api";
import { ApiRequestError, postSession } from "./api";

const KEY = "hearth.session";
const CHANGE = "hearth:session";

export type Session = z.infer<typeof SessionResponse>;

let cached: { raw: string | null; session: Session | null } = { raw: null, session: null };

function read(): Session | null {
  const raw = localStorage.getItem(KEY);
  if (raw === cached.raw) return cached.session;
  let session: Session | null = null;
  try {
    const parsed = SessionResponse.safeParse(JSON.parse(raw ?? "null"));
    if (parsed.success) session = parsed.data;
  } catch {
    // Corrupt storage is treated as "no identity yet".
  }
  cached = { raw, session };
  return session;
}

function write(session: Session): void {
  localStorage.setItem(KEY, JSON.stringify(session));
  window.dispatchEvent(new Event(CHANGE));
}

function subscribe(onChange: () => void): () => void {
  // `storage` fires for changes made by other tabs, CHANGE for this one.
  const onStorage = (e: StorageEvent) => {
    if (e.key === KEY || e.key === null) onChange();
  };
  window.addEventListener("storage", onStorage);
  window.addEventListener(CHANGE, onChange);
  return () => {
    window.removeEventListener("storage", onStorage);
    window.removeEventListener(CHANGE, onChange);
  };
}

export function useSession(): Session | null {
  return useSyncExternalStore(subscribe, read);
}

/** Creates the identity, or renames it while keeping the member id. */
export async function saveDisplayName(name: string): Promise<Session> {
  const existing = read();
  let session: Session;
  try {
    session = await postSession(name, existing?.token);
  } catch (err) {
    // An expired token cannot be renamed; starting afresh is the only way in.
    if (!(existing && err instanceof ApiRequestError && err.status === 401)) throw err;
    session = await postSession(name);
  }
  write(session);
  return session;
}

/** A new identity under the same name, for when the server refuses the token. */
export async function renewSession(): Promise<Session | null> {
  const existing = read();
  if (!existing) return null;
  const session = await postSession(existing.member.name);
  write(session);
  return session;
}
