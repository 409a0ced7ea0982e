/**
 * Files and images between two members, in a real Chromium against
 * `wrangler dev` (its local R2): an image Alice pastes into the composer is
 * uploaded, sent, and shown to Bob as a thumbnail that loads (through the
 * membership check and the signed link) and opens in a viewer; a text file
 * picked with the file input is a download card.
 */
import { describe, expect, it } from "vitest";
import { artifactPath, eventually, messageRow, openRoom, uniqueRoom, waitOnline } from "./browser";
import { useBrowserRoom } from "./fixture";

const fixture = useBrowserRoom({ members: ["Alice", "Bob"] });
const [alice, bob] = fixture.members;
const room = uniqueRoom("files");
const caption = `the new logo ${Date.now()}`;

describe("files and images", () => {
  it("shows an image pasted by one member to the other, as a thumbnail that opens a viewer", async () => {
    await alice.page.getByTestId("room-name-input").fill(room);
    await alice.page.getByTestId("create-public-room").click();
    await waitOnline(alice.page);
    await openRoom(bob.page, `/r/${room}`);

    // A PNG drawn in Alice's page, pasted as the clipboard's file (what a screenshot paste is).
    const input = alice.page.getByTestId("composer-input");
    await input.fill(caption);
    await input.evaluate(async (el) => {
      const canvas = document.createElement("canvas");
      canvas.width = 64;
      canvas.height = 40;
      const g = canvas.getContext("2d")!;
      g.fillStyle = "#e4572e";
      g.fillRect(0, 0, 64, 40);
      const blob = await new Promise<Blob>((resolve) => canvas.toBlob((b) => resolve(b!), "image/png"));
      const data = new DataTransfer();
      data.items.add(new File([blob], "image.png", { type: "image/png" }));
      el.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
    });
    await alice.page.locator('[data-testid="draft-file"][data-state="ready"]').waitFor();
    await input.press("Enter");
    await alice.page.getByTestId("draft-file").waitFor({ state: "detached" });

    const atBob = messageRow(bob.page, caption);
    const thumb = atBob.getByTestId("attachment-image");
    await thumb.waitFor();
    // Loaded, not just present: the bytes came through the room's check and the signed link.
    await eventually(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), 64);
    expect(await thumb.getAttribute("alt")).toMatch(/^pasted-.*\.png$/);

    await thumb.click();
    const viewer = bob.page.getByTestId("image-viewer");
    await viewer.waitFor();
    await eventually(() => viewer.getByTestId("viewer-image").evaluate((img: HTMLImageElement) => img.naturalHeight), 40);
    await bob.page.screenshot({ path: artifactPath("files-viewer.png") });
    await bob.page.keyboard.press("Escape");
    await viewer.waitFor({ state: "detached" });
  });

  it("shows a text file picked with the file input as a download card, and refuses a file type it cannot take", async () => {
    const picker = alice.page.getByTestId("attach-input");
    await picker.setInputFiles({ name: "notes.md", mimeType: "text/markdown", buffer: Buffer.from("# Notes\n") });
    await alice.page.locator('[data-testid="draft-file"][data-state="ready"]').waitFor();
    await alice.page.getByTestId("composer-send").click();
    const card = messageRow(bob.page, "notes.md").getByTestId("attachment-file");
    await card.waitFor();
    expect(await card.innerText()).toContain("8 B");

    await picker.setInputFiles({ name: "logo.svg", mimeType: "image/svg+xml", buffer: Buffer.from("<svg/>") });
    const refused = alice.page.locator('[data-testid="draft-file"][data-state="failed"]');
    await refused.waitFor();
    expect(await refused.innerText()).toMatch(/cannot be attached/);
    await refused.getByRole("button", { name: "Remove logo.svg" }).click();
    await refused.waitFor({ state: "detached" });
  });
});
