/**
 * What the assistant is doing, for every member's member list: thinking,
 * writing, calling a tool, waiting for someone's approval, idle, or not
 * connected to any model.
 *
 * Only a running turn's activity lives in memory: a turn runs while the
 * instance is held awake, and a new instance has none running. What
 * outlives an eviction (a turn waiting for approval, no model) is derived
 * from storage and configuration by the caller (`Assistant.status`).
 * A frame goes out only when the status really changes, so a stream of
 * text deltas costs one `assistant_status` frame, not one per delta.
 */
import type { AssistantActivity, AssistantStatus, ServerFrame } from "../../shared/protocol";

export const IDLE: AssistantStatus = { activity: "idle", tool: null, seq: null };

export class StatusBoard {
  #live: AssistantStatus | null = null;
  #sent: AssistantStatus | null = null;
  constructor(private readonly broadcast: (frame: ServerFrame) => void) {}

  /** The running turn's activity, or null when no turn runs in this instance. */
  get live(): AssistantStatus | null {
    return this.#live;
  }

  /** A turn's activity changed (`tool`: the model's tool name, shown as `server.tool` for MCP tools). */
  set(activity: AssistantActivity, seq: number, tool?: string): void {
    this.#live = { activity, seq, tool: tool ? displayToolName(tool) : null };
  }

  /** The turn ended (or paused with its state in storage). */
  clear(): void {
    this.#live = null;
  }

  /** Sends `status` to every member unless it is what they were last sent. */
  publish(status: AssistantStatus): void {
    const last = this.#sent;
    if (last && last.activity === status.activity && last.tool === status.tool && last.seq === status.seq) return;
    this.#sent = status;
    this.broadcast({ type: "assistant_status", status });
  }
}

/** MCP tools reach the model as `server__tool`; people know them as `server.tool`. */
export function displayToolName(name: string): string {
  return name.replace("__", ".");
}
