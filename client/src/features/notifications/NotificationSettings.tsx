import { useId } from "react";
import "./notifications.css";
import type { NotifyLevel } from "../../../../shared/protocol";
import type { RoomState } from "../room/roomState";
import type { RoomActions } from "../room/useRoom";
import { usePushToggle } from "./usePushToggle";

const LEVELS: Array<{ value: NotifyLevel; label: string }> = [
  { value: "all", label: "Every message" },
  { value: "mentions", label: "Mentions, reminders and requests for me" },
  { value: "none", label: "Nothing" },
];

/**
 * This member's notifications in this room: what they hear of (the room
 * keeps it, for all their devices), and whether this device gets Web Push
 * while no Hearth tab is open. While a tab is open but hidden, the tab
 * itself shows browser notifications (notify.ts).
 */
export function NotificationSettings({ room, state, actions }: { room: string; state: RoomState; actions: RoomActions }) {
  const id = useId();
  const { level, subscriptions, vapidPublicKey } = state.notifications;
  const push = usePushToggle(room, vapidPublicKey, state.connection === "online", actions);
  return (
    <section className="card notification-settings" aria-labelledby={`${id}-heading`} data-testid="notification-settings">
      <h2 id={`${id}-heading`}>Notifications</h2>
      <label>
        Notify me of{" "}
        <select data-testid="notify-level" value={level} onChange={(e) => actions.notifySettings(e.target.value as NotifyLevel)}>
          {LEVELS.map((l) => (
            <option key={l.value} value={l.value}>
              {l.label}
            </option>
          ))}
        </select>
      </label>
      {push.supported ? (
        <label>
          <input
            type="checkbox"
            data-testid="push-toggle"
            checked={push.on}
            disabled={push.busy || level === "none"}
            onChange={(e) => void push.set(e.target.checked)}
          />{" "}
          Push notifications on this device when no Hearth tab is open
        </label>
      ) : (
        <p className="notify-hint">This browser cannot receive push notifications here.</p>
      )}
      {subscriptions > 0 && <p className="notify-hint">Push is on for {subscriptions === 1 ? "one device" : `${subscriptions} devices`}.</p>}
      {push.problem && <p role="alert" className="notify-hint">{push.problem}</p>}
    </section>
  );
}
