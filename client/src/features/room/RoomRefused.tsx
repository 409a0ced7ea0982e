import { RoomDoor } from "./RoomDoor";
import "./room.css";

/** The room closed the door (banned, removed, private without an invite…): say why, and the way back. */
export function RoomRefused({ title, reason }: { title: string; reason: string }) {
  return (
    <RoomDoor title={title} refused>
      <div className="refused" role="alert">
        <p className="refused-title">You cannot enter this room.</p>
        <p data-testid="refused-reason">{reason}</p>
      </div>
    </RoomDoor>
  );
}
