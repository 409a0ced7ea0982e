import type { ReactNode } from "react";
import { Link } from "../../components/Link";

/**
 * The page in front of a room that cannot be entered yet (signed out, no
 * such room, refused): the room's title, what to do, and the way back.
 * `refused` keeps the connection-status marker the room screen would show.
 */
export function RoomDoor({ title, refused = false, children }: { title: string; refused?: boolean; children: ReactNode }) {
  return (
    <main className="page narrow">
      <h1>{title}</h1>
      {children}
      <p>
        <Link href="/">Back to the lobby</Link>
      </p>
      {refused && <span hidden data-testid="connection-status" data-status="refused" />}
    </main>
  );
}
