import { Bell, Bot } from "lucide-react";
import { SnoozeChoice, type ReminderItem } from "../../../../shared/protocol";
import { browserTimeZone, type RoomActions } from "../room/useRoom";

/** A button per snooze the room accepts (shared/protocol.ts): a new choice without a label fails the type check. */
const SNOOZE_LABELS: Record<SnoozeChoice, { label: string; long: string }> = {
  "10m": { label: "+10 min", long: "10 minutes" },
  "1h": { label: "+1 h", long: "1 hour" },
  tomorrow: { label: "Tomorrow", long: "until tomorrow" },
};
const SNOOZES = SnoozeChoice.options.map((value) => ({ value, ...SNOOZE_LABELS[value] }));

/** The next firing in the viewer's own zone (the creator's may differ). */
export function formatNext(at: number, timeZone = browserTimeZone() ?? undefined): string {
  return new Intl.DateTimeFormat(undefined, {
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    ...(timeZone ? { timeZone } : {}),
  }).format(at);
}

/** Who a reminder is for, as the panel says it. */
export function reminderTarget(item: ReminderItem): string {
  if (item.kind === "job") return "assistant job";
  return item.target.type === "room" ? "@room" : `@${item.target.name}`;
}

/** One reminder or job: what, for whom, when next (in the viewer's zone), and cancel, snooze, pause or resume. */
export function ReminderRow({ item, canAct, actions }: { item: ReminderItem; canAct: boolean; actions: RoomActions }) {
  const zone = browserTimeZone();
  const label = `“${item.text}”`;
  return (
    <li
      className={`reminder-item${item.paused ? " paused" : ""}`}
      data-testid="reminder-item"
      data-reminder-id={item.id}
      data-kind={item.kind}
      data-paused={String(item.paused)}
    >
      <p className="reminder-what">
        {item.kind === "job" ? (
          <Bot className="reminder-icon" size={16} aria-hidden="true" />
        ) : (
          <Bell className="reminder-icon" size={16} aria-hidden="true" />
        )}
        <span data-testid="reminder-text">{item.text}</span>
      </p>
      <dl className="reminder-facts">
        <dt>For</dt>
        <dd data-testid="reminder-target">{reminderTarget(item)}</dd>
        <dt>Next</dt>
        <dd>
          <time
            dateTime={new Date(item.nextAt).toISOString()}
            data-testid="reminder-next"
            title={item.timeZone !== zone ? `Set in ${item.timeZone}` : undefined}
          >
            {formatNext(item.nextAt)}
          </time>
          {item.paused && (
            <span className="badge badge-paused" data-testid="reminder-paused">
              paused
            </span>
          )}
        </dd>
        <dt>Repeats</dt>
        <dd data-testid="reminder-repeat">{item.repeat}</dd>
        <dt>By</dt>
        <dd data-testid="reminder-creator">{item.creator.name}</dd>
      </dl>
      {canAct && (
        <div className="reminder-actions" role="group" aria-label={`Change ${label}`}>
          <button
            type="button"
            className="danger"
            data-testid="reminder-cancel"
            onClick={() => actions.reminderAction(item.id, "cancel", `Cancel ${label}`)}
          >
            Cancel
          </button>
          <span className="snooze-group" role="group" aria-label={`Snooze ${label}`}>
            <span className="muted small" aria-hidden="true">
              Snooze
            </span>
            {SNOOZES.map((s) => (
              <button
                key={s.value}
                type="button"
                data-testid={`reminder-snooze-${s.value}`}
                aria-label={`Snooze ${label} ${s.long}`}
                onClick={() => actions.reminderAction(item.id, "snooze", `Snooze ${label} ${s.long}`, s.value)}
              >
                {s.label}
              </button>
            ))}
          </span>
          {item.recurring &&
            (item.paused ? (
              <button
                type="button"
                data-testid="reminder-resume"
                onClick={() => actions.reminderAction(item.id, "resume", `Resume ${label}`)}
              >
                Resume
              </button>
            ) : (
              <button
                type="button"
                data-testid="reminder-pause"
                onClick={() => actions.reminderAction(item.id, "pause", `Pause ${label}`)}
              >
                Pause
              </button>
            ))}
        </div>
      )}
    </li>
  );
}
