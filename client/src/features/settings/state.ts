/** The room settings slice: public or private, and whether members may invite (`welcome`, then `room`). */
import type { RoomInfo } from "../../../../shared/protocol";
import type { FrameReducers } from "../room/slice";

export interface SettingsState {
  room: RoomInfo | null;
}

export const initialSettings = (): SettingsState => ({ room: null });

export const settingsFrames: FrameReducers<SettingsState, "room"> = {
  room: (state, frame) => ({ ...state, room: frame.room }),
};
