import { describe, expect, it } from "vitest";
import { presenceOf } from "../../server/room/presence";

const tab = (memberId: string, name: string) => ({ memberId, name, role: "member" as const, typingUntil: 0, timeZone: "UTC" });

describe("presence", () => {
  it("lists each member once with their tabs, and outside agents beside them or alone", () => {
    const members = presenceOf(
      [tab("m_a", "Ann"), tab("m_a", "Ann"), tab("m_b", "Bob")],
      [
        { memberId: "m_a", name: "Ann", role: "member", client: "Claude", app: "c_claude" },
        { memberId: "m_a", name: "Ann", role: "member", client: "Claude", app: "c_claude" },
        { memberId: "m_a", name: "Ann", role: "member", client: "Claude", app: "c_other" },
        { memberId: "m_c", name: "Cy", role: "viewer", client: "Cursor", app: "c_cursor", icon: true },
      ],
    );
    expect(members).toEqual([
      // Two apps that share a name are two agents (each with its own icon); one app acting twice is one.
      { id: "m_a", name: "Ann", role: "member", connections: 2, agents: [{ name: "Claude", app: "c_claude" }, { name: "Claude", app: "c_other" }] },
      { id: "m_b", name: "Bob", role: "member", connections: 1 },
      { id: "m_c", name: "Cy", role: "viewer", connections: 0, agents: [{ name: "Cursor", app: "c_cursor", icon: true }] },
    ]);
  });
});
