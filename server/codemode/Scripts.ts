/**
 * Saved Code Mode scripts: save a run that worked, list, run without any
 * model (`/run name {json}`), schedule (`/schedule <when>: /run name`), and
 * let the assistant read and save new versions ("@assistant fix script x").
 *
 * Authority: a version runs with the authority of the member it was
 * written for, intersected with the authority of whoever runs it — the
 * run's principal is both of them (least authority, see tools.ts). And a
 * version the runner did not save themselves with `/scripts save` (another
 * member's, or one the assistant wrote) makes no call that changes
 * something until the runner has reviewed and approved that very version
 * (`/run x --approve N`, remembered per member and version). Reading calls
 * run either way.
 *
 * A run without a model has no turn to pause: a call inside it that needs
 * an approval goes ahead only when every member of the principal is one of
 * its approvers; otherwise it is refused (never silently allowed).
 */
import { z } from "zod";
import { CODE_TOOL, latestSavableCodeRun, type ScriptRunInput } from "../../shared/codemode";
import type { ScriptDetail, ScriptItem, ToolPart } from "../../shared/protocol";
import { actingMember, defineTool, distinctMembers, type Actor, type RoomTool } from "../room/tools";
import type { RoomKernel } from "../room/kernel";
import { codeTool, type SandboxSettings } from "./CodeMode";
import type { SandboxRunInfo } from "./allowHosts";
import { SCRIPT_NAME, ScriptStore, type ScriptVersion } from "./scriptStore";
import { errorText } from "../errors";
import { LIMITS } from "../../shared/limits";
import type { Outcome, Runners } from "../room/commands";

/** What scripts need beyond the kernel: the sandbox and the room's run budget. */
export interface ScriptsHost {
  loader: WorkerLoader | undefined;
  /** The run: for auditing the sandbox's requests. */
  sandbox(run: SandboxRunInfo): SandboxSettings;
  /** Counts a run against the room's daily run budget: the refusal, or null when it may go. */
  chargeRun(runner: Actor): string | null;
}

/** How `/run` was started: by hand, or by a schedule with its pinned version. */
export interface RunOptions {
  /** Runs this version instead of the newest (a schedule's pin). */
  version?: number | null;
  /** A schedule cannot approve a version on anyone's behalf. */
  fromJob?: boolean;
  /** The scheduled job's id (reminders), when `fromJob`. */
  jobId?: string;
}

/** `started`: the run got as far as posting its card (it then reports its own failure). */
export type RunOutcome = Outcome & { started?: boolean };

export class Scripts {
  private readonly store: ScriptStore;

  constructor(
    private readonly room: RoomKernel,
    private readonly host: ScriptsHost,
  ) {
    this.store = new ScriptStore(room.sql);
  }

  /** The newest version of every script, for the panel: summaries, no code. */
  list(): ScriptItem[] {
    return this.store.all().map(({ name, version, code, savedBy, savedAt }) => ({ name, version, savedBy, savedAt, size: code.length }));
  }

  /** One version with its code (`get_script`); the newest when `version` is omitted. */
  detail(name: string, version?: number): ScriptDetail | null {
    const s = version === undefined ? this.store.latest(name) : this.store.versions(name).find((v) => v.version === version);
    return s ? { name: s.name, version: s.version, savedBy: s.savedBy, savedAt: s.savedAt, size: s.code.length, code: s.code } : null;
  }

  private changed(): void {
    this.room.broadcast({ type: "scripts", items: this.list() });
  }

  commands(): Runners<"scripts"> {
    return {
      "/scripts": (actor, args) => this.command(actor, args),
      "/run": (actor, args) => this.run(actor, args),
    };
  }

  /** `/scripts`, `/scripts save <name>`, `/scripts show <name>`. */
  private command(actor: Actor, args: string): Outcome {
    const [verb = "", name = ""] = args.trim().split(/\s+/);
    if (!verb) {
      const all = this.store.all();
      if (all.length === 0) return { ok: true, text: "No saved scripts. Save a successful code run with `/scripts save <name>`." };
      return { ok: true, text: all.map((s) => `• ${s.name} (v${s.version}, by ${s.savedBy.name}) — \`/run ${s.name}\``).join("\n") };
    }
    if (verb === "show") {
      const s = this.store.latest(name);
      if (!s) return { ok: false, text: `There is no script ${name}.` };
      const review = this.trusted(s, actor.id) ? "" : `\nTo let it change things when you run it: \`/run ${s.name} --approve ${s.version}\``;
      return { ok: true, text: `${s.name} v${s.version}, ${provenance(s)}:\n\`\`\`js\n${s.code}\n\`\`\`${review}` };
    }
    if (verb === "save") {
      if (actor.role === "viewer") return { ok: false, text: "Viewers cannot save scripts." };
      if (!SCRIPT_NAME.test(name)) return { ok: false, text: "A script name has 1–40 characters: a–z first, then a–z, 0–9, _ or -." };
      const found = this.lastSuccessfulCode(actor.id);
      if (!found) return { ok: false, text: "There is no successful code run in this room's recent messages to save." };
      const { code, own } = found;
      const refused = this.store.refusal(name, code);
      if (refused) return { ok: false, text: refused };
      // The newest run may be someone else's, started just before this save:
      // then it is not code the saver is vouching for, and needs their review.
      const saved = this.store.save(name, code, { id: actor.id, name: actor.name }, own ? "command" : "others-run", Date.now());
      this.changed();
      this.room.postSystem(`${actor.name} saved the script **${name}** (v${saved.version}). Run it with \`/run ${name}\`.`);
      return { ok: true, text: `Saved ${name} v${saved.version}.` };
    }
    return { ok: false, text: "Use `/scripts`, `/scripts save <name>`, `/scripts show <name>`, or `/run <name> {json}`." };
  }

