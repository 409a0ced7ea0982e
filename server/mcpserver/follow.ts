/**
 * An outside agent following a room live: MCP `subscriptions/listen`
 * (protocol 2026-07-28) on the room's resources, `hearth://rooms/<room>`
 * and `hearth://rooms/<room>/threads/<seq>`.
 *
 * The MCP endpoint is stateless and runs in whichever Worker isolate took
 * the request, so the SDK's notifications (an in-isolate bus) could never
 * reach it from here. Instead the Worker hands the listen request itself to
 * the room (tools.ts → ChatRoom.agentListen) and the stream is served from
 * this Durable Object by a handler that lives as long as the room is
 * awake: a change the room shows its members is published on that
 * handler's bus, in the same isolate, and reaches every open stream whose
 * filter names the resource. A notification carries only the resource's
 * URI: the agent reads what changed with the usual checked calls.
 *
 * An open stream keeps the room awake (it cannot hibernate while it holds
 * a response), so each one is bounded: it ends when its access token
 * expires (the client listens again with a fresh token, which is checked
 * again), at once when the member is removed or banned or revokes the
 * app's grant in Settings (http/agentsApi.ts), and a member holds at most
 * LISTENS_PER_MEMBER at a time in a room (a new one ends their oldest).
 * While one is open, the agent shows in the room's presence as it does
 * after a call.
 */
import { McpServer } from "@modelcontextprotocol/server";
import { createMcpHandler } from "agents/mcp/server";
import type { ServerFrame } from "../../shared/protocol";
import { AGENT_PRESENCE_MS } from "../room/sockets";
import type { AgentPrincipal } from "./grant";

/** Open listen streams one member's agents may hold in one room. */
export const LISTENS_PER_MEMBER = 4;

export function roomUri(room: string): string {
  return `hearth://rooms/${room}`;
}
export function threadUri(room: string, seq: number): string {
  return `hearth://rooms/${room}/threads/${seq}`;
}

