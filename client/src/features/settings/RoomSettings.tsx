import { useId } from "react";
import type { RoomInfo } from "../../../../shared/protocol";
import { latestCommand } from "../room/commandLog";
import type { RoomState } from "../room/roomState";
import type { RoomActions } from "../room/useRoom";
import { CommandNote } from "../../components/CommandNote";

function exportPath(room: string, format: "md" | "json"): string {
  return `/api/rooms/${encodeURIComponent(room)}/export?format=${format}`;
}

const SLOW_MODE_CHOICES = [0, 10, 30, 60, 300, 900, 3600];

/** The usual intervals, and the room's own when /slowmode set another. */
function slowModeChoices(current: number): number[] {
  return SLOW_MODE_CHOICES.includes(current) ? SLOW_MODE_CHOICES : [...SLOW_MODE_CHOICES, current].sort((a, b) => a - b);
}

function slowModeLabel(seconds: number): string {
  if (seconds === 0) return "off";
  if (seconds < 60) return `${seconds} s between messages`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h between messages`;
  return seconds % 60 === 0 ? `${seconds / 60} min between messages` : `${seconds} s between messages`;
}

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
      <label>
        <input
          type="checkbox"
          data-testid="members-may-pin"
          checked={room.membersMayPin ?? false}
          onChange={(e) =>
            actions.roomSettings({ membersMayPin: e.target.checked }, e.target.checked ? "Let members pin" : "Only owners pin")
          }
        />{" "}
        Members may pin messages
      </label>
      <label>
        Slow mode{" "}
        <select
          data-testid="slow-mode"
          value={room.slowModeSeconds ?? 0}
          onChange={(e) => {
            const seconds = Number(e.target.value);
            actions.roomSettings({ slowModeSeconds: seconds }, seconds ? `Slow mode: ${slowModeLabel(seconds)}` : "Slow mode off");
          }}
        >
          {slowModeChoices(room.slowModeSeconds ?? 0).map((s) => (
            <option key={s} value={s}>
              {slowModeLabel(s)}
            </option>
          ))}
        </select>
      </label>
      {result && <CommandNote entry={result} testId="settings-result" onDismiss={() => actions.dismissCommand(result.id)} />}
      <p className="export-links">
        {/* Plain links: the session cookie goes with them, and the room streams the file (docs/protocol.md, export). */}
        Export the room:{" "}
        <a href={exportPath(room.name, "md")} download data-testid="export-md">
          Markdown
        </a>{" "}
        ·{" "}
        <a href={exportPath(room.name, "json")} download data-testid="export-json">
          JSON
        </a>
      </p>
    </section>
  );
}