  /**
   * `/run <name> [--approve <version>] [json]`: runs the newest version (or
   * a schedule's pinned one), posting the run as a card.
   */
  async run(actor: Actor, args: string, options: RunOptions = {}): Promise<RunOutcome> {
    let [name = "", ...rest] = args.trim().split(/\s+/);
    if (actor.role === "viewer") return { ok: false, text: "Viewers cannot run scripts." };
    let approve: number | null = null;
    if (rest[0] === "--approve") {
      if (options.fromJob) return { ok: false, text: "A schedule cannot approve a script version; run it yourself with --approve first." };
      approve = /^\d{1,9}$/.test(rest[1] ?? "") ? Number(rest[1]) : NaN;
      if (Number.isNaN(approve)) return { ok: false, text: `Say which version you reviewed: \`/run ${name} --approve <version>\` (see \`/scripts show ${name}\`).` };
      rest = rest.slice(2);
    }
    const script = options.version ? this.store.get(name, options.version) : this.store.latest(name);
    if (!script) return { ok: false, text: options.version ? `There is no version ${options.version} of script ${name}.` : `There is no script ${name}.` };
    if (approve !== null && approve !== script.version) {
      // Approving a number you did not see would approve code you did not read.
      return { ok: false, text: `${name} is at version ${script.version} (${provenance(script)}), not ${approve}: review it with \`/scripts show ${name}\`.` };
    }
    if (!this.host.loader) return { ok: false, text: "Code Mode needs the worker_loaders binding (LOADER)." };
    let input: unknown = null;
    if (rest.length) {
      try {
        input = JSON.parse(rest.join(" "));
      } catch {
        return { ok: false, text: "The input must be JSON, e.g. `/run digest {\"days\":2}`." };
      }
    }
    const requester: Actor = { id: actor.id, name: actor.name, role: actor.role };
    const refused = this.host.chargeRun(requester);
    if (refused) return { ok: false, text: `${name} did not run: ${refused}.` };
    if (approve !== null) this.store.review(name, script.version, actor.id, Date.now());

    const author: Actor = { ...script.savedBy, role: this.room.members.get(script.savedBy.id)?.role ?? "viewer" };
    // The run acts for the runner and the version's author at once.
    const principal = distinctMembers([requester, author]);
    const trusted = this.trusted(script, actor.id);
    const posted = this.room.post({
      id: `run-${crypto.randomUUID()}`,
      kind: "tool",
      author: { id: actor.id, name: actor.name },
      text: `/run ${name}`,
      status: "streaming",
    });
    if (!posted) return { ok: false, text: "Could not start the run." };
    const seq = posted.seq;
    const draft = this.room.draft(seq, posted.text, []);
    const callId = `script-${crypto.randomUUID()}`;
    const card: ToolPart = {
      type: "tool", callId, tool: CODE_TOOL,
      input: { script: name, version: script.version, savedBy: script.savedBy.name, input, code: script.code } satisfies ScriptRunInput,
      state: "running", textOffset: 0, startedAt: Date.now(),
    };
    draft.upsertPart(card);
    const code = codeTool(this.host.loader, this.room.tools.all(), {
      requestedBy: principal,
      // Personal credentials act for the runner, never the author (mcp/grants.ts).
      context: { runner: requester, ...(options.jobId ? { jobs: [options.jobId] } : {}) },
      textOffset: () => 0,
      upsertPart: (part) => draft.upsertPart(part),
      approvalFields: (need) => this.room.approvalFields(need),
      refuse: (tool) => {
        if (tool.readOnly) return null;
        if (!trusted) {
          return `${tool.name} would change something, and ${name} v${script.version} is ${provenance(script)}: ` +
            `review it first — \`/scripts show ${name}\`, then \`/run ${name} --approve ${script.version}\``;
        }
        if (author.role === "viewer") return `${tool.name} would change something, and ${script.savedBy.name}, who wrote ${name} v${script.version}, can no longer change anything here`;
        return null;
      },
      waitForApproval: async (part) => {
        const approvers = part.approvers ?? [];
        if (principal.every((m) => approvers.includes(m.id))) return { id: actor.id, name: actor.name };
        if (!approvers.includes(actor.id)) throw new Error(`${part.tool} needs approval by someone else; ask @assistant to run it so they can approve`);
        throw new Error(`${part.tool} needs an approval ${script.savedBy.name}, who wrote ${name} v${script.version}, may not give: a script has no more authority than its author`);
      },
    }, this.host.sandbox({ requestedBy: actor.name, run: `/run ${name}` }));
    const wrapped = `async () => { const input = ${JSON.stringify(input)}; return await (${script.code})(); }`;
    let status: "done" | "failed" = "done";
    let error = "";
    try {
      const output = await code.execute({ code: wrapped }, principal, { callId, approvedBy: null });
      draft.upsertPart({ ...card, state: "done", output, durationMs: Date.now() - card.startedAt });
    } catch (err) {
      status = "failed";
      error = errorText(err);
      draft.upsertPart({ ...card, state: "error", error, durationMs: Date.now() - card.startedAt });
    }
    draft.close();
    // Calls refused because the message was full: the run did not do all it meant to.
    if (draft.overflow) status = "failed";
    this.room.settle(seq, status, draft.text, draft.parts);
    const reason = (draft.overflow ? `the run was stopped: ${draft.overflow}` : error) || "unknown error";
    if (status === "failed") this.room.postSystem(`The script **${name}** failed: ${reason}`);
    return { ok: status === "done", started: true, text: status === "done" ? `${name} ran.` : `${name} failed: ${reason}` };
  }

