/**
 * A local MCP server exposing every operation of GitHub's REST API (from
 * the @octokit/openapi package, ~1,200 operations) as a tool: name from the
 * operationId, description from the summary, input schema from the path and
 * query parameters and the JSON request body. Calls return a canned
 * `{ operation, arguments }` echo — the benchmark measures tool *context*,
 * not GitHub.
 */
import { createRequire } from "node:module";
import { createServer, type Server as HttpServer } from "node:http";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";

interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  parameters?: Array<{ name: string; in: string; required?: boolean; description?: string; schema?: unknown }>;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
}

export interface ApiTool {
  name: string;
  description: string;
  inputSchema: { type: "object"; properties: Record<string, unknown>; required?: string[] };
}

/** One tool per operation, names shortened to what MCP clients accept. */
export function githubTools(): ApiTool[] {
  const require = createRequire(import.meta.url);
  const spec = require("@octokit/openapi/generated/api.github.com.deref.json") as { paths: Record<string, Record<string, Operation>> };
  const tools: ApiTool[] = [];
  const seen = new Set<string>();
  for (const ops of Object.values(spec.paths)) {
    for (const op of Object.values(ops)) {
      if (!op?.operationId) continue;
      let name = op.operationId.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 60);
      while (seen.has(name)) name = `${name}_`;
      seen.add(name);
      const properties: Record<string, unknown> = {};
      const required: string[] = [];
      for (const p of op.parameters ?? []) {
        if (p.in !== "path" && p.in !== "query") continue;
        properties[p.name] = { ...(p.schema as object), description: p.description?.slice(0, 200) };
        if (p.required) required.push(p.name);
      }
      const body = op.requestBody?.content?.["application/json"]?.schema;
      if (body) properties.body = body;
      tools.push({
        name,
        description: (op.summary ?? op.description ?? name).slice(0, 300),
        inputSchema: { type: "object", properties, ...(required.length ? { required } : {}) },
      });
    }
  }
  return tools;
}

export async function startOpenApiMcp(port: number): Promise<{ url: string; tools: ApiTool[]; stop(): Promise<void> }> {
  const tools = githubTools();
  const http: HttpServer = createServer(async (req, res) => {
    if (req.method !== "POST" || !req.url?.startsWith("/mcp")) {
      res.writeHead(405).end();
      return;
    }
    let raw = "";
    for await (const chunk of req) raw += chunk;
    // Stateless: a server and transport per request.
    const server = new Server({ name: "github-openapi", version: "1.0.0" }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools }));
    server.setRequestHandler(CallToolRequestSchema, async (request) => ({
      content: [{ type: "text", text: JSON.stringify({ operation: request.params.name, arguments: request.params.arguments ?? {} }) }],
    }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, JSON.parse(raw));
  });
  await new Promise<void>((r) => http.listen(port, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${port}/mcp`, tools, stop: () => new Promise((r) => http.close(() => r())) };
}
