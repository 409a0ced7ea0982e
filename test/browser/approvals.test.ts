/**
 * "Waiting for you" (issue 16): a call that needs an owner's approval shows
 * on that owner's Approvals toggle (a count) and in its panel, with Approve
 * and Deny; an owner who opted in gets a browser notification when one
 * arrives while the tab is in the background; someone who was away finds
 * it there when they come back. Bob, who may not decide, sees none of it.
 */
import { describe, expect, it } from "vitest";
import { artifactPath, messageRow, openRoom, send, uniqueRoom } from "./browser";
import { useBrowserRoom, useScriptedModel } from "./fixture";
import type { CompletionScript } from "../support/fake-openai";

const scripts: CompletionScript[] = [];
const model = useScriptedModel(scripts);
const fixture = useBrowserRoom({ server: model.start, members: ["Alice", "Bob"] });
const [alice, bob] = fixture.members;

describe("approvals waiting for you", () => {
  it("counts, lists and notifies the approver; a decision from the panel acts", async () => {
    const room = uniqueRoom("approvals");
    // The page's visibility is the test's to set (a background tab); Notification is the real one, recorded.
    await alice.context.grantPermissions(["notifications"]);
    await alice.page.addInitScript(() => {
      const w = window as unknown as { __hidden: boolean; __notes: string[] };
      w.__hidden = false;
      w.__notes = [];
      Object.defineProperty(Document.prototype, "visibilityState", { get: () => (w.__hidden ? "hidden" : "visible"), configurable: true });
      const Real = window.Notification;
      window.Notification = class extends Real {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options);
          w.__notes.push(`${title}: ${options?.body ?? ""}`);
        }
      } as typeof Notification;
    });
    await openRoom(alice.page, `/r/${room}`);
    await openRoom(bob.page, `/r/${room}`);
    await alice.page.getByTestId("approvals-toggle").click();
    await alice.page.getByTestId("approvals-panel").getByText("Nothing is waiting for your decision.").waitFor();
    expect(await alice.page.getByTestId("approvals-notify").count()).toBe(0); // permission granted already
    await alice.page.evaluate(() => ((window as unknown as { __hidden: boolean }).__hidden = true));

    await send(bob.page, "cheap pills at spam.example");
    await messageRow(alice.page, "cheap pills").waitFor();
    const seq = Number(await messageRow(alice.page, "cheap pills").getAttribute("data-seq"));
    scripts.push({ chunks: [], toolCalls: [{ name: "delete_message", arguments: { seq, reason: "spam" } }] }, { chunks: ["Deleted it."] });
    await send(bob.page, "@assistant please delete the spam above");

    const item = alice.page.getByTestId("approval-item");
    await item.waitFor();
    expect(await item.innerText()).toContain("delete_message");
    expect(await alice.page.getByTestId("approvals-count").innerText()).toBe("1");
    await alice.page.waitForFunction(() => (window as unknown as { __notes: string[] }).__notes.length === 1);
    const notes = await alice.page.evaluate(() => (window as unknown as { __notes: string[] }).__notes);
    expect(notes[0]).toMatch(/delete_message is waiting for your approval/);
    await alice.page.screenshot({ path: artifactPath("approvals-panel.png") });
    // Bob may not decide: nothing waits for him.
    expect(await bob.page.getByTestId("approvals-count").count()).toBe(0);

    await item.getByTestId("approval-approve").click();
    await messageRow(bob.page, "Deleted it.").waitFor();
    await alice.page.getByTestId("approvals-panel").getByText("Nothing is waiting for your decision.").waitFor();
    expect(await alice.page.getByTestId("approvals-count").count()).toBe(0);
  });

  it("shows a request to an approver who was away when they come back", async () => {
    const room = uniqueRoom("away");
    await openRoom(alice.page, `/r/${room}`);
    await openRoom(bob.page, `/r/${room}`);
    await send(bob.page, "more spam here");
    await messageRow(alice.page, "more spam here").waitFor();
    const seq = Number(await messageRow(alice.page, "more spam here").getAttribute("data-seq"));
    await alice.page.goto("/");
    scripts.push({ chunks: [], toolCalls: [{ name: "delete_message", arguments: { seq, reason: "spam" } }] }, { chunks: ["Gone."] });
    await send(bob.page, "@assistant delete the spam please");
    await bob.page.getByTestId("tool-waiting").waitFor();

    await openRoom(alice.page, `/r/${room}`);
    expect(await alice.page.getByTestId("approvals-count").innerText()).toBe("1");
    await alice.page.getByTestId("approvals-toggle").click();
    await alice.page.getByTestId("approval-item").getByTestId("approval-deny").click();
    await bob.page.getByTestId("tool-decided").filter({ hasText: "Denied by Alice" }).waitFor();
  });
});
