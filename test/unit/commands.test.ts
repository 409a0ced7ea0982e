/** The composer's `/` completion: which commands are offered, what accepting inserts, and usage lines. */
import { describe, expect, it } from "vitest";
import { commandMatches, commandUsage, completeCommand, isCommand } from "../../client/src/features/chat/composer/commands";
import { COMMANDS } from "../../shared/commands";

const names = (text: string, caret = text.length) => commandMatches(text, caret).map((c) => c.name);

describe("commandMatches", () => {
  it("offers every command whose name starts with what was typed", () => {
    expect(names("/re")).toEqual(["/remind", "/reminders", "/remove"]);
    // A bare "/" offers the whole table, in its order.
    expect(names("/")).toEqual(COMMANDS.map((c) => c.name));
    expect(names("/")).toContain("/room");
    expect(names("/mcp")).toEqual(["/mcp add", "/mcp authorize", "/mcp revoke", "/mcp grants", "/mcp remove", "/mcp access", "/mcp approvals", "/mcp list", "/mcp call"]);
    expect(names("/mcp c")).toEqual(["/mcp call"]);
    expect(names("/TIME")).toEqual(["/timezone"]);
  });

  it("offers nothing for chat text, arguments, other words, several lines or a caret inside", () => {
    expect(names("hello /re")).toEqual([]);
    expect(names("")).toEqual([]);
    expect(names("/remind me")).toEqual([]);
    expect(names("/shrug")).toEqual([]);
    expect(names("/re\nx")).toEqual([]);
    expect(names("/reminders", 3)).toEqual([]);
  });

  it("does not offer a command without arguments once it is written out, so Enter sends it", () => {
    expect(names("/help")).toEqual([]);
    expect(names("/reminders")).toEqual([]);
    expect(names("/mcp list")).toEqual([]);
    // One that takes arguments is still offered, with its sibling.
    expect(names("/remind")).toEqual(["/remind", "/reminders"]);
  });
});

describe("completeCommand and commandUsage", () => {
  it("adds a space only when arguments follow", () => {
    const [remind, reminders] = commandMatches("/remind", 7);
    expect(completeCommand(remind!)).toBe("/remind ");
    expect(completeCommand(reminders!)).toBe("/reminders");
  });

  it("names the usage of the command whose arguments are being typed, the longest name first", () => {
    expect(commandUsage("/remind me to stretch")?.name).toBe("/remind");
    expect(commandUsage("/mcp add everything http://x")?.name).toBe("/mcp add");
    expect(commandUsage("/mcp call ")?.name).toBe("/mcp call");
    expect(commandUsage("/remind")).toBeNull();
    expect(commandUsage("/reminders ")).toBeNull();
    expect(commandUsage("remind me")).toBeNull();
  });

  it("treats text starting with a slash as a command", () => {
    expect(isCommand("/help")).toBe(true);
    expect(isCommand("  /help")).toBe(true);
    expect(isCommand("a/b")).toBe(false);
  });
});
