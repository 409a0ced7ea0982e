/**
 * One chat room = one Durable Object (an agents SDK `Agent`).
 *
 * Every member's WebSocket terminates here, through the WebSocket
 * Hibernation API that the agents SDK always uses: while nobody talks, the
 * object is evicted from memory but the sockets stay open, and the next frame
 * constructs a fresh instance. So nothing lives only in memory: messages and
 * members are in this object's SQLite, and each socket's identity, role and
 * typing state are in its attachment (`connection.setState`).
 *
 * The class only composes: it admits a connection, parses each frame once
 * and hands it to the module that owns it.
 */
import { Agent, type Connection, type ConnectionContext, type WSMessage } from "agents";
import { Assistant } from "./assistant/Assistant";
import { queuedMentions } from "./assistant/turns";
import { chooseModel, type ModelChoice, type ModelSource } from "./assistant/config";
import { Reminders, type FirePayload } from "./reminders/Reminders";
import { isTimeZone } from "./reminders/when";
import { parseAllowHosts } from "./egress";
import { guardMcpConnections, mcpHost } from "./mcp/host";
import { McpServers } from "./mcp/McpServers";
import { oauthPopupResponse } from "./mcp/oauthPopup";
import { refuseForeignCallback } from "./mcp/callbackGuard";
import { elicitationHandlers, Elicitations } from "./mcp/elicitation";
import { Scripts } from "./codemode/Scripts";
import { CodeModeSettings } from "./codemode/settings";
import type { SandboxRunInfo } from "./codemode/allowHosts";
import { McpStore, type AuditEntry } from "./mcp/store";
import { LIMITS } from "../shared/limits";
import { CloseCode, type Role, type RoomInfo, type ServerFrame } from "../shared/protocol";
import type { CommandName } from "../shared/commands";
import { ConfigError, settings } from "./config";
import { readIdentity } from "./http/identityHeader";
import { oauthCallbackPath } from "./http/agentRoute";
import { apiError } from "./http/respond";
import { oauthCallbackSignature } from "./auth/oauthCallback";
import { signingSecret } from "./auth/LocalSecret";
import type { Actor } from "./room/actor";
import { chatHandlers, type ChatContext } from "./room/chat";
import { commandResult, roomCommands, runCommand, type Outcome, type Runner } from "./room/commands";
import type { ConnectionState } from "./room/connectionState";
import { dispatchFrame, encode, errorFrame, parseClientFrame, type FrameHandlers } from "./room/frames";
import { FrameGuard } from "./room/frameGuard";
import { RoomKernel } from "./room/kernel";
import { AccountNotes } from "./room/accountNotes";
import { forgetInLobby, reportToLobby } from "./room/lobbyReport";
import type { Admission, Membership } from "./room/members";
import type { MessageLog } from "./room/messages";
import { Governance, type InviteCreation, type InviteInput } from "./room/governance";
import { Invites } from "./room/invites";
import { membersCommands } from "./room/membersCommand";
import { UsedTickets } from "./room/tickets";
import { MEMBER_TAG, RoomSockets } from "./room/sockets";
import { RateLimiter } from "./room/rateLimit";
import { Reactions } from "./room/reactions";
import { Pins } from "./room/pins";
import { SlowMode } from "./room/slowMode";
import { moderationCommands } from "./room/moderationCommands";
import { Notifications } from "./room/notifications";
import { vapidKeys } from "./push/vapid";
import { resolveMentions } from "./room/mentions";
import { ReadMarkers } from "./room/readState";
import { searchHandlers } from "./room/searchFrames";
import { exportStream, type ExportFormat } from "./room/export";
import { Files, type FileAccess, type Reservation, type UploadRequest } from "./room/files";
import { indexJobTable } from "./room/jobIndexes";
import { costCountersEnabled, installCostCounters, readCostCounters, type CostCounters } from "./room/costCounters";
import { agentAccess, type AgentAccess, type AgentResult } from "./mcpserver/roomAccess";
import { RoomFollowers, rpcError } from "./mcpserver/follow";
import type { AgentPrincipal } from "./mcpserver/grant";

type RoomConnection = Connection<ConnectionState>;

/** The agents SDK's header marking a socket as a nested agent's. */
const SUB_AGENT_HEADER = "x-cf-agents-subagent-url";

/** How long audit rows of the sandbox's requests are gathered before one `mcp` frame goes out. */
const AUDIT_FRAME_COALESCE_MS = 200;
/** Words after "@" that name no person: the reminder and command targets. */
const RESERVED_MENTIONS = new Set(["me", "room", "here", "everyone", "channel"]);
/** The `members` frame lists at most this many (newest first); clients search within it. */
const MEMBERS_FRAME_MAX = 1000;

// Cloudflare.Env is the Worker's Env (worker-env.d.ts): named instead of
// imported from env.ts, whose bindings name this class, so that neither file
// imports the other.
export class ChatRoom extends Agent<Cloudflare.Env> {
  // The room's name is in the URL already; don't echo it in a protocol frame.
  static override options = { sendIdentityOnConnect: false };

