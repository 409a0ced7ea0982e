/**
 * Slash commands on the server: the runners each capability binds to the
 * shared table (shared/commands.ts), and the one function that answers a
 * `command` frame. The table's `Record` type is the guarantee that what
 * `/help` lists is exactly what runs.
 */
import { COMMANDS, findCommand, helpText, type CommandArea, type CommandName, type CommandsOf } from "../../shared/commands";
import type { ServerFrame, ToolPart } from "../../shared/protocol";
import type { Actor } from "./actor";
import type { RoomKernel } from "./kernel";
import { parsePromptCommand } from "../mcp/prompts";

export type { Actor } from "./actor";

/** A command's answer to its sender; `part` is a card to show everyone (a direct tool call). */
export type Outcome = { ok: boolean; text: string; part?: ToolPart };

/** Runs one command; `args` is what followed its name, whitespace collapsed. */
export type Runner = (actor: Actor, args: string) => Outcome | Promise<Outcome>;

/** The runners one capability owes: exactly the names the table gives its area. */
export type Runners<A extends CommandArea> = { [K in CommandsOf<A>]: Runner };

/**
 * Answers one `command` frame: finds its runner, runs it, shows a card the
 * runner made to everyone, and answers the sender.
 */
export async function runCommand(
  runners: Record<CommandName, Runner>,
  room: Pick<RoomKernel, "post">,
  actor: Actor,
  frame: { id: string; text: string },
  reply: (frame: ServerFrame) => void,
  /** `/<server>:<prompt> …`: an MCP server's prompt (mcp/prompts.ts). */
  prompt?: (actor: Actor, command: NonNullable<ReturnType<typeof parsePromptCommand>>) => Promise<Outcome>,
): Promise<void> {
  const promptCommand = prompt && parsePromptCommand(frame.text);
  if (promptCommand) return commandResult(reply, frame.id, await prompt(actor, promptCommand));
  const found = findCommand(frame.text);
  if (!found) return commandResult(reply, frame.id, unknown(frame.text));
  const outcome = await runners[found.command.name as CommandName](actor, found.args);
  if (outcome.part) {
    // A direct tool call is shown to everyone as a card, like the assistant's.
    room.post({
      id: `tool-${frame.id}`,
      kind: "tool",
      author: { id: actor.id, name: actor.name },
      text: frame.text.split(/\s+/).slice(0, 3).join(" "),
      status: outcome.ok ? "done" : "failed",
      parts: [outcome.part],
    });
  }
  commandResult(reply, frame.id, outcome);
}

/** The answer to a command, reminder action, tool toggle or member action. */
export function commandResult(reply: (frame: ServerFrame) => void, id: string, outcome: { ok: boolean; text: string }): void {
  try {
    reply({ type: "command_result", id, ok: outcome.ok, text: outcome.text });
  } catch {
    // The actor's own socket may be closed already (they left): nobody is left to tell.
  }
}

/** A word that heads subcommands ("/mcp") names them; anything else gets the whole list. */
function unknown(text: string): Outcome {
  const head = text.trim().split(/\s+/)[0] ?? "";
  const group = COMMANDS.filter((c) => c.name.startsWith(`${head.toLowerCase()} `)).map((c) => `\`${c.usage}\``);
  if (group.length > 0) return { ok: false, text: `Use ${group.slice(0, -1).join(", ")} or ${group.at(-1)}.` };
  return { ok: false, text: `Unknown command ${head}. ${helpText()}` };
}

/** `/help` is the room's own command: the table, as the member reads it. */
export const roomCommands: Runners<"room"> = {
  "/help": () => ({ ok: true, text: helpText() }),
};
