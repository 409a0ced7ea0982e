/**
 * The room's slash commands, declared once. The server binds one runner to
 * each name (a `Record` over `CommandName`, so a missing or extra runner
 * fails the type check), `/help` is rendered from this list, the composer
 * offers it as completions, and a test holds docs/protocol.md to it: a
 * command cannot exist in one of those places and not the others.
 *
 * Only the declarative part lives here (the client bundles it); what a
 * command does is the server's.
 */

/**
 * The least role that may run a command at all. The runner applies the
 * finer rules (a server's connector, a reminder's creator) and words the
 * refusal; this is what `/help` and the hints tell people up front.
 */
export type CommandWho = "anyone" | "writers" | "owners";

/** The capability on the server that implements a command (each registers exactly its own). */
export type CommandArea = "room" | "reminders" | "mcp" | "codemode" | "scripts" | "members" | "moderation";

export interface CommandSpec {
  /** What the member types: one word, or a word and a subcommand ("/mcp add"). */
  name: `/${string}`;
  /** The whole syntax, starting with the name. */
  usage: string;
  /** A few words on what it does. */
  summary: string;
  /** Whether anything may follow the name (completion adds a space then). */
  takesArgs: boolean;
  who: CommandWho;
  area: CommandArea;
}

// The order is the composer's and /help's.
export const COMMANDS = [
  { name: "/remind", usage: "/remind me|@room|@name <what> <when>", summary: "a reminder, read in your time zone", takesArgs: true, who: "writers", area: "reminders" },
  { name: "/reminders", usage: "/reminders", summary: "list this room's reminders", takesArgs: false, who: "anyone", area: "reminders" },
  { name: "/schedule", usage: "/schedule <when>: <prompt>", summary: "the assistant runs it then", takesArgs: true, who: "writers", area: "reminders" },
  { name: "/timezone", usage: "/timezone [Area/City]", summary: "show or set your time zone", takesArgs: true, who: "anyone", area: "reminders" },
  { name: "/help", usage: "/help", summary: "list the commands", takesArgs: false, who: "anyone", area: "room" },
  { name: "/mcp add", usage: "/mcp add <name> <url> [shared|personal]", summary: "connect an MCP server (personal: each member uses their own account)", takesArgs: true, who: "writers", area: "mcp" },
  { name: "/mcp authorize", usage: "/mcp authorize <name>", summary: "authorize a personal server with your own account", takesArgs: true, who: "writers", area: "mcp" },
  { name: "/mcp revoke", usage: "/mcp revoke <name>", summary: "delete your own authorization of a personal server", takesArgs: true, who: "writers", area: "mcp" },
  { name: "/mcp grants", usage: "/mcp grants", summary: "your own authorizations in this room", takesArgs: false, who: "anyone", area: "mcp" },
  { name: "/mcp remove", usage: "/mcp remove <name>", summary: "disconnect one (its connector or an owner)", takesArgs: true, who: "writers", area: "mcp" },
  { name: "/mcp access", usage: "/mcp access <name> me|approval|all", summary: "who may use your server", takesArgs: true, who: "writers", area: "mcp" },
  {
    name: "/mcp approvals",
    usage: "/mcp approvals <name>[.<tool>] [N of] owners|members|@names [for 2h]",
    summary: "who approves its calls, how many, how long they have",
    takesArgs: true,
    who: "writers",
    area: "mcp",
  },
  { name: "/mcp list", usage: "/mcp list", summary: "servers, states, tools", takesArgs: false, who: "anyone", area: "mcp" },
  { name: "/mcp call", usage: "/mcp call <server>.<tool> {json}", summary: "call a tool without the model", takesArgs: true, who: "writers", area: "mcp" },
  {
    name: "/codemode",
    usage: "/codemode [direct|code|auto] · allow|deny <host> · limits timeout=<ms> output=<chars>",
    summary: "show Code Mode; owners set it",
    takesArgs: true,
    who: "anyone",
    area: "codemode",
  },
  { name: "/scripts", usage: "/scripts · /scripts save <name> · /scripts show <name>", summary: "saved Code Mode scripts", takesArgs: true, who: "anyone", area: "scripts" },
  { name: "/run", usage: "/run <name> [--approve <version>] [json]", summary: "run a saved script without the model", takesArgs: true, who: "writers", area: "scripts" },
  { name: "/members", usage: "/members [search]", summary: "everyone with a role here", takesArgs: true, who: "anyone", area: "members" },
  { name: "/leave", usage: "/leave [@successor]", summary: "leave the room (the last owner names who takes over)", takesArgs: true, who: "anyone", area: "members" },
  { name: "/role", usage: "/role @name owner|member|viewer", summary: "change a role", takesArgs: true, who: "owners", area: "members" },
  { name: "/remove", usage: "/remove @name", summary: "remove a member, closing their connections", takesArgs: true, who: "owners", area: "members" },
  { name: "/ban", usage: "/ban @name", summary: "remove and keep out", takesArgs: true, who: "owners", area: "members" },
  { name: "/unban", usage: "/unban @name", summary: "lift a ban", takesArgs: true, who: "owners", area: "members" },
  { name: "/transfer", usage: "/transfer @name", summary: "hand the room over", takesArgs: true, who: "owners", area: "members" },
  { name: "/invites", usage: "/invites · /invites revoke <id>", summary: "the room's invites", takesArgs: true, who: "owners", area: "members" },
  { name: "/audit", usage: "/audit", summary: "recent membership changes", takesArgs: false, who: "owners", area: "members" },
  {
    name: "/room",
    usage: "/room · /room public|private · /room invites owners|members",
    summary: "show the room's settings; owners change who may join and who may invite",
    takesArgs: true,
    who: "anyone",
    area: "members",
  },
  { name: "/slowmode", usage: "/slowmode · /slowmode 30s|5m|off", summary: "show slow mode; owners set how long members wait between messages", takesArgs: true, who: "anyone", area: "moderation" },
  { name: "/feedback", usage: "/feedback", summary: "👍/👎 on the assistant's recent answers", takesArgs: false, who: "owners", area: "moderation" },
] as const satisfies readonly CommandSpec[];

