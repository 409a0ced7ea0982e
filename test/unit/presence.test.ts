import { describe, expect, it } from "vitest";
import { presenceOf } from "../../server/room/presence";

const tab = (memberId: string, name: string) => ({ memberId, name, role: "member" as const, typingUntil: 0, timeZone: "UTC" });

describe("presence", () => {
  it("lists each member once with their tabs, and outside agents beside them or alone", () => {
    const members = presenceOf(
      [tab("m_a", "Ann"), tab("m_a", "Ann"), tab("m_b", "Bob")],
      [
        { memberId: "m_a", name: "Ann", role: "member", client: "Claude" },
        { memberId: "m_a", name: "Ann", role: "member", client: "Claude" },
        { memberId: "m_c", name: "Cy", role: "viewer", client: "Cursor" },
      ],
    );
    expect(members).toEqual([
      { id: "m_a", name: "Ann", role: "member", connections: 2, agents: ["Claude"] },
      { id: "m_b", name: "Bob", role: "member", connections: 1 },
      { id: "m_c", name: "Cy", role: "viewer", connections: 0, agents: ["Cursor"] },
    ]);
  });
});