/** The room a resource URI names, or null when it is not one of Hearth's. */
export function roomOfUri(uri: string): string | null {
  const match = /^hearth:\/\/rooms\/([^/?#]+)(?:\/threads\/[1-9]\d*)?$/.exec(uri);
  return match ? match[1]! : null;
}

/** The resources a frame the room shows its members changes (none for drafts, presence, typing…). */
export function changedResources(room: string, frame: ServerFrame): string[] {
  if (frame.type !== "message" && frame.type !== "message_updated") return [];
  const m = frame.message;
  // The room's resource shows a thread's parent with its reply count, so a reply changes it too.
  const uris = [roomUri(room)];
  if (m.threadOf != null) uris.push(threadUri(room, m.threadOf));
  if (m.thread) uris.push(threadUri(room, m.seq));
  return uris;
}

interface Listen {
  memberId: string;
  clientId: string;
  client: string;
  icon: boolean;
  stop: AbortController;
  expiry: ReturnType<typeof setTimeout>;
}

export interface FollowRoom {
  name: string;
  /** Whether the member may still read here (a member, not banned). */
  mayRead(memberId: string): boolean;
  /** The agent shows in presence for AGENT_PRESENCE_MS (room/sockets.ts). */
  agentActed(memberId: string, client: string, app: string, icon: boolean): void;
}

export class RoomFollowers {
  /** One handler per host the room is reached on (its Host check is the request's own), each with its bus. */
  readonly #handlers = new Map<string, ReturnType<typeof createMcpHandler>>();
  readonly #open = new Set<Listen>();
  #pending = new Set<string>();
  #presence: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly room: FollowRoom) {}

  get open(): number {
    return this.#open.size;
  }

  /**
   * Serves one `subscriptions/listen` request the room has already checked
   * (membership, the read scope, the rate limit). `expiresAt`: the access
   * token's expiry, ms since the epoch.
   */
  async serve(principal: AgentPrincipal, request: Request, expiresAt: number, id: unknown): Promise<Response> {
    // A client's close is not always seen here (under wrangler dev a dropped connection never reaches the
    // room), so a new listen over the limit ends the member's oldest rather than being refused.
    const mine = [...this.#open].filter((l) => l.memberId === principal.memberId);
    if (mine.length >= LISTENS_PER_MEMBER) mine[0]!.stop.abort();
    const stop = new AbortController();
    const listen: Listen = {
      memberId: principal.memberId,
      clientId: principal.clientId,
      client: principal.client,
      icon: principal.icon === true,
      stop,
      expiry: setTimeout(() => stop.abort(), Math.max(0, expiresAt - Date.now())),
    };
    const url = new URL(request.url);
    let handler = this.#handlers.get(url.hostname);
    if (!handler) {
      handler = createMcpHandler(
        // Only the listen itself is served here; its filter is honoured against these capabilities.
        () => new McpServer({ name: "Hearth", version: "1.0.0" }, { capabilities: { resources: { subscribe: true } } }),
        { route: url.pathname, allowedHostnames: [url.hostname] },
      );
      this.#handlers.set(url.hostname, handler);
    }
    const response = await handler(new Request(request, { signal: stop.signal }), {}, { props: { memberId: principal.memberId } } as unknown as ExecutionContext);
    if (!response.body || !response.headers.get("content-type")?.startsWith("text/event-stream")) {
      clearTimeout(listen.expiry);
      return response;
    }
    this.#open.add(listen);
    this.room.agentActed(listen.memberId, listen.client, listen.clientId, listen.icon);
    this.#keepPresence();
    return new Response(untilClosed(response.body, () => this.#closed(listen)), response);
  }

  /** A frame the room just showed its members: the resources it changed are announced once per turn of the event loop. */
  shown(frame: ServerFrame): void {
    if (this.#open.size === 0) return;
    const uris = changedResources(this.room.name, frame);
    if (uris.length === 0) return;
    const first = this.#pending.size === 0;
    for (const uri of uris) this.#pending.add(uri);
    // A burst of messages (a batch, a replay) makes one notification per resource.
    if (first) queueMicrotask(() => this.#flush());
  }

  /** Ends the streams of a member who may no longer read here (removed, banned), or of one app of theirs (its grant was revoked). */
  endFor(memberId: string, clientId?: string): void {
    for (const listen of this.#open) if (listen.memberId === memberId && (clientId === undefined || listen.clientId === clientId)) listen.stop.abort();
  }

  #flush(): void {
    const uris = [...this.#pending];
    this.#pending = new Set();
    // Checked before every announcement, not only at listen time: a removed member's agent learns nothing more.
    for (const listen of this.#open) if (!this.room.mayRead(listen.memberId)) listen.stop.abort();
    for (const handler of this.#handlers.values()) for (const uri of uris) handler.notify.resourceUpdated(uri);
  }

  #keepPresence(): void {
    if (this.#presence) return;
    this.#presence = setInterval(() => {
      for (const listen of this.#open) {
        if (!this.room.mayRead(listen.memberId)) listen.stop.abort();
        else this.room.agentActed(listen.memberId, listen.client, listen.clientId, listen.icon);
      }
    }, AGENT_PRESENCE_MS / 2);
  }

  #closed(listen: Listen): void {
    if (!this.#open.delete(listen)) return;
    clearTimeout(listen.expiry);
    listen.stop.abort();
    if (this.#open.size === 0 && this.#presence) {
      clearInterval(this.#presence);
      this.#presence = null;
    }
  }
}

/** The same bytes, and `done` once the stream ends either way (finished, cancelled by the client, aborted here). */
function untilClosed(body: ReadableStream<Uint8Array>, done: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream({
    async pull(controller) {
      try {
        const { done: end, value } = await reader.read();
        if (end) {
          done();
          controller.close();
        } else controller.enqueue(value);
      } catch (err) {
        done();
        controller.error(err);
      }
    },
    async cancel(reason) {
      done();
      await reader.cancel(reason).catch(() => {});
    },
  });
}

export function rpcError(id: unknown, code: number, message: string): Response {
  const rpcId = typeof id === "string" || typeof id === "number" ? id : null;
  return Response.json({ jsonrpc: "2.0", id: rpcId, error: { code, message } });
}
