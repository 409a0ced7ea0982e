/**
 * The platform's own WebSocket message cap, measured on a real socket of
 * `wrangler dev` (the vitest workerd pool's in-process sockets have none),
 * and Hearth's smaller cap answered in front of the agents SDK.
 *
 * Measured: a message of 32 MiB (33,554,432 bytes) reaches the room; one
 * byte more and workerd closes the socket with 1009 "Message is too
 * large". Everything up to that reaches the Durable Object, where the SDK
 * would JSON.parse it — hence room/frameGuard.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LIMITS } from "../../shared/limits";
import { startDevServer, type DevServer } from "../support/dev-server";
import { createSession, NodeMember } from "../support/node-member";

const PLATFORM_CAP = 32 * 1024 * 1024;

let server: DevServer;
beforeAll(async () => {
  server = await startDevServer();
}, 60_000);
afterAll(async () => server?.stop());

/** A member in a fresh room, once the room has answered its join (the typing frame comes with it). */
async function open(room: string): Promise<NodeMember> {
  const { token } = await createSession(server.url, "alice");
  const m = await NodeMember.connect(server.url, room, token);
  await m.next("typing");
  return m;
}

describe("frame size on a real socket", () => {
  it("answers a frame at the platform's 32 MiB cap with Hearth's too_large, before the SDK parses it", async () => {
    const m = await open("cap-at");
    // Valid JSON in the SDK's own rpc shape: the SDK would parse and answer it.
    const prefix = '{"type":"rpc","id":"r","method":"createRoom","args":[],"pad":"';
    m.send(`${prefix}${"x".repeat(PLATFORM_CAP - prefix.length - 2)}"}`);
    await m.next("error", () => true, { timeoutMs: 30_000 });
    expect(m.frames.find((f) => f.type === "error")).toMatchObject({ code: "too_large", message: expect.stringContaining(String(LIMITS.frameChars)) });
    m.close();
  }, 60_000);

  it("is closed by the platform with 1009 one byte past 32 MiB", async () => {
    const m = await open("cap-over");
    m.send("x".repeat(PLATFORM_CAP + 1));
    expect(await m.closedWith(30_000)).toMatchObject({ code: 1009, reason: expect.stringMatching(/too large/i) });
  }, 60_000);
});
