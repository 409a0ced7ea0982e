/**
 * The elicitation slice: the MCP servers' requests waiting for this member
 * (the room sends each member only theirs), and the room's refusal of an
 * answer, shown on the card it belongs to.
 */
import type { ElicitationItem } from "../../../../shared/protocol";
import type { FrameReducers } from "../room/slice";

export interface ElicitationsState {
  elicitations: ElicitationItem[];
  /** Per request id: why the room refused the last answer. */
  elicitationErrors: Record<string, string>;
}

export const initialElicitations = (): ElicitationsState => ({ elicitations: [], elicitationErrors: {} });

export const elicitationFrames: FrameReducers<ElicitationsState, "elicitations"> = {
  elicitations: (state, frame) => {
    // Errors of requests that are gone go with them.
    const ids = new Set(frame.items.map((i) => i.id));
    const elicitationErrors = Object.fromEntries(Object.entries(state.elicitationErrors).filter(([id]) => ids.has(id)));
    return { ...state, elicitations: frame.items, elicitationErrors };
  },
};

/** An `error` frame that answers an elicitation (its ref is the request's id), or null. */
export function elicitationRefused<S extends ElicitationsState>(state: S, ref: unknown, message: string): S | null {
  if (typeof ref !== "string" || !state.elicitations.some((e) => e.id === ref)) return null;
  return { ...state, elicitationErrors: { ...state.elicitationErrors, [ref]: message } };
}

/** The member sent an answer: the last refusal no longer applies. */
export function elicitationSent<S extends ElicitationsState>(state: S, id: string): S {
  if (!(id in state.elicitationErrors)) return state;
  const { [id]: _gone, ...rest } = state.elicitationErrors;
  return { ...state, elicitationErrors: rest };
}
