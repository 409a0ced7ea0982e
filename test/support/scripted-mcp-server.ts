/**
 * A small stateless MCP server (the MCP SDK's low-level Server over
 * streamable HTTP) whose tools are given by the test: their names and
 * annotations, what they answer, and whether they fail with a JSON-RPC
 * error *after* doing their work — the shape of a non-idempotent tool whose
 * error text happens to say "session". It counts every HTTP request and
 * every call per tool, and can be switched to answer 500 to everything.
 */
import type { Server as HttpServer } from "node:http";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError } from "@modelcontextprotocol/sdk/types.js";
import express from "express";
import { freePort } from "./dev-server";

export interface ScriptedTool {
  name: string;
  readOnly?: boolean;
  /** What a call answers (default: "<name> ran"). */
  text?: string;
  /** Counts the call, then answers a JSON-RPC error with this message. */
  failWith?: string;
}

export interface ScriptedMcpServer {
  url: string;
  port: number;
  /** Calls per tool name. */
  calls: Record<string, number>;
  /** Every HTTP request received. */
  requests(): number;
  /** Answer 500 to everything (a server that cannot be connected). */
  setBroken(broken: boolean): void;
  stop(): Promise<void>;
}

export async function startScriptedMcpServer(tools: ScriptedTool[]): Promise<ScriptedMcpServer> {
  const port = await freePort();
  const calls: Record<string, number> = {};
  let requests = 0;
  let broken = false;
  const app = express();
  app.use(express.json());
  app.use((_req, res, next) => {
    requests += 1;
    if (broken) res.status(500).json({ error: "broken on purpose" });
    else next();
  });
  app.post("/mcp", async (req, res) => {
    const server = new Server({ name: "scripted", version: "1.0.0" }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, async () => ({
      tools: tools.map((t) => ({
        name: t.name,
        description: `The ${t.name} tool.`,
        inputSchema: { type: "object" as const, properties: {} },
        annotations: { readOnlyHint: t.readOnly === true },
      })),
    }));
    server.setRequestHandler(CallToolRequestSchema, async (request) => {
      const tool = tools.find((t) => t.name === request.params.name);
      if (!tool) throw new McpError(ErrorCode.InvalidParams, `unknown tool ${request.params.name}`);
      calls[tool.name] = (calls[tool.name] ?? 0) + 1;
      if (tool.failWith) throw new McpError(ErrorCode.InternalError, tool.failWith);
      return { content: [{ type: "text", text: tool.text ?? `${tool.name} ran` }] };
    });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  app.all("/mcp", (_req, res) => res.status(405).end());
  const http: HttpServer = await new Promise((resolve) => {
    const s = app.listen(port, "127.0.0.1", () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    port,
    calls,
    requests: () => requests,
    setBroken: (b) => (broken = b),
    stop: () =>
      new Promise<void>((r) => {
        http.closeAllConnections();
        http.close(() => r());
      }),
  };
}
