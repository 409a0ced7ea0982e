/** The notifications slice: this member's level in the room and the server's push key, from the last `notifications` frame. */
import type { NotifyLevel } from "../../../../shared/protocol";
import type { FrameReducers } from "../room/slice";

export interface NotificationsState {
  notifications: {
    level: NotifyLevel;
    /** This member's devices with push on (any browser). */
    subscriptions: number;
    /** null: the server offers no Web Push. */
    vapidPublicKey: string | null;
  };
}

export const initialNotifications = (): NotificationsState => ({
  notifications: { level: "mentions", subscriptions: 0, vapidPublicKey: null },
});

export const notificationFrames: FrameReducers<NotificationsState, "notifications"> = {
  notifications: (state, { level, subscriptions, vapidPublicKey }) => ({ ...state, notifications: { level, subscriptions, vapidPublicKey } }),
};
