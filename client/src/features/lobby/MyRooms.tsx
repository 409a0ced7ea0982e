import { useEffect, useState } from "react";
import type { AccountRoom } from "../../../../shared/api";
import { getAccount } from "../../api";
import { roomPath } from "../../router";
import { useSession } from "../account/session";
import { Link } from "../../components/Link";
import "./lobby.css";

/** The rooms this member belongs to, public and private, kept by their account (not the browser). */
export function MyRooms() {
  const session = useSession();
  const memberId = session?.member.id;
  const [rooms, setRooms] = useState<AccountRoom[] | null>(null);

  useEffect(() => {
    if (!memberId) return;
    let cancelled = false;
    getAccount()
      .then((account) => !cancelled && setRooms(account.rooms))
      .catch(() => !cancelled && setRooms([]));
    return () => {
      cancelled = true;
    };
  }, [memberId]);

  if (!memberId || rooms === null || rooms.length === 0) return null;
  return (
    <section className="card" aria-labelledby="my-rooms-heading">
      <h2 id="my-rooms-heading">Your rooms</h2>
      <ul className="lobby-list">
        {rooms.map((r) => (
          <li key={r.room} data-testid="my-room" data-room={r.room} data-role={r.role}>
            <Link href={roomPath(r.room)}>{r.visibility === "private" ? `Private room ${r.room.slice(2, 8)}…` : `#${r.room}`}</Link>
            <span className="muted">{r.role}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
