// Hearth's service worker: shows the Web Push messages a room sends while
// none of the member's tabs is open (server/room/notifications.ts builds
// the payload: { title, body, url, tag }), and on a click focuses a Hearth
// tab already showing that room, else any Hearth tab (sent there), else
// opens one. It caches nothing: the app is online-only.
/* eslint-env serviceworker */

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    // Not JSON: not ours to show.
    return;
  }
  const title = typeof data.title === "string" ? data.title : "Hearth";
  const url = sameOriginPath(data.url);
  event.waitUntil(
    self.registration.showNotification(title, {
      body: typeof data.body === "string" ? data.body : "",
      tag: typeof data.tag === "string" ? data.tag : undefined,
      icon: "/icon.svg",
      data: { url },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = sameOriginPath(event.notification.data && event.notification.data.url);
  event.waitUntil(
    (async () => {
      const tabs = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const target = new URL(url, self.location.origin);
      const there = tabs.find((c) => new URL(c.url).pathname === target.pathname);
      if (there) return there.focus();
      const any = tabs.find((c) => new URL(c.url).origin === self.location.origin);
      if (any) {
        await any.focus();
        return any.navigate(target.href);
      }
      return self.clients.openWindow(target.href);
    })(),
  );
});

/** Only a path of this origin is opened: a payload cannot send the member elsewhere. */
function sameOriginPath(value) {
  return typeof value === "string" && value.startsWith("/") && !value.startsWith("//") ? value : "/";
}
