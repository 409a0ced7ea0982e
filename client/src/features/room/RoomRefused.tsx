import { Link } from "../../components/Link";
import "./room.css";

/** The room closed the door (banned, removed, private without an invite…): say why, and the way back. */
export function RoomRefused({ title, reason }: { title: string; reason: string }) {
  return (
    <main className="page narrow">
      <h1>{title}</h1>
      <div className="refused" role="alert">
        <p className="refused-title">You cannot enter this room.</p>
        <p data-testid="refused-reason">{reason}</p>
      </div>
      <p>
        <Link href="/">Back to the lobby</Link>
      </p>
      <span hidden data-testid="connection-status" data-status="refused" />
    </main>
  );
}
