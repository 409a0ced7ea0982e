/**
 * The composer's slash commands: which text is a command, and the `/`
 * completion (like mention.ts, kept pure for unit tests). The list is the
 * room's own table (shared/commands.ts), the same one `/help` prints; the
 * server answers every command with a `command_result`.
 */
import { COMMANDS as TABLE, describeCommand } from "../../../../../shared/commands";

export interface CommandHint {
  /** What completion inserts (a trailing space is added when it takes arguments). */
  name: string;
  /** One line of usage. */
  usage: string;
  /** Whether anything follows the name. */
  takesArgs: boolean;
  /** Shown instead of the name (an argument value the server completed; `name` is the whole text it makes). */
  label?: string;
}

export const COMMANDS: readonly CommandHint[] = TABLE.map((c) => ({ name: c.name, usage: describeCommand(c), takesArgs: c.takesArgs }));

/** Composer text that goes out as a `command` frame instead of a chat message. */
export function isCommand(text: string): boolean {
  return /^\s*\//.test(text);
}

/**
 * Commands the text before the caret could still become: only while the
 * whole composer is a single-line command name being typed. A name typed out
 * in full that takes nothing further is not offered (Enter sends it).
 */
export function commandMatches(text: string, caret: number, commands: readonly CommandHint[] = COMMANDS): CommandHint[] {
  if (!text.startsWith("/") || caret !== text.length || /\n/.test(text)) return [];
  const typed = text.toLowerCase().replace(/\s+/g, " ");
  return commands.filter((c) => c.name.startsWith(typed) && !(c.name === typed && !c.takesArgs));
}

/** The text after accepting `hint`. */
export function completeCommand(hint: CommandHint): string {
  return hint.takesArgs ? `${hint.name} ` : hint.name;
}

/** The usage line for a command whose arguments are being typed ("/remind me to…" → /remind's). */
export function commandUsage(text: string, commands: readonly CommandHint[] = COMMANDS): CommandHint | null {
  if (!text.startsWith("/") || /\n/.test(text)) return null;
  const lower = text.toLowerCase().replace(/\s+/g, " ");
  // The longest name wins: "/mcp add x" is /mcp add's, not some shorter /mcp.
  let best: CommandHint | null = null;
  for (const c of commands) {
    if (c.takesArgs && lower.startsWith(`${c.name} `) && (!best || c.name.length > best.name.length)) best = c;
  }
  return best;
}

/** A server's prompt as the member sees it in the `mcp` frame. */
export interface PromptCommand {
  server: string;
  prompt: string;
  description: string;
  arguments: ReadonlyArray<{ name: string; required: boolean }>;
}

/** MCP servers' prompts as commands: `/<server>:<prompt> name=…` (server/mcp/prompts.ts runs them). */
export function promptHints(prompts: readonly PromptCommand[]): CommandHint[] {
  return prompts.map((p) => {
    const args = p.arguments.map((a) => (a.required ? `${a.name}=…` : `[${a.name}=…]`)).join(" ");
    const name = `/${p.server}:${p.prompt}`;
    return { name, usage: `${name}${args ? ` ${args}` : ""}${p.description ? ` — ${p.description}` : ""}`, takesArgs: p.arguments.length > 0 };
  });
}

/**
 * The prompt argument being typed at the end of the text (`/gh:review pr=12`
 * → pr, "12"), when it is one the prompt takes: what to ask the server to
 * complete.
 */
export function promptArgumentAt(
  text: string,
  caret: number,
  prompts: readonly PromptCommand[],
): { server: string; prompt: string; argument: string; value: string; before: string } | null {
  if (caret !== text.length || /\n/.test(text)) return null;
  const m = /^\/([a-z][a-z0-9_-]*):(\S+)\s(?:.*\s)?([A-Za-z_][A-Za-z0-9_-]*)=(\S*)$/.exec(text);
  if (!m) return null;
  const [, server = "", prompt = "", argument = "", value = ""] = m;
  const found = prompts.find((p) => p.server === server && p.prompt === prompt);
  if (!found?.arguments.some((a) => a.name === argument)) return null;
  return { server, prompt, argument, value, before: text.slice(0, text.length - value.length) };
}
