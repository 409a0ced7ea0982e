/**
 * Keeping every stored message well below SQLite's row limit.
 *
 * A Durable Object's SQLite refuses a row over 2 MB (in production; local
 * workerd allows 8 MiB). A message is one row: its text plus its tool cards
 * as JSON. A Code Mode run with a few hundred calls, or one card holding a
 * huge input, once made the row too big to write: the checkpoint threw in
 * the middle of the turn, the message stayed `streaming` and the assistant
 * stopped answering. So each card's input, output and error are capped
 * (`capPart`), a message takes at most LIMITS.partsPerMessage cards and
 * LIMITS.messageBytes bytes (Draft refuses more), and the log itself never
 * writes a row over that budget (`fitForStorage`), whoever calls it.
 */
import type { Truncated } from "../../shared/codemode";
import { LIMITS } from "../../shared/limits";
import type { ToolPart } from "../../shared/protocol";

/** A message cannot take this card or text: the caller ends the turn `failed`. */
export class MessageFull extends Error {
  override name = "MessageFull";
}

const encoder = new TextEncoder();

export function utf8Bytes(text: string): number {
  return encoder.encode(text).byteLength;
}

/**
 * `value`, or a preview of its JSON when that is longer than `max`
 * characters. A value that already is such a preview (tool results are cut
 * this way for the model, at the same size) is kept as it is.
 */
export function capJson(value: unknown, max: number): unknown {
  const { truncated, preview } = (value ?? {}) as { truncated?: unknown; preview?: unknown };
  if (truncated === true && typeof preview === "string" && preview.length <= max) return value;
  const json = JSON.stringify(value ?? null) ?? "null";
  if (json.length <= max) return value;
  return { truncated: true, preview: json.slice(0, max), totalChars: json.length } satisfies Truncated;
}

/** A card with its input, output and error within their caps. */
export function capPart(part: ToolPart): ToolPart {
  const capped: ToolPart = { ...part, input: capJson(part.input, LIMITS.partInputChars) };
  if (part.output !== undefined) capped.output = capJson(part.output, LIMITS.partOutputChars);
  if (part.error !== undefined && part.error.length > LIMITS.partErrorChars) {
    capped.error = `${part.error.slice(0, LIMITS.partErrorChars)}…`;
  }
  return capped;
}

/** A card kept (its state, timing, decision) without its data. */
export function slimPart(part: ToolPart): ToolPart {
  const omitted = { omitted: true, reason: "the message reached its size limit" };
  return { ...part, input: omitted, ...(part.output === undefined ? {} : { output: omitted }) };
}

export function storedBytes(text: string, parts: ToolPart[]): number {
  return utf8Bytes(text) + utf8Bytes(JSON.stringify(parts));
}

/**
 * The text and cards JSON to write. Within budget: as given. Over it (only
 * reachable by a writer that bypassed Draft): cards lose their data, then
 * the text is cut, so the write itself can never fail for size.
 */
export function fitForStorage(text: string, parts: ToolPart[]): { text: string; partsJson: string } {
  let partsJson = JSON.stringify(parts);
  if (utf8Bytes(text) + utf8Bytes(partsJson) <= LIMITS.messageBytes) return { text, partsJson };
  partsJson = JSON.stringify(parts.slice(0, LIMITS.partsPerMessage).map(slimPart));
  const room = LIMITS.messageBytes - utf8Bytes(partsJson);
  // Four bytes per character is the most UTF-8 needs, so this many always fit.
  const keep = Math.max(0, Math.floor(room / 4));
  return { text: utf8Bytes(text) <= room ? text : `${text.slice(0, keep)}…`, partsJson };
}
