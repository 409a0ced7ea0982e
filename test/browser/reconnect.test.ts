/**
 * The server goes away and comes back (same port, same storage): the client
 * says so, keeps a message written meanwhile as pending, and delivers it
 * exactly once after reconnecting.
 */
import { describe, expect, it } from "vitest";
import { startDevServer } from "../support/dev-server";
import { messageRow, openRoom, send, uniqueRoom, waitOnline } from "./browser";
import { useBrowserRoom } from "./fixture";

const fixture = useBrowserRoom({ members: ["Alice", "Bob"] });
const [alice, bob] = fixture.members;
const room = uniqueRoom("rc");

describe("reconnecting", () => {
  it("delivers a message written while the server was down, once", async () => {
    await openRoom(alice.page, `/r/${room}`);
    await openRoom(bob.page, `/r/${room}`);
    const before = `before restart ${Date.now()}`;
    await send(alice.page, before);
    await messageRow(bob.page, before).waitFor();

    const socketUrls: string[] = [];
    alice.page.on("websocket", (ws) => socketUrls.push(ws.url()));
    const { port, persistDir } = fixture.server;
    await fixture.server.stop();
    const status = alice.page.getByTestId("connection-status");
    await alice.page.locator('[data-testid="connection-status"][data-status="reconnecting"]').waitFor();
    expect(await status.innerText()).toMatch(/reconnecting/i);

    const during = `written while down ${Date.now()}`;
    await send(alice.page, during);
    const row = messageRow(alice.page, during);
    expect(await row.getAttribute("data-state")).toBe("pending");

    fixture.server = await startDevServer({ port, persistDir });
    // partysocket backs off up to 10 s between attempts.
    await waitOnline(alice.page).then(() => undefined);
    await alice.page.locator('[data-testid="message"][data-state="sent"]').filter({ hasText: during }).waitFor({ timeout: 30_000 });
    await messageRow(bob.page, during).waitFor({ timeout: 30_000 });
    await bob.page.waitForTimeout(500);
    expect(await messageRow(bob.page, during).count()).toBe(1);
    expect(await messageRow(alice.page, during).count()).toBe(1);
    expect(await messageRow(bob.page, before).count()).toBe(1);
    expect(await messageRow(bob.page, during).getAttribute("data-author")).toBe("Alice");

    // Reconnects ask only for what changed since the last revision seen.
    const roomSockets = socketUrls.filter((u) => u.includes("/agents/chat-room/"));
    expect(roomSockets.length).toBeGreaterThan(0);
    expect(Number(new URL(roomSockets.at(-1)!).searchParams.get("since"))).toBeGreaterThan(0);

    // The server was down on purpose: Chromium logs each reconnect attempt it
    // refused (how many depends on how long the restart took). Those, and only
    // those, are not page problems here.
    for (const m of [alice, bob]) {
      const kept = m.problems.filter((p) => !/WebSocket connection to .* failed: .*ERR_CONNECTION_REFUSED/.test(p));
      m.problems.splice(0, m.problems.length, ...kept);
    }
  }, 90_000);
});