  /**
   * The version a schedule made now will run: the newest. A schedule
   * cannot carry `--approve` (nobody would be reviewing at run time).
   */
  pin(command: string): { ok: true; version: number } | { ok: false; text: string } {
    const [, name = "", flag] = command.trim().split(/\s+/);
    if (flag === "--approve") return { ok: false, text: `A schedule cannot approve a script version: run \`/run ${name} --approve <version>\` yourself first.` };
    const script = this.store.latest(name);
    return script ? { ok: true, version: script.version } : { ok: false, text: `There is no script ${name}.` };
  }

  /** Whether `memberId` may let this version change things: saved by their own command, or reviewed by them. */
  private trusted(script: ScriptVersion, memberId: string): boolean {
    return (script.savedBy.id === memberId && script.via === "command") || this.store.reviewed(script.name, script.version, memberId);
  }

  /** Tools for the assistant: read a script, save a new version (fixing one keeps the old). */
  tools(): RoomTool[] {
    return [
      defineTool({
        name: "get_script",
        description: "Read a saved Code Mode script of this room (newest version, and how many versions exist).",
        inputSchema: z.object({ name: z.string().min(1).max(40) }),
        readOnly: true,
        approval: () => null,
        execute: ({ name }) => {
          const versions = this.store.versions(name);
          if (!versions[0]) throw new Error(`There is no script ${name}.`);
          return { name, version: versions[0].version, versions: versions.length, code: versions[0].code };
        },
      }),
      defineTool({
        name: "save_script",
        description: "Save code (an async arrow function using the room's tools; `input` holds the run's JSON input) as a new version of a script.",
        inputSchema: z.object({ name: z.string().regex(SCRIPT_NAME), code: z.string().min(10).max(LIMITS.scriptCodeChars) }),
        approval: () => null,
        // Saved for the one member the call serves (never another asker of a
        // merged turn), marked as the assistant's: nobody's /run lets it
        // change anything until they approve it.
        execute: ({ name, code }, requestedBy) => {
          const refused = this.store.refusal(name, code);
          if (refused) throw new Error(refused);
          const by = actingMember(requestedBy);
          const saved = this.store.save(name, code, { id: by.id, name: by.name }, "assistant", Date.now());
          this.changed();
          return { name, version: saved.version };
        },
      }),
    ];
  }

  /** The code of the run `/scripts save` saves (shared/codemode.ts), in recent messages. */
  private lastSuccessfulCode(saverId: string): { code: string; own: boolean } | null {
    const found = latestSavableCodeRun(this.room.log.recent(100));
    if (!found) return null;
    const { message, code } = found;
    // The saver's own /run, or the assistant's answer to the saver's message.
    const asker = message.kind === "assistant" && message.replyTo !== null ? this.room.log.bySeq(message.replyTo)?.author.id : message.author.id;
    return { code, own: asker === saverId };
  }
}

/** Who a version is from, as the runner reads it. */
function provenance(s: ScriptVersion): string {
  if (s.via === "assistant") return `saved by the assistant for ${s.savedBy.name}`;
  if (s.via === "unknown") return `saved by ${s.savedBy.name} (before versions recorded how)`;
  if (s.via === "others-run") return `saved by ${s.savedBy.name} from a run someone else asked for`;
  return `saved by ${s.savedBy.name}`;
}
