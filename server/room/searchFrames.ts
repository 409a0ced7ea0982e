/**
 * The search frames: `search` (answered to the asking socket only) and
 * `history_around` (the timeline around a result, to jump to it). Every
 * member may search, viewers too: it shows nothing they cannot already
 * scroll back to, and only this room's rows (the index is in the room's
 * own database).
 */
import { errorFrame, type FrameHandler } from "./frames";
import type { ChatContext } from "./chat";
import type { RoomSearch } from "./search";

type SearchFrameType = "search" | "history_around";

export function searchHandlers(search: () => RoomSearch): { [T in SearchFrameType]: FrameHandler<T, ChatContext> } {
  return {
    search: (c, frame) => {
      const found = search().search(frame.query, { self: c.sender.memberId, timeZone: c.sender.timeZone, ...(frame.before ? { before: frame.before } : {}) });
      if (!found.ok) return c.reply(errorFrame("invalid_frame", found.error, frame.id));
      c.reply({
        type: "search_results",
        id: frame.id,
        query: frame.query,
        before: frame.before ?? null,
        results: found.results,
        hasMore: found.hasMore,
        indexing: found.indexing,
      });
    },
    history_around: (c, frame) => {
      if (frame.seq === undefined) return c.reply({ type: "around", seq: null, ...c.log.latest(), hasNewer: false });
      c.reply({ type: "around", seq: frame.seq, ...c.log.around(frame.seq) });
    },
  };
}
