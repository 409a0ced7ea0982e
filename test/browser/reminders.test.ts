/**
 * Slash commands and reminders in a real Chromium against `wrangler dev`:
 * two members in different time zones, a reminder set from the composer that
 * both panels list (each in its viewer's zone) and that fires in both
 * windows, refusals shown where they were asked, and cancel from the panel.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { eventually, messageRow, openRoom, send, uniqueRoom } from "./browser";
import { useBrowserRoom } from "./fixture";

const ALICE_ZONE = "America/New_York";
const BOB_ZONE = "Asia/Tokyo";
const fixture = useBrowserRoom({
  members: [
    { name: "Alice", options: { timezoneId: ALICE_ZONE, locale: "en-US" } },
    { name: "Bob", options: { timezoneId: BOB_ZONE, locale: "en-US" } },
  ],
});
const [alice, bob] = fixture.members;

const room = uniqueRoom("remind");

async function openPanel(page: Page): Promise<void> {
  const toggle = page.getByTestId("reminders-toggle");
  if ((await toggle.getAttribute("aria-expanded")) !== "true") await toggle.click();
  expect(await toggle.getAttribute("aria-expanded")).toBe("true");
  await page.getByTestId("reminders-panel").waitFor();
}

function item(page: Page, text: string) {
  return page.getByTestId("reminder-item").filter({ hasText: text });
}

/** The command answer by the composer, once the room answered. */
async function commandResult(page: Page) {
  const note = page.locator('[data-testid="command-result"]:not([data-state="pending"])');
  await note.waitFor();
  return note;
}

