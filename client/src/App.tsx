import { useEffect } from "react";
import { Landing } from "./components/Landing";
import { NotFound } from "./components/NotFound";
import { RoomView } from "./components/RoomView";
import { canonicalRoomPath, navigate, useRoute } from "./router";

export function App() {
  const route = useRoute();

  // A hand-typed /r/General should land in "general", not on an error.
  const canonical = route.kind === "bad-room" ? canonicalRoomPath(route.raw) : null;
  useEffect(() => {
    if (canonical) navigate(canonical + location.hash, { replace: true });
  }, [canonical]);

  switch (route.kind) {
    case "landing":
      return <Landing />;
    case "room":
      // Keyed so that switching rooms starts from a clean state and socket.
      return <RoomView key={route.room} room={route.room} invite={route.invite} />;
    case "bad-room":
      return canonical ? null : <NotFound message={`“${route.raw}” is not a valid room name.`} />;
    case "not-found":
      return <NotFound message="There is nothing at this address." />;
  }
}
