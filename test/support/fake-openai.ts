/**
 * A scripted OpenAI-compatible chat-completions server (streaming SSE), for
 * tests that drive the real provider path (`@ai-sdk/openai-compatible` inside
 * workerd) without a real model. Each request plays the next script.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export interface CompletionScript {
  /** Text deltas, sent one SSE event each. */
  chunks: string[];
  /** Pause between chunks. */
  delayMs?: number;
  /** Stop after the chunks without finishing, holding the response open. */
  hang?: boolean;
  /** Tool calls the model makes after its text (the answer then finishes with `tool_calls`). */
  toolCalls?: Array<{ id?: string; name: string; arguments: unknown }>;
}

export interface FakeOpenAI {
  baseUrl: string;
  requests: Array<{
    model: string;
    messages: Array<{ role: string; content: unknown }>;
    tools?: Array<{ function: { name: string } }>;
    temperature?: number;
    /** The request's Authorization header (not part of the body; recorded here). */
    authorization?: string;
  }>;
  /** Resolves when a request has started streaming (for crash tests). */
  streaming: Promise<void>;
  close(): Promise<void>;
}

export interface FakeOpenAIOptions {
  /** Listen here instead of a free port (e.g. Ollama's 11434, to be found the way `npm start` finds a local model). */
  port?: number;
  /** What GET /v1/models lists, in order (default: one "scripted-model"). */
  models?: string[];
  /**
   * Requests without `Authorization: Bearer <apiKey>` get a 401 that quotes
   * the key they gave, as OpenAI's does — for tests that no key is shown.
   */
  apiKey?: string;
}

export async function startFakeOpenAI(scripts: CompletionScript[], options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const requests: FakeOpenAI["requests"] = [];
  const open = new Set<ServerResponse>();
  let markStreaming!: () => void;
  const streaming = new Promise<void>((r) => (markStreaming = r));

  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    if (options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      const given = req.headers.authorization?.replace(/^Bearer /, "") ?? "";
      const error = { message: `Incorrect API key provided: ${given}. You can find your API key in your account.`, type: "invalid_request_error", code: "invalid_api_key" };
      res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error }));
      return;
    }
    if (req.method === "GET" && req.url === "/v1/models") {
      const data = (options.models ?? ["scripted-model"]).map((id) => ({ id, object: "model", owned_by: "test" }));
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ object: "list", data }));
      return;
    }
    if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
      res.writeHead(404).end();
      return;
    }
    let body = "";
    for await (const chunk of req) body += chunk;
    const parsed = JSON.parse(body) as FakeOpenAI["requests"][number];
    parsed.authorization = req.headers.authorization;
    requests.push(parsed);
    const script = scripts[Math.min(requests.length - 1, scripts.length - 1)]!;
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    open.add(res);
    res.on("close", () => open.delete(res));
    const event = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
    const base = { id: "chatcmpl-test", object: "chat.completion.chunk", created: 1, model: parsed.model };
    event({ ...base, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] });
    markStreaming();
    for (const content of script.chunks) {
      if (script.delayMs) await new Promise((r) => setTimeout(r, script.delayMs));
      if (res.destroyed) return;
      event({ ...base, choices: [{ index: 0, delta: { content }, finish_reason: null }] });
    }
    if (script.hang) return;
    const calls = script.toolCalls ?? [];
    calls.forEach((call, index) =>
      event({
        ...base,
        choices: [
          {
            index: 0,
            delta: {
              tool_calls: [
                { index, id: call.id ?? `call_${requests.length}_${index}`, type: "function", function: { name: call.name, arguments: JSON.stringify(call.arguments) } },
              ],
            },
            finish_reason: null,
          },
        ],
      }),
    );
    event({
      ...base,
      choices: [{ index: 0, delta: {}, finish_reason: calls.length > 0 ? "tool_calls" : "stop" }],
      usage: { prompt_tokens: 12, completion_tokens: script.chunks.length, total_tokens: 12 + script.chunks.length },
    });
    res.end("data: [DONE]\n\n");
  });
  await new Promise<void>((r) => server.listen(options.port ?? 0, "127.0.0.1", r));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    streaming,
    close: () =>
      new Promise<void>((r) => {
        for (const res of open) res.destroy();
        server.close(() => r());
      }),
  };
}