describe("slash commands and reminders", () => {
  it("offers matching commands while typing /re; arrows choose, Tab accepts", async () => {
    // Alice joins first: she owns the room.
    await openRoom(alice.page, `/r/${room}`);
    await openRoom(bob.page, `/r/${room}`);
    const input = bob.page.getByTestId("composer-input");
    await input.pressSequentially("/re");
    const list = bob.page.getByTestId("command-list");
    await list.waitFor();
    expect(await list.getAttribute("role")).toBe("listbox");
    const options = bob.page.getByTestId("command-option");
    expect(await options.evaluateAll((els) => els.map((e) => e.getAttribute("data-command")))).toEqual(["/remind", "/reminders", "/remove"]);
    expect(await options.first().innerText()).toContain("<what> <when>");
    expect(await input.getAttribute("aria-activedescendant")).toBe(await options.first().getAttribute("id"));
    await input.press("ArrowDown");
    expect(await options.nth(1).getAttribute("aria-selected")).toBe("true");
    expect(await input.getAttribute("aria-activedescendant")).toBe(await options.nth(1).getAttribute("id"));
    await input.press("Tab");
    expect(await input.inputValue()).toBe("/reminders");
    expect(await list.count()).toBe(0);
    // Typing the arguments of a command shows its usage instead.
    await input.fill("/remind me ");
    expect(await bob.page.getByTestId("command-usage").innerText()).toContain("/remind me|@room|@name <what> <when>");
    await input.fill("");
  });

  it("sets a reminder both panels list in their own time zone; it fires in both windows and leaves both panels", async () => {
    for (const m of [alice, bob]) await openPanel(m.page);
    expect(await alice.page.getByTestId("reminder-item").count()).toBe(0);

    await send(alice.page, "/remind @room stand up in 5 seconds");
    const result = await commandResult(alice.page);
    expect(await result.getAttribute("data-ok"), await result.innerText()).toBe("true");
    // The server read the time in the zone the browser reported on connect.
    expect(await result.innerText()).toContain(ALICE_ZONE);
    expect(await result.innerText()).toContain("stand up");
    expect(await alice.page.getByTestId("composer-input").inputValue()).toBe("");
    // The command was no chat message: Bob got no answer box, nobody a row with the command.
    expect(await bob.page.getByTestId("command-result").count()).toBe(0);

    for (const m of [alice, bob]) {
      const row = item(m.page, "stand up");
      await row.waitFor();
      expect(await row.getByTestId("reminder-text").innerText()).toBe("stand up");
      expect(await row.getByTestId("reminder-target").innerText()).toBe("@room");
      expect(await row.getByTestId("reminder-creator").innerText()).toBe("Alice");
      expect(await row.getByTestId("reminder-repeat").innerText()).toBe("once");
      // Once: no pause; the buttons are there for everyone who may write.
      expect(await row.getByTestId("reminder-pause").count()).toBe(0);
      expect(await row.getByTestId("reminder-cancel").count()).toBe(1);
      const next = row.getByTestId("reminder-next");
      const at = Date.parse((await next.getAttribute("datetime"))!);
      expect(at - Date.now()).toBeGreaterThan(-2_000);
      expect(at - Date.now()).toBeLessThan(10_000);
      // Shown in the viewer's zone: New York and Tokyo are 13–14 hours apart.
      const zone = m === alice ? ALICE_ZONE : BOB_ZONE;
      const clock = new Intl.DateTimeFormat("en-US", { hour: "2-digit", minute: "2-digit", second: "2-digit", timeZone: zone }).format(at);
      expect(await next.innerText()).toContain(clock);
    }
    expect(await messageRow(alice.page, "/remind").count()).toBe(0);
    expect(await messageRow(bob.page, "/remind").count()).toBe(0);

    for (const m of [alice, bob]) {
      const fired = m.page.locator('[data-testid="message"][data-kind="reminder"]').filter({ hasText: "⏰ @room: stand up" });
      await fired.waitFor({ timeout: 20_000 });
      expect(await fired.getAttribute("data-author")).toBe("Reminder");
      expect(await fired.getByTestId("reminder-icon").count()).toBe(1);
      await item(m.page, "stand up").waitFor({ state: "detached" });
    }
  });

  it("explains a command it cannot read, with examples, and sends no chat message", async () => {
    await send(alice.page, "/remind me to x sometime");
    const result = await commandResult(alice.page);
    expect(await result.getAttribute("data-ok")).toBe("false");
    expect(await result.getAttribute("role")).toBe("alert");
    const text = await result.getByTestId("command-result-text").innerText();
    expect(text).toContain("could not find a time");
    expect(text).toContain("/remind me to stretch in 10 minutes");
    // The backticked examples render as code, not as raw backticks.
    expect(await result.locator("code").count()).toBeGreaterThan(1);
    expect(text).not.toContain("`");

    // A chat message sent afterwards arrives in Bob's window; the command before it never does.
    const marker = `after the command ${Date.now()}`;
    await send(alice.page, marker);
    await messageRow(bob.page, marker).waitFor();
    for (const m of [alice, bob]) expect(await messageRow(m.page, "sometime").count()).toBe(0);
    // Sending a message leaves Alice's last answer where it was.
    expect(await alice.page.getByTestId("command-result").getAttribute("data-ok")).toBe("false");
    expect(await bob.page.getByTestId("command-result").count()).toBe(0);
  });

  it("shows the room's refusal in the panel, snoozes, and cancels in both windows", async () => {
    await send(alice.page, "/remind @room water the plants in 30 minutes");
    expect(await (await commandResult(alice.page)).getAttribute("data-ok")).toBe("true");
    for (const m of [alice, bob]) await item(m.page, "water the plants").waitFor();

    // Bob neither made it nor owns the room: the room says no, and the item stays.
    await item(bob.page, "water the plants").getByTestId("reminder-cancel").click();
    const refusal = bob.page.locator('[data-testid="reminders-result"][data-state="failed"]');
    await refusal.waitFor();
    expect(await refusal.innerText()).toContain("Only its creator, its target or a room owner");
    expect(await refusal.getAttribute("role")).toBe("alert");
    expect(await item(bob.page, "water the plants").count()).toBe(1);

    // Snooze by an hour: both panels move the time.
    const nextAt = async (page: Page) =>
      Date.parse((await item(page, "water the plants").getByTestId("reminder-next").getAttribute("datetime"))!);
    const before = await nextAt(bob.page);
    await item(alice.page, "water the plants").getByTestId("reminder-snooze-1h").click();
    await alice.page.locator('[data-testid="reminders-result"][data-state="ok"]').filter({ hasText: "Snoozed" }).waitFor();
    for (const m of [alice, bob]) {
      await eventually(async () => (await nextAt(m.page)) - before > 25 * 60_000, true);
    }

    await item(alice.page, "water the plants").getByTestId("reminder-cancel").click();
    await alice.page.locator('[data-testid="reminders-result"][data-state="ok"]').filter({ hasText: "Cancelled" }).waitFor();
    for (const m of [alice, bob]) {
      await item(m.page, "water the plants").waitFor({ state: "detached" });
      await m.page.getByTestId("reminders-empty").waitFor();
    }
  });

  it("pauses and resumes a repeating reminder", async () => {
    await send(alice.page, "/remind me stretch every day at 9am");
    expect(await (await commandResult(alice.page)).getAttribute("data-ok")).toBe("true");
    const row = (page: Page) => item(page, "stretch");
    await row(bob.page).waitFor();
    expect(await row(bob.page).getByTestId("reminder-target").innerText()).toBe("@Alice");
    expect(await row(bob.page).getByTestId("reminder-repeat").innerText()).toMatch(/every day/);
    await row(alice.page).getByTestId("reminder-pause").click();
    for (const m of [alice, bob]) {
      await m.page.locator('[data-testid="reminder-item"][data-paused="true"]').filter({ hasText: "stretch" }).waitFor();
      await row(m.page).getByTestId("reminder-paused").waitFor();
    }
    await row(alice.page).getByTestId("reminder-resume").click();
    await bob.page.locator('[data-testid="reminder-item"][data-paused="false"]').filter({ hasText: "stretch" }).waitFor();
    await row(alice.page).getByTestId("reminder-cancel").click();
    await row(bob.page).waitFor({ state: "detached" });
  });

  it("closes the panel with its toggle", async () => {
    const toggle = bob.page.getByTestId("reminders-toggle");
    await toggle.click();
    expect(await toggle.getAttribute("aria-expanded")).toBe("false");
    expect(await bob.page.getByTestId("reminders-panel").count()).toBe(0);
  });
});
