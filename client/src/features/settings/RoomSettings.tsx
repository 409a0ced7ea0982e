import { useId } from "react";
import type { RoomInfo } from "../../../../shared/protocol";
import { latestCommand } from "../room/commandLog";
import type { RoomState } from "../room/roomState";
import type { RoomActions } from "../room/useRoom";
import { CommandNote } from "../../components/CommandNote";

/**
 * Owner-only: who may join (public: in the lobby, anyone signed in; private:
 * members and invitees) and whether members may make invite links. Each
 * change goes to the room at once; the controls show what the room says
 * (its `room` frame), so a refused change springs back.
 */
export function RoomSettings({ room, state, actions }: { room: RoomInfo; state: RoomState; actions: RoomActions }) {
  const id = useId();
  const result = latestCommand(state, "settings");
  const setVisibility = (visibility: RoomInfo["visibility"]) =>
    actions.roomSettings({ visibility }, visibility === "public" ? "Make the room public" : "Make the room private");
  return (
    <section className="card room-settings" aria-labelledby={`${id}-heading`} data-testid="room-settings">
      <h2 id={`${id}-heading`}>Room settings</h2>
      <fieldset>
        <legend>Who can join</legend>
        <label>
          <input
            type="radio"
            name={`${id}-visibility`}
            data-testid="room-visibility-public"
            checked={room.visibility === "public"}
            onChange={() => setVisibility("public")}
          />{" "}
          Public — listed in the lobby; anyone signed in can join
        </label>
        <label>
          <input
            type="radio"
            name={`${id}-visibility`}
            data-testid="room-visibility-private"
            checked={room.visibility === "private"}
            onChange={() => setVisibility("private")}
          />{" "}
          Private — members, and people with an invite link
        </label>
      </fieldset>
      <label>
        <input
          type="checkbox"
          data-testid="members-may-invite"
          checked={room.membersMayInvite}
          onChange={(e) =>
            actions.roomSettings(
              { membersMayInvite: e.target.checked },
              e.target.checked ? "Let members invite" : "Only owners invite",
            )
          }
        />{" "}
        Members may create invite links
      </label>
      {result && <CommandNote entry={result} testId="settings-result" onDismiss={() => actions.dismissCommand(result.id)} />}
    </section>
  );
}
