/**
 * The room's member sockets: fan-out, presence and typing, and frames meant
 * for some members only. Who a socket is lives in its attachment (the
 * agents SDK's connection state), so all of this works the same after a
 * wake.
 */
import type { Connection } from "agents";
import type { PresenceMember, ServerFrame } from "../../shared/protocol";
import type { ConnectionState } from "./connectionState";
import { encode } from "./frames";
import { presenceOf, typersOf } from "./presence";

/** The hibernation tag of member sockets (see ChatRoom.getConnectionTags). */
export const MEMBER_TAG = "member";

/** How long presence changes are gathered before one frame goes out. */
const PRESENCE_COALESCE_MS = 100;

export class RoomSockets {
  #presenceTimer: ReturnType<typeof setTimeout> | null = null;
  #leaving = new Set<string>();

  constructor(
    private readonly ctx: DurableObjectState,
    /** The member sockets with their attachments (the SDK's getConnections(MEMBER_TAG)). */
    private readonly connections: () => Iterable<Connection<ConnectionState>>,
    /** A presence frame went out with this many members online (the lobby's count). */
    private readonly onlineCounted: (online: number) => void,
  ) {}

  /** Admitted sockets' attachments, leaving out ones that are closing. */
  *states(without: ReadonlySet<string> = new Set()): Iterable<ConnectionState> {
    for (const c of this.connections()) {
      if (!without.has(c.id) && c.state) yield c.state;
    }
  }

  /** Who is online, each member once. */
  online(): PresenceMember[] {
    return presenceOf(this.states());
  }

  /** The member sockets themselves, to change or close one member's. */
  members(): Iterable<Connection<ConnectionState>> {
    return this.connections();
  }

  /**
   * Sends one serialised frame to every socket of the room. The runtime's
   * own socket list is enough here: the SDK's broadcast also reads every
   * socket's attachment on every call, which showed up as the fan-out cost
   * in the benchmarks (docs/benchmarks.md, B1/B2).
   */
  fanOut(frame: string, without?: ReadonlySet<string>): void {
    for (const ws of this.ctx.getWebSockets(MEMBER_TAG)) {
      // partyserver tags every socket with its connection id first.
      if (without?.size && without.has(this.ctx.getTags(ws)[0] ?? "")) continue;
      try {
        ws.send(frame);
      } catch {
        // A socket closing right now: its close handler updates presence.
      }
    }
  }

  /** Sends each open socket the frame meant for its member, serialised once per member. */
  sendPerMember(build: (memberId: string) => ServerFrame): void {
    const encoded = new Map<string, string>();
    for (const c of this.connections()) {
      if (!c.state) continue;
      let frame = encoded.get(c.state.memberId);
      if (!frame) encoded.set(c.state.memberId, (frame = encode(build(c.state.memberId))));
      c.send(frame);
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
      try {
        c.send(frame);
      } catch {
        // closing
      }
    }
  }

  /** Sends the owners' sockets a frame (built only when an owner is connected); nobody else sees it. */
  sendToOwners(build: () => ServerFrame): void {
    let frame: string | undefined;
    for (const c of this.connections()) {
      if (c.state?.role !== "owner") continue;
      try {
        c.send((frame ??= encode(build())));
      } catch {
        // closing
      }
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
    this.#presenceTimer ??= setTimeout(() => this.flushPresence(), PRESENCE_COALESCE_MS);
  }

  private flushPresence(): void {
    this.#presenceTimer = null;
    const leaving = this.#leaving;
    this.#leaving = new Set();
    const members = presenceOf(this.states(leaving));
    this.fanOut(encode({ type: "presence", members }), leaving);
    this.onlineCounted(members.length);
  }

  /** Everyone (but `without`, a socket that is closing) learns who is typing. */
  typingChanged(without?: string): void {
    const skip = new Set(without ? [without] : []);
    this.fanOut(encode({ type: "typing", typers: typersOf(this.states(skip), Date.now()) }), skip);
  }

  /** Who is typing now, for a joining socket. */
  typers() {
    return typersOf(this.states(), Date.now());
  }
}
