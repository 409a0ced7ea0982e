import type { ReminderItem } from "../../../../shared/protocol";
import type { CommandEntry } from "../room/commandLog";
import { browserTimeZone, type RoomActions } from "../room/useRoom";
import { CommandNote } from "../../components/CommandNote";
import { SidePanel } from "../../components/SidePanel";
import { ReminderRow } from "./ReminderRow";
import "./reminders.css";

/**
 * The room's reminders and scheduled jobs. Anyone who may write sees the
 * buttons; the room decides who may use them and says why not.
 */
export function RemindersPanel({
  id,
  items,
  canAct,
  result,
  actions,
  onClose,
}: {
  id: string;
  items: ReminderItem[];
  canAct: boolean;
  result: CommandEntry | null;
  actions: RoomActions;
  onClose: () => void;
}) {
  const zone = browserTimeZone();
  return (
    <SidePanel id={id} testId="reminders-panel" title="Reminders" closeLabel="Close reminders" onClose={onClose}>
      <p className="muted small" data-testid="reminders-new-hint">
        New reminder: type <code>/remind me|@room|@name &lt;what&gt; &lt;when&gt;</code> in the composer, e.g.{" "}
        <code>/remind @room standup every weekday at 9am</code>. Times show in {zone ?? "your time zone"}.
      </p>
      {result && (
        <CommandNote entry={result} testId="reminders-result" onDismiss={() => actions.dismissCommand(result.id)} />
      )}
      {items.length === 0 ? (
        <p className="muted" data-testid="reminders-empty">
          No reminders in this room.
        </p>
      ) : (
        <ul className="reminder-list" aria-label="Reminders and scheduled jobs">
          {items.map((item) => (
            <ReminderRow key={item.id} item={item} canAct={canAct} actions={actions} />
          ))}
        </ul>
      )}
    </SidePanel>
  );
}
