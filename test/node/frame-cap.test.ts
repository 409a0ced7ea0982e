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
import WebSocket from "ws";
import { LIMITS } from "../../shared/limits";
import { ServerFrame } from "../../shared/protocol";
import { startDevServer, type DevServer } from "../support/dev-server";
import { createPublicRoom, createSession, SESSION_COOKIE } from "../support/node-member";

const PLATFORM_CAP = 32 * 1024 * 1024;

let server: DevServer;
beforeAll(async () => {
  server = await startDevServer();
}, 60_000);
afterAll(async () => server?.stop());

async function open(room: string) {
  const { token } = await createSession(server.url, "alice");
  await createPublicRoom(server.url, room, token);
  const url = new URL(`/agents/chat-room/${room}`, server.url.replace(/^http/, "ws"));
  const ws = new WebSocket(url, { perMessageDeflate: false, headers: { Origin: server.url, Cookie: `${SESSION_COOKIE}=${token}` } });
  const frames: ServerFrame[] = [];
  ws.on("message", (d) => frames.push(ServerFrame.parse(JSON.parse(d.toString()))));
  const closed = new Promise<{ code: number; reason: string }>((res) => ws.on("close", (code, reason) => res({ code, reason: reason.toString() })));
  await new Promise<void>((res, rej) => {
    ws.once("open", () => res());
    ws.once("error", rej);
  });
  const until = async (test: () => boolean) => {
    for (let i = 0; i < 200 && !test(); i++) await new Promise((r) => setTimeout(r, 50));
  };
  await until(() => frames.some((f) => f.type === "typing"));
  return { ws, frames, closed, until };
}

describe("frame size on a real socket", () => {
  it("answers a frame at the platform's 32 MiB cap with Hearth's too_large, before the SDK parses it", async () => {
    const m = await open("cap-at");
    // Valid JSON in the SDK's own rpc shape: the SDK would parse and answer it.
    const prefix = '{"type":"rpc","id":"r","method":"createRoom","args":[],"pad":"';
    m.ws.send(`${prefix}${"x".repeat(PLATFORM_CAP - prefix.length - 2)}"}`);
    await m.until(() => m.frames.some((f) => f.type === "error"));
    expect(m.frames.find((f) => f.type === "error")).toMatchObject({ code: "too_large", message: expect.stringContaining(String(LIMITS.frameChars)) });
    m.ws.close();
  }, 60_000);

  it("is closed by the platform with 1009 one byte past 32 MiB", async () => {
    const m = await open("cap-over");
    m.ws.send("x".repeat(PLATFORM_CAP + 1));
    expect(await m.closed).toMatchObject({ code: 1009, reason: expect.stringMatching(/too large/i) });
  }, 60_000);
});
