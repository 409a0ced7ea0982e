import { useEffect, useState } from "react";
import { Landing } from "./features/lobby/Landing";
import { NotFound } from "./components/NotFound";
import { RoomView } from "./features/room/RoomView";
import { Settings } from "./features/account/Settings";
import { canonicalRoomPath, navigate, useRoute } from "./router";
import { bootSession } from "./features/account/session";

/** The page for the current route; who we are is settled first, so no room socket opens as nobody. */
export function App() {
  const route = useRoute();
  // Who we are is settled once per page load (GET /api/me, which also
  // renews the session) before a room socket opens.
  const [booted, setBooted] = useState(false);
  useEffect(() => {
    bootSession()
      .catch((err: unknown) => console.warn("session: could not reach the server", err))
      .finally(() => setBooted(true));
  }, []);

  // A hand-typed /r/General should land in "general", not on an error.
  const canonical = route.kind === "bad-room" ? canonicalRoomPath(route.raw) : null;
  useEffect(() => {
    if (canonical) navigate(canonical + location.hash, { replace: true });
  }, [canonical]);

  switch (route.kind) {
    case "landing":
      return <Landing />;
    case "settings":
      return booted ? <Settings /> : null;
    case "room":
      if (!booted) return <main className="page narrow" aria-busy="true" />;
      // Keyed so that switching rooms starts from a clean state and socket.
      return <RoomView key={route.room} room={route.room} invite={route.invite} />;
    case "bad-room":
      return canonical ? null : <NotFound message={`“${route.raw}” is not a valid room name.`} />;
    case "not-found":
      return <NotFound message="There is nothing at this address." />;
  }
}
