/**
 * This browser's Web Push subscription: the service worker (public/sw.js)
 * shows the pushes; the subscription goes to the room (`push_subscribe`),
 * which pushes only while none of this member's tabs is open. A browser
 * holds one subscription per origin, so every room of this Hearth shares it.
 */

export function pushSupported(): boolean {
  return typeof navigator !== "undefined" && "serviceWorker" in navigator && typeof window !== "undefined" && "PushManager" in window && typeof Notification !== "undefined";
}

let registration: Promise<ServiceWorkerRegistration> | undefined;

/** Registers the service worker once per page (it shows the pushes and handles clicks). */
export function serviceWorker(): Promise<ServiceWorkerRegistration> {
  registration ??= navigator.serviceWorker.register("/sw.js").then(() => navigator.serviceWorker.ready);
  return registration;
}

/** The subscription as the room's `push_subscribe` frame wants it. */
export interface PushKeys {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

function toKeys(subscription: PushSubscription): PushKeys {
  const json = subscription.toJSON();
  return { endpoint: subscription.endpoint, keys: { p256dh: json.keys?.p256dh ?? "", auth: json.keys?.auth ?? "" } };
}

export async function currentSubscription(): Promise<PushKeys | null> {
  if (!pushSupported()) return null;
  const sub = await (await serviceWorker()).pushManager.getSubscription();
  return sub ? toKeys(sub) : null;
}

/** Asks permission if needed and subscribes with the server's VAPID key; null when the member said no. */
export async function subscribe(vapidPublicKey: string): Promise<PushKeys | null> {
  if (!pushSupported()) return null;
  if ((await Notification.requestPermission()) !== "granted") return null;
  const manager = (await serviceWorker()).pushManager;
  let sub = await manager.getSubscription();
  // A subscription made for another key (the server's changed) cannot be reused.
  if (sub && !sameKey(sub.options.applicationServerKey, vapidPublicKey)) {
    await sub.unsubscribe();
    sub = null;
  }
  sub ??= await manager.subscribe({ userVisibleOnly: true, applicationServerKey: fromBase64Url(vapidPublicKey) });
  return toKeys(sub);
}

function sameKey(key: ArrayBuffer | null, vapidPublicKey: string): boolean {
  if (!key) return false;
  const a = new Uint8Array(key);
  const b = fromBase64Url(vapidPublicKey);
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}
