/**
 * What a tool card shows of a result before anyone opens it (pure, no
 * React): the first lines of its text, and thumbnails of the images an MCP
 * tool returned. Reads every result shape a card can hold: an MCP
 * CallToolResult (`content` blocks, `structuredContent`, `isError`), a room
 * tool's plain string or object, and the server's cut-short preview
 * (`{ truncated, preview, totalChars }`, server/room/tools.ts capResult).
 */

/** The preview shows at most this many lines… */
export const PREVIEW_LINES = 3;
/** …and this many characters of them. */
export const PREVIEW_CHARS = 240;
/** Image blocks shown as thumbnails, at most. */
export const PREVIEW_IMAGES = 3;
/**
 * An image's base64 longer than this is not shown. Results are cut to
 * LIMITS.partOutputChars long before this, so only a small image ever
 * reaches a card; the cap keeps that true should the limit grow.
 */
export const MAX_IMAGE_BASE64 = 64 * 1024;

/**
 * Raster formats a browser decodes as an image and nothing else. Never SVG
 * (it can carry script and links) nor whatever mimeType a server sends: the
 * data: URI's type is always one of these.
 */
const IMAGE_TYPES: ReadonlySet<string> = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export interface PreviewImage {
  /** A data: URI of one of IMAGE_TYPES, from the block's own base64. */
  src: string;
  mimeType: string;
}

export interface ToolPreview {
  /** The first lines of the result's text, cut with "…"; "" when it has none. */
  text: string;
  images: PreviewImage[];
  /** The result says the tool failed (MCP `isError`). */
  isError: boolean;
}

/** `text` cut to its first `lines` lines and `chars` characters, with "…" when anything was left out. */
export function clip(text: string, lines = PREVIEW_LINES, chars = PREVIEW_CHARS): string {
  const trimmed = text.trim();
  const kept = trimmed.split(/\r?\n/).slice(0, lines).join("\n");
  const short = kept.length > chars ? kept.slice(0, chars).trimEnd() : kept;
  return short.length < trimmed.length ? `${short}…` : short;
}

/** The preview of a finished call's `output`; null when there is no output to preview. */
export function toolPreview(output: unknown): ToolPreview | null {
  if (output === undefined) return null;
  const { text, images, isError, cut } = readResult(output);
  const clipped = clip(text);
  // A result the server cut short goes on past what we have of it.
  return { text: cut && clipped !== "" && !clipped.endsWith("…") ? `${clipped}…` : clipped, images, isError };
}

interface ResultParts {
  text: string;
  images: PreviewImage[];
  isError: boolean;
  /** The text is the start of a longer result. */
  cut: boolean;
}

function readResult(output: unknown): ResultParts {
  const none: ResultParts = { text: "", images: [], isError: false, cut: false };
  if (typeof output === "string") return { ...none, text: output };
  if (output === null || typeof output !== "object") return { ...none, text: String(output) };
  const o = output as Record<string, unknown>;
  if (o.truncated === true && typeof o.preview === "string") return { ...none, text: textOfCutJson(o.preview), cut: true };
  if (!isCallToolResult(o)) return { ...none, text: compactJson(output) };

  const blocks = o.content as unknown[];
  const texts: string[] = [];
  const images: PreviewImage[] = [];
  for (const block of blocks) {
    const text = blockText(block);
    if (text !== null) texts.push(text);
    const image = imageOf(block);
    if (image && images.length < PREVIEW_IMAGES) images.push(image);
  }
  let text = texts.join("\n");
  // Tools with an output schema may put their answer only there.
  if (text.trim() === "" && o.structuredContent !== undefined) text = compactJson(o.structuredContent);
  return { text, images, isError: o.isError === true, cut: false };
}

/** An MCP CallToolResult: `content` is a list of typed blocks. */
function isCallToolResult(o: Record<string, unknown>): boolean {
  return Array.isArray(o.content) && o.content.every((b) => typeof (b as { type?: unknown } | null)?.type === "string");
}

/** What a content block says as text: text blocks, embedded text resources, resource links by name. */
function blockText(block: unknown): string | null {
  const b = block as { type: string; text?: unknown; resource?: { text?: unknown; uri?: unknown }; name?: unknown; uri?: unknown };
  if (b.type === "text" && typeof b.text === "string") return b.text;
  if (b.type === "resource" && typeof b.resource?.text === "string") return b.resource.text;
  if (b.type === "resource" && typeof b.resource?.uri === "string") return b.resource.uri;
  if (b.type === "resource_link") {
    const label = typeof b.name === "string" ? b.name : typeof b.uri === "string" ? b.uri : null;
    return label;
  }
  return null;
}

/** An image block as a data: URI, only for a known raster type and well-formed, small base64. */
export function imageOf(block: unknown): PreviewImage | null {
  const b = block as { type?: unknown; data?: unknown; mimeType?: unknown } | null;
  if (b?.type !== "image" || typeof b.data !== "string" || typeof b.mimeType !== "string") return null;
  const mimeType = b.mimeType.trim().toLowerCase();
  if (!IMAGE_TYPES.has(mimeType)) return null;
  if (b.data.length === 0 || b.data.length > MAX_IMAGE_BASE64 || !BASE64.test(b.data)) return null;
  return { src: `data:${mimeType};base64,${b.data}`, mimeType };
}

function compactJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * The start of a result the server cut short is a JSON prefix, not JSON.
 * When it is an MCP result that begins with a text block, that text's
 * start (decoded); otherwise the prefix as it is.
 */
function textOfCutJson(preview: string): string {
  const start = /^\{"content":\[\{"type":"text","text":"/.exec(preview);
  if (!start) return preview;
  const rest = preview.slice(start[0].length);
  // The string literal up to its closing quote, or up to the cut; a cut
  // escape sequence at the very end is dropped.
  const literal = /^(?:[^"\\]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*/.exec(rest)?.[0] ?? "";
  try {
    return JSON.parse(`"${literal}"`) as string;
  } catch {
    return preview;
  }
}
