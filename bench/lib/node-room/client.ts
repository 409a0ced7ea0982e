/**
 * A Hearth room client for Node that runs the React client's own connection
 * code: partysocket's reconnecting WebSocket with the options useRoom.ts
 * gives it, the same frame parsing (`parseFrame` + `framesOf`), the same
 * reducer (`roomReducer`: snapshot / catchup / ack / pending confirmation),
 * `since` = the reducer's `rev` on every (re)connect, and the same resend of
 * `unsentMessages` after each `welcome`.
 *
 * useRoom.ts is a React hook, so its ~40 lines of socket wiring cannot be
 * imported; they are mirrored here line for line (see the comments naming
 * the hook's parts), and everything that decides *state* is imported from
 * client/src unchanged. Bundled by esbuild at run time (../hearthClient.ts),
 * because the client's modules use bundler-style imports.
 */
import PartySocket from "partysocket";
import WebSocket from "ws";
import { framesOf, WireFrame, type ServerFrame } from "../../../shared/protocol.ts";
import { initialRoomState, roomReducer, type RoomAction, type RoomState } from "../../../client/src/features/room/roomState.ts";
import { unsentMessages } from "../../../client/src/features/chat/state.ts";
import { parseFrame } from "../../../client/src/parseFrame.ts";

/** 44xx closes mean "not with these credentials" (useRoom.ts isRefusal). */
function isRefusal(code: number): boolean {
  return code >= 4400 && code < 4500;
}

export interface NodeRoomOptions {
  /** host:port the socket goes to (the drop proxy in B9). */
  host: string;
  room: string;
  /** Session cookie value (A's member). */
  token: string;
  cookieName: string;
  /** Called for every server frame after the reducer applied it. */
  onFrame?: (frame: ServerFrame, client: NodeRoomClient) => void;
}

export class NodeRoomClient {
  state: RoomState = initialRoomState();
  readonly socket: PartySocket;
  /** True between a connection's `welcome` and its close (useRoom's welcomedRef). */
  welcomed = false;
  /** Connections opened (1 + reconnects), catch-ups and gap snapshots seen, frames parsed. */
  readonly counts = { opens: 0, welcomes: 0, catchups: 0, gapSnapshots: 0, resent: 0, closes: 0 };
  /** Every id ever confirmed (removed from pending): the "acknowledged" messages. */
  readonly confirmed = new Set<string>();
  private readonly opts: NodeRoomOptions;

  constructor(opts: NodeRoomOptions) {
    this.opts = opts;
    const headers = { Cookie: `${opts.cookieName}=${opts.token}`, Origin: `http://${opts.host}` };
    // ws's constructor takes headers as its third argument; partysocket calls `new WebSocket(url, protocols)`.
    class CookieWebSocket extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers, perMessageDeflate: false });
      }
    }
    this.socket = new PartySocket({
      host: opts.host,
      protocol: "ws",
      prefix: "agents",
      party: "chat-room",
      room: opts.room,
      // As useRoom: evaluated on every (re)connect, so `since` is always the latest revision.
      query: () => {
        const rev = this.state.rev;
        return { since: rev > 0 ? String(rev) : null };
      },
      maxEnqueuedMessages: 0,
      shouldReconnectOnClose: (event: { code: number }) => !isRefusal(event.code),
      WebSocket: CookieWebSocket as never,
    } as ConstructorParameters<typeof PartySocket>[0]);
    this.socket.addEventListener("open", () => this.counts.opens++);
    this.socket.addEventListener("message", (event: MessageEvent) => {
      const wire = parseFrame("room", event.data, WireFrame);
      if (wire) for (const frame of framesOf(wire)) this.onFrame(frame);
    });
    this.socket.addEventListener("close", (event: CloseEvent) => {
      this.counts.closes++;
      this.welcomed = false;
      if (!isRefusal(event.code)) this.dispatch({ type: "disconnected" });
      else this.dispatch({ type: "refused", code: event.code, reason: event.reason || "refused" });
    });
  }

  private dispatch(action: RoomAction): void {
    const before = this.state.pending;
    this.state = roomReducer(this.state, action);
    if (this.state.pending !== before) {
      const still = new Set(this.state.pending.map((p) => p.id));
      for (const p of before) if (!still.has(p.id)) this.confirmed.add(p.id);
    }
  }

  /** useRoom's onFrame. */
  private onFrame(frame: ServerFrame): void {
    if (frame.type === "catchup") this.counts.catchups++;
    if (frame.type === "snapshot" && frame.reason === "gap") this.counts.gapSnapshots++;
    this.dispatch({ type: "frame", frame });
    if (frame.type === "welcome") {
      this.welcomed = true;
      this.counts.welcomes++;
      for (const p of unsentMessages(this.state)) {
        this.counts.resent++;
        this.socket.send(JSON.stringify({ type: "send", id: p.id, text: p.text }));
      }
    }
    this.opts.onFrame?.(frame, this);
  }

  /** useRoom's transmit. */
  private transmit(frame: unknown): boolean {
    if (!this.welcomed) return false;
    return this.socket.send(JSON.stringify(frame)) as unknown as boolean;
  }

  /** actions.send: pending at once, transmitted if connected, resent after every welcome until confirmed. */
  send(id: string, text: string): void {
    this.dispatch({ type: "send", id, text, at: Date.now() });
    this.transmit({ type: "send", id, text });
  }

  /** actions.loadOlder; true when a request went out (used after the run to page back over a gap snapshot, as a member scrolling up would). */
  loadOlder(): boolean {
    const s = this.state;
    const oldest = s.messages[0]?.seq;
    if (s.loadingOlder || !s.hasMore || oldest === undefined) return false;
    if (!this.transmit({ type: "history", before: oldest })) return false;
    this.dispatch({ type: "history_requested" });
    return true;
  }

  close(): void {
    this.socket.close();
  }
}
