/**
 * Hearth as an MCP server, in Chromium: the member approves an MCP client
 * on the consent page in their own browser (its `__Host-` cookies over
 * http://127.0.0.1 included), sees the client's post in the room as theirs
 * "via" the client (with the client's icon, served from Hearth's origin:
 * the browser never asks the icon's host), and disconnects it in Settings
 * — after which the client's token is refused.
 */
import { afterAll, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { MemoryOAuthClient, open } from "../support/mcp-agent";
import { startDevServer } from "../support/dev-server";
import { startIconServer, type IconServer } from "../support/icon-server";
import { eventually, messageRow, openRoom, uniqueRoom } from "./browser";
import { useBrowserRoom } from "./fixture";

let icons: IconServer;
const world = useBrowserRoom({
  members: ["alice"],
  server: async () => {
    icons = await startIconServer();
    return startDevServer({ vars: { MCP_ALLOW_HOSTS: icons.host } });
  },
});
afterAll(() => icons?.close());
const [alice] = world.members;

describe("an MCP client connected by a member in the browser", () => {
  it("is approved on the consent page, posts via itself, and is disconnected in Settings", async () => {
    const room = uniqueRoom("mcp-browser");
    const browserAsked: string[] = [];
    alice!.context.on("request", (r) => {
      if (r.url().startsWith(icons.url)) browserAsked.push(r.url());
    });
    await openRoom(alice!.page, `/r/${room}`);

    const oauth = new MemoryOAuthClient("Browser Agent", `${icons.url}/logo.png`);
    const endpoint = new URL(`${world.server.url}/mcp`);
    const first = new StreamableHTTPClientTransport(endpoint, { authProvider: oauth });
    await new Client({ name: "browser-agent", version: "1" }).connect(first).catch(() => {});
    expect(oauth.authorizationUrl).not.toBeNull();

    // The member's browser: the consent page, then the redirect to the client (intercepted: nothing listens there).
    const consent = await alice!.context.newPage();
    world.watch(consent, "consent");
    let redirectedTo: string | null = null;
    await consent.route((url) => url.href.startsWith(oauth.redirectUrl), async (route) => {
      redirectedTo = route.request().url();
      await route.fulfill({ status: 200, contentType: "text/plain", body: "back in the app" });
    });
    await consent.goto(oauth.authorizationUrl!.href);
    expect(await consent.getByTestId("client-name").textContent()).toBe("Browser Agent");
    expect(await consent.getByTestId("redirect-host").textContent()).toBe("127.0.0.1");
    await consent.getByLabel(/Only these/).check();
    await consent.getByLabel(room).check();
    await consent.locator('input[name="scope"][value="post"]').check();
    await consent.getByRole("button", { name: "Allow" }).click();

    await consent.waitForURL((url) => url.href.startsWith(oauth.redirectUrl));
    const code = new URL(redirectedTo!).searchParams.get("code");
    expect(code).toBeTruthy();
    await consent.close();

    await first.finishAuth(code!);
    const agent = await open(endpoint, "Browser Agent", oauth);
    const posted = await agent.call("post_message", { room, text: "posted by my agent" });
    expect(posted.error, posted.text).toBe(false);
    const row = messageRow(alice!.page, "posted by my agent");
    await row.getByTestId("via").waitFor();
    expect(await row.getByTestId("via").textContent()).toContain("via Browser Agent");
    expect(await row.getAttribute("data-author")).toBe("alice");
    // Its icon: loaded, from Hearth's own origin, beside "via" and in presence.
    const icon = row.getByTestId("app-icon");
    await icon.waitFor();
    expect(new URL((await icon.evaluate((img: HTMLImageElement) => img.currentSrc))).origin).toBe(world.server.url);
    await eventually(() => icon.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), 1);
    await alice!.page.getByTestId("presence-agents").getByTestId("app-icon").waitFor();
    expect(browserAsked).toEqual([]);
    expect(icons.requests.filter((r) => r.path === "/logo.png").length).toBeGreaterThan(0);

    await alice!.page.goto("/settings");
    const app = alice!.page.getByTestId("connected-app").filter({ hasText: "Browser Agent" });
    await app.waitFor();
    expect(await app.textContent()).toContain(room);
    await app.getByTestId("app-icon").waitFor();
    expect(await alice!.page.getByTestId("mcp-url").textContent()).toBe(endpoint.href);
    await app.getByTestId("app-revoke").click();
    await alice!.page.getByTestId("no-apps").waitFor();
    const after = await fetch(endpoint, {
      method: "POST",
      headers: { Authorization: `Bearer ${oauth.tokens()!.access_token}`, "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(after.status).toBe(401);
    await agent.close().catch(() => {});
  });
});
