/**
 * The command log slice: every command, reminder action, tool toggle or
 * member change this tab sent, and the room's answer once it came, so each
 * answer shows where it was asked (composer, panel, sidebar).
 */
import type { FrameReducers } from "./slice";

/** Where a command was issued, so its answer shows next to it. */
export type CommandOrigin = "composer" | "reminders" | "mcp" | "scripts" | "members" | "settings" | "assistant" | "models";

/** A command, reminder action or tool toggle, and the server's answer once it came. */
export interface CommandEntry {
  /** The request's id (the client makes one per command, action or toggle), echoed by its `command_result`. */
  id: string;
  origin: CommandOrigin;
  /** What was asked, for the user ("/remind …", "Cancel", "Disable everything.echo"). */
  label: string;
  state: "pending" | "ok" | "failed";
  /** The server's answer (Markdown with backticks), or why none came. */
  text: string;
  /** Increases with every change, so a repeated answer with the same id still re-renders. */
  n: number;
}

export interface CommandsState {
  /** Recent commands, oldest first. */
  commands: CommandEntry[];
}

/** Commands kept for display; older ones are dropped. */
export const COMMANDS_KEPT = 20;

export const initialCommands = (): CommandsState => ({ commands: [] });

function nextN(commands: readonly CommandEntry[]): number {
  return (commands.at(-1)?.n ?? 0) + 1;
}

/** Appends an entry (keeping the newest COMMANDS_KEPT). */
export function addCommand(commands: CommandEntry[], entry: Omit<CommandEntry, "n">): CommandEntry[] {
  return [...commands, { ...entry, n: nextN(commands) }].slice(-COMMANDS_KEPT);
}

/** Answers the newest pending entry with `id` (else the newest with `id`); unknown ids are left alone. */
export function patchCommand(
  commands: CommandEntry[],
  id: string,
  patch: Pick<CommandEntry, "state" | "text">,
): CommandEntry[] {
  let at = commands.findLastIndex((c) => c.id === id && c.state === "pending");
  if (at < 0) at = commands.findLastIndex((c) => c.id === id);
  if (at < 0) return commands;
  const n = nextN(commands);
  return commands.map((c, i) => (i === at ? { ...c, ...patch, n } : c));
}

/** Fails every entry still waiting: its answer would have come on a connection that is gone. */
export function settlePending(commands: CommandEntry[], reason: string): CommandEntry[] {
  if (!commands.some((c) => c.state === "pending")) return commands;
  let n = nextN(commands);
  return commands.map((c) => (c.state === "pending" ? { ...c, state: "failed", text: reason, n: n++ } : c));
}

export const commandFrames: FrameReducers<CommandsState, "command_result"> = {
  command_result: (state, frame) => {
    const answer = { state: frame.ok ? "ok" : "failed", text: frame.text } as const;
    const commands = patchCommand(state.commands, frame.id, answer);
    if (commands !== state.commands) return { ...state, commands };
    // An answer to nothing this tab asked (sent before a reload): show it by the composer.
    return { ...state, commands: addCommand(state.commands, { id: frame.id, origin: "composer", label: "", ...answer }) };
  },
};

/** The newest command issued from `origin`, answered or not. */
export function latestCommand(state: CommandsState, origin: CommandOrigin): CommandEntry | null {
  return state.commands.findLast((c) => c.origin === origin) ?? null;
}
