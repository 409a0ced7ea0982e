import { useState } from "react";
import { ApiRequestError, postPublicRoom } from "../../api";
import { RoomDoor } from "./RoomDoor";

/**
 * A name nobody created is no room: say so and offer to create it (its
 * creator owns it). Someone may have created it meanwhile; then this
 * visitor is told and can simply join.
 */
export function NoSuchRoom({ room, title, onCreated }: { room: string; title: string; onCreated: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ text: string; exists: boolean } | null>(null);
  const create = async () => {
    setBusy(true);
    setError(null);
    try {
      await postPublicRoom(room);
      onCreated();
    } catch (err) {
      const exists = err instanceof ApiRequestError && err.code === "room_exists";
      setError({ text: err instanceof Error ? err.message : "Creating the room failed.", exists });
      setBusy(false);
    }
  };
  return (
    <RoomDoor title={title} refused>
      <div className="card" data-testid="no-such-room">
        <p>
          No room is called <strong>#{room}</strong> yet. Create it? You will be its owner: you decide who may join and
          what they may do.
        </p>
        <button type="button" data-testid="create-room" disabled={busy} onClick={() => void create()}>
          Create #{room}
        </button>
        {error && (
          <p className="form-error" role="alert" data-testid="create-room-error">
            {error.text}{" "}
            {error.exists && (
              <button type="button" data-testid="join-existing" onClick={onCreated}>
                Join it
              </button>
            )}
          </p>
        )}
      </div>
    </RoomDoor>
  );
}
