/**
 * The slash-command table (shared/commands.ts) is the whole truth: `/help`
 * prints it, the room accepts every command in it and nothing else, and
 * docs/protocol.md documents exactly those commands.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { COMMANDS, helpText } from "../../shared/commands";
import protocolDoc from "../../docs/protocol.md?raw";
import { connect, roomName, session } from "./client";

beforeAll(async () => {
  await session("warm-up");
}, 60_000);

async function owner() {
  const s = await session("olive");
  const room = roomName("cmd");
  const m = await connect(room, s.token);
  await m.next("members");
  return Object.assign(m, { room, token: s.token });
}

describe("the command table", () => {
  it("is what /help answers", async () => {
    const m = await owner();
    expect(await m.command("/help")).toMatchObject({ ok: true, text: helpText() });
    for (const c of COMMANDS) expect(helpText()).toContain(`\`${c.usage}\``);
  });

  it("is what the room accepts: every command runs, anything else is unknown", async () => {
    const first = await owner();
    let m = first;
    for (const [i, c] of COMMANDS.entries()) {
      // A connection may send a burst of 20 frames (rate limit): the rest go over a second one.
      if (i === 15) m = Object.assign(await connect(first.room, first.token), { room: first.room, token: first.token });
      // Not bare /leave: the owner would be trying to leave; naming nobody is refused before anything changes.
      const text = c.name === "/leave" ? "/leave @nobody" : c.name;
      const answer = await m.command(text);
      expect(answer.text, text).not.toMatch(/^Unknown command/);
    }
    expect((await m.command("/nope")).text).toBe(`Unknown command /nope. ${helpText()}`);
    expect((await m.command("/remindme")).text).toMatch(/^Unknown command \/remindme\./);
    // A word that heads subcommands names them instead.
    expect(await m.command("/mcp frobnicate")).toMatchObject({
      ok: false,
      text:
        "Use `/mcp add <name> <url> [shared|personal]`, `/mcp authorize <name>`, `/mcp revoke <name>`, `/mcp grants`, `/mcp remove <name>`, " +
        "`/mcp access <name> me|approval|all`, `/mcp approvals <name>[.<tool>] [N of] owners|members|@names [for 2h]`, `/mcp list` or `/mcp call <server>.<tool> {json}`.",
    });
  });

  it("is what docs/protocol.md lists under Slash commands", () => {
    const section = protocolDoc.split("### Slash commands (`command`)")[1]!.split("\n### ")[0]!;
    const rows = section.split("\n").filter((line) => line.startsWith("| `/"));
    // Each row's first cell names one or more commands, each in backticks (`\|` is a literal bar).
    const documented = rows.flatMap((row) => [...row.split(/(?<!\\)\|/)[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.replaceAll("\\|", "|")));
    const names = documented.map((usage) => {
      const name = COMMANDS.map((c) => c.name as string)
        .filter((n) => usage === n || usage.startsWith(`${n} `))
        .sort((a, b) => b.length - a.length)[0];
      expect(name, `${usage} is documented but not in shared/commands.ts`).toBeDefined();
      return name;
    });
    expect([...new Set(names)].sort()).toEqual(COMMANDS.map((c) => c.name).sort());
  });
});
