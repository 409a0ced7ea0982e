/**
 * Saved Code Mode scripts: save a run that worked, list, run without any
 * model (`/run name {json}`), schedule (`/schedule <when>: /run name`), and
 * let the assistant read and save new versions ("@assistant fix script x").
 *
 * A run without a model has no turn to pause: a call inside it that needs
 * an approval goes ahead only when the member running it is one of the
 * approvers; otherwise it is refused (never silently allowed).
 */
import { z } from "zod";
import type { ChatMessage, Role, ScriptDetail, ScriptItem, ServerFrame, ToolPart } from "../../shared/protocol";
import { Draft } from "../assistant/draft";
import { defineTool, type RoomTool, type TurnRequester } from "../assistant/tools";
import type { MessageLog } from "../room/messages";
import { codeTool, type SandboxSettings } from "./CodeMode";
import type { SandboxRunInfo } from "./outbound";
import { SCRIPT_NAME, ScriptStore } from "./scriptStore";
import { errorText } from "../errors";
import { LIMITS } from "../../shared/limits";

export interface ScriptsHost {
  sql: SqlStorage;
  log: MessageLog;
  loader: WorkerLoader | undefined;
  broadcast(frame: ServerFrame): void;
  roomTools(): RoomTool[];
  owners(): string[];
  postSystem(text: string): void;
  /** The run: for auditing the sandbox's requests. */
  sandbox(run: SandboxRunInfo): SandboxSettings;
}

export interface ScriptActor {
  id: string;
  name: string;
  role: Role;
}

export type Outcome = { ok: boolean; text: string };

export class Scripts {
  private readonly store: ScriptStore;

  constructor(private readonly host: ScriptsHost) {
    this.store = new ScriptStore(host.sql);
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
    this.host.broadcast({ type: "scripts", items: this.list() });
  }

  /** `/scripts`, `/scripts save <name>`, `/scripts show <name>`. */
  command(actor: ScriptActor, args: string): Outcome {
    const [verb = "", name = ""] = args.trim().split(/\s+/);
    if (!verb) {
      const all = this.store.all();
      if (all.length === 0) return { ok: true, text: "No saved scripts. Save a successful code run with `/scripts save <name>`." };
      return { ok: true, text: all.map((s) => `• ${s.name} (v${s.version}, by ${s.savedBy.name}) — \`/run ${s.name}\``).join("\n") };
    }
    if (verb === "show") {
      const s = this.store.latest(name);
      return s ? { ok: true, text: `${s.name} v${s.version}:\n\`\`\`js\n${s.code}\n\`\`\`` } : { ok: false, text: `There is no script ${name}.` };
    }
    if (verb === "save") {
      if (actor.role === "viewer") return { ok: false, text: "Viewers cannot save scripts." };
      if (!SCRIPT_NAME.test(name)) return { ok: false, text: "A script name has 1–40 characters: a–z first, then a–z, 0–9, _ or -." };
      const code = this.lastSuccessfulCode();
      if (!code) return { ok: false, text: "There is no successful code run in this room's recent messages to save." };
      const refused = this.store.refusal(name, code);
      if (refused) return { ok: false, text: refused };
      const saved = this.store.save(name, code, { id: actor.id, name: actor.name }, Date.now());
      this.changed();
      this.host.postSystem(`${actor.name} saved the script **${name}** (v${saved.version}). Run it with \`/run ${name}\`.`);
      return { ok: true, text: `Saved ${name} v${saved.version}.` };
    }
    return { ok: false, text: "Use `/scripts`, `/scripts save <name>`, `/scripts show <name>`, or `/run <name> {json}`." };
  }

