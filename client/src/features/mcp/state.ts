/** The MCP slice: the room's servers and recent calls, from the last `mcp` frame. */
import type { z } from "zod";
import type { McpAuditView, McpServerView } from "../../../../shared/protocol";
import type { FrameReducers } from "../room/slice";

export type McpAuditEntry = z.infer<typeof McpAuditView>;

export interface McpState {
  mcp: { servers: McpServerView[]; audit: McpAuditEntry[] };
}

export const initialMcp = (): McpState => ({ mcp: { servers: [], audit: [] } });

export const mcpFrames: FrameReducers<McpState, "mcp"> = {
  mcp: (state, frame) => ({ ...state, mcp: { servers: frame.servers, audit: frame.audit } }),
};
