/** The client's unread counts: the room's figure as of `upTo`, plus what arrived since. */
import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../shared/protocol";
import { initialUnread, unreadCounts, unreadFrames, unreadTitle } from "../../client/src/features/unread/state";

const self = { id: "m_me" };
function message(seq: number, over: Partial<ChatMessage> = {}): ChatMessage {
  return {
    seq, rev: seq, id: `id${seq}`, kind: "user", author: { id: "m_ann", name: "Ann" }, text: "hi", createdAt: 0,
    editedAt: null, deleted: false, replyTo: null, status: null, parts: [], ...over,
  };
}

describe("unread counts", () => {
  it("adds others' new timeline messages and mentions after the room's count", () => {
    const state = unreadFrames.read_state({ ...initialUnread(), messages: [] as ChatMessage[], self }, { type: "read_state", seq: 3, unread: 2, mentions: 0, upTo: 5 });
    expect(state.dividerAfter).toBe(3);
    const messages = [
      message(4), message(5), // counted by the room already
      message(6, { mentions: ["m_me"] }),
      message(7, { author: { id: "m_me", name: "me" } }), // mine
      message(8, { kind: "system" }),
      message(9, { deleted: true }),
      message(10, { threadOf: 4 }), // a thread reply not sent to the room
      message(11, { threadOf: 4, alsoToRoom: true }),
    ];
    expect(unreadCounts({ ...state, messages })).toEqual({ unread: 4, mentions: 1 });
  });

  it("keeps the divider where the room opened, and titles the tab", () => {
    let state = unreadFrames.read_state({ ...initialUnread() }, { type: "read_state", seq: 3, unread: 2, mentions: 1, upTo: 5 });
    state = unreadFrames.read_state(state, { type: "read_state", seq: 5, unread: 0, mentions: 0, upTo: 5 });
    expect(state.dividerAfter).toBe(3);
    expect(unreadFrames.read_state(initialUnread(), { type: "read_state", seq: 5, unread: 0, mentions: 0, upTo: 5 }).dividerAfter).toBeNull();
    expect(unreadTitle({ unread: 0, mentions: 0 })).toBe("");
    expect(unreadTitle({ unread: 3, mentions: 0 })).toBe("(3) ");
    expect(unreadTitle({ unread: 120, mentions: 2 })).toBe("(99+ · @2) ");
  });
});
