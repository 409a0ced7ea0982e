/**
 * The room's member sockets: fan-out, presence and typing, and frames meant
 * for some members only. Who a socket is lives in its attachment (the
 * agents SDK's connection state), so all of this works the same after a
 * wake.
 */
import type { Connection } from "agents";
import type { PresenceMember, ServerFrame } from "../../shared/protocol";
import type { ConnectionState } from "./connectionState";
import { Fanout, type Addressed } from "./fanout";
import { encode } from "./frames";
import { presenceOf, typersOf, type AgentVisit } from "./presence";

/** How long an outside agent counts as present after its last call. */
export const AGENT_PRESENCE_MS = 60_000;

/** The hibernation tag of member sockets (see ChatRoom.getConnectionTags). */
export const MEMBER_TAG = "member";

/** How long presence changes are gathered before one frame goes out. */
const PRESENCE_COALESCE_MS = 100;

export class RoomSockets {
  #presenceTimer: ReturnType<typeof setTimeout> | null = null;
  #leaving = new Set<string>();
  /**
   * Every frame to members goes through one fan-out queue (fanout.ts): at
   * once while the room is quiet, batched while it is busy, in order. The
   * runtime's own socket list is enough for it: the SDK's broadcast also
   * reads every socket's attachment on every call, which showed up as the
   * fan-out cost in the benchmarks (docs/benchmarks.md, B1/B2).
   */
  readonly #fanout: Fanout<WebSocket>;

