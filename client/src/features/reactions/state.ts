/**
 * The pins slice: the room's pinned list, from the last `pins` frame.
 * (Reactions need no slice of their own: they arrive on the message rows.)
 */
import type { PinnedItem } from "../../../../shared/protocol";
import type { FrameReducers } from "../room/slice";

export interface PinsState {
  /** Newest pin first. */
  pins: PinnedItem[];
}

export const initialPins = (): PinsState => ({ pins: [] });

export const pinFrames: FrameReducers<PinsState, "pins"> = {
  pins: (state, frame) => ({ ...state, pins: frame.items }),
};
