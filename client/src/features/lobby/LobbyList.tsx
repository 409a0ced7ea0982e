import { useLobby } from "./useLobby";
import { roomPath } from "../../router";
import { Link } from "../../components/Link";
import "./lobby.css";

/** Public rooms with live member counts, pushed by the lobby socket (busiest first). */
export function LobbyList() {
  const { rooms, connected } = useLobby();
  const sorted = [...(rooms ?? [])].sort((a, b) => b.online - a.online || b.activeAt - a.activeAt);

  return (
    <section className="card" aria-labelledby="lobby-heading">
      <h2 id="lobby-heading">Public rooms</h2>
      {rooms === null ? (
        <p className="muted" role="status">
          {connected ? "Loading rooms…" : "Connecting to the lobby…"}
        </p>
      ) : sorted.length === 0 ? (
        <p className="muted">No public rooms yet. Start one below.</p>
      ) : (
        <ul className="lobby-list" aria-live="polite">
          {sorted.map((room) => (
            <li key={room.name} data-testid="lobby-room" data-room={room.name} data-online={room.online}>
              <Link href={roomPath(room.name)}>#{room.name}</Link>
              <span className="online-count">
                <span className={room.online > 0 ? "dot on" : "dot"} aria-hidden="true" />
                {room.online} online
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
