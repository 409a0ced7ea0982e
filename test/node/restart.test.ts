/**
 * Durability across a crash: messages acknowledged by a real `wrangler dev`
 * survive a SIGKILL of the whole process tree, none is duplicated, and a
 * client resending its unacknowledged messages after the restart stores each
 * one at most once.
 */
import { afterAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../support/dev-server";
import { createSession, NodeMember } from "../support/node-member";

let server: DevServer | undefined;
afterAll(async () => server?.stop());

describe("crash and restart", () => {
  it("loses no acknowledged message and duplicates none", async () => {
    server = await startDevServer();
    const { persistDir, port } = server;
    const alice = await createSession(server.url, "alice");
    const room = "crash-test";

    const a = await NodeMember.connect(server.url, room, alice.token);
    await a.next("snapshot");
    const acked: string[] = [];
    for (let i = 0; i < 15; i++) {
      const id = `acked-${i}-${crypto.randomUUID()}`;
      a.send({ type: "send", id, text: `message ${i}` });
      await a.next("ack", (f) => f.id === id);
      acked.push(id);
    }
    // Fire a few more without waiting: they may or may not make it before the crash.
    const inFlight = Array.from({ length: 5 }, (_, i) => `inflight-${i}-${crypto.randomUUID()}`);
    inFlight.forEach((id, i) => a.send({ type: "send", id, text: `in flight ${i}` }));
    await server.kill();

    server = await startDevServer({ persistDir, port });
    const a2 = await NodeMember.connect(server.url, room, alice.token);
    const history = await a2.fullHistory();
    const ids = history.map((m) => m.id);
    for (const id of acked) expect(ids.filter((x) => x === id)).toHaveLength(1);
    expect(new Set(ids).size).toBe(ids.length);
    const seqs = history.map((m) => m.seq);
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);

    // The client resends what it never saw acknowledged, with the same ids.
    for (const id of inFlight) a2.send({ type: "send", id, text: "resent" });
    for (const id of inFlight) await a2.next("ack", (f) => f.id === id);
    a2.close();
    const a3 = await NodeMember.connect(server.url, room, alice.token);
    const after = (await a3.fullHistory()).map((m) => m.id);
    expect(after).toHaveLength(acked.length + inFlight.length);
    for (const id of [...acked, ...inFlight]) expect(after.filter((x) => x === id)).toHaveLength(1);
    a3.close();
  });
});
