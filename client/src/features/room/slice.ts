/**
 * The shape of a feature's state slice: the frames it answers, each applied
 * to the part of the room's state the feature owns. roomState.ts composes
 * every slice's reducers into one map checked against ServerFrame.
 */
import type { ServerFrame } from "../../../../shared/protocol";

export type FrameOf<T extends ServerFrame["type"]> = Extract<ServerFrame, { type: T }>;

/**
 * Reducers for the frame types `T`, over any state that holds the slice `S`
 * (generic in the full state, so a slice needs to know nothing else of it).
 */
export type FrameReducers<S, T extends ServerFrame["type"]> = {
  [K in T]: <R extends S>(state: R, frame: FrameOf<K>) => R;
};
