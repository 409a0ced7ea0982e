/**
 * The room's AI member: decides when to answer, runs one turn at a time,
 * streams the answer to every member, shows and gates tool calls, and keeps
 * the spending within budget.
 *
 * A turn runs inside the room's Durable Object while `keepAliveWhile` holds
 * it in memory (the agents SDK's heartbeat alarm). Everything that must
 * outlive the instance is in SQLite: the message row (checkpointed), the
 * turn row (with the model messages of a turn waiting for an approval) and
 * the queue of mentions. A new instance that finds a message still marked
 * `streaming` knows its writer died: it marks it `interrupted`.
 */
import { isStepCount, streamText, tool, type JSONValue, type LanguageModel, type ModelMessage, type ToolSet } from "ai";
import type { AssistantInfo, AssistantSettingsInput, AssistantStatus, ChatMessage, ModelProvider, ServerFrame, ToolPart } from "../../shared/protocol";
import type { ConnectionState } from "../room/connectionState";
import type { Draft } from "../room/draft";
import { errorFrame } from "../room/frames";
import type { RoomKernel } from "../room/kernel";
import { capResult, type Actor, type RoomTool } from "../room/tools";
import { AssistantBudget } from "./budget";
import { TurnUsage } from "./usage";
import { assistantConfig, modelEgress, type AssistantConfig, type AssistantEnv, type ModelChoice, type ModelSource } from "./config";
import { ModelSettings, type SettingsOutcome } from "./modelSettings";
import { listModels, type ModelList } from "./modelList";
import { displayToolName, IDLE, StatusBoard } from "./status";
import { buildContext, fileTextChars, imagesToRead, textFilesToRead } from "./context";
import type { Attachment } from "../../shared/protocol";
import { mentions } from "./trigger";
import { conversation, takeConversation } from "./threadTurn";
import { errorText } from "../errors";
import { MessageFull } from "../room/messageLimits";
import { TurnStore, type PendingApproval, type TurnRecord } from "./turns";
import { codeTool, isPaused, useCode, type CodePause, type CodeTool, type SandboxSettings, type ToolMode } from "../codemode/CodeMode";
import type { SandboxRunInfo } from "../codemode/allowHosts";


/** What the assistant needs beyond the kernel. */
export interface AssistantHost {
  /** Its settings and model (and LOADER, for Code Mode). */
  env: AssistantEnv & { LOADER?: WorkerLoader };
  keepAliveWhile<T>(fn: () => Promise<T>): Promise<T>;
  /** The model a source gives (config.ts chooseModel; the workerd tests' room answers with a test model). */
  model(source: ModelSource): ModelChoice;
  /** The room's Code Mode mode and sandbox settings (the run: for auditing the sandbox's requests). */
  codeMode(run: SandboxRunInfo): { mode: ToolMode; sandbox: SandboxSettings };
  /** Calls `expireApprovals(seq)` at `at` (the room's scheduler: it survives restarts). */
  expireApprovalsAt(at: number, seq: number): Promise<void>;
  /** The first `maxBytes` of an attached file (null: gone). */
  readFile?(file: Attachment, maxBytes: number): Promise<Uint8Array | null>;
}

type Reply = (frame: ServerFrame) => void;

interface RunningTurn {
  seq: number;
  controller: AbortController;
  draft: Draft;
}

export const ASSISTANT_AUTHOR_ID = "assistant";

export class Assistant {
  readonly config: AssistantConfig;
  #turns?: TurnStore;
  #budget?: AssistantBudget;
  #settings?: ModelSettings;
  /** What the assistant is doing, live for every member. */
  private readonly board: StatusBoard;
  private running: RunningTurn | null = null;
  /** A turn is reading its attached files before it starts: no other may start meanwhile. */
  private preparing = false;
  /**
   * Decisions that came while the turn was still storing its wait: a card
   * shows "awaiting approval" as soon as the call asks, a moment before the
   * turn is stored as waiting. They are applied once it is.
   */
  private readonly early = new Map<string, { seq: number; approved: boolean; by: { id: string; name: string } }>();
  constructor(
    private readonly room: RoomKernel,
    private readonly host: AssistantHost,
  ) {
    this.config = assistantConfig(host.env);
    this.board = new StatusBoard((frame) => room.broadcast(frame));
  }

