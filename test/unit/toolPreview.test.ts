/** What a tool card previews of a result: MCP CallToolResult shapes, room tools' values, cut-short results. */
import { describe, expect, it } from "vitest";
import {
  MAX_IMAGE_BASE64,
  PREVIEW_CHARS,
  clip,
  imageOf,
  toolPreview,
} from "../../client/src/features/assistant/toolPreview";

/** A 1×1 PNG. */
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

describe("clip", () => {
  it("keeps a short text as it is", () => {
    expect(clip("Echo: hi")).toBe("Echo: hi");
  });

  it("keeps the first lines and marks the rest left out", () => {
    expect(clip("one\ntwo\nthree\nfour\nfive")).toBe("one\ntwo\nthree…");
  });

  it("cuts a long line at the character budget", () => {
    const out = clip("x".repeat(1000));
    expect(out).toBe(`${"x".repeat(PREVIEW_CHARS)}…`);
  });

  it("trims surrounding blank lines before counting", () => {
    expect(clip("\n\n  a\nb\n\n")).toBe("a\nb");
  });
});

describe("toolPreview", () => {
  it("has nothing to preview before a call has output", () => {
    expect(toolPreview(undefined)).toBeNull();
  });

  it("reads the text of server-everything's echo result", () => {
    expect(toolPreview({ content: [{ type: "text", text: "Echo: hi from bob" }] })).toEqual({
      text: "Echo: hi from bob",
      images: [],
      isError: false,
    });
  });

  it("joins several text blocks, one per line, and clips them", () => {
    const p = toolPreview({ content: ["a", "b", "c", "d"].map((text) => ({ type: "text", text })) });
    expect(p?.text).toBe("a\nb\nc…");
  });

  it("makes a data: URI of an image block and keeps the texts around it", () => {
    const p = toolPreview({
      content: [
        { type: "text", text: "Here's the image you requested:" },
        { type: "image", data: PNG, mimeType: "image/png" },
        { type: "text", text: "The image above is the MCP logo." },
      ],
    });
    expect(p?.images).toEqual([{ src: `data:image/png;base64,${PNG}`, mimeType: "image/png" }]);
    expect(p?.text).toBe("Here's the image you requested:\nThe image above is the MCP logo.");
  });

  it("shows at most three images", () => {
    const p = toolPreview({ content: Array.from({ length: 5 }, () => ({ type: "image", data: PNG, mimeType: "image/gif" })) });
    expect(p?.images).toHaveLength(3);
  });

  it("falls back to structuredContent when the content has no text", () => {
    const p = toolPreview({ content: [], structuredContent: { temperature: 21, unit: "C" } });
    expect(p?.text).toBe('{"temperature":21,"unit":"C"}');
  });

  it("prefers the content's text over structuredContent", () => {
    const p = toolPreview({ content: [{ type: "text", text: "21 °C" }], structuredContent: { temperature: 21 } });
    expect(p?.text).toBe("21 °C");
  });

  it("says when an MCP result is an error, with its text", () => {
    const p = toolPreview({ isError: true, content: [{ type: "text", text: "Unknown city" }] });
    expect(p).toEqual({ text: "Unknown city", images: [], isError: true });
  });

  it("reads embedded text resources and resource links", () => {
    const p = toolPreview({
      content: [
        { type: "resource", resource: { uri: "file:///a.txt", mimeType: "text/plain", text: "file body" } },
        { type: "resource_link", uri: "file:///b.txt", name: "b.txt" },
        { type: "resource", resource: { uri: "file:///c.bin", blob: "AAAA" } },
      ],
    });
    expect(p?.text).toBe("file body\nb.txt\nfile:///c.bin");
  });

  it("shows a room tool's string as it is and its object as one line of JSON", () => {
    expect(toolPreview("3 messages deleted")?.text).toBe("3 messages deleted");
    expect(toolPreview({ online: [{ name: "Alice" }], room: "r1" })?.text).toBe('{"online":[{"name":"Alice"}],"room":"r1"}');
    expect(toolPreview([{ seq: 1 }, { seq: 2 }])?.text).toBe('[{"seq":1},{"seq":2}]');
    expect(toolPreview(42)?.text).toBe("42");
    expect(toolPreview(null)?.text).toBe("null");
  });

  it("treats an object whose content is not typed blocks as a plain object", () => {
    expect(toolPreview({ content: "hello" })?.text).toBe('{"content":"hello"}');
    expect(toolPreview({ content: [1, 2] })?.text).toBe('{"content":[1,2]}');
  });

  it("reads the start of the first text block of a result the server cut short", () => {
    const full = JSON.stringify({ content: [{ type: "text", text: `line "one"\nline two ${"z".repeat(9000)}` }] });
    const p = toolPreview({ truncated: true, preview: full.slice(0, 8000), totalChars: full.length });
    expect(p?.text.startsWith('line "one"\nline two zzz')).toBe(true);
    expect(p?.text.endsWith("…")).toBe(true);
  });

  it("drops an escape sequence cut in half rather than show the cut JSON", () => {
    const preview = '{"content":[{"type":"text","text":"caf\\u00e9 and \\u00';
    expect(toolPreview({ truncated: true, preview })?.text).toBe("café and…");
  });

  it("shows the raw start of any other cut-short result, marked as cut", () => {
    const p = toolPreview({ truncated: true, preview: '{"hits":[{"seq":1', totalChars: 9000 });
    expect(p?.text).toBe('{"hits":[{"seq":1…');
  });

  it("never previews a result as anything but text: markup stays in the text", () => {
    const p = toolPreview({ content: [{ type: "text", text: "<img src=x onerror=alert(1)>" }] });
    expect(p?.text).toBe("<img src=x onerror=alert(1)>");
    expect(p?.images).toEqual([]);
  });
});

describe("imageOf", () => {
  it("accepts png, jpeg, gif and webp, in any letter case", () => {
    for (const mimeType of ["image/png", "image/jpeg", "image/gif", "image/webp", "IMAGE/PNG"]) {
      expect(imageOf({ type: "image", data: PNG, mimeType })?.src).toBe(`data:${mimeType.toLowerCase()};base64,${PNG}`);
    }
  });

  it("refuses other types, SVG above all", () => {
    for (const mimeType of ["image/svg+xml", "text/html", "image/png;charset=x", "application/octet-stream", ""]) {
      expect(imageOf({ type: "image", data: PNG, mimeType })).toBeNull();
    }
  });

  it("refuses data that is not plain base64 (it could break out of the URI)", () => {
    expect(imageOf({ type: "image", data: `${PNG}" onerror="x`, mimeType: "image/png" })).toBeNull();
    expect(imageOf({ type: "image", data: "abc,def", mimeType: "image/png" })).toBeNull();
    expect(imageOf({ type: "image", data: "", mimeType: "image/png" })).toBeNull();
  });

  it("refuses an image over the size cap", () => {
    expect(imageOf({ type: "image", data: "A".repeat(MAX_IMAGE_BASE64), mimeType: "image/png" })).not.toBeNull();
    expect(imageOf({ type: "image", data: "A".repeat(MAX_IMAGE_BASE64 + 4), mimeType: "image/png" })).toBeNull();
  });

  it("ignores blocks that are not images", () => {
    expect(imageOf({ type: "audio", data: PNG, mimeType: "image/png" })).toBeNull();
    expect(imageOf(null)).toBeNull();
  });
});
