/// <reference types="@cloudflare/vitest-plugin/types" />
/**
 * Files and images (issue 18, part 2), through the Worker's real entry
 * point: uploads streamed into R2 with their size and type checked, attached
 * by their uploader only, downloaded by members only (through a short-lived
 * signed link), and gone with their message.
 */
import { env, exports } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { LIMITS } from "../../shared/limits";
import { signToken } from "../../server/auth/tokens";
import type { LanguageModelV4CallOptions } from "@ai-sdk/provider";
import { setModelOverride } from "./testModel";
import { withoutImages } from "../../server/assistant/context";
import { scriptedModel, textParts, userTexts } from "./mockModel";
import { connect, msgId, oliveAndBob, ORIGIN, session, SESSION_COOKIE, TINY_PNG, uploadFile, type TestMember } from "./client";

const SECRET = (env as unknown as { SESSION_SECRET: string }).SESSION_SECRET;

const PNG = TINY_PNG;

beforeAll(async () => {
  await session("warm-up");
}, 60_000);
afterEach(() => setModelOverride(null));

const upload = uploadFile;

async function uploaded(room: string, token: string, body: BodyInit = PNG, type = "image/png", name?: string) {
  const res = await upload(room, token, body, type, name);
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { file: { id: string; name: string; type: string; size: number } }).file;
}

/** GET with the cookie: the redirect's signed link (or the refusal). */
function download(room: string, token: string | null, id: string) {
  const headers: Record<string, string> = {};
  if (token) headers.Cookie = `${SESSION_COOKIE}=${token}`;
  return exports.default.fetch(`${ORIGIN}/api/rooms/${room}/files/${id}`, { headers, redirect: "manual" });
}

/** Follows the redirect without the cookie, as a signed link needs none. */
async function fetchFile(room: string, token: string, id: string) {
  const redirect = await download(room, token, id);
  expect(redirect.status, await redirect.clone().text()).toBe(302);
  const link = new URL(redirect.headers.get("location")!, ORIGIN);
  return { link, res: await exports.default.fetch(link) };
}

/** The image parts of the user messages a model call was given. */
function imageParts(call: LanguageModelV4CallOptions) {
  return call.prompt.flatMap((m) => (m.role === "user" ? m.content.flatMap((c) => (c.type === "file" && c.mediaType.startsWith("image/") ? [c] : [])) : []));
}

async function objectCount(room: string) {
  return (await env.FILES.list({ prefix: `rooms/${room}/` })).objects.length;
}

async function sendWith(m: TestMember, ids: string[], text = "") {
  const id = msgId();
  m.send({ type: "send", id, text, attachments: ids });
  return id;
}

async function memberAction(owner: TestMember, action: string, member: string, role?: string) {
  const id = msgId();
  owner.send({ type: "member_action", id, action, member, ...(role ? { role } : {}) });
  return owner.next("command_result", (f) => f.id === id);
}

