/**
 * The MCP panel in a real Chromium against `wrangler dev` and real MCP
 * servers: @modelcontextprotocol/server-everything over streamable HTTP, and
 * an OAuth-protected one built with the MCP SDK's auth helpers. Two members:
 * Alice adds the servers through the panel, Bob sees them, is refused what
 * only the connector may do (by default, even a read-only call), and runs a
 * read-only tool with `/mcp call` once Alice lets all members use it.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer } from "../support/dev-server";
import { startEverything, type Everything } from "../support/mcp-everything";
import { startOAuthMcpServer, type OAuthMcpServer } from "../support/oauth-mcp-server";
import { eventually, messageRow, openRoom, send, uniqueRoom, type Member } from "./browser";
import { useBrowserRoom } from "./fixture";

let everything: Everything;
let oauth: OAuthMcpServer;
const room = uniqueRoom("mcp");

beforeAll(async () => {
  everything = await startEverything();
  oauth = await startOAuthMcpServer();
});
afterAll(async () => {
  await everything?.stop();
  await oauth?.stop();
});

const fixture = useBrowserRoom({
  server: () => startDevServer({ vars: { MCP_ALLOW_HOSTS: `127.0.0.1:${everything.port},127.0.0.1:${oauth.port}` } }),
  members: ["Alice", "Bob"],
});
const [alice, bob] = fixture.members;

function serverCard(page: Page, name: string) {
  return page.locator(`[data-testid="mcp-server"][data-name="${name}"]`);
}

function tool(page: Page, serverName: string, name: string) {
  return serverCard(page, serverName).locator(`[data-testid="mcp-tool"][data-name="${name}"]`);
}

async function addThroughForm(page: Page, name: string, url: string): Promise<string> {
  await page.getByTestId("mcp-add-name").fill(name);
  await page.getByTestId("mcp-add-url").fill(url);
  await page.getByTestId("mcp-add-submit").click();
  const result = page.locator('[data-testid="mcp-result"]:not([data-state="pending"])').filter({ hasText: `/mcp add ${name}` });
  await result.waitFor({ timeout: 30_000 });
  expect(await result.getAttribute("data-ok"), await result.innerText()).toBe("true");
  return result.innerText();
}

async function showTools(page: Page, name: string): Promise<void> {
  const toggle = serverCard(page, name).getByTestId("mcp-tools-toggle");
  if ((await toggle.getAttribute("aria-expanded")) !== "true") await toggle.click();
  expect(await toggle.getAttribute("aria-expanded")).toBe("true");
}

describe("MCP servers in the browser", () => {
  it("adds a server through the panel form; both members see it ready with its tools", async () => {
    // Alice joins first: she owns the room.
    await openRoom(alice.page, `/r/${room}`);
    await openRoom(bob.page, `/r/${room}`);
    for (const m of [alice, bob]) {
      const toggle = m.page.getByTestId("mcp-toggle");
      expect(await toggle.getAttribute("aria-expanded")).toBe("false");
      await toggle.click();
      expect(await toggle.getAttribute("aria-expanded")).toBe("true");
      await m.page.getByTestId("mcp-panel").waitFor();
      await m.page.getByTestId("mcp-empty").waitFor();
    }

    expect(await addThroughForm(alice.page, "everything", everything.url)).toContain("everything is connected");
    // The form empties once the room took it.
    await eventually(() => alice.page.getByTestId("mcp-add-name").inputValue(), "");

    for (const m of [alice, bob]) {
      const card = serverCard(m.page, "everything");
      await card.and(m.page.locator('[data-state="ready"]')).waitFor({ timeout: 30_000 });
      expect(await card.getByTestId("mcp-state").textContent()).toBe("ready");
      expect(await card.getByTestId("mcp-added-by").innerText()).toBe(m === alice ? "Alice (you)" : "Alice");
      expect(await card.getByTestId("mcp-tool-count").innerText()).toMatch(/^\d+ tools, \d+ enabled$/);
      expect(await card.getByTestId("mcp-authorize").count()).toBe(0);
      await showTools(m.page, "everything");
      const names = await card.getByTestId("mcp-tool").evaluateAll((els) => els.map((e) => e.getAttribute("data-name")));
      expect(names).toEqual(expect.arrayContaining(["echo", "get-sum", "toggle-simulated-logging"]));
      expect(await tool(m.page, "everything", "echo").getByTestId("mcp-tool-readonly").count()).toBe(1);
      expect(await tool(m.page, "everything", "toggle-simulated-logging").getByTestId("mcp-tool-readonly").count()).toBe(0);
      expect(await tool(m.page, "everything", "echo").innerText()).toMatch(/echo/i);
      expect(await tool(m.page, "everything", "get-sum").getByTestId("mcp-tool-toggle").isChecked()).toBe(true);
      expect(await card.getByTestId("mcp-prompts").locator("li").count()).toBeGreaterThan(0);
      expect(await card.getByTestId("mcp-resources").locator("li").count()).toBeGreaterThan(0);
      // The room says who connected it.
      await messageRow(m.page, "Alice connected the MCP server").waitFor();
    }
  });

  it("refuses Bob's tool toggle and removal; Alice's toggle disables get-sum for both", async () => {
    const bobsBox = tool(bob.page, "everything", "get-sum").getByTestId("mcp-tool-toggle");
    await bobsBox.click();
    const refusal = bob.page.locator('[data-testid="mcp-result"][data-state="failed"]');
    await refusal.waitFor();
    expect(await refusal.innerText()).toContain("Only Alice or a room owner can change everything's tools");
    expect(await refusal.getAttribute("role")).toBe("alert");
    expect(await bobsBox.isChecked()).toBe(true);
    expect(await tool(bob.page, "everything", "get-sum").getAttribute("data-enabled")).toBe("true");

    await serverCard(bob.page, "everything").getByTestId("mcp-remove").click();
    await bob.page.locator('[data-testid="mcp-result"][data-state="failed"]').filter({ hasText: "/mcp remove everything" }).waitFor();
    expect(await bob.page.getByTestId("mcp-result").innerText()).toContain("Only Alice (who connected it) or a room owner");
    expect(await serverCard(alice.page, "everything").count()).toBe(1);

    await tool(alice.page, "everything", "get-sum").getByTestId("mcp-tool-toggle").click();
    await alice.page.locator('[data-testid="mcp-result"][data-state="ok"]').filter({ hasText: "Disabled everything.get-sum" }).waitFor();
    for (const m of [alice, bob]) {
      await tool(m.page, "everything", "get-sum").and(m.page.locator('[data-enabled="false"]')).waitFor();
      expect(await tool(m.page, "everything", "get-sum").getByTestId("mcp-tool-toggle").isChecked()).toBe(false);
      // The others stay on.
      expect(await tool(m.page, "everything", "echo").getByTestId("mcp-tool-toggle").isChecked()).toBe(true);
    }
  });

  it("needs Alice's approval for Bob's calls until she lets all members use the server from the panel", async () => {
    const access = (m: Member) => serverCard(m.page, "everything").getByTestId("mcp-access");
    expect(await access(bob).innerText()).toBe("Usable by members, each call approved by Alice");
    await send(bob.page, '/mcp call everything.echo {"message":"too early"}');
    await bob.page.locator('[data-testid="command-result"][data-state="failed"]').filter({ hasText: "Alice's approval" }).waitFor();
    // Only the connector gets the control.
    expect(await access(bob).getByTestId("mcp-access-select").count()).toBe(0);
    await access(alice).getByTestId("mcp-access-select").selectOption("all");
    for (const m of [alice, bob]) await access(m).and(m.page.locator('[data-access="all"]')).waitFor();
    expect(await access(bob).innerText()).toBe("Usable by all members");
  });

  it("shows Bob's /mcp call to both as a tool card, and audits it with Bob as requester", async () => {
    await send(bob.page, '/mcp call everything.echo {"message":"hi from bob"}');
    const result = bob.page.locator('[data-testid="command-result"]:not([data-state="pending"])').filter({ hasText: "hi from bob" });
    await result.waitFor({ timeout: 30_000 });
    expect(await result.getAttribute("data-ok"), await result.innerText()).toBe("true");
    expect(await bob.page.getByTestId("composer-input").inputValue()).toBe("");

    for (const m of [alice, bob]) {
      const row = m.page.locator('[data-testid="message"][data-kind="tool"]').last();
      await row.waitFor();
      expect(await row.getAttribute("data-author")).toBe("Bob");
      expect(await row.getByTestId("message-text").innerText()).toBe("/mcp call everything.echo");
      const card = row.locator('[data-testid="tool-card"][data-tool="everything.echo"]');
      expect(await card.getAttribute("data-state")).toBe("done");
      expect(await card.getByTestId("tool-input").textContent()).toContain("hi from bob");
      expect(await card.getByTestId("tool-output").textContent()).toContain("hi from bob");
      // server-everything's echo answers { content: [{ type: "text", text: "Echo: …" }] }: its text shows without a click.
      expect(await card.getByTestId("tool-preview").innerText()).toBe("Echo: hi from bob");
      // Nobody approves a member's own direct call.
      expect(await card.getByTestId("approve-tool").count()).toBe(0);
    }

    for (const m of [alice, bob]) {
      const audited = m.page.locator('[data-testid="mcp-audit-row"][data-tool="everything.echo"]').first();
      await audited.waitFor();
      expect(await audited.getAttribute("data-requested-by")).toBe("Bob");
      expect(await audited.getAttribute("data-outcome")).toBe("ok");
      expect(await audited.getAttribute("data-via")).toBe("command");
      const cells = await audited.locator("td").allInnerTexts();
      // Bob's call used Alice's connection (a shared server): the audit says whose account acted.
      expect(cells.slice(1)).toEqual(["everything.echo", "command", "Bob", "—", "Alice", "ok", expect.stringMatching(/^\d+(\.\d)? m?s$/)]);
    }
  });

  it("offers Authorize only to the member who added an OAuth server; the popup authorizes it for everyone", async () => {
    expect(await addThroughForm(alice.page, "secure", oauth.url)).toContain("needs authorization");
    for (const m of [alice, bob]) {
      await serverCard(m.page, "secure").and(m.page.locator('[data-state="authenticating"]')).waitFor({ timeout: 30_000 });
    }
    expect(await serverCard(bob.page, "secure").getByTestId("mcp-authorize").count()).toBe(0);
    const authorize = serverCard(alice.page, "secure").getByTestId("mcp-authorize");
    expect(await authorize.count()).toBe(1);

    const callback = alice.context.waitForEvent("response", { predicate: (r) => new URL(r.url()).pathname.endsWith("/callback") });
    const popupOpened = alice.page.waitForEvent("popup");
    await authorize.click();
    const popup = await popupOpened;
    const closed = popup.waitForEvent("close", { timeout: 15_000 });
    const response = await callback;
    expect(response.status()).toBe(200);
    expect(await response.text()).toContain("Authorized");
    // The callback page tells the opener, and closes itself.
    await alice.page.getByTestId("mcp-auth-status").filter({ hasText: "Authorized" }).waitFor();
    await closed;

    for (const m of [alice, bob]) {
      await serverCard(m.page, "secure").and(m.page.locator('[data-state="ready"]')).waitFor({ timeout: 30_000 });
    }
    expect(await serverCard(alice.page, "secure").getByTestId("mcp-authorize").count()).toBe(0);

    // Alice removes it: gone for both.
    await serverCard(alice.page, "secure").getByTestId("mcp-remove").click();
    for (const m of [alice, bob]) await serverCard(m.page, "secure").waitFor({ state: "detached" });
    expect(await serverCard(bob.page, "everything").count()).toBe(1);
  });

  it("a personal server: Bob connects his own account from a card only he sees, and his calls use it", async () => {
    await alice.page.getByTestId("mcp-add-personal").check();
    expect(await addThroughForm(alice.page, "mine", oauth.url)).toContain("needs authorization");
    // Alice's own grant, from her card in the panel.
    const aliceGrant = serverCard(alice.page, "mine").getByTestId("mcp-grant");
    await aliceGrant.and(alice.page.locator('[data-grant="authenticating"]')).waitFor({ timeout: 30_000 });
    const popupOpened = alice.page.waitForEvent("popup");
    await serverCard(alice.page, "mine").getByTestId("mcp-authorize").click();
    await (await popupOpened).waitForEvent("close", { timeout: 15_000 });
    await aliceGrant.and(alice.page.locator('[data-grant="ready"]')).waitFor({ timeout: 30_000 });

    // Bob sees the server and its tools, but no grant of his and no consent link of Alice's.
    const bobCard = serverCard(bob.page, "mine");
    await bobCard.and(bob.page.locator('[data-state="ready"]')).waitFor({ timeout: 30_000 });
    expect(await bobCard.getByTestId("mcp-access").innerText()).toContain("each with their own account");
    await bobCard.getByTestId("mcp-grant").and(bob.page.locator('[data-grant="none"]')).waitFor();
    expect(await bobCard.getByTestId("mcp-authorize").count()).toBe(0);

    // His call needs his own account: the card appears for him alone, naming where he will sign in.
    await send(bob.page, "/mcp call mine.whoami {}");
    const card = bob.page.locator('[data-testid="authorize-card"][data-server="mine"]');
    await card.waitFor({ timeout: 30_000 });
    expect(await card.getByTestId("authorize-domain").innerText()).toBe(`127.0.0.1:${oauth.port}`);
    expect(await alice.page.getByTestId("authorize-card").count()).toBe(0);
    const bobPopup = bob.page.waitForEvent("popup");
    await card.getByTestId("authorize-open").click();
    await (await bobPopup).waitForEvent("close", { timeout: 15_000 });
    await card.waitFor({ state: "detached", timeout: 30_000 });
    await bobCard.getByTestId("mcp-grant").and(bob.page.locator('[data-grant="ready"]')).waitFor();

    await send(bob.page, "/mcp call mine.whoami {}");
    for (const m of [alice, bob]) {
      const audited = m.page.locator('[data-testid="mcp-audit-row"][data-tool="mine.whoami"][data-outcome="ok"]').first();
      await audited.waitFor({ timeout: 30_000 });
      // Whose account acted: Bob's own.
      expect(await audited.getAttribute("data-grant-of")).toBe("Bob");
    }
    expect(await alice.page.getByTestId("authorize-card").count()).toBe(0);

    // The server's prompt is a slash command; its argument completes from the server, asked with Bob's own grant.
    const input = bob.page.getByTestId("composer-input");
    await input.fill("/mine:agenda topic=re");
    const options = bob.page.getByTestId("command-option");
    await eventually(() => options.evaluateAll((els) => els.map((e) => e.getAttribute("data-command"))), [
      "/mine:agenda topic=reviews",
      "/mine:agenda topic=releases",
      "/mine:agenda topic=retro",
    ]);
    await input.press("Tab");
    expect(await input.inputValue()).toBe("/mine:agenda topic=reviews ");
    await input.press("Enter");
    // Shown to the room as Bob's request (no model here: the assistant then says it cannot answer).
    await messageRow(alice.page, "/mine:agenda topic=reviews").waitFor({ timeout: 15_000 });
  });
});
