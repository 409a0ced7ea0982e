/**
 * A room with no model (what `npm start` runs when it finds none): a mention
 * shows every member a setup card with the one step to take — not a failed
 * answer, not an error.
 */
import { describe, expect, it } from "vitest";
import { startDevServer } from "../support/dev-server";
import { artifactPath, openRoom, send, uniqueRoom } from "./browser";
import { useBrowserRoom } from "./fixture";

const fixture = useBrowserRoom({ server: () => startDevServer({ vars: { AI_PROVIDER: "none" } }), members: ["Alice", "Bob"] });
const [alice, bob] = fixture.members;

describe("no model yet", () => {
  it("answers a mention with a setup card for every member", async () => {
    const room = uniqueRoom("setup");
    await openRoom(alice.page, `/r/${room}`);
    await openRoom(bob.page, `/r/${room}`);
    await send(alice.page, "@assistant hello");
    for (const { page } of [alice, bob]) {
      const card = page.getByRole("note", { name: "Connect a model" });
      await card.waitFor();
      expect(await card.innerText()).toContain("Connect a model to meet the assistant");
      // The command is code, to copy; the card is not styled or announced as a failure.
      expect(await card.locator("code").allInnerTexts()).toContain("ollama serve");
      expect(await page.locator('[data-testid="message"][data-kind="assistant"]').count()).toBe(0);
      expect(await page.locator('[data-status="failed"]').count()).toBe(0);
      // The member list says why the assistant is quiet.
      expect(await page.getByTestId("assistant-activity").innerText()).toBe("not connected");
    }
    await bob.page.screenshot({ path: artifactPath("setup-card.png"), fullPage: true });
  });
});
