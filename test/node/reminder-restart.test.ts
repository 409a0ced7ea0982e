/**
 * A reminder due while the server is down: set it a few seconds ahead,
 * SIGKILL `wrangler dev` before it fires, restart, and it is delivered —
 * exactly once — by the alarm the scheduler persisted, without any member
 * having to connect first.
 */
import { afterAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../support/dev-server";
import { createSession, NodeMember } from "../support/node-member";

let server: DevServer | undefined;
afterAll(async () => server?.stop());

describe("reminders across a crash", () => {
  it("delivers a reminder that came due while the server was down, once", async () => {
    server = await startDevServer();
    const { persistDir, port } = server;
    const alice = await createSession(server.url, "alice");
    const a = await NodeMember.connect(server.url, "reminder-crash", alice.token);
    await a.next("snapshot");
    const id = crypto.randomUUID();
    a.send({ type: "command", id, text: "/remind @room stand up in 4 seconds" });
    const result = await a.next("command_result", (f) => f.id === id);
    expect(result.ok).toBe(true);
    await server.kill();
    // Let the reminder come due while nothing runs.
    await new Promise((r) => setTimeout(r, 6_000));

    server = await startDevServer({ persistDir, port });
    // Nobody connects for a while: the persisted alarm must wake the room by itself.
    await new Promise((r) => setTimeout(r, 4_000));
    const a2 = await NodeMember.connect(server.url, "reminder-crash", alice.token);
    const history = await a2.fullHistory();
    const reminders = history.filter((m) => m.kind === "reminder");
    expect(reminders.map((m) => m.text)).toEqual(["⏰ @room: stand up"]);
    expect(reminders[0]!.createdAt).toBeLessThan(Date.now() - 1_000);

    // Nothing more arrives: no second delivery from a retried alarm.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(a2.all("message").filter((f) => f.message.kind === "reminder")).toEqual([]);
    a2.close();
  });
});