  /** `/run <name> [json]`: runs the newest version, posting the run as a card. */
  async run(actor: ScriptActor, args: string): Promise<Outcome> {
    const [name = "", ...rest] = args.trim().split(/\s+/);
    if (actor.role === "viewer") return { ok: false, text: "Viewers cannot run scripts." };
    const script = this.store.latest(name);
    if (!script) return { ok: false, text: `There is no script ${name}.` };
    if (!this.host.loader) return { ok: false, text: "Code Mode needs the worker_loaders binding (LOADER)." };
    let input: unknown = null;
    if (rest.length) {
      try {
        input = JSON.parse(rest.join(" "));
      } catch {
        return { ok: false, text: "The input must be JSON, e.g. `/run digest {\"days\":2}`." };
      }
    }
    const stored = this.host.log.insert({
      id: `run-${crypto.randomUUID()}`,
      kind: "tool",
      author: { id: actor.id, name: actor.name },
      text: `/run ${name}`,
      now: Date.now(),
      status: "streaming",
    });
    if (stored.status !== "stored") return { ok: false, text: "Could not start the run." };
    const seq = stored.message.seq;
    this.host.broadcast({ type: "message", message: stored.message });
    const draft = new Draft(seq, stored.message.text, [], {
      broadcast: (frame) => this.host.broadcast(frame),
      checkpoint: (text, parts) => this.host.log.checkpoint(seq, text, parts),
      now: () => Date.now(),
    });
    const requester: TurnRequester = { id: actor.id, name: actor.name, role: actor.role };
    const callId = `script-${crypto.randomUUID()}`;
    const card: ToolPart = {
      type: "tool", callId, tool: "code", input: { script: name, version: script.version, input, code: script.code },
      state: "running", textOffset: 0, startedAt: Date.now(),
    };
    draft.upsertPart(card);
    const code = codeTool(this.host.loader, this.host.roomTools(), {
      requestedBy: [requester],
      textOffset: () => 0,
      upsertPart: (part) => draft.upsertPart(part),
      approversFor: (extra) => [...new Set([...extra, ...this.host.owners()])],
      waitForApproval: async (part) => {
        if ((part.approvers ?? []).includes(actor.id)) return { id: actor.id, name: actor.name };
        throw new Error(`${part.tool} needs approval by someone else; ask @assistant to run it so they can approve`);
      },
    }, this.host.sandbox({ requestedBy: actor.name, run: `/run ${name}` }));
    const wrapped = `async () => { const input = ${JSON.stringify(input)}; return await (${script.code})(); }`;
    let status: "done" | "failed" = "done";
    try {
      const output = await code.execute({ code: wrapped }, [requester], { callId, approvedBy: null });
      draft.upsertPart({ ...card, state: "done", output, durationMs: Date.now() - card.startedAt });
    } catch (err) {
      status = "failed";
      const error = errorText(err);
      draft.upsertPart({ ...card, state: "error", error, durationMs: Date.now() - card.startedAt });
    }
    draft.close();
    // Calls refused because the message was full: the run did not do all it meant to.
    if (draft.overflow) status = "failed";
    const message: ChatMessage = this.host.log.settle(seq, status, draft.text, draft.parts);
    this.host.broadcast({ type: "message_updated", message });
    const reason = draft.overflow ? `the run was stopped: ${draft.overflow}` : draft.parts.find((p) => p.callId === callId)?.error;
    if (status === "failed") this.host.postSystem(`The script **${name}** failed: ${reason ?? "unknown error"}`);
    return { ok: status === "done", text: status === "done" ? `${name} ran.` : `${name} failed.` };
  }

  /** Tools for the assistant: read a script, save a new version (fixing one keeps the old). */
  tools(): RoomTool[] {
    return [
      defineTool({
        name: "get_script",
        description: "Read a saved Code Mode script of this room (newest version, and how many versions exist).",
        inputSchema: z.object({ name: z.string().min(1).max(40) }),
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
        execute: ({ name, code }, requestedBy) => {
          const refused = this.store.refusal(name, code);
          if (refused) throw new Error(refused);
          const by = requestedBy[0]!;
          const saved = this.store.save(name, code, { id: by.id, name: by.name }, Date.now());
          this.changed();
          return { name, version: saved.version };
        },
      }),
    ];
  }

  /** The code of the newest successful `code` card in recent messages. */
  private lastSuccessfulCode(): string | null {
    const recent = this.host.log.recent(100);
    for (let i = recent.length - 1; i >= 0; i--) {
      const part = [...recent[i]!.parts].reverse().find((p) => p.tool === "code" && p.state === "done");
      const code = (part?.input as { code?: unknown } | undefined)?.code;
      if (typeof code === "string") return code;
    }
    return null;
  }
}
