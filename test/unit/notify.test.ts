/** Which messages a hidden tab announces: the same rule the room uses for pushes (room/notifications.ts). */
import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../shared/protocol";
import { worthNotifying } from "../../client/src/features/notifications/notify";

const base: ChatMessage = {
  seq: 7, rev: 7, id: "m-0000007", kind: "user", author: { id: "m_alice", name: "alice" }, text: "hi",
  createdAt: 0, editedAt: null, deleted: false, replyTo: null, status: null, parts: [],
};

describe("worthNotifying", () => {
  it("announces a mention at `mentions` and `all`, never at `none`", () => {
    const mention = { ...base, text: "hi <@m_bob>", mentions: ["m_bob"] };
    expect(worthNotifying(mention, "m_bob", "mentions")).toBe(true);
    expect(worthNotifying(mention, "m_bob", "all")).toBe(true);
    expect(worthNotifying(mention, "m_bob", "none")).toBe(false);
  });

  it("announces any message by someone else at `all` only", () => {
    expect(worthNotifying(base, "m_bob", "all")).toBe(true);
    expect(worthNotifying(base, "m_bob", "mentions")).toBe(false);
  });

  it("never announces my own messages, deleted ones, notices, or an answer still being written", () => {
    expect(worthNotifying({ ...base, mentions: ["m_alice"] }, "m_alice", "all")).toBe(false);
    expect(worthNotifying({ ...base, deleted: true }, "m_bob", "all")).toBe(false);
    expect(worthNotifying({ ...base, kind: "system" }, "m_bob", "all")).toBe(false);
    expect(worthNotifying({ ...base, kind: "assistant", status: "streaming" }, "m_bob", "all")).toBe(false);
    expect(worthNotifying({ ...base, kind: "assistant", status: "done" }, "m_bob", "all")).toBe(true);
  });

  it("announces a reminder for me (it mentions its target)", () => {
    const reminder = { ...base, kind: "reminder" as const, author: { id: "reminders", name: "Reminder" }, text: "⏰ <@m_bob>: stretch", mentions: ["m_bob"] };
    expect(worthNotifying(reminder, "m_bob", "mentions")).toBe(true);
    expect(worthNotifying(reminder, "m_carol", "mentions")).toBe(false);
  });
});
