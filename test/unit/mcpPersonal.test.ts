import { describe, expect, it } from "vitest";
import { parsePromptArgs, parsePromptCommand, promptText } from "../../server/mcp/prompts";
import { personalApproval, personalConsentMissing, servedMember, withOnBehalfSchema, withoutOnBehalf } from "../../server/mcp/onBehalf";
import { promptArgumentAt, promptHints } from "../../client/src/features/chat/composer/commands";

const ann = { id: "m_ann", name: "Ann", role: "owner" as const };
const bob = { id: "m_bob", name: "Bob", role: "member" as const };

describe("whose grant a personal call uses", () => {
  it("is the one asker's, and a call naming someone else is refused", () => {
    expect(servedMember({}, [ann])).toEqual({ ok: true, member: ann, several: false });
    expect(servedMember({ on_behalf_of: "@ann" }, [ann, ann])).toMatchObject({ ok: true, member: ann });
    expect(servedMember({ on_behalf_of: "bob" }, [ann])).toMatchObject({ ok: false, reason: expect.stringMatching(/who did not ask/) });
  });

  it("in a turn for several askers, is the one the call names, and only with their own approval", () => {
    expect(servedMember({}, [ann, bob])).toMatchObject({ ok: false, reason: expect.stringMatching(/Several people asked \(Ann, Bob\)/) });
    const served = servedMember({ on_behalf_of: "Bob" }, [ann, bob]);
    expect(served).toEqual({ ok: true, member: bob, several: true });
    expect(personalApproval(served, true)).toEqual({ approvers: ["m_bob"], only: true });
    if (!served.ok) throw new Error("unreachable");
    expect(personalConsentMissing(served, true, [ann])).toBe(true);
    expect(personalConsentMissing(served, true, [bob])).toBe(false);
  });

  it("is a script's runner's, never its author's; a read-only call for one asker asks nobody", () => {
    const served = servedMember({}, [ann, bob], { runner: bob });
    expect(served).toEqual({ ok: true, member: bob, several: false });
    expect(personalApproval(served, true)).toBeNull();
    expect(personalApproval(served, false)).toEqual({ approvers: ["m_bob"], only: true });
  });

  it("adds on_behalf_of to the schema for the model, and never sends it to the server", () => {
    const schema = withOnBehalfSchema({ type: "object", properties: { q: { type: "string" } }, required: ["q"] });
    expect(Object.keys(schema.properties as object)).toEqual(["q", "on_behalf_of"]);
    expect(schema.required).toEqual(["q"]);
    expect(withoutOnBehalf({ q: "x", on_behalf_of: "Bob" })).toEqual({ q: "x" });
  });
});

describe("prompts as commands", () => {
  const defs = [{ name: "topic", required: true }, { name: "since" }];
  it("parses the command and its name=value arguments, quoted values included", () => {
    expect(parsePromptCommand("/sec:agenda topic=reviews")).toEqual({ server: "sec", prompt: "agenda", args: "topic=reviews" });
    expect(parsePromptCommand("/mcp add x y")).toBeNull();
    expect(parsePromptArgs('topic="open reviews" since=monday', defs, "u")).toEqual({ ok: true, args: { topic: "open reviews", since: "monday" } });
    expect(parsePromptArgs("since=monday", defs, "`u`")).toEqual({ ok: false, text: "Missing topic: use `u`." });
    expect(parsePromptArgs("who=me topic=x", defs, "`u`")).toMatchObject({ ok: false, text: expect.stringMatching(/no argument who/) });
    // One argument: the whole text is it.
    expect(parsePromptArgs("all my reviews", [defs[0]!], "u")).toEqual({ ok: true, args: { topic: "all my reviews" } });
  });

  it("joins the prompt's text parts into one request", () => {
    expect(promptText([{ role: "user", content: { type: "text", text: "A" } }, { role: "assistant", content: { type: "image" } }, { role: "user", content: { type: "text", text: "B" } }])).toBe("A\n\nB");
  });

  it("offers prompts in the composer and finds the argument being typed", () => {
    const prompts = [{ server: "sec", prompt: "agenda", description: "Agenda", arguments: [{ name: "topic", required: true }] }];
    expect(promptHints(prompts)).toEqual([{ name: "/sec:agenda", usage: "/sec:agenda topic=… — Agenda", takesArgs: true }]);
    expect(promptArgumentAt("/sec:agenda topic=re", 20, prompts)).toEqual({ server: "sec", prompt: "agenda", argument: "topic", value: "re", before: "/sec:agenda topic=" });
    expect(promptArgumentAt("/sec:agenda other=re", 20, prompts)).toBeNull();
    expect(promptArgumentAt("/sec:agenda topic=re", 5, prompts)).toBeNull();
  });
});
