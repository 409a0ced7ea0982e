/**
 * Code Mode's shapes as both sides read them: the code tool's name, what a
 * run's card carries as input and output, the preview that stands in for a
 * value too large to keep, and which run `/scripts save` saves. The server
 * writes these into tool cards (`ToolPart.input` / `output`, typed
 * `unknown` in the protocol because other tools' cards carry anything);
 * the client reads them back.
 */
import type { ChatMessage, ToolPart } from "./protocol";

/** The tool name of a Code Mode run (the assistant's, or a `/run` of a saved script). */
export const CODE_TOOL = "code";

/** The `code` tool's input: one async arrow function against the room's tools. */
export interface CodeRunInput {
  code: string;
}

/** A `/run <name>` card's input: the saved version it ran, with the run's JSON input. */
export interface ScriptRunInput extends CodeRunInput {
  script: string;
  version: number;
  /** The display name of whom the version was saved for. */
  savedBy: string;
  input: unknown;
}

/** What a finished run returns: its result and its console lines (the card's `output`). */
export interface CodeRunOutput {
  result: unknown;
  logs?: string[];
}

/**
 * A value cut to its first characters of JSON: tool results for the model,
 * card inputs and outputs, a sandbox result over its output limit.
 * `totalChars` is the full length where it is known.
 */
export interface Truncated {
  truncated: true;
  preview: string;
  totalChars?: number;
}

/** The code of a card, when it is a Code Mode run's. */
export function codeOf(part: ToolPart): string | null {
  if (part.tool !== CODE_TOOL) return null;
  const code = (part.input as Partial<CodeRunInput> | null | undefined)?.code;
  return typeof code === "string" ? code : null;
}

/**
 * The run `/scripts save <name>` saves: the newest `code` card that is done
 * (and holds its code), in the newest message that has one. The client
 * offers "Save as script" on that card only — any other would save
 * different code.
 */
export function latestSavableCodeRun(
  messages: readonly ChatMessage[],
): { message: ChatMessage; part: ToolPart; code: string } | null {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    const part = message.parts.findLast((p) => p.tool === CODE_TOOL && p.state === "done");
    const code = part ? codeOf(part) : null;
    if (part && code !== null) return { message, part, code };
  }
  return null;
}