  /** The room's own model, name and instructions over the Worker's defaults (modelSettings.ts). */
  get settings(): ModelSettings {
    return (this.#settings ??= new ModelSettings(this.room, { env: this.host.env, config: this.config, egress: modelEgress(this.host.env) }));
  }

  /** The name people @mention: the room's choice, else ASSISTANT_NAME. */
  get name(): string {
    return this.settings.name();
  }

  /** The model the next turn uses, or why there is none. */
  model(): ModelChoice {
    return this.host.model(this.settings.source());
  }

  /** What every member sees of the assistant (never its key). */
  info(): AssistantInfo {
    return this.settings.info(this.model());
  }

  /**
   * What the assistant is doing now. A running turn says so itself; a turn
   * waiting for approval is in storage (it outlives evictions); otherwise it
   * is idle, or not connected when no model is available.
   */
  status(): AssistantStatus {
    if (this.board.live) return this.board.live;
    const current = this.turns.current();
    if (current?.status === "waiting") return { activity: "approval", tool: null, seq: current.seq };
    return this.model().ok ? IDLE : { activity: "not_connected", tool: null, seq: null };
  }

  /** An owner changed the assistant: every member sees the new settings (and status: the model may be gone). */
  updateSettings(actor: Actor, input: AssistantSettingsInput): SettingsOutcome {
    const outcome = this.settings.update(actor, input, Date.now());
    if (outcome.ok && outcome.text !== "Nothing changed.") {
      this.room.broadcast({ type: "assistant", assistant: this.info() });
      this.publishStatus();
    }
    return outcome;
  }

  /** Models a provider offers, for an owner's settings view. */
  async listModels(actor: Actor, request: { provider: ModelProvider; baseUrl?: string; apiKey?: string }): Promise<ModelList> {
    if (actor.role !== "owner") return { ok: false, reason: "Only the room's owners choose the assistant's model." };
    const baseUrl = request.baseUrl ?? this.settings.storedBaseUrl();
    const apiKey = this.settings.keyFor(baseUrl, request.apiKey);
    const list = await listModels({ provider: request.provider, baseUrl, apiKey, egress: modelEgress(this.host.env) }, this.host.env.AI);
    return list.ok ? list : { ok: false, reason: this.settings.redact(apiKey ? list.reason.split(apiKey).join("[key]") : list.reason) };
  }

  private publishStatus(): void {
    this.board.publish(this.status());
  }

  /** A running turn's activity changed: every member sees it (one frame per change, not per delta). */
  private activity(seq: number, activity: AssistantStatus["activity"], tool?: string): void {
    const live = this.board.live;
    if (live && live.activity === activity && live.seq === seq && live.tool === (tool ? displayToolName(tool) : null)) return;
    this.board.set(activity, seq, tool);
    this.publishStatus();
  }


  // Tables are touched only when a message really asks the assistant: the
  // first chat message after every wake passes through onMessage.
  private get turns(): TurnStore {
    return (this.#turns ??= new TurnStore(this.room.sql));
  }
  private get budget(): AssistantBudget {
    return (this.#budget ??= new AssistantBudget(this.room.sql, this.config.budgets));
  }

  /**
   * After a wake: a `streaming` message with no live writer was cut off by a
   * crash or restart. Mentions queued before it are answered now.
   */
  recover(): void {
    for (const message of this.room.log.unfinished()) {
      if (this.running?.seq === message.seq) continue;
      // A waiting turn with its approvals saved is durable; a message that
      // waited on a call inside a code run (held in memory) is not.
      if (message.status === "waiting" && this.turns.get(message.seq)?.status === "waiting") continue;
      const parts = message.parts.map((p) => (p.state === "running" ? { ...p, state: "error" as const, error: "interrupted" } : p));
      this.room.settle(message.seq, "interrupted", message.text, parts);
      this.turns.remove(message.seq);
    }
    if (this.turns.queued() > 0) this.kick();
  }

  /** A member's message was stored and broadcast: does it ask the assistant? */
  onMessage(message: ChatMessage, sender: ConnectionState): void {
    if (sender.role === "viewer" || message.kind !== "user") return;
    const replied = message.replyTo !== null && this.room.log.bySeq(message.replyTo)?.kind === "assistant";
    if (!replied && !mentions(message.text, this.name)) return;
    this.turns.enqueue(
      { key: `m:${message.seq}`, seq: message.seq, prompt: null, member: { id: sender.memberId, name: sender.name, role: sender.role } },
      Date.now(),
    );
    this.kick();
  }

  /**
   * A member asked with an MCP server's prompt (`/<server>:<prompt>`): their
   * message `seq` shows the command, the filled-in prompt is the request.
   */
  ask(member: Actor, seq: number, prompt: string): void {
    this.turns.enqueue({ key: `m:${seq}`, seq, prompt, member }, Date.now());
    this.kick();
  }

  /**
   * A scheduled job is due: run its prompt as a turn (queued behind a
   * running one). The key makes a retried alarm enqueue it only once.
   */
  runJob(job: { key: string; prompt: string; creator: Actor; late?: boolean }): void {
    // A retried alarm for an occurrence still queued is neither charged nor queued twice.
    if (this.turns.isQueued(job.key)) return;
    const refused = this.takeRun(job.creator);
    if (refused) return this.room.postSystem(`The scheduled job “${job.prompt}” did not run: ${refused}.`);
    const prompt = job.prompt + (job.late ? " (this scheduled run is late: the server was down at its time)" : "");
    this.turns.enqueue({ key: job.key, seq: null, prompt, member: job.creator }, Date.now());
    this.kick();
  }

  /**
   * Counts a script run or scheduled job against the room's daily budget
   * (recorded as it starts, like a turn): the refusal, or null.
   */
  takeRun(member: Actor): string | null {
    const check = this.budget.takeRun(member.id, Date.now());
    return check.ok ? null : check.reason;
  }

  /** Frames a member joining mid-turn needs to see the answer so far. */
  catchUpFrames(): ServerFrame[] {
    return this.running ? this.running.draft.catchUpFrames() : [];
  }

  stop(seq: number, sender: ConnectionState, reply: Reply): void {
    if (sender.role === "viewer") return reply(errorFrame("read_only", "Viewers cannot stop the assistant.", seq));
    if (this.running?.seq === seq) {
      this.running.controller.abort();
      return;
    }
    const turn = this.turns.get(seq);
    if (!turn) return reply(errorFrame("no_turn", "The assistant is not answering in that message.", seq));
    // A turn waiting for approval has no live stream: settle it here.
    const message = this.room.log.bySeq(seq)!;
    // Calls waiting are denied; a code run paused at one ends with the turn.
    const parts = message.parts.map((p) =>
      p.state === "awaiting_approval"
        ? { ...p, state: "denied" as const, approvers: undefined, decidedBy: { id: sender.memberId, name: sender.name } }
        : p.state === "running"
          ? { ...p, state: "error" as const, error: `stopped by ${sender.name}` }
          : p,
    );
    this.finish(turn, "stopped", message.text, parts);
    this.kick();
  }

  approve(seq: number, callId: string, approved: boolean, sender: ConnectionState, reply: Reply): void {
    const asking = this.running?.seq === seq ? this.running.draft.parts.find((p) => p.callId === callId && p.state === "awaiting_approval") : undefined;
    if (asking && this.turns.get(seq)?.status === "running") {
      if (sender.role === "viewer" || !(asking.approvers ?? []).includes(sender.memberId)) {
        return reply(errorFrame("not_approver", "You may not decide this tool call.", seq));
      }
      this.early.set(callId, { seq, approved, by: { id: sender.memberId, name: sender.name } });
      return;
    }
    const turn = this.turns.get(seq);
    const pending = turn?.status === "waiting" ? turn.pending.find((p) => p.callId === callId) : undefined;
    if (!turn || !pending || pending.approved !== undefined) {
      return reply(errorFrame("no_turn", "That tool call is not waiting for approval.", seq));
    }
    const message = this.room.log.bySeq(seq)!;
    const part = message.parts.find((p) => p.callId === callId);
    // Decided now, by who may decide now: a policy's named approvers, else the
    // members the tool named and whoever is an owner at this moment.
    const need = pending.need ?? { approvers: part?.approvers ?? [] };
    const allowed = new Set(need.only ? need.approvers : this.room.approvers(need.approvers));
    if (sender.role === "viewer" || !allowed.has(sender.memberId)) {
      return reply(errorFrame("not_approver", "You may not decide this tool call.", seq));
    }
    if (part?.approvals?.some((a) => a.id === sender.memberId)) {
      return reply(errorFrame("not_approver", "You approved this call already; it needs someone else's approval too.", seq));
    }
    this.decide(turn, message, pending, approved, { id: sender.memberId, name: sender.name });
  }

  /**
   * The scheduler's call: calls of turn `seq` nobody decided in time are
   * denied (so a late click changes nothing), and the turn goes on.
   */
  expireApprovals(seq: number, now: number): void {
    const turn = this.turns.get(seq);
    if (turn?.status !== "waiting") return;
    const message = this.room.log.bySeq(seq);
    if (!message) return;
    for (const pending of turn.pending) {
      if (pending.approved !== undefined || (pending.expiresAt ?? Infinity) > now) continue;
      const part = message.parts.find((p) => p.callId === pending.callId);
      const hours = Math.round(((pending.expiresAt ?? now) - (part?.startedAt ?? now)) / 360_000) / 10;
      const reason = `${part?.tool ?? "The call"} got no decision within ${hours} hours: it was not run`;
      this.decide(turn, this.room.log.bySeq(seq)!, pending, false, { id: "system", name: "Hearth" }, reason);
    }
    // Calls with a later expiry (their policy's) get the next alarm.
    const next = Math.min(...turn.pending.filter((p) => p.approved === undefined).map((p) => p.expiresAt ?? Infinity));
    if (Number.isFinite(next)) void this.host.expireApprovalsAt(next, seq).catch((err: unknown) => console.error("could not schedule the approvals' expiry", err));
  }

  /** Records one decision on the card and in the turn; when every call is decided, the turn goes on. */
  private decide(turn: TurnRecord, message: ChatMessage, pending: PendingApproval, approved: boolean, by: { id: string; name: string }, reason?: string): void {
    const seq = turn.seq;
    const callId = pending.callId;
    const part = message.parts.find((p) => p.callId === callId);
    if (by.id !== "system") this.room.members.audit({ actor: by, action: approved ? "approve_tool" : "deny_tool", detail: `${part?.tool ?? "a call"} in message ${seq}` }, Date.now());
    if (approved && part) {
      // A policy may need several approvals; any one denial denies.
      const approvals = [...(part.approvals ?? []), { ...by, at: Date.now() }];
      if (approvals.length < (part.approvalsRequired ?? 1)) {
        const partial: ToolPart = { ...part, approvals };
        this.room.log.checkpoint(seq, message.text, message.parts.map((p) => (p.callId === callId ? partial : p)));
        this.room.broadcast({ type: "tool", seq, part: partial });
        return;
      }
      part.approvals = approvals;
    }
    pending.approved = approved;
    pending.decidedBy = by;
    if (reason) pending.reason = reason;
    const decided: ToolPart = {
      ...part!,
      state: approved ? "running" : "denied",
      approvers: undefined,
      decidedBy: by,
      ...(reason ? { error: reason } : {}),
    };
    const parts = message.parts.map((p) => (p.callId === callId ? decided : p));
    this.room.log.checkpoint(seq, message.text, parts);
    this.room.broadcast({ type: "tool", seq, part: decided });
    this.turns.savePending(seq, turn.pending);
    if (turn.pending.every((p) => p.approved !== undefined)) this.resume(turn, message.text, parts);
  }

  /** Decisions given before the turn was stored as waiting, checked again now and applied in order. */
  private applyEarlyDecisions(seq: number): void {
    for (const [callId, early] of [...this.early]) {
      if (early.seq !== seq) continue;
      this.early.delete(callId);
      const turn = this.turns.get(seq);
      const pending = turn?.status === "waiting" ? turn.pending.find((p) => p.callId === callId && p.approved === undefined) : undefined;
      const message = this.room.log.bySeq(seq);
      if (!turn || !pending || !message) continue;
      const need = pending.need ?? { approvers: [] };
      const allowed = new Set(need.only ? need.approvers : this.room.approvers(need.approvers));
      if (!allowed.has(early.by.id) || message.parts.find((p) => p.callId === callId)?.approvals?.some((a) => a.id === early.by.id)) continue;
      this.decide(turn, message, pending, early.approved, early.by);
    }
  }

  /**
   * The attached files the turn will show (context.ts): the start of each
   * text file, whole images. Read before the turn starts; nothing to read
   * costs no wait at all.
   */
  private async readFiles(files: Attachment[]): Promise<Map<string, Uint8Array> | undefined> {
    const read = this.host.readFile;
    if (files.length === 0 || !read) return undefined;
    this.preparing = true;
    try {
      // A text file's characters are at most four bytes each.
      const textBytes = fileTextChars(this.config.contextTokens) * 4;
      const bytes = await Promise.all(files.map((f) => read(f, f.type.startsWith("image/") ? f.size : textBytes).catch(() => null)));
      return new Map(files.flatMap((f, i) => (bytes[i] ? [[f.id, bytes[i]] as const] : [])));
    } finally {
      this.preparing = false;
    }
  }

  /** Starts the next turn unless one is running or waiting. */
  private kick(): void {
    if (this.running || this.preparing || this.turns.current()) return;
    void this.host.keepAliveWhile(() => this.startNext()).catch((err: unknown) => console.error("assistant turn failed", err));
  }

  private async startNext(): Promise<void> {
    if (this.running || this.preparing || this.turns.current()) return;
    const all = this.turns.takeQueue();
    if (all.length === 0) return;
    const now = Date.now();
    // One conversation per turn: mentions in another thread (or the room) wait for the next.
    const { thread, now: queued, later } = takeConversation(this.room, all);
    for (const q of later) this.turns.enqueue(q, now);

    const requesters = new Map<string, Actor>();
    for (const { member } of queued) {
      if (requesters.has(member.id)) continue;
      const check = this.budget.check(member.id, now);
      if (check.ok) requesters.set(member.id, member);
      else this.room.postSystem(`@${member.name}: the assistant will not answer — ${check.reason}.`);
    }
    // Nobody here may be answered: the other conversations still may.
    if (requesters.size === 0) {
      if (later.length > 0) this.kick();
      return;
    }
    const choice = this.model();
    if (!choice.ok) {
      if (choice.setup) this.room.postSystem(choice.reason, "setup");
      else this.room.postSystem(`The assistant cannot answer: ${choice.reason} Chat, reminders and tools work without it.`);
      return;
    }

    const requestedBy = [...requesters.values()];
    // Every member the turn answers is charged its whole cost (budget.ts).
    const usageId = this.budget.startTurn(requestedBy.map((m) => m.id), now);
    const accepted = queued.filter((q) => requesters.has(q.member.id));
    const triggers = accepted.flatMap((q) => (q.seq === null ? [] : [q.seq]));
    const prompts = accepted.flatMap((q) => (q.prompt === null ? [] : [{ from: q.member.name, text: q.prompt }]));
    const recent = conversation(this.room, thread, 50);
    // Images only for a model the operator says takes them, and never Workers AI's default.
    const images = this.settings.source().provider === "workers-ai" ? [] : imagesToRead(recent, this.config.imageBytes);
    const read = await this.readFiles([...textFilesToRead(recent), ...images]);
    const fileTexts = read && new Map([...read].filter(([id]) => !images.some((a) => a.id === id)).map(([id, bytes]) => [id, new TextDecoder().decode(bytes)]));
    const fileImages = read && new Map([...read].filter(([id]) => images.some((a) => a.id === id)));
    const posted = this.room.post({
      id: `assistant-${crypto.randomUUID()}`,
      kind: "assistant",
      author: { id: ASSISTANT_AUTHOR_ID, name: this.name },
      text: "",
      replyTo: triggers.at(-1) ?? null,
      status: "streaming",
      threadOf: thread,
    });
    if (!posted) return;

    const { system, messages } = buildContext({
      assistantName: this.name,
      instructions: this.settings.instructions(),
      roomName: this.room.name,
      now,
      online: this.room.online(),
      recent,
      fileTexts,
      fileImages,
      triggers: triggers.map((seq) => this.room.log.bySeq(seq)!).filter(Boolean),
      prompts,
      askers: requestedBy.map((m) => m.name),
      contextTokens: this.config.contextTokens,
      nameOf: (id) => this.room.members.get(id)?.name ?? null,
    });
    const turn: TurnRecord = {
      seq: posted.seq,
      status: "running",
      requestedBy,
      triggers,
      jobs: accepted.flatMap((q) => (q.key.startsWith("job:") ? [q.key.split(":")[1]!] : [])),
      usageId,
      system,
      modelMessages: messages,
      pending: [],
    };
    this.turns.create(turn);
    await this.run(turn, choice.model, messages, this.room.draft(turn.seq, "", []));
  }

  private resume(turn: TurnRecord, text: string, parts: ToolPart[]): void {
    this.turns.resume(turn.seq);
    const choice = this.model();
    if (!choice.ok) {
      this.room.postSystem(`The assistant cannot continue: ${choice.reason}`);
      this.finish(turn, "failed", text, parts);
      return;
    }
    this.room.settle(turn.seq, "streaming", text, parts);
    const draft = this.room.draft(turn.seq, text, parts);
    void this.host
      .keepAliveWhile(() => this.continueTurn({ ...turn, status: "running" }, choice.model, draft))
      .catch((err: unknown) => {
        // Never left "running" with nobody running it: the turn ends, and says so.
        console.error("assistant turn failed", err);
        this.running = null;
        this.finish(turn, "failed", draft.text, draft.parts);
        this.room.postSystem("The assistant could not go on after the decision; ask again.");
        this.kick();
      });
  }

  /**
   * A decided turn goes on: paused code runs first (each replays to its
   * decided call and on; one may pause again), then the model, with the
   * runs' results in place of their pauses and the direct calls' decisions.
   */
  private async continueTurn(turn: TurnRecord, model: LanguageModel, draft: Draft): Promise<void> {
    let messages = turn.modelMessages;
    const paused: CodePause[] = [];
    const runs = turn.pending.filter((p) => p.code);
    if (runs.length > 0) {
      const code = this.codeToolFor(turn, draft, paused);
      this.running = { seq: turn.seq, controller: new AbortController(), draft };
      try {
        for (const p of runs) {
          this.activity(turn.seq, "calling", p.code!.tool);
          const approvals = draft.parts.find((x) => x.callId === p.callId)?.approvals;
          const output = code ? await code.resume({ pause: p.code!, approved: p.approved === true, by: p.decidedBy!, approvals, reason: p.reason }) : { result: null, error: "Code Mode is off in this room now." };
          if (isPaused(output)) continue;
          const result = capResult(output);
          this.endPart(draft, p.code!.codeCallId, { state: "done", output: result });
          messages = withToolResult(messages, p.code!.codeCallId, result);
        }
      } finally {
        this.running = null;
      }
      if (paused.length > 0) return this.waitFor(turn, messages, this.pendingFor(paused, draft), draft);
    }
    const direct = turn.pending.filter((p) => !p.code);
    if (direct.length > 0) {
      const responses = direct.map((p) => ({ type: "tool-approval-response" as const, approvalId: p.approvalId, approved: p.approved === true }));
      messages = [...messages, { role: "tool", content: responses }];
    }
    await this.run(turn, model, messages, draft);
  }

  /** Pending entries for paused code runs, each with its card's expiry. */
  private pendingFor(paused: CodePause[], draft: Draft): PendingApproval[] {
    return paused.map((code) => ({
      approvalId: "",
      callId: code.callId,
      code,
      need: code.need,
      expiresAt: draft.parts.find((p) => p.callId === code.callId)?.expiresAt ?? Date.now() + this.config.approvalExpiryMs,
    }));
  }

  /** The turn waits for people: stored with what it needs to go on, its expiry scheduled. */
  private waitFor(turn: TurnRecord, messages: ModelMessage[], pending: PendingApproval[], draft: Draft): void {
    this.turns.wait(turn.seq, messages, pending);
    this.room.settle(turn.seq, "waiting", draft.text, draft.parts);
    this.applyEarlyDecisions(turn.seq);
    // A scheduled job's turn has nobody watching it: say who is being asked.
    if (turn.triggers.length === 0) {
      const cards = pending.map((p) => draft.parts.find((x) => x.callId === p.callId)).filter((x): x is ToolPart => x !== undefined);
      const ids = [...new Set(cards.flatMap((c) => c.approvers ?? []))];
      const names = ids.map((id) => this.room.members.get(id)?.name).filter((n): n is string => !!n);
      const tools = [...new Set(cards.map((c) => `\`${displayToolName(c.tool)}\``))].join(", ");
      this.room.postSystem(`A scheduled job is waiting for a decision on ${tools}: ${names.map((n) => `@${n}`).join(", ") || "an owner"} can approve or deny it on its card.`);
    }
    const first = Math.min(...pending.map((p) => p.expiresAt ?? Infinity));
    if (Number.isFinite(first)) {
      void this.host.expireApprovalsAt(first, turn.seq).catch((err: unknown) => console.error("could not schedule the approvals' expiry", err));
    }
  }

  /** Streams one model call (with its tool loop) into the turn's message. */
  private async run(turn: TurnRecord, model: LanguageModel, messages: ModelMessage[], draft: Draft): Promise<void> {
    const controller = new AbortController();
    this.running = { seq: turn.seq, controller, draft };
    this.activity(turn.seq, "thinking");
    const paused: CodePause[] = [];
    const tools = this.toolsFor(turn, draft, paused);
    const pending: PendingApproval[] = [];
    const usage = new TurnUsage(turn.system, messages);
    try {
      const result = streamText({
        model,
        system: turn.system,
        messages,
        ...this.settings.callSettings(),
        tools: this.aiTools(tools, turn, draft),
        toolApproval: ({ toolCall }) => {
          const t = tools.find((x) => x.name === toolCall.toolName);
          return t?.approval(toolCall.input, turn.requestedBy, { jobs: turn.jobs }) ? "user-approval" : undefined;
        },
        // A code run that paused for a person ends the turn's loop after this
        // step: its result is not known yet, and the model must not see the pause.
        stopWhen: [isStepCount(this.config.maxSteps), () => paused.length > 0],
        abortSignal: controller.signal,
      });
      for await (const part of result.fullStream) {
        switch (part.type) {
          case "start-step":
            usage.stepStarted();
            break;
          case "finish-step":
            usage.stepFinished(part.usage);
            break;
          case "text-delta":
            usage.streamed(part.text.length);
            draft.append(part.text);
            this.activity(turn.seq, "writing");
            break;
          case "tool-call":
            usage.streamed(JSON.stringify(part.input ?? null).length);
            draft.upsertPart({
              type: "tool",
              callId: part.toolCallId,
              tool: part.toolName,
              input: part.input,
              state: "running",
              textOffset: draft.text.length,
              startedAt: Date.now(),
            });
            this.activity(turn.seq, "calling", part.toolName);
            break;
          case "tool-approval-request": {
            if (part.isAutomatic) break;
            const t = tools.find((x) => x.name === part.toolCall.toolName);
            const need = t?.approval(part.toolCall.input, turn.requestedBy, { jobs: turn.jobs }) ?? { approvers: [] };
            const expiresAt = Date.now() + (need.expiresInMs ?? this.config.approvalExpiryMs);
            pending.push({ approvalId: part.approvalId, callId: part.toolCall.toolCallId, expiresAt, need });
            draft.updatePart(part.toolCall.toolCallId, { state: "awaiting_approval", ...this.room.approvalFields(need), expiresAt });
            this.activity(turn.seq, "approval", part.toolCall.toolName);
            break;
          }
          case "tool-result":
            // A paused run's card stays as it is until the run goes on.
            if (isPaused(part.output)) break;
            this.endPart(draft, part.toolCallId, { state: "done", output: capResult(part.output) });
            this.activity(turn.seq, "thinking");
            break;
          case "tool-error":
            this.endPart(draft, part.toolCallId, { state: "error", error: this.settings.redact(errorText(part.error, 300)) });
            this.activity(turn.seq, "thinking");
            break;
          case "tool-output-denied":
            this.endPart(draft, part.toolCallId, { state: "denied" });
            this.activity(turn.seq, "thinking");
            break;
          case "error":
            throw part.error;
        }
        // A card or text was refused (here or inside a Code Mode run): the
        // message cannot grow, so the turn ends rather than run on unseen.
        if (draft.overflow) throw new MessageFull(draft.overflow);
      }
      draft.close();
      if (controller.signal.aborted) return this.finish(turn, "stopped", draft.text, draft.parts);
      if (pending.length > 0 || paused.length > 0) {
        const response = await result.response;
        this.waitFor(turn, [...messages, ...response.messages], [...pending, ...this.pendingFor(paused, draft)], draft);
        return;
      }
      this.finish(turn, "done", draft.text, draft.parts);
    } catch (err) {
      draft.close();
      if (err instanceof MessageFull || draft.overflow) {
        controller.abort();
        this.finish(turn, "failed", draft.text, draft.parts);
        this.room.postSystem(`The assistant's answer was stopped: ${draft.overflow ?? errorText(err)}. Ask for less at once (fewer tool calls or smaller results).`);
        return;
      }
      if (controller.signal.aborted) return this.finish(turn, "stopped", draft.text, draft.parts);
      this.finish(turn, "failed", draft.text, draft.parts);
      // A provider may quote the key it refused ("Incorrect API key: sk-…"): never show it.
      this.room.postSystem(`The assistant's model failed: ${this.settings.redact(explainModelError(err))}`);
    } finally {
      // Finished, waiting, stopped or failed: what this run used is charged.
      this.budget.addTokens(turn.usageId, usage.tokens());
      if (this.running?.seq === turn.seq) this.running = null;
      this.board.clear();
      this.publishStatus();
      if (!this.turns.current()) this.kick();
    }
  }

  /** The turn's tools: each room tool directly, or one `code` tool over all of them (Code Mode). */
  private toolsFor(turn: TurnRecord, draft: Draft, paused: CodePause[]): RoomTool[] {
    const code = this.codeToolFor(turn, draft, paused, true);
    return code ? [code] : this.room.tools.all();
  }

  /**
   * The turn's `code` tool: its runs pause durably for approvals (into
   * `paused`, which the turn stores). `whenUseful`: only if the room's mode
   * says so for this catalog; otherwise whenever Code Mode can run at all
   * (a paused run goes on even if the catalog shrank since).
   */
  private codeToolFor(turn: TurnRecord, draft: Draft, paused: CodePause[], whenUseful = false): CodeTool | null {
    const all = this.room.tools.all();
    const { mode, sandbox } = this.host.codeMode({
      requestedBy: turn.requestedBy.map((r) => r.name).join(", "),
      run: `assistant turn (message ${turn.seq})`,
    });
    const loader = this.host.env.LOADER;
    if (!loader || (whenUseful && !useCode(mode, all, this.config.toolTokens))) return null;
    return codeTool(loader, all, {
      requestedBy: turn.requestedBy,
      context: { jobs: turn.jobs },
      textOffset: () => draft.text.length,
      upsertPart: (part) => {
        draft.upsertPart(part);
        if (part.state === "running") this.activity(turn.seq, "calling", part.tool);
        if (part.state === "awaiting_approval") this.activity(turn.seq, "approval", part.tool);
      },
      approvalFields: (need) => this.room.approvalFields(need),
      expiresAt: (need) => Date.now() + (need.expiresInMs ?? this.config.approvalExpiryMs),
      pause: (p) => paused.push(p),
    }, sandbox);
  }

  private aiTools(tools: RoomTool[], turn: TurnRecord, draft: Draft): ToolSet {
    return Object.fromEntries(
      tools.map((t) => [
        t.name,
        tool({
          description: t.description,
          inputSchema: t.inputSchema,
          execute: async (input: unknown, { toolCallId }) => {
            const card = draft.parts.find((p) => p.callId === toolCallId);
            const call = { jobs: turn.jobs, callId: toolCallId, approvedBy: card?.decidedBy ?? null, approvals: card?.approvals };
            return capResult(await t.execute(input, turn.requestedBy, call));
          },
        }),
      ]),
    );
  }

  private endPart(draft: Draft, callId: string, change: Partial<ToolPart>): void {
    const part = draft.parts.find((p) => p.callId === callId);
    const durationMs = part ? Date.now() - part.startedAt : undefined;
    draft.updatePart(callId, { ...change, durationMs, approvers: undefined });
  }

  private finish(turn: TurnRecord, status: "done" | "stopped" | "failed", text: string, parts: ToolPart[]): void {
    this.turns.remove(turn.seq);
    this.room.settle(turn.seq, status, text, parts);
    if (!this.running) this.publishStatus();
  }
}

/** Model errors as people can act on them. */
function explainModelError(err: unknown): string {
  const text = errorText(err, 300);
  if (/needs to be run remotely/i.test(text)) {
    return (
      "Workers AI (the AI binding) only runs on Cloudflare, not under `wrangler dev --local`. " +
      "For a local model set AI_PROVIDER=openai-compatible with OPENAI_BASE_URL and AI_MODEL (e.g. Ollama)."
    );
  }
  return text;
}


/** The model messages with the tool result of `callId` replaced (a paused code run's, once it finished). */
function withToolResult(messages: ModelMessage[], callId: string, value: unknown): ModelMessage[] {
  return messages.map((m) =>
    m.role !== "tool"
      ? m
      : {
          ...m,
          content: m.content.map((c) =>
            c.type === "tool-result" && c.toolCallId === callId ? { ...c, output: { type: "json" as const, value: value as JSONValue } } : c,
          ),
        },
  );
}
