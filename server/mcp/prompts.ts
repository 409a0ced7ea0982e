/**
 * MCP servers' prompts as slash commands: `/<server>:<prompt> [args]`.
 * A prompt is a template the server fills in; the room asks for it with the
 * grant of the member who typed the command (their own, on a personal
 * server) and hands the filled-in text to the assistant as that member's
 * request. This module is the text part: the arguments as typed, and the
 * prompt's messages as one request.
 */
import { LIMITS } from "../../shared/limits";

export interface PromptArgument {
  name: string;
  description?: string;
  required?: boolean;
}

/** `/<server>:<prompt> …`: the parts, or null when the text is no prompt command. */
export function parsePromptCommand(text: string): { server: string; prompt: string; args: string } | null {
  const m = /^\s*\/([a-z][a-z0-9_-]{0,31}):([A-Za-z0-9_.-]{1,64})(?:\s+([\s\S]*))?$/.exec(text);
  return m ? { server: m[1]!, prompt: m[2]!, args: (m[3] ?? "").trim() } : null;
}

/**
 * The arguments as typed: `name=value` pairs (a value with spaces in double
 * quotes), or — for a prompt with exactly one argument — the whole text.
 * Unknown names and missing required ones are refused with the usage.
 */
export function parsePromptArgs(
  text: string,
  defs: readonly PromptArgument[],
  usage: string,
): { ok: true; args: Record<string, string> } | { ok: false; text: string } {
  const args: Record<string, string> = {};
  const pairs = [...text.matchAll(/([A-Za-z_][A-Za-z0-9_-]*)=("(?:[^"\\]|\\.)*"|\S*)/g)];
  if (pairs.length === 0 && text !== "") {
    if (defs.length !== 1) return { ok: false, text: `Use ${usage}.` };
    args[defs[0]!.name] = text;
  } else {
    for (const [, name = "", raw = ""] of pairs) {
      if (!defs.some((d) => d.name === name)) return { ok: false, text: `The prompt has no argument ${name}: use ${usage}.` };
      args[name] = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, "$1") : raw;
    }
  }
  const missing = defs.filter((d) => d.required && !args[d.name]).map((d) => d.name);
  if (missing.length > 0) return { ok: false, text: `Missing ${missing.join(", ")}: use ${usage}.` };
  return { ok: true, args };
}

/** How the composer shows a prompt's usage. */
export function promptUsage(server: string, prompt: string, defs: readonly PromptArgument[]): string {
  const shown = defs.map((d) => (d.required ? `${d.name}=…` : `[${d.name}=…]`)).join(" ");
  return `\`/${server}:${prompt}${shown ? ` ${shown}` : ""}\``;
}

type PromptMessage = { role: string; content: { type: string; text?: string; resource?: { text?: string } } };

/** The filled-in prompt as one request: its text parts in order (a prompt is data to the model, capped like a message). */
export function promptText(messages: readonly PromptMessage[]): string {
  const text = messages
    .map((m) => m.content.text ?? m.content.resource?.text ?? "")
    .filter((t) => t.trim() !== "")
    .join("\n\n");
  return text.slice(0, LIMITS.messageChars);
}