  constructor(
    ctx: DurableObjectState,
    /** The member sockets with their attachments (the SDK's getConnections(MEMBER_TAG)). */
    private readonly connections: () => Iterable<Connection<ConnectionState>>,
    /** A presence frame went out with this many members online (the lobby's count). */
    private readonly onlineCounted: (online: number) => void,
  ) {
    this.#fanout = new Fanout({
      sockets: () => ctx.getWebSockets(MEMBER_TAG),
      // partyserver tags every socket with its connection id first.
      idOf: (ws) => ctx.getTags(ws)[0] ?? "",
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      now: () => Date.now(),
    });
  }

  /** Admitted sockets' attachments, leaving out ones that are closing. */
  *states(without: ReadonlySet<string> = new Set()): Iterable<ConnectionState> {
    for (const c of this.connections()) {
      if (!without.has(c.id) && c.state) yield c.state;
    }
  }

  /** Who is online (has a socket open), each member once: pushes, cards and the lobby count go by this. */
  online(): PresenceMember[] {
    return presenceOf(this.states());
  }

  /** What the presence list shows: the online members and the outside agents acting for members now. */
  presence(): PresenceMember[] {
    return (this.#presence ??= presenceOf(this.states(), this.agentVisits()));
  }

  /**
   * The presence list as last computed, kept while only joins happen.
   * Reading it from the attachments costs a deserialisation per socket, and
   * every join needs it at once: without the cache, n sockets reconnecting
   * together cost O(n²) reads (B10 in the benchmarks). A join adds the
   * joiner to it; anything else (a leave, a rename, a role, an agent) drops
   * it, and the coalesced flush recomputes it from the attachments.
   */
  #presence: PresenceMember[] | null = null;
  /** Who is typing, likewise: a join does not change it (a new socket is not typing). */
  #typers: ReturnType<typeof typersOf> | null = null;

  /** A socket joined (its attachment set): the list it gets now, and everyone's soon (coalesced). */
  joined(state: ConnectionState): PresenceMember[] {
    if (this.#presence) {
      const seen = this.#presence.find((m) => m.id === state.memberId);
      if (seen) seen.connections += 1;
      else this.#presence = [...this.#presence, { id: state.memberId, name: state.name, role: state.role, connections: 1 }].sort((a, b) => a.name.localeCompare(b.name));
    }
    const members = this.presence();
    if (this.#presenceTimer === null) this.#presenceTimer = setTimeout(() => this.flushPresence(), PRESENCE_COALESCE_MS);
    return members;
  }

  /**
   * Outside agents (MCP clients) count as present while they act: for
   * AGENT_PRESENCE_MS after each call. In memory only — an agent has no
   * socket, and after an eviction it is simply not "here" until its next call.
   */
  readonly #agents = new Map<string, AgentVisit & { until: number; timer: ReturnType<typeof setTimeout> }>();

  agentActed(visit: AgentVisit): void {
    this.#presence = null;
    const key = `${visit.memberId}\u0000${visit.client}`;
    const known = this.#agents.get(key);
    if (known) clearTimeout(known.timer);
    const timer = setTimeout(() => {
      this.#agents.delete(key);
      this.presenceChanged();
    }, AGENT_PRESENCE_MS);
    this.#agents.set(key, { ...visit, until: Date.now() + AGENT_PRESENCE_MS, timer });
    if (!known) this.presenceChanged();
  }

  private agentVisits(): AgentVisit[] {
    return [...this.#agents.values()];
  }

  /** The member sockets themselves, to change or close one member's. */
  members(): Iterable<Connection<ConnectionState>> {
    return this.connections();
  }

  /** Sends one serialised frame to every socket of the room (but `without`'s connection ids). */
  fanOut(frame: string, without?: ReadonlySet<string>): void {
    this.#fanout.broadcast(frame, without);
  }

  /** Sends one socket a frame, in order after everything sent to the room before it (a reply to its frame). */
  sendTo(connection: Addressed, frame: string): void {
    this.#fanout.sendTo(connection, frame);
  }

  /**
   * A socket is joining: whatever is still queued goes out now to everyone
   * else. The joiner was not there when it was sent; the state it is about
   * to get already holds it.
   */
  joining(connectionId: string): void {
    this.#fanout.flush(connectionId);
  }

  /** Sends each open socket the frame meant for its member, serialised once per member. */
  sendPerMember(build: (memberId: string) => ServerFrame): void {
    const encoded = new Map<string, string>();
    for (const c of this.connections()) {
      if (!c.state) continue;
      let frame = encoded.get(c.state.memberId);
      if (!frame) encoded.set(c.state.memberId, (frame = encode(build(c.state.memberId))));
      this.#fanout.sendTo(c, frame);
    }
  }

  /** Sends these members' sockets the frame built for each; nobody else's socket gets it. */
  sendToMembers(memberIds: ReadonlySet<string>, build: (memberId: string) => ServerFrame): void {
    if (memberIds.size === 0) return;
    const encoded = new Map<string, string>();
    for (const c of this.connections()) {
      const id = c.state?.memberId;
      if (!id || !memberIds.has(id)) continue;
      let frame = encoded.get(id);
      if (!frame) encoded.set(id, (frame = encode(build(id))));
      this.#fanout.sendTo(c, frame);
    }
  }

  /** Sends the owners' sockets a frame (built only when an owner is connected); nobody else sees it. */
  sendToOwners(build: () => ServerFrame): void {
    let frame: string | undefined;
    for (const c of this.connections()) {
      if (c.state?.role !== "owner") continue;
      this.#fanout.sendTo(c, (frame ??= encode(build())));
    }
  }

  /**
   * Presence changes are coalesced: a burst of joins or leaves becomes one
   * presence frame per PRESENCE_COALESCE_MS instead of one per socket to
   * every socket (O(n²) frames when a big room fills up). A joiner gets its
   * own copy at once. The timer is short next to the ~10 s an idle room
   * needs before it can be evicted, so it always fires.
   */
  presenceChanged(without?: string): void {
    if (without) this.#leaving.add(without);
    this.#presence = null;
    this.#typers = null;
    this.#presenceTimer ??= setTimeout(() => this.flushPresence(), PRESENCE_COALESCE_MS);
  }

  private flushPresence(): void {
    this.#presenceTimer = null;
    const leaving = this.#leaving;
    this.#leaving = new Set();
    const members = presenceOf(this.states(leaving), this.agentVisits());
    // Still current unless a socket closes before its close event removed it from the runtime's list.
    if (leaving.size === 0) this.#presence = members;
    this.fanOut(encode({ type: "presence", members }), leaving);
    this.onlineCounted(members.filter((m) => m.connections > 0).length);
  }

  /** Everyone (but `without`, a socket that is closing) learns who is typing. */
  typingChanged(without?: string): void {
    const skip = new Set(without ? [without] : []);
    const typers = typersOf(this.states(skip), Date.now());
    this.#typers = without ? null : typers;
    this.fanOut(encode({ type: "typing", typers }), skip);
  }

  /** Who is typing now, for a joining socket. */
  typers() {
    const now = Date.now();
    return (this.#typers ??= typersOf(this.states(), now)).filter((t) => t.until > now);
  }
}
