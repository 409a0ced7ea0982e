/**
 * The composer's slash commands: which text is a command, and the `/`
 * completion (like mention.ts, kept pure for unit tests). The server answers
 * every command with a `command_result`; this list only helps typing them.
 */

export interface CommandHint {
  /** What completion inserts (a trailing space is added when it takes arguments). */
  name: string;
  /** One line of usage. */
  usage: string;
  /** Whether anything follows the name. */
  takesArgs: boolean;
}

export const COMMANDS: readonly CommandHint[] = [
  { name: "/remind", usage: "/remind me|@room|@name <what> <when>", takesArgs: true },
  { name: "/reminders", usage: "/reminders — list this room's reminders", takesArgs: false },
  { name: "/schedule", usage: "/schedule <when>: <prompt> — the assistant runs it then", takesArgs: true },
  { name: "/timezone", usage: "/timezone [Area/City] — show or set your time zone", takesArgs: true },
  { name: "/help", usage: "/help — list the commands", takesArgs: false },
  { name: "/mcp add", usage: "/mcp add <name> <url> — connect an MCP server", takesArgs: true },
  { name: "/mcp remove", usage: "/mcp remove <name>", takesArgs: true },
  { name: "/mcp access", usage: "/mcp access <name> me|approval|all — who may use your server", takesArgs: true },
  { name: "/mcp list", usage: "/mcp list — servers, states, tools", takesArgs: false },
  { name: "/mcp call", usage: "/mcp call <server>.<tool> {json}", takesArgs: true },
  { name: "/codemode", usage: "/codemode [direct|code|auto] · allow|deny <host> · limits timeout=<ms> output=<chars>", takesArgs: true },
  { name: "/scripts", usage: "/scripts · /scripts save <name> · /scripts show <name>", takesArgs: true },
  { name: "/run", usage: "/run <script> [json] — run a saved script without the model", takesArgs: true },
  { name: "/members", usage: "/members [search] — everyone with a role here", takesArgs: true },
  { name: "/leave", usage: "/leave [@successor] — leave the room (the last owner names who takes over)", takesArgs: true },
  { name: "/role", usage: "/role @name owner|member|viewer — (owners) change a role", takesArgs: true },
  { name: "/remove", usage: "/remove @name — (owners) remove a member, closing their connections", takesArgs: true },
  { name: "/ban", usage: "/ban @name — (owners) remove and keep out", takesArgs: true },
  { name: "/unban", usage: "/unban @name — (owners) lift a ban", takesArgs: true },
  { name: "/transfer", usage: "/transfer @name — (owners) hand the room over", takesArgs: true },
  { name: "/invites", usage: "/invites · /invites revoke <id> — (owners) the room's invites", takesArgs: true },
  { name: "/audit", usage: "/audit — (owners) recent membership changes", takesArgs: false },
];

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