describe("files", () => {
  it("stores a member's image, shows it attached to their message, and serves it to another member only through a signed link", async () => {
    const { room, olive, bob, o, b } = await oliveAndBob("files");
    const file = await uploaded(room, bob.token);
    expect(file).toMatchObject({ name: "shot.png", type: "image/png", size: PNG.length });
    await sendWith(b, [file.id]);
    const shown = (await o.next("message")).message;
    expect(shown.text).toBe("");
    expect(shown.attachments).toEqual([{ ...file, width: 1, height: 1 }]);

    const { link, res } = await fetchFile(room, olive.token, file.id);
    expect(link.searchParams.get("t")).toBeTruthy();
    expect(res.status).toBe(200);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(PNG);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("content-disposition")).toMatch(/^inline/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
  });

  it("serves other files as downloads, as plain text for text files", async () => {
    const { room, olive, bob, b, o } = await oliveAndBob("files");
    const notes = await uploaded(room, bob.token, new TextEncoder().encode("# notes\n<script>x</script>"), "text/markdown", "notes.md");
    await sendWith(b, [notes.id], "the notes");
    await o.next("message");
    const { res } = await fetchFile(room, olive.token, notes.id);
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe("attachment; filename*=UTF-8''notes.md");
    expect(await res.text()).toContain("# notes");
  });

  it("refuses uploads from viewers, non-members and the signed-out, storing nothing", async () => {
    const { room, o, bob } = await oliveAndBob("files");
    await memberAction(o, "set_role", bob.id, "viewer");
    const viewer = await upload(room, bob.token, PNG, "image/png");
    expect(viewer.status).toBe(403);
    expect(((await viewer.json()) as { error: { code: string } }).error.code).toBe("read_only");
    const stranger = await session("mallory");
    expect((await upload(room, stranger.token, PNG, "image/png")).status).toBe(403);
    expect((await upload(room, null, PNG, "image/png")).status).toBe(401);
    // And from another site's page, even with the cookie.
    expect((await upload(room, bob.token, PNG, "image/png", "shot.png", { Origin: "https://evil.example" })).status).toBe(403);
    expect(await objectCount(room)).toBe(0);
  });

  it("refuses a file over the size cap, of a type not allowed, or whose bytes are not its type, with a clear error and nothing stored", async () => {
    const { room, olive } = await oliveAndBob("files");
    const big = await upload(room, olive.token, new Uint8Array(LIMITS.fileBytes + 1), "image/png");
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { message: string } }).error.message).toMatch(/at most 10\.0 MB/);

    const svg = await upload(room, olive.token, new TextEncoder().encode("<svg onload='alert(1)'/>"), "image/svg+xml", "x.svg");
    expect(svg.status).toBe(415);
    expect(((await svg.json()) as { error: { code: string } }).error.code).toBe("bad_type");

    // An HTML page called .png.
    const fake = await upload(room, olive.token, new TextEncoder().encode("<html><script>alert(1)</script></html>"), "image/png");
    expect(fake.status).toBe(415);
    expect(((await fake.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: "bad_content",
      message: expect.stringMatching(/not a PNG/),
    });
    // Binary bytes called text.
    expect((await upload(room, olive.token, Uint8Array.of(0, 1, 2, 3), "text/plain", "a.txt")).status).toBe(415);
    expect(await objectCount(room)).toBe(0);
    // A refused upload leaves no reservation to attach.
    const o = await connect(room, olive.token, { create: false });
    await o.next("welcome");
    o.send({ type: "send", id: msgId(), text: "hi", attachments: ["f_aaaaaaaaaaaaaaaaaaaa"] });
    expect((await o.next("error")).code).toBe("not_found");
  });

  it("refuses downloads to non-members, to a removed member, and with no cookie", async () => {
    const { room, olive, bob, o, b } = await oliveAndBob("files");
    const file = await uploaded(room, olive.token);
    await sendWith(o, [file.id], "look");
    await b.next("message");
    expect((await download(room, bob.token, file.id)).status).toBe(302);

    const stranger = await session("mallory");
    const refused = await download(room, stranger.token, file.id);
    expect(refused.status).toBe(403);
    expect((await download(room, null, file.id)).status).toBe(401);

    // A link minted while bob was a member stops working when he is removed.
    const { link } = await fetchFile(room, bob.token, file.id);
    await memberAction(o, "remove", bob.id);
    expect((await download(room, bob.token, file.id)).status).toBe(403);
    expect((await exports.default.fetch(link)).status).toBe(403);
  });

  it("refuses a signed link that expired, was tampered with, or names another file or member", async () => {
    const { room, olive, bob, o, b } = await oliveAndBob("files");
    const file = await uploaded(room, olive.token);
    await sendWith(o, [file.id], "look");
    await b.next("message");
    const { link } = await fetchFile(room, bob.token, file.id);

    const expired = await signToken(SECRET, { typ: "file", sub: bob.id, room, fid: file.id, exp: Date.now() - 1 });
    const at = (token: string, id = file.id) => exports.default.fetch(`${ORIGIN}/api/rooms/${room}/files/${id}?t=${encodeURIComponent(token)}`);
    const old = await at(expired);
    expect(old.status).toBe(403);
    expect(((await old.json()) as { error: { message: string } }).error.message).toMatch(/expired/);

    const token = link.searchParams.get("t")!;
    const [body, sig] = token.split(".");
    const claims = JSON.parse(atob(body!.replace(/-/g, "+").replace(/_/g, "/"))) as Record<string, unknown>;
    const forged = btoa(JSON.stringify({ ...claims, exp: Date.now() + 86_400_000 })).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    expect((await at(`${forged}.${sig}`)).status).toBe(403);

    const other = await uploaded(room, olive.token);
    await sendWith(o, [other.id], "another");
    expect((await at(token, other.id)).status).toBe(403);
    // A stranger's own validly signed link (the secret is the test's) still meets the room's check.
    const stranger = await session("mallory");
    const strangers = await signToken(SECRET, { typ: "file", sub: stranger.id, room, fid: file.id, exp: Date.now() + 60_000 });
    expect((await at(strangers)).status).toBe(403);
  });

  it("deletes the object with its message: by the author, or by an owner removing it", async () => {
    const { room, olive, bob, o, b } = await oliveAndBob("files");
    const mine = await uploaded(room, bob.token);
    const id = await sendWith(b, [mine.id], "oops");
    const ack = await b.next("ack", (f) => f.id === id);
    await o.next("message");
    const { link } = await fetchFile(room, olive.token, mine.id);
    expect(await objectCount(room)).toBe(1);

    b.send({ type: "delete", seq: ack.seq });
    const gone = await o.next("message_updated", (f) => f.message.seq === ack.seq);
    expect(gone.message.deleted).toBe(true);
    expect(gone.message.attachments).toBeUndefined();
    expect((await download(room, olive.token, mine.id)).status).toBe(404);
    expect((await exports.default.fetch(link)).status).toBe(404);
    await expect.poll(() => objectCount(room)).toBe(0);

    const second = await uploaded(room, bob.token);
    const id2 = await sendWith(b, [second.id], "again");
    const ack2 = await b.next("ack", (f) => f.id === id2);
    o.send({ type: "delete", seq: ack2.seq });
    await b.next("message_updated", (f) => f.message.seq === ack2.seq && f.message.deleted);
    expect((await download(room, bob.token, second.id)).status).toBe(404);
    await expect.poll(() => objectCount(room)).toBe(0);
  });

  it("lets nobody claim another member's upload, nor attach one file twice; a resend is acked without claiming again", async () => {
    const { room, olive, bob, o, b } = await oliveAndBob("files");
    const olives = await uploaded(room, olive.token);
    // Before it is sent, only its uploader may fetch it.
    expect((await download(room, olive.token, olives.id)).status).toBe(302);
    expect((await download(room, bob.token, olives.id)).status).toBe(404);

    const stolen = await sendWith(b, [olives.id], "mine now");
    const refused = await b.next("error", (f) => f.ref === stolen);
    expect(refused).toMatchObject({ code: "not_found" });
    expect(o.all("message")).toEqual([]);

    const id = await sendWith(o, [olives.id], "first");
    await o.next("ack", (f) => f.id === id);
    // The same frame again (a reconnect's resend) is a duplicate, not a second claim.
    o.send({ type: "send", id, text: "first", attachments: [olives.id] });
    expect((await o.next("ack", (f) => f.id === id, { count: 2 })).duplicate).toBe(true);
    const twice = await sendWith(o, [olives.id], "second");
    expect((await o.next("error", (f) => f.ref === twice)).message).toMatch(/attached to another message/);
    // An empty message needs a file.
    o.send({ type: "send", id: msgId(), text: "  " });
    expect((await o.next("error", (f) => f.code === "invalid_frame")).message).toMatch(/empty/);
  });

  it("lets the assistant read an attached text file in its context, the start of a long one marked as cut", async () => {
    const model = scriptedModel([{ parts: textParts(["Read it."]) }]);
    setModelOverride(() => model);
    const { room, olive, o } = await oliveAndBob("files");
    const short = await uploaded(room, olive.token, new TextEncoder().encode("launch on friday"), "text/plain", "plan.txt");
    const long = await uploaded(room, olive.token, new TextEncoder().encode("y".repeat(LIMITS.assistantFileChars + 500)), "text/plain", "log.txt");
    const image = await uploaded(room, olive.token);
    await sendWith(o, [short.id, long.id, image.id], "@assistant what do these say?");
    await o.next("message_updated", (f) => f.message.kind === "assistant" && f.message.status === "done");
    const asked = userTexts(model.calls[0]!).find((t) => t.includes("what do these say"))!;
    const { files } = JSON.parse(asked) as { files: Array<{ name: string; content?: string; truncated?: boolean }> };
    expect(files[0]).toEqual({ name: "plan.txt", type: "text/plain", size: 16, content: "launch on friday" });
    expect(files[1]!.content!.length).toBeLessThan(LIMITS.assistantFileChars + 500);
    expect(files[1]!.truncated).toBe(true);
    // An image is named, not shown: the room's model is Workers AI's default.
    expect(files[2]).toEqual({ name: "shot.png", type: "image/png", size: PNG.length });
    expect(imageParts(model.calls[0]!)).toEqual([]);
  });

  it("shows an attached image to a model the room chose that is not Workers AI, when the Worker allows images", async () => {
    const model = scriptedModel([{ parts: textParts(["A pixel."]) }]);
    setModelOverride(() => model);
    const { room, olive, o } = await oliveAndBob("files");
    const id = msgId();
    o.send({ type: "assistant_settings", id, provider: "openai-compatible", baseUrl: "https://models.example.com/v1", model: "vision" });
    await o.next("command_result", (f) => f.id === id);
    const image = await uploaded(room, olive.token);
    await sendWith(o, [image.id], "@assistant what is this?");
    await o.next("message_updated", (f) => f.message.kind === "assistant" && f.message.status === "done");
    const parts = imageParts(model.calls[0]!);
    expect(parts).toHaveLength(1);
    expect(parts[0]!.mediaType).toBe("image/png");
    const data = parts[0]!.data;
    expect(data.type).toBe("data");
    const bytes = data.type === "data" ? data.data : null;
    expect(typeof bytes === "string" ? Uint8Array.from(atob(bytes), (c) => c.charCodeAt(0)) : new Uint8Array(bytes!)).toEqual(PNG);
  });

  it("stores a turn waiting for approval without its images' bytes (a row could not hold them)", () => {
    const kept = withoutImages([
      { role: "user", content: [{ type: "text", text: "{}" }, { type: "image", image: PNG, mediaType: "image/png" }] },
      { role: "user", content: "plain" },
    ]);
    expect(kept).toEqual([
      { role: "user", content: [{ type: "text", text: "{}" }, { type: "text", text: "(an attached image, shown earlier in this turn)" }] },
      { role: "user", content: "plain" },
    ]);
  });
});