  #kernel?: RoomKernel;
  #invites?: Invites;
  #governance?: Governance;
  #limiter?: RateLimiter;
  #assistant?: Assistant;
  #reminders?: Reminders;
  #mcpServers?: McpServers;
  #elicitations?: Elicitations;
  #scripts?: Scripts;
  #codeMode?: CodeModeSettings;
  #commands?: Record<CommandName, Runner>;
  #handlers?: FrameHandlers<ChatContext>;
  #auditFrameTimer: ReturnType<typeof setTimeout> | null = null;
  #reportedOnline: number | undefined;
  #accountNotes?: AccountNotes;
  #sockets?: RoomSockets;
  #reactions?: Reactions;
  #pins?: Pins;
  #slowMode?: SlowMode;
  #notifications?: Notifications;
  #readMarkers?: ReadMarkers;
  #files?: Files;
  #agentAccess?: AgentAccess;
  #followers?: RoomFollowers;
  /** The SDK's job table has Hearth's indexes (room/jobIndexes.ts). */
  #jobsIndexed = false;

  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    // Bench only: count every SQL cursor, the SDK's included, so before super() (room/costCounters.ts).
    if (costCountersEnabled(env)) installCostCounters(ctx);
    super(ctx, env);
    this.#jobsIndexed = indexJobTable(ctx.storage.sql);
    // Restored connections too: the guard goes in before the SDK's onStart (mcp/host.ts).
    guardMcpConnections(this.mcp, parseAllowHosts(env.MCP_ALLOW_HOSTS));
    // Before the SDK restores connections, so every handshake advertises form and URL elicitation (mcp/elicitation.ts).
    this.mcp.configureElicitationHandlers(elicitationHandlers(() => this.elicitations));
    // Frames over Hearth's size cap are answered before the SDK parses them (room/frameGuard.ts).
    this.lifecycle.use(
      new FrameGuard({
        take: (id) => this.limiter.take(id, Date.now()),
        idOf: (ws) => this.ctx.getTags(ws)[0] ?? "",
        failed: (err) => {
          console.error(`room ${this.name}: frame failed`, err);
          return errorFrame("internal", err instanceof ConfigError ? err.message : "The room failed to handle that frame; nothing was changed.");
        },
      }),
    );
  }

  // Lazy: `this.name` is only known once the SDK has initialised the
  // instance, and tables are created on first use after each wake (cheap
  // IF NOT EXISTS statements, independent of history size).
  /** The services every capability is handed (room/kernel.ts). */
  get kernel(): RoomKernel {
    if (!this.#kernel) {
      const kernel = new RoomKernel({
        name: this.name,
        sql: this.ctx.storage.sql,
        transaction: (fn) => this.ctx.storage.transactionSync(fn),
        broadcast: (frame) => {
          this.show(frame);
          // Only the frames a notification can follow; the rest (drafts, presence) never build it.
          if (frame.type === "message" || frame.type === "message_updated" || frame.type === "tool") this.notifications.frameShown(frame);
        },
        online: () => this.sockets.online(),
        attachmentsRemoved: (attachments) => this.files.removed(attachments),
      });
      // After the kernel's built-ins, in this order: what the model and Code Mode see.
      kernel.tools.register(() => this.reminders.tools());
      kernel.tools.register(() => this.mcpServers.tools());
      kernel.tools.register(() => this.scripts.tools());
      this.#kernel = kernel;
    }
    return this.#kernel;
  }
  get log(): MessageLog {
    return this.kernel.log;
  }
  get members(): Membership {
    return this.kernel.members;
  }
  get invites(): Invites {
    return (this.#invites ??= new Invites(this.ctx.storage.sql));
  }
  get governance(): Governance {
    return (this.#governance ??= new Governance(this.kernel, {
      invites: this.invites,
      invitesChanged: () => this.invitesChanged(),
      applied: (member, role, closeReason) => this.membershipApplied(member, role, closeReason),
      settingsApplied: (info) => this.settingsApplied(info),
    }));
  }
  get reactions(): Reactions {
    return (this.#reactions ??= new Reactions(this.ctx.storage.sql, this.log));
  }
  get pins(): Pins {
    return (this.#pins ??= new Pins(this.log, this.members));
  }
  get slowMode(): SlowMode {
    return (this.#slowMode ??= new SlowMode(this.ctx.storage.sql, this.members));
  }
  /** Notification levels and Web Push to members who are away (room/notifications.ts). */
  get notifications(): Notifications {
    return (this.#notifications ??= new Notifications({
      name: this.name,
      sql: this.ctx.storage.sql,
      members: this.members,
      online: () => this.sockets.online().map((m) => m.id),
      sendToMembers: (memberIds, build) => this.sockets.sendToMembers(memberIds, build),
      waitUntil: (work) => this.ctx.waitUntil(work),
      vapid: () => vapidKeys(this.env),
      allowHosts: parseAllowHosts(this.env.PUSH_ALLOW_HOSTS),
    }));
  }
  /** Uploads and attachments; the bytes are in the FILES bucket (room/files.ts). */
  get files(): Files {
    return (this.#files ??= new Files(this.ctx.storage.sql, this.name, this.members, (keys) =>
      this.ctx.waitUntil(this.env.FILES.delete(keys).catch((err: unknown) => console.error(`room ${this.name}: deleting files failed`, err))),
    ));
  }
  get readMarkers(): ReadMarkers {
    return (this.#readMarkers ??= new ReadMarkers(this.ctx.storage.sql, this.log));
  }
  /** The member sockets: fan-out, presence, typing (room/sockets.ts). */
  private get sockets(): RoomSockets {
    return (this.#sockets ??= new RoomSockets(
      this.ctx,
      () => this.getConnections<ConnectionState>(MEMBER_TAG),
      (online) => this.reportOnline(online),
    ));
  }
  private get accountNotes(): AccountNotes {
    return (this.#accountNotes ??= new AccountNotes(this.kernel, this.env.Account, (work) => this.ctx.waitUntil(work)));
  }
  get limiter(): RateLimiter {
    return (this.#limiter ??= RateLimiter.fromEnv(this.env));
  }

  get assistant(): Assistant {
    return (this.#assistant ??= new Assistant(this.kernel, {
      env: this.env,
      keepAliveWhile: (fn) => this.keepAliveWhile(fn),
      model: (source) => this.assistantModel(source),
      codeMode: (run) => ({ mode: this.codeMode.mode(), sandbox: this.sandbox(run) }),
      // The agents scheduler persists the alarm: an approval expires even if the room slept or restarted.
      expireApprovalsAt: async (at, seq) => {
        await this.scheduleJob(at, "expireApprovals", { seq });
      },
      // A range read: a long file costs its first bytes only.
      readFile: async (file, maxBytes) => {
        const object = await this.env.FILES.get(this.files.key(file.id), { range: { offset: 0, length: maxBytes } });
        return object ? new Uint8Array(await object.arrayBuffer()) : null;
      },
    }));
  }

  /**
   * The model a source (the room's settings or the Worker's) gives. A
   * method of the room, not a module setting, so that the workerd tests'
   * room (test/workers/worker.ts) can answer with `ai/test` models — the one
   * seam, passed in by subclassing.
   */
  protected assistantModel(source: ModelSource): ModelChoice {
    return chooseModel(source, this.env.AI);
  }

  /**
   * Every schedule the room makes: a persisted alarm (the agents scheduler).
   * `idempotent` makes the SDK compare the new schedule with every pending
   * one (it reads them all, B7): only for approval expiries, which a
   * recovering turn may ask for again. A reminder needs no such check: its
   * fire is stale unless its payload's time is the reminder's next
   * occurrence (Reminders.fire), so even a second row would post nothing.
   */
  private async scheduleJob(at: number, callback: "fireReminder" | "expireApprovals", payload: object): Promise<string> {
    return (await this.schedule(new Date(at), callback, payload, { idempotent: callback === "expireApprovals" })).id;
  }

  get reminders(): Reminders {
    return (this.#reminders ??= new Reminders(this.kernel, {
      schedule: (at, payload) => this.scheduleJob(at, "fireReminder", payload),
      cancelSchedule: async (id) => {
        await this.cancelSchedule(id);
      },
      runJob: (job) => {
        if (!job.prompt.startsWith("/run ")) return this.assistant.runJob(job);
        // The version pinned when the job was made, never a newer one.
        void this.keepAliveWhile(async () => {
          const outcome = await this.scripts.run(job.creator, job.prompt.slice(5), { version: job.scriptVersion, fromJob: true, jobId: job.key.split(":")[1] });
          // A run that never started (budget, missing script) says why; a failed run posted its own notice.
          if (!outcome.ok && !outcome.started) this.kernel.postSystem(`The scheduled \`${job.prompt}\` did not run: ${outcome.text}`);
        }).catch((err: unknown) => console.error("scheduled script failed", err));
      },
      pinScript: (command) => this.scripts.pin(command),
    }));
  }

  get mcpServers(): McpServers {
    return (this.#mcpServers ??= new McpServers(
      this.kernel,
      mcpHost(this, {
        allowHosts: parseAllowHosts(this.env.MCP_ALLOW_HOSTS),
        callbackPath: async () => oauthCallbackPath(this.name, await oauthCallbackSignature(await signingSecret(this.env), this.name)),
        sendPerMember: (build) => this.sockets.sendPerMember(build),
        elicitations: this.elicitations,
        personal: {
          online: (memberId) => this.sockets.online().some((m) => m.id === memberId),
          pauseJobs: (jobIds, member, why) => void this.reminders.pauseForCreator(jobIds, member, why).catch((err: unknown) => console.error("could not pause jobs", err)),
          notify: (memberId, server) => this.notifications.notify([memberId], { body: `${server} needs your authorization for a call.`, tag: `mcp-authorize:${server}` }),
          authorizeTimeoutMs: settings(this.env).MCP_AUTHORIZE_SECONDS * 1000,
        },
        askAssistant: (actor, shown, prompt) => {
          const posted = this.kernel.post({ id: `prompt-${crypto.randomUUID()}`, kind: "user", author: { id: actor.id, name: actor.name }, text: shown });
          if (posted) this.assistant.ask(actor, posted.seq, prompt);
        },
      }),
    ));
  }

  /** MCP servers' questions to the member a call is for (mcp/elicitation.ts). */
  get elicitations(): Elicitations {
    return (this.#elicitations ??= new Elicitations(this.ctx.storage.sql, {
      serverName: (serverId) => this.mcpServers.nameOf(serverId),
      sendToMembers: (memberIds, build) => this.sockets.sendToMembers(memberIds, build),
      asked: (memberIds, server, id) => this.notifications.elicitationAsked(memberIds, server, id),
      timeoutMs: settings(this.env).MCP_ELICITATION_SECONDS * 1000,
    }));
  }

  get scripts(): Scripts {
    return (this.#scripts ??= new Scripts(this.kernel, {
      loader: this.env.LOADER,
      sandbox: (run) => this.sandbox(run),
      chargeRun: (runner) => this.assistant.takeRun(runner),
    }));
  }

  get codeMode(): CodeModeSettings {
    return (this.#codeMode ??= new CodeModeSettings(this.kernel, parseAllowHosts(this.env.MCP_ALLOW_HOSTS)));
  }

  private sandbox(run: SandboxRunInfo) {
    const exports = this.ctx.exports as unknown as Parameters<CodeModeSettings["outbound"]>[0];
    return { limits: this.codeMode.limits(), outbound: this.codeMode.outbound(exports, { ...run, room: this.ctx.id.toString() }) };
  }

  /**
   * RPC from SandboxOutbound (only this Worker holds the ChatRoom binding;
   * the sandbox holds none): one row per request the sandbox's code made,
   * in the same trail and panel as MCP tool calls.
   */
  auditSandboxFetch(entry: AuditEntry): void {
    new McpStore(this.ctx.storage.sql).audit(entry);
    // Code can make many requests in a run: one `mcp` frame per burst, not per request.
    this.#auditFrameTimer ??= setTimeout(() => {
      this.#auditFrameTimer = null;
      this.mcpServers.changed();
    }, AUDIT_FRAME_COALESCE_MS);
  }

  /** The scheduler's callback: tool calls nobody decided in time are denied (Assistant.expireApprovals). */
  expireApprovals(payload: { seq: number }): void {
    this.assistant.expireApprovals(payload.seq, Date.now());
  }

  /** The scheduler's callback for reminders and jobs (see reminders/Reminders.ts). */
  async fireReminder(payload: FirePayload): Promise<void> {
    await this.reminders.fire(payload);
  }

  /** Runs on every wake: finish what a crash or restart cut off. */
  override onStart(): void | Promise<void> {
    // Most wakes have nothing to recover; two indexed reads decide whether
    // the assistant needs building at all (wake cost, B5 in the benchmarks).
    if (this.log.unfinished().length > 0 || queuedMentions(this.ctx.storage.sql) > 0) {
      this.assistant.recover();
    }
    // MCP connections change state in the background (restore, OAuth, discovery).
    this.mcp.onServerStateChanged(() => this.mcpServers.changed());
    this.mcp.configureOAuthCallback({ customHandler: (result) => oauthPopupResponse(result) });
    // A new room: the SDK makes its job table on first use (a key look-up
    // here), so that it can be indexed before the first schedule (room/jobIndexes.ts).
    if (!this.#jobsIndexed) {
      return this.getScheduleById("none").then(() => {
        this.#jobsIndexed = indexJobTable(this.ctx.storage.sql);
      });
    }
  }

  // The SDK's own frames (identity, state sync, MCP server list with its
  // OAuth URLs) are not part of Hearth's protocol: never send them.
  override shouldSendProtocolMessages(): boolean {
    return false;
  }

  /**
   * Which sockets are the room's members. Tags are set when the runtime
   * accepts a socket and are read by `ctx.getWebSockets(tag)` without
   * touching attachments, so fan-out (fanOut) and presence (states) both
   * select exactly this set: nobody can receive the room without being in
   * its presence. A socket is a member socket when the Worker verified who
   * it is; one the SDK would hand to a nested agent never is (the Worker
   * strips that header and onBeforeSubAgent refuses such routes anyway).
   */
  override getConnectionTags(_connection: Connection, ctx: ConnectionContext): string[] {
    const request = ctx.request;
    return readIdentity(request) && !request.headers.has(SUB_AGENT_HEADER) ? [MEMBER_TAG] : [];
  }

  // The SDK can host nested "sub-agents" under /sub/<class>/<name>; Hearth
  // has none, and a nested room would skip the room-name rules and the
  // lobby's bookkeeping. The Worker never routes such paths; refuse here too.
  override async onBeforeSubAgent(): Promise<Response> {
    return apiError(404, "not_found", "No such room path.");
  }

  // Rooms speak WebSocket. The only HTTP request the Worker lets through is
  // the OAuth callback, which the SDK answers before this hook; anything
  // else (an unknown or used `state`) ends here.
  // Before the SDK's own callback handling: only the member who started an
  // OAuth flow can complete it (mcp/callbackGuard.ts).
  override async fetch(request: Request): Promise<Response> {
    return refuseForeignCallback(request, (sdkId) => this.mcpServers.flowStarter(sdkId)) ?? super.fetch(request);
  }

  override onRequest(): Response {
    return apiError(404, "not_found", "No OAuth flow is pending here.");
  }

  // Clients never write the SDK's Agent state; readonly makes the SDK refuse
  // a `cf_agent_state` frame from them instead of applying it.
  override shouldConnectionBeReadonly(): boolean {
    return true;
  }

  // An exception escaping a hook would reach partyserver, which answers a
  // failed connect with the stack trace in a frame. Internal errors are
  // logged here and members get a plain `internal` error instead.
  override onConnect(connection: RoomConnection, ctx: ConnectionContext): void {
    this.sockets.joining(connection.id);
    try {
      this.admit(connection, ctx);
    } catch (err) {
      console.error(`room ${this.name}: connect failed`, err);
      const text = err instanceof ConfigError ? err.message : "The room failed to open this connection; try again.";
      connection.send(encode(errorFrame("internal", text)));
      connection.close(1011, "internal error");
    }
  }

  override async onMessage(connection: RoomConnection, data: WSMessage): Promise<void> {
    try {
      await this.receive(connection, data);
    } catch (err) {
      console.error(`room ${this.name}: frame failed`, err);
      // A bad setting is the operator's to fix; its message names it (never a secret's value).
      const text = err instanceof ConfigError ? err.message : "The room failed to handle that frame; nothing was changed.";
      this.sockets.sendTo(connection, encode(errorFrame("internal", text)));
    }
  }

  private admit(connection: RoomConnection, ctx: ConnectionContext): void {
    const identity = readIdentity(ctx.request);
    if (!identity) {
      return refuse(connection, CloseCode.unauthorized, "unauthorized", "No verified identity came with this connection.");
    }
    if (identity.ticket && !new UsedTickets(this.ctx.storage.sql).use(identity.ticket.jti, identity.ticket.exp, Date.now())) {
      return refuse(connection, CloseCode.unauthorized, "unauthorized", "This ticket was used already: get a new one.");
    }
    const admission = this.members.admit(identity, Date.now());
    if (!admission.ok) {
      const code = admission.code === "not_found" ? CloseCode.notFound : CloseCode.forbidden;
      return refuse(connection, code, admission.code, admission.reason);
    }
    const params = new URL(ctx.request.url).searchParams;
    const reported = params.get("tz");
    if (reported && isTimeZone(reported)) this.members.setTimeZone(admission.member.id, reported, false);
    connection.setState(stateFor(admission.member, this.members.timeZone(admission.member.id) ?? "UTC"));
    this.accountNotes.note(admission.member);
    connection.send(
      encode({
        type: "welcome",
        self: admission.member,
        room: this.members.info()!,
        limits: { messageChars: LIMITS.messageChars, frameBytes: LIMITS.frameChars, pageMax: LIMITS.pageMax },
        assistant: this.assistant.info(),
        assistantStatus: this.assistant.status(),
      }),
    );
    connection.send(encode(this.log.syncFrame(params.get("since"))));
    this.readMarkers.ensure(admission.member.id, Date.now());
    connection.send(encode(this.readStateFrame(admission.member.id)));
    connection.send(encode({ type: "reminders", items: this.reminders.list() }));
    connection.send(encode(this.mcpServers.frameFor(admission.member.id)));
    connection.send(encode(this.elicitations.frameFor(admission.member.id)));
    connection.send(encode({ type: "scripts", items: this.scripts.list() }));
    connection.send(encode(this.pins.frame()));
    this.notifications.settingsFor(admission.member.id, (frame) => connection.send(encode(frame)));
    connection.send(encode({ type: "presence", members: this.sockets.joined(connection.state!) }));
    // A first visit adds a member: everyone's members view learns of them.
    if (admission.joined) this.sockets.fanOut(encode(this.membersFrame()));
    else connection.send(encode(this.membersFrame()));
    if (admission.member.role === "owner") connection.send(encode(this.invitesFrame()));
    connection.send(encode({ type: "typing", typers: this.sockets.typers() }));
    for (const frame of this.assistant.catchUpFrames()) connection.send(encode(frame));
  }

  private async receive(connection: RoomConnection, data: WSMessage): Promise<void> {
    const sender = connection.state;
    // A refused socket is closing; nothing it sends is processed.
    if (!sender) return;
    const now = Date.now();
    if (!this.limiter.take(connection.id, now)) {
      return this.sockets.sendTo(connection, encode(errorFrame("rate_limited", "Too many frames: slow down and try again.")));
    }
    const parsed = parseClientFrame(data);
    if (!parsed.ok) return this.sockets.sendTo(connection, encode(parsed.error));
    // Replies share the fan-out queue, so they never overtake an earlier broadcast (room/fanout.ts).
    return dispatchFrame(this.handlers, this.chatContext(sender, (frame) => this.sockets.sendTo(connection, encode(frame)), (state) => connection.setState(state)), parsed.frame);
  }

  /** One handler per client frame type: chat.ts's, and the ones that reach other capabilities. */
  private get handlers(): FrameHandlers<ChatContext> {
    return (this.#handlers ??= {
      ...chatHandlers,
      ...searchHandlers(() => this.kernel.search),
      stop: (c, frame) => this.assistant.stop(frame.seq, c.sender, c.reply),
      approve: (c, frame) => this.assistant.approve(frame.seq, frame.callId, frame.approved, c.sender, c.reply),
      command: (c, frame) =>
        runCommand(this.commands, this.kernel, this.actor(c.sender), frame, c.reply, (actor, p) => this.mcpServers.runPrompt(actor, p.server, p.prompt, p.args, frame.text)),
      get_script: (c, frame) => {
        const script = this.scripts.detail(frame.name, frame.version);
        if (!script) return c.reply(errorFrame("not_found", `There is no script ${frame.name}${frame.version ? ` v${frame.version}` : ""}.`, frame.name));
        c.reply({ type: "script", script });
      },
      mcp_complete: async (c, frame) => {
        const values = await this.mcpServers.complete(this.actor(c.sender), frame.server, frame.prompt, { name: frame.argument, value: frame.value });
        c.reply({ type: "mcp_completion", id: frame.id, values });
      },
      mcp_tool: (c, frame) =>
        commandResult(c.reply, frame.id, this.mcpServers.setToolEnabled(this.actor(c.sender), frame.server, frame.tool, frame.enabled)),
      elicitation_answer: (c, frame) => {
        const outcome = this.elicitations.answer(c.sender.memberId, frame);
        if (!outcome.ok) c.reply(outcome.error);
      },
      elicitation_dismiss: (c, frame) => {
        const outcome = this.elicitations.dismiss(c.sender.memberId, frame.id);
        if (!outcome.ok) c.reply(outcome.error);
      },
      reminder_action: async (c, frame) =>
        commandResult(c.reply, frame.id, await this.reminders.act(this.actor(c.sender), frame.reminder, frame.action, frame.snooze)),
      member_action: (c, frame) => {
        const outcome = this.governance.act(this.actor(c.sender), frame.action, frame.member, frame.role);
        if (!outcome.ok) return c.reply(errorFrame(outcome.code, outcome.text, frame.id));
        commandResult(c.reply, frame.id, outcome);
      },
      room_settings: (c, frame) => {
        const outcome = this.governance.settings(this.actor(c.sender), {
          visibility: frame.visibility,
          membersMayInvite: frame.membersMayInvite,
          membersMayPin: frame.membersMayPin,
          slowModeSeconds: frame.slowModeSeconds,
        });
        if (!outcome.ok) return c.reply(errorFrame(outcome.code, outcome.text, frame.id));
        commandResult(c.reply, frame.id, outcome);
      },
      assistant_settings: (c, { type: _, id, ...input }) => {
        const outcome = this.assistant.updateSettings(this.actor(c.sender), input);
        if (!outcome.ok) return c.reply(errorFrame(outcome.code, outcome.text, id));
        commandResult(c.reply, id, outcome);
      },
      list_models: async (c, { type: _, id, ...request }) => {
        const list = await this.assistant.listModels(this.actor(c.sender), request);
        if (!list.ok) return c.reply(errorFrame(c.sender.role === "owner" ? "invalid_frame" : "forbidden", list.reason, id));
        c.reply({ type: "models", id, models: list.models });
      },
      react: (c, frame) => {
        if (c.sender.role === "viewer") return c.reply(errorFrame("read_only", "Viewers cannot react.", frame.seq));
        const outcome = this.reactions.react({ id: c.sender.memberId, name: c.sender.name }, frame.seq, frame.emoji, frame.on, Date.now());
        if (outcome.status === "changed") return c.broadcast({ type: "message_updated", message: outcome.message });
        if (outcome.status === "not_found") return c.reply(errorFrame("not_found", `There is no message ${frame.seq}.`, frame.seq));
        if (outcome.status === "busy") return c.reply(errorFrame("invalid_frame", "The assistant is still writing this message; react when it is done.", frame.seq));
        if (outcome.status === "too_many") {
          return c.reply(errorFrame("too_many", `A message has at most ${LIMITS.reactionsPerMessage} different reactions.`, frame.seq));
        }
      },
      pin: (c, frame) => {
        const outcome = this.pins.pin(this.actor(c.sender), frame.seq, frame.on, Date.now());
        if (!outcome.ok) return c.reply(errorFrame(outcome.code, outcome.text, frame.seq));
        if (!outcome.changed) return;
        c.broadcast({ type: "message_updated", message: outcome.message });
        c.broadcast(this.pins.frame());
      },
      notify_settings: (c, frame) => this.notifications.setLevel(c.sender.memberId, frame.level),
      push_subscribe: (c, frame) => {
        const outcome = this.notifications.subscribe(c.sender.memberId, frame);
        if (!outcome.ok) c.reply(errorFrame(outcome.code, outcome.text, "push_subscribe"));
      },
      push_unsubscribe: (c, frame) => this.notifications.unsubscribe(c.sender.memberId, frame.endpoint),
      read: (c, frame) => {
        if (!this.readMarkers.mark(c.sender.memberId, frame.seq, Date.now())) return;
        this.sockets.sendToMembers(new Set([c.sender.memberId]), (id) => this.readStateFrame(id));
      },
      set_timezone: (c, frame) => {
        if (!isTimeZone(frame.timeZone)) {
          return c.reply(errorFrame("invalid_frame", `${frame.timeZone} is not an IANA time zone.`, "set_timezone"));
        }
        this.members.setTimeZone(c.sender.memberId, frame.timeZone, true);
        c.updateSender({ ...c.sender, timeZone: frame.timeZone });
      },
    });
  }

  /** Every slash command's runner, one per name of the shared table (the type says so). */
  private get commands(): Record<CommandName, Runner> {
    return (this.#commands ??= {
      ...roomCommands,
      ...this.reminders.commands(),
      ...this.mcpServers.commands(),
      ...this.codeMode.commands(),
      ...this.scripts.commands(),
      ...membersCommands({ members: this.members, invites: this.invites, governance: this.governance, invitesChanged: () => this.invitesChanged() }),
      ...moderationCommands({ members: this.members, governance: this.governance, reactions: this.reactions }),
    });
  }

  override onClose(connection: RoomConnection): void {
    this.limiter.forget(connection.id);
    if (!connection.state) return;
    const wasTyping = connection.state.typingUntil > Date.now();
    this.sockets.presenceChanged(connection.id);
    if (wasTyping) this.sockets.typingChanged(connection.id);
  }

  /**
   * Called by the Worker's API (RPC) to create a room for its owner. A room
   * that exists already is not changed (`created: false`).
   */
  createRoom(visibility: RoomInfo["visibility"], owner: { id: string; name: string }): { info: RoomInfo; created: boolean } {
    const made = this.members.create(visibility, owner, Date.now());
    if (!made.created) return made;
    const member = this.members.get(owner.id);
    if (member) this.accountNotes.note(member);
    // Listed at once (with nobody online yet), not only once someone enters.
    if (visibility === "public") this.reportOnline(0, true);
    return made;
  }

  /** Bench only (`HEARTH_COST_COUNTERS=1`): the room's SQLite rows and bytes so far; refused otherwise (room/costCounters.ts). */
  costCounters(): { ok: true; counters: CostCounters } | { ok: false; error: string } {
    if (!costCountersEnabled(this.env)) return { ok: false, error: "cost counters are off" };
    return { ok: true, counters: readCostCounters(this.ctx) };
  }

  /** Called by the Worker's API (RPC) for the landing page: a member's unread and mention counts, or null. */
  unreadFor(memberId: string): { unread: number; mentions: number } | null {
    if (!this.members.get(memberId)) return null;
    const state = this.readMarkers.state(memberId);
    return state && { unread: state.unread, mentions: state.mentions };
  }

  /**
   * Called by the Worker's API (RPC): an owner's export of the room, as a
   * stream the Worker hands to the browser (room/export.ts). The role is
   * the stored one, checked here, where it is kept.
   */
  exportFor(memberId: string, format: ExportFormat, origin: string): { ok: true; body: ReadableStream<Uint8Array> } | { ok: false; status: 403 | 404; message: string } {
    const room = this.members.info();
    if (!room) return { ok: false, status: 404, message: "There is no such room." };
    const member = this.members.get(memberId);
    if (member?.role !== "owner") return { ok: false, status: 403, message: "Only the room's owners can export it." };
    const body = exportStream(
      {
        room,
        exportedAt: Date.now(),
        exportedBy: member.name,
        upTo: this.log.lastSeq(),
        messagesAfter: (after, limit) => this.log.after(after, limit),
        reminders: () => this.reminders.list(),
        audit: () => new McpStore(this.ctx.storage.sql).recentAudit(1000),
        nameOf: (id) => this.members.get(id)?.name ?? null,
        fileUrl: (id) => `${origin}/api/rooms/${encodeURIComponent(this.name)}/files/${id}`,
      },
      format,
    );
    this.members.audit({ actor: member, action: "export", detail: format }, Date.now());
    return { ok: true, body };
  }

  private readStateFrame(memberId: string): ServerFrame {
    return { type: "read_state", ...(this.readMarkers.state(memberId) ?? { seq: 0, unread: 0, mentions: 0, upTo: 0 }) };
  }

  /** Called by the Worker's API (RPC) before it streams an upload into R2 (http/filesApi.ts). */
  reserveFile(memberId: string, upload: UploadRequest): Reservation {
    return this.files.reserve(memberId, upload, Date.now());
  }

  /** Called by the Worker's API (RPC) once the upload's bytes are stored (`ok`) or refused. */
  uploadDone(memberId: string, id: string, ok: boolean) {
    if (ok) return this.files.stored(memberId, id);
    this.files.failed(id);
    return null;
  }

  /** Called by the Worker's API (RPC) for every download: the member may fetch the file now, or why not. */
  fileAccess(memberId: string, id: string): FileAccess {
    return this.files.access(memberId, id);
  }

  /** Called by the Worker's API (RPC) with an invite token it verified (the rules: Governance.redeemInvite). */
  redeemInvite(identity: { id: string; name: string }, inviteId: string | undefined): Admission {
    return this.governance.redeemInvite(identity, inviteId);
  }

  /** Called by the Worker's API (RPC): an owner makes an invite; the Worker signs a token naming it. */
  createInvite(creator: { id: string; name: string }, input: InviteInput): InviteCreation {
    return this.governance.createInvite(creator, input);
  }

  /**
   * A member's role changed (or they are gone, role null): their open
   * sockets carry the new role at once, or are closed with the reason; the
   * Account's "my rooms" follows; everyone's members view is refreshed.
   */
  private membershipApplied(member: { id: string; name: string }, role: Role | null, closeReason?: string): void {
    for (const c of this.sockets.members()) {
      if (c.state?.memberId !== member.id) continue;
      if (role) {
        c.setState({ ...c.state, role });
        if (role === "owner") c.send(encode(this.invitesFrame()));
        continue;
      }
      const reason = closeReason ?? "You no longer belong to this room.";
      try {
        c.send(encode(errorFrame("forbidden", reason)));
        c.close(CloseCode.removed, reason);
      } catch {
        // closing already
      }
      this.sockets.presenceChanged(c.id);
    }
    // Whether or not they had a socket open: a member who is gone keeps no read marker or push subscription here.
    if (!role) {
      this.#followers?.endFor(member.id);
      this.notifications.forget(member.id);
      this.readMarkers.forget(member.id);
      void this.mcpServers.forgetMember(member.id).catch((err: unknown) => console.error("could not remove a member's MCP grants", err));
    }
    this.accountNotes.changed(member, role);
    this.sockets.fanOut(encode(this.membersFrame()));
    // Presence carries roles too.
    this.sockets.presenceChanged();
  }

  /**
   * The room's settings changed: every member's view follows, and the lobby
   * lists a room that went public or drops one that went private at once.
   * Sockets stay: going private removes nobody who belongs.
   */
  private settingsApplied(info: RoomInfo): void {
    this.sockets.fanOut(encode({ type: "room", room: info }));
    if (info.visibility === "public") this.reportOnline(this.sockets.online().length, true);
    else forgetInLobby(this.env.Lobby, this.ctx, this.name);
  }

  private invitesFrame(): ServerFrame {
    return { type: "invites", items: this.invites.list(Date.now()) };
  }

  /** Owners' sockets get the invite list again; nobody else ever sees it. */
  private invitesChanged(): void {
    this.sockets.sendToOwners(() => this.invitesFrame());
  }

  private membersFrame(): ServerFrame {
    const online = new Set(this.sockets.online().map((p) => p.id));
    const { members, total } = this.members.list(MEMBERS_FRAME_MAX);
    return { type: "members", members: members.map((m) => ({ ...m, online: online.has(m.id) })), total };
  }

  /** Called by the Worker's API (RPC): the caller's role here, if any. */
  roleOf(memberId: string): Role | null {
    return this.members.get(memberId)?.role ?? null;
  }

  /** RPC from the Worker's MCP endpoint: an outside agent acting for a member, checked here by mcpserver/roomAccess.ts. */
  agentCall(principal: AgentPrincipal, call: unknown): Promise<AgentResult> {
    // Writes run as the member's own frames, through the same handlers as a socket's.
    this.#agentAccess ??= agentAccess(
      this,
      async (sender, frame) => {
        const replies: ServerFrame[] = [];
        await dispatchFrame(this.handlers, this.chatContext(sender, (reply) => replies.push(reply)), frame);
        return replies;
      },
      {
        online: () => new Set(this.sockets.online().map((m) => m.id)),
        agentActed: (actor, principal) => this.sockets.agentActed({ memberId: actor.id, name: actor.name, role: actor.role, client: principal.client, app: principal.clientId, ...(principal.icon ? { icon: true } : {}) }),
        command: async (actor, text) => {
          let answer: Outcome = { ok: false, text: "The command gave no answer." };
          await runCommand(this.commands, this.kernel, actor, { id: crypto.randomUUID(), text }, (f) => {
            if (f.type === "command_result") answer = { ok: f.ok, text: f.text };
          });
          return answer;
        },
      },
    );
    return this.#agentAccess.run(principal, call);
  }

  /**
   * RPC from the Worker's MCP endpoint: an agent's `subscriptions/listen` on
   * this room's resources (mcpserver/follow.ts), after the same checks as
   * any call of the "read" scope. `expiresAt`: its access token's expiry (ms).
   */
  async agentListen(principal: AgentPrincipal, expiresAt: number, request: Request, rpcId: unknown): Promise<Response> {
    const allowed = await this.agentCall(principal, { op: "info" });
    if (!allowed.ok) return rpcError(rpcId, -32602, `${allowed.code}: ${allowed.text}`);
    this.#followers ??= new RoomFollowers({
      name: this.name,
      mayRead: (memberId) => this.members.get(memberId) !== null && !this.members.banned(memberId),
      agentActed: (memberId, client, app, icon) => {
        const member = this.members.get(memberId);
        if (member) this.sockets.agentActed({ memberId, name: member.name, role: member.role, client, app, ...(icon ? { icon } : {}) });
      },
    });
    return this.#followers.serve(principal, request, expiresAt, rpcId);
  }

  /** RPC from Settings → Connected apps: the member revoked this app's grant; its open subscriptions here end now. */
  agentGrantRevoked(memberId: string, clientId: string): void {
    this.#followers?.endFor(memberId, clientId);
  }

  /** Called by the lobby when it starts, to correct counts a crash left stale. */
  reportPresence(): void {
    this.reportOnline(this.sockets.online().length, true);
  }

  /** Who is acting: the socket's member, with the role the room gave it. */
  private actor(sender: ConnectionState): Actor {
    return { id: sender.memberId, name: sender.name, role: sender.role };
  }

  /** A frame for everyone in the room: every member socket, and the agents following it over MCP (mcpserver/follow.ts). */
  private show(frame: ServerFrame): void {
    this.sockets.fanOut(encode(frame));
    this.#followers?.shown(frame);
  }

  /** A frame's context: `reply` answers its sender; `setState` keeps a socket's attachment (none for an agent's call). */
  private chatContext(sender: ConnectionState, reply: (frame: ServerFrame) => void, setState: (state: ConnectionState) => void = () => {}): ChatContext {
    return {
      sender,
      log: this.log,
      threads: this.kernel.threads,
      members: this.members,
      now: () => Date.now(),
      broadcast: (frame) => this.show(frame),
      reply,
      updateSender: (state) => {
        setState(state);
        Object.assign(sender, state);
      },
      presenceChanged: () => this.sockets.presenceChanged(),
      membersChanged: () => this.sockets.fanOut(encode(this.membersFrame())),
      typingChanged: () => this.sockets.typingChanged(),
      messageStored: (message, from) => {
        this.notifications.messagePosted(message);
        this.assistant.onMessage(message, from);
      },
      mentionsIn: (text) => resolveMentions(text, this.members, (word) => RESERVED_MENTIONS.has(word.toLowerCase()) || word.toLowerCase() === this.assistant.name.toLowerCase()),
      slowMode: this.slowMode,
      messageChanged: (message) => {
        if (message.pinned) this.sockets.fanOut(encode(this.pins.frame()));
      },
      files: { claim: (member, ids) => this.files.claim(member, ids), attach: (ids, seq) => this.files.attach(ids, seq) },
      removedByOwner: (message) =>
        this.members.audit({ actor: this.actor(sender), action: "remove_message", target: message.author, detail: `message ${message.seq}` }, Date.now()),
    };
  }

  /**
   * Tells the lobby when the count changed (a second tab, a rename or a
   * typing burst leave it as it was: no RPC). `force` answers the lobby's
   * own recheck. After a wake the last count is unknown, so it is sent.
   */
  private reportOnline(online: number, force = false): void {
    if (!force && online === this.#reportedOnline) return;
    this.#reportedOnline = online;
    if (this.members.info()?.visibility === "public") reportToLobby(this.env.Lobby, this.ctx, this.name, online);
  }
}

function stateFor(member: Actor, timeZone: string): ConnectionState {
  return { memberId: member.id, name: member.name, role: member.role, typingUntil: 0, timeZone };
}

function refuse(connection: RoomConnection, code: number, errorCode: "unauthorized" | "forbidden" | "not_found", reason: string) {
  connection.send(encode(errorFrame(errorCode, reason)));
  connection.close(code, reason);
}
