/**
 * The MCP servers' wiring to the agents SDK: what McpHost asks of the room,
 * bound to the room's Agent (the SDK's MCP client needs the Agent's
 * context), and the egress guard put into every connection it makes.
 */
import type { Agent } from "agents";
import type { ServerFrame } from "../../shared/protocol";
import { guardedFetch } from "../egress";
import type { Elicitations } from "./elicitation";
import type { McpHost } from "./McpServers";

/**
 * The SDK's own per-request limit (60 s by default) would cut off a member
 * filling in a server's form; the room's CallDeadline is the real limit
 * (the server's time, not the member's), this only a backstop.
 */
const SDK_REQUEST_TIMEOUT_MS = 60 * 60_000;

/** The part of the SDK's Agent the MCP servers use. */
export type McpAgent = Pick<Agent, "mcp" | "addMcpServer" | "removeMcpServer" | "getMcpServers">;

/**
 * Every MCP connection — added now or restored from storage after a wake —
 * fetches through the egress guard: the server URL, each redirect and the
 * OAuth discovery and token requests. The SDK builds all of them in
 * createConnection, so that is where the fetch goes in. (The method is
 * private in the SDK's types, hence the one cast.)
 */
export function guardMcpConnections(mcp: McpAgent["mcp"], allowHosts: string[]): void {
  const manager = mcp as unknown as {
    createConnection(id: string, url: string, options: { transport?: Record<string, unknown> }): unknown;
  };
  const create = manager.createConnection.bind(manager);
  const fetchGuarded = guardedFetch(allowHosts);
  manager.createConnection = (id, url, options) =>
    create(id, url, { ...options, transport: { ...options.transport, fetch: fetchGuarded } });
}

export function mcpHost(
  agent: McpAgent,
  room: {
    allowHosts: string[];
    /** The OAuth callback path, with the Worker's mark for this room (auth/oauthCallback.ts). */
    callbackPath(): Promise<string>;
    sendPerMember(build: (memberId: string) => ServerFrame): void;
    elicitations: Pick<Elicitations, "during">;
    personal: McpHost["personal"];
    askAssistant: McpHost["askAssistant"];
  },
): McpHost {
  return {
    allowHosts: room.allowHosts,
    // Only rooms that started a flow can be reached by a request without a
    // session: the callback path carries the mark.
    add: async (name, url) => agent.addMcpServer(name, url, { callbackPath: await room.callbackPath(), transport: { type: "streamable-http" } }),
    remove: (id) => agent.removeMcpServer(id),
    reconnect: async (id) => {
      await agent.mcp.connectToServer(id);
      await agent.mcp.discoverIfConnected(id);
    },
    state: () => agent.getMcpServers(),
    callTool: (serverId, name, args, call) =>
      room.elicitations.during({ serverId, ...call }, () =>
        agent.mcp.callTool({ serverId, name, arguments: args }, { signal: call.deadline.signal, timeout: SDK_REQUEST_TIMEOUT_MS }),
      ),
    sendPerMember: (build) => room.sendPerMember(build),
    personal: room.personal,
    askAssistant: room.askAssistant,
    getPrompt: (serverId, name, args) => agent.mcp.getPrompt({ serverId, name, arguments: args }),
    complete: async (serverId, prompt, argument) => {
      const connection = agent.mcp.mcpConnections[serverId];
      if (!connection) return [];
      const result = await connection.client.complete({ ref: { type: "ref/prompt", name: prompt }, argument });
      return result.completion.values.map((v) => v.slice(0, 200));
    },
  };
}