export type CommandName = (typeof COMMANDS)[number]["name"];
/** The names one capability implements. */
export type CommandsOf<A extends CommandArea> = Extract<(typeof COMMANDS)[number], { area: A }>["name"];

/** One line for a command: its syntax and what it does ("(owners)" when only they may). */
export function describeCommand(c: CommandSpec): string {
  return `${c.usage} — ${summaryOf(c)}`;
}

/** `/help`'s answer (Markdown: the client renders command answers). */
export function helpText(commands: readonly CommandSpec[] = COMMANDS): string {
  return `Commands:\n${commands.map((c) => `• \`${c.usage}\` — ${summaryOf(c)}`).join("\n")}`;
}

function summaryOf(c: CommandSpec): string {
  return `${c.who === "owners" ? "(owners) " : ""}${c.summary}`;
}

/**
 * The command `text` invokes and what follows its name, or null. Names are
 * matched case-insensitively on whole words, the longest first: "/mcp add x"
 * is /mcp add's, and "/remindme" is nobody's.
 */
export function findCommand(
  text: string,
  commands: readonly CommandSpec[] = COMMANDS,
): { command: CommandSpec; args: string } | null {
  const words = text.trim().split(/\s+/);
  let best: CommandSpec | null = null;
  for (const c of commands) {
    const parts = c.name.split(" ");
    if (parts.every((p, i) => words[i]?.toLowerCase() === p) && (!best || c.name.length > best.name.length)) best = c;
  }
  if (!best) return null;
  return { command: best, args: words.slice(best.name.split(" ").length).join(" ") };
}
