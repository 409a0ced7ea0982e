/// <reference types="@cloudflare/vitest-plugin/types" />
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { LobbyFrame } from "../../shared/lobby";
import { api, connect, ORIGIN, roomName, session } from "./client";

async function openLobby() {
  const res = await exports.default.fetch(`${ORIGIN}/parties/lobby/main`, {
    headers: { Upgrade: "websocket", Origin: ORIGIN },
  });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  ws.accept();
  const frames: LobbyFrame[] = [];
  ws.addEventListener("message", (e) => frames.push(LobbyFrame.parse(JSON.parse(e.data as string))));
  const until = async (pred: (f: LobbyFrame) => boolean) => {
    const deadline = Date.now() + 10_000;
    while (!frames.some(pred)) {
      if (Date.now() > deadline) throw new Error(`lobby never matched; got ${JSON.stringify(frames.at(-1))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return frames.findLast(pred)!;
  };
  return { frames, until, ws };
}

const onlineIn = (f: LobbyFrame, room: string) => f.rooms.find((r) => r.name === room)?.online;

describe("lobby", () => {
  it("pushes live member counts of public rooms and never lists private ones", async () => {
    const lobby = await openLobby();
    await lobby.until(() => true);
    const room = roomName("pub");
    const alice = await session("alice");
    const a1 = await connect(room, alice.token);
    await lobby.until((f) => onlineIn(f, room) === 1);
    // A second tab of the same member does not count twice.
    const a2 = await connect(room, alice.token);
    const b = await connect(room, (await session("bob")).token);
    await lobby.until((f) => onlineIn(f, room) === 2);
    await a2.next("presence");
    b.close();
    a1.close();
    await lobby.until((f) => onlineIn(f, room) === 1);
    a2.close();
    await lobby.until((f) => onlineIn(f, room) === 0);
    expect(lobby.frames.every((f) => (onlineIn(f, room) ?? 0) <= 2)).toBe(true);

    const res = await api("/api/rooms", alice.token, { visibility: "private" });
    const { room: secret } = (await res.json()) as { room: string };
    const p = await connect(secret, alice.token);
    await p.next("presence");
    // Give a (wrong) report time to arrive, then check it never did.
    const pub = roomName("pub");
    await connect(pub, alice.token);
    await lobby.until((f) => onlineIn(f, pub) === 1);
    expect(lobby.frames.some((f) => f.rooms.some((r) => r.name === secret))).toBe(false);
  });

  it("refuses lobby names other than main and foreign origins", async () => {
    const other = await exports.default.fetch(`${ORIGIN}/parties/lobby/other`, { headers: { Upgrade: "websocket", Origin: ORIGIN } });
    expect(other.status).toBe(404);
    const foreign = await exports.default.fetch(`${ORIGIN}/parties/lobby/main`, {
      headers: { Upgrade: "websocket", Origin: "https://evil.example" },
    });
    expect(foreign.status).toBe(403);
  });
});
