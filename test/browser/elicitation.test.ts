/**
 * MCP elicitation in a real Chromium against `wrangler dev` and the real
 * @modelcontextprotocol/server-everything. Alice runs a tool that asks her
 * for input: the form appears above her composer and nowhere on Bob's page;
 * a value the schema refuses is caught with a reason; her answer reaches the
 * server (its reply, posted in the room, carries her values). A URL request
 * shows its domain and opens nothing until she clicks.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer } from "../support/dev-server";
import { startEverything, type Everything } from "../support/mcp-everything";
import { artifactPath, messageRow, openRoom, send, uniqueRoom } from "./browser";
import { useBrowserRoom } from "./fixture";

let everything: Everything;
const room = uniqueRoom("elicit");

beforeAll(async () => {
  everything = await startEverything();
});
afterAll(async () => {
  await everything?.stop();
});

const fixture = useBrowserRoom({
  server: () => startDevServer({ vars: { MCP_ALLOW_HOSTS: `127.0.0.1:${everything.port}` } }),
  members: ["Alice", "Bob"],
});
const [alice, bob] = fixture.members;

describe("MCP elicitation in the browser", () => {
  it("shows the form to the caller only, checks values, and sends the server her answer", async () => {
    await openRoom(alice.page, `/r/${room}`);
    await openRoom(bob.page, `/r/${room}`);
    await send(alice.page, `/mcp add everything ${everything.url}`);
    await alice.page.getByText("everything is connected.").waitFor({ timeout: 30_000 });

    await send(alice.page, "/mcp call everything.trigger-elicitation-request {}");
    const card = alice.page.getByTestId("elicitation-card");
    await card.waitFor({ timeout: 20_000 });
    expect(await card.getByRole("heading").innerText()).toMatch(/everything asks you/);
    expect(await card.innerText()).toContain("Please provide inputs for the following fields");
    // Labels name the inputs (the schema's titles).
    const name = card.getByLabel("String (required)");
    const integer = card.getByLabel("Integer", { exact: true });
    expect(await integer.inputValue()).toBe("42");
    // Bob's page has no form: the room never sent it to him.
    await messageRow(bob.page, "Alice connected the MCP server").waitFor();
    expect(await bob.page.getByTestId("elicitation-card").count()).toBe(0);

    // Out of the schema's range: refused on the page, with the reason; nothing is sent.
    await name.fill("Alice Example");
    await integer.fill("500");
    await card.getByRole("button", { name: /Send to everything/ }).click();
    expect(await card.getByRole("alert").innerText()).toMatch(/Integer: at most 100/);
    await integer.fill("7");
    await card.getByLabel("Untitled Single Select Enum").selectOption("Joey");
    await card.locator('[data-field="untitledMultipleSelectEnum"]').getByLabel("Piano").check();
    await card.getByLabel("Boolean").check();
    await alice.page.screenshot({ path: artifactPath("elicitation-form.png") });
    expect(await bob.page.getByTestId("elicitation-card").count()).toBe(0);

    await card.getByRole("button", { name: /Send to everything/ }).click();
    await card.waitFor({ state: "detached" });
    // The server's reply (posted for everyone, like every direct call) carries exactly what she sent.
    for (const m of [alice, bob]) {
      const row = messageRow(m.page, "/mcp call everything.trigger-elicitation-request");
      await row.waitFor({ timeout: 20_000 });
    }
    const reply = messageRow(alice.page, "/mcp call everything.trigger-elicitation-request");
    await reply.getByText(/Alice Example/).first().waitFor();
    // The card previews the start of the reply; its details hold all of it.
    await reply.getByText("Details").click();
    expect(await reply.innerText()).toMatch(/Favorite Integer: 7/);
    await alice.page.screenshot({ path: artifactPath("elicitation-answered.png") });
  });

  it("shows a URL request's domain, opens nothing before the click, and declines when she says so", async () => {
    const pagesBefore = alice.context.pages().length;
    await send(alice.page, '/mcp call everything.trigger-url-elicitation {"url":"https://login.example.com/consent?step=1"}');
    const card = alice.page.getByTestId("elicitation-card");
    await card.waitFor({ timeout: 20_000 });
    expect(await card.locator(".elicitation-domain").innerText()).toBe("login.example.com");
    expect(await card.getByRole("button", { name: "Open login.example.com" }).isVisible()).toBe(true);
    await alice.page.screenshot({ path: artifactPath("elicitation-url.png") });
    expect(alice.context.pages().length).toBe(pagesBefore);
    expect(await bob.page.getByTestId("elicitation-card").count()).toBe(0);
    await card.getByRole("button", { name: "Decline" }).click();
    await card.waitFor({ state: "detached" });
    await messageRow(alice.page, "User declined to open the URL").waitFor({ timeout: 20_000 });
    expect(alice.context.pages().length).toBe(pagesBefore);
  });
});
