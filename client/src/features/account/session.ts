/**
 * The browser's identity.
 *
 * The session itself is an HttpOnly cookie: no script on the page can read
 * it, and the browser sends it with every API call and room socket of this
 * origin. What the page keeps is who it is (member id and name, from
 * GET /api/me) — no secret — in localStorage, so tabs agree and the first
 * paint needs no round trip. When the server no longer accepts the cookie,
 * the page says so and offers ways back in; it never quietly becomes a new
 * member (that would turn an owner into a stranger).
 */
import { useSyncExternalStore } from "react";
import { z } from "zod";
import { SessionResponse } from "../../../../shared/api";
import { startAuthentication, startRegistration } from "@simplewebauthn/browser";
import {
  getMe,
  postDeviceRedeem,
  postExchange,
  postLogout,
  postPasskeyLogin,
  postPasskeyOptions,
  postPasskeyRegister,
  postSession,
} from "../../api";

const KEY = "hearth.session";
const CHANGE = "hearth:session";

export type Session = SessionResponse;

/**
 * `expired`: this browser was someone (`member`) but the server does not
 * accept its session any more.
 */
const Stored = z.object({
  member: z.object({ id: z.string(), name: z.string() }),
  expiresAt: z.number(),
  expired: z.boolean().optional(),
  /** Left by older clients; moved into the cookie once, then removed. */
  token: z.string().optional(),
});
type Stored = z.infer<typeof Stored>;

let cached: { raw: string | null; value: Stored | null } = { raw: null, value: null };

function readStored(): Stored | null {
  const raw = localStorage.getItem(KEY);
  if (raw === cached.raw) return cached.value;
  let value: Stored | null = null;
  try {
    const parsed = Stored.safeParse(JSON.parse(raw ?? "null"));
    if (parsed.success) value = parsed.data;
  } catch {
    // Corrupt storage is treated as "no identity yet".
  }
  cached = { raw, value };
  return value;
}

function store(value: Stored | null): void {
  if (value) localStorage.setItem(KEY, JSON.stringify(value));
  else localStorage.removeItem(KEY);
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

function readSession(): Session | null {
  const stored = readStored();
  return stored && !stored.expired ? { member: stored.member, expiresAt: stored.expiresAt } : null;
}

let sessionCache: { stored: Stored | null; session: Session | null } = { stored: null, session: null };
function snapshot(): Session | null {
  const stored = readStored();
  if (stored !== sessionCache.stored) sessionCache = { stored, session: readSession() };
  return sessionCache.session;
}

/** The signed-in member, or null (no identity yet, or an expired one: see useExpiredMember). */
export function useSession(): Session | null {
  return useSyncExternalStore(subscribe, snapshot);
}

let expiredCache: { stored: Stored | null; member: Session["member"] | null } = { stored: null, member: null };
function expiredSnapshot(): Session["member"] | null {
  const stored = readStored();
  if (stored !== expiredCache.stored) expiredCache = { stored, member: stored?.expired ? stored.member : null };
  return expiredCache.member;
}

/** Who this browser was before the server stopped accepting its session. */
export function useExpiredMember(): Session["member"] | null {
  return useSyncExternalStore(subscribe, expiredSnapshot);
}

/**
 * Bumped whenever this page signs in or out. A GET /api/me that was sent
 * before (say the page-load check, slow under load) answers for the cookie
 * the browser had then, so its "nobody" must not mark a name saved meanwhile
 * as expired.
 */
let identityChanges = 0;

function signedIn(session: Session): Session {
  identityChanges++;
  store({ member: session.member, expiresAt: session.expiresAt });
  return session;
}

/**
 * On page load: move an older client's stored token into the cookie (once),
 * then ask the server who we are; that also renews the session.
 */
export async function bootSession(): Promise<Session | null> {
  const stored = readStored();
  if (stored?.token) {
    const { token, ...rest } = stored;
    store(rest);
    await postExchange(token).catch(() => null);
  }
  return refreshSession();
}

/** GET /api/me: the signed-in member, or null when the server refuses the session. */
export async function refreshSession(): Promise<Session | null> {
  const asked = identityChanges;
  const me = await getMe();
  if (asked !== identityChanges) return readSession();
  if (me.member) return signedIn(me);
  const stored = readStored();
  if (stored && !stored.expired) store({ ...stored, expired: true });
  return null;
}

/** Creates the identity (a guest), or renames it while keeping the member id. */
export async function saveDisplayName(name: string): Promise<Session> {
  return signedIn(await postSession(name));
}

/** Forgets this browser's identity (the cookie and what the page kept). */
export async function signOut(): Promise<void> {
  await postLogout();
  identityChanges++;
  store(null);
}

/**
 * Upgrades this member in place: a passkey for the same member id, so any
 * device can sign in as them later.
 */
export async function addPasskey(label?: string) {
  const { options } = await postPasskeyOptions("register");
  const response = await startRegistration({ optionsJSON: options as never });
  return (await postPasskeyRegister(response, label)).passkey;
}

/** Signs this browser in as the member a passkey belongs to (no name typed). */
export async function signInWithPasskey(): Promise<Session> {
  const { options } = await postPasskeyOptions("login");
  const response = await startAuthentication({ optionsJSON: options as never });
  return signedIn(await postPasskeyLogin(response));
}

/** Signs this browser in with a code shown on a device that is signed in. */
export async function signInWithDeviceCode(code: string): Promise<Session> {
  return signedIn(await postDeviceRedeem(code));
}
