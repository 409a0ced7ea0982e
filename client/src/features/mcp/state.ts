/** The MCP slice: the room's servers and recent calls, from the last `mcp` frame; the last prompt-argument completions. */
import type { z } from "zod";
import type { McpAuditView, McpServerView } from "../../../../shared/protocol";
import type { FrameReducers } from "../room/slice";

export type McpAuditEntry = z.infer<typeof McpAuditView>;

export interface McpState {
  mcp: { servers: McpServerView[]; audit: McpAuditEntry[] };
  /** The answer to the last `mcp_complete` (matched by id: an older answer arriving late is not shown). */
  mcpCompletion: { id: string; values: string[] } | null;
}

export const initialMcp = (): McpState => ({ mcp: { servers: [], audit: [] }, mcpCompletion: null });

export const mcpFrames: FrameReducers<McpState, "mcp" | "mcp_completion"> = {
  mcp: (state, frame) => ({ ...state, mcp: { servers: frame.servers, audit: frame.audit } }),
  mcp_completion: (state, frame) => ({ ...state, mcpCompletion: { id: frame.id, values: frame.values } }),
};
