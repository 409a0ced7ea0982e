import { useEffect, useState } from "react";
import type { AccountRoom, UnreadRoom } from "../../../../shared/api";
import { LIMITS } from "../../../../shared/limits";
import { getAccount, postUnread } from "../../api";
import { countLabel } from "../unread/state";
import { roomPath } from "../../router";
import { useSession } from "../account/session";
import { Link } from "../../components/Link";
import "./lobby.css";

/** The rooms this member belongs to, public and private, kept by their account (not the browser). */
export function MyRooms() {
  const session = useSession();
  const memberId = session?.member.id;
  const [rooms, setRooms] = useState<AccountRoom[] | null>(null);
  const [unread, setUnread] = useState<ReadonlyMap<string, UnreadRoom>>(new Map());

  useEffect(() => {
    if (!memberId) return;
    let cancelled = false;
    getAccount()
      .then((account) => !cancelled && setRooms(account.rooms))
      .catch(() => !cancelled && setRooms([]));
    // Counts come after the list (each room is asked): the list never waits for them.
    postUnread()
      .then(({ rooms: counts }) => !cancelled && setUnread(new Map(counts.map((c) => [c.room, c]))))
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [memberId]);

  if (!memberId || rooms === null || rooms.length === 0) return null;
  return (
    <section className="card" aria-labelledby="my-rooms-heading">
      <h2 id="my-rooms-heading">Your rooms</h2>
      <ul className="lobby-list">
        {rooms.map((r) => {
          const counts = unread.get(r.room);
          return (
            <li
              key={r.room}
              data-testid="my-room"
              data-room={r.room}
              data-role={r.role}
              data-unread={counts?.unread ?? 0}
              data-mentions={counts?.mentions ?? 0}
              className={counts?.unread ? "has-unread" : undefined}
            >
              <Link href={roomPath(r.room)}>{r.visibility === "private" ? `Private room ${r.room.slice(2, 8)}…` : `#${r.room}`}</Link>
              <span className="room-counts">
                {counts && counts.mentions > 0 && (
                  <span className="badge mention-badge" title={`${counts.mentions} mention${counts.mentions === 1 ? "" : "s"} of you`}>
                    @{countLabel(counts.mentions, LIMITS.unreadCap)}
                  </span>
                )}
                {counts && counts.unread > 0 && (
                  <span className="badge" title={`${counts.unread} unread`}>
                    {countLabel(counts.unread, LIMITS.unreadCap)}
                  </span>
                )}
              </span>
              <span className="muted">{r.role}</span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
