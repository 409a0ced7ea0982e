/** The reminders slice: the room's reminders and jobs, as the last `reminders` frame listed them. */
import type { ReminderItem } from "../../../../shared/protocol";
import type { FrameReducers } from "../room/slice";

export interface RemindersState {
  /** Soonest first. */
  reminders: ReminderItem[];
}

export const initialReminders = (): RemindersState => ({ reminders: [] });

export const reminderFrames: FrameReducers<RemindersState, "reminders"> = {
  reminders: (state, frame) => ({ ...state, reminders: [...frame.items].sort((a, b) => a.nextAt - b.nextAt) }),
};
