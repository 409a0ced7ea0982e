/**
 * Hearth's MCP endpoint against the MCP project's conformance suite
 * (`@modelcontextprotocol/conformance`, its server scenarios), under real
 * `wrangler dev`. The suite connects without credentials, and the endpoint
 * refuses anyone without a token, so a member first authorizes a client
 * through the consent page (test/support/mcp-agent.ts) and a small local
 * proxy adds that member's access token to each request the suite makes —
 * as an MCP client holding a grant would.
 *
 * The scenarios that apply to a server with Hearth's own tools run and
 * must pass. The rest are listed in `mcp-conformance-baseline.yml` with
 * why they do not apply (most call the suite's reference tools, such as
 * `test_simple_text`, which only its reference server has): the suite
 * fails on a listed scenario that starts passing, as on a new failure, so
 * the list cannot go stale.
 */
import { execFile } from "node:child_process";
import { createServer, request, type Server } from "node:http";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startDevServer, type DevServer } from "../support/dev-server";
import { createSession, NodeMember } from "../support/node-member";
import { connectAgent, type ConnectedAgent } from "../support/mcp-agent";

const run = promisify(execFile);
const CLI = join(import.meta.dirname, "../../node_modules/@modelcontextprotocol/conformance/dist/index.js");
const BASELINE = join(import.meta.dirname, "mcp-conformance-baseline.yml");

let server: DevServer;
let agent: ConnectedAgent;
let proxy: Server;
let proxyUrl: string;

/** Forwards to the dev server with the member's token; the body streams both ways (SSE answers included). */
function tokenProxy(target: URL, token: string): Server {
  return createServer((req, res) => {
    const upstream = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host, authorization: `Bearer ${token}` } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
}

beforeAll(async () => {
  server = await startDevServer({ port: await freePort() });
  const alice = await createSession(server.url, "alice");
  const room = await NodeMember.connect(server.url, "conformance", alice.token);
  await room.next("snapshot");
  room.close();
  agent = await connectAgent(server.url, "Conformance", alice.token, { rooms: "all", scopes: ["post", "remind"] });
  const token = agent.oauth.tokens()?.access_token;
  if (!token) throw new Error("no access token after consent");
  proxy = tokenProxy(new URL(server.url), token);
  const port = await freePort();
  await new Promise<void>((resolve) => proxy.listen(port, "127.0.0.1", resolve));
  proxyUrl = `http://127.0.0.1:${port}/mcp`;
}, 120_000);

afterAll(async () => {
  await agent?.close().catch(() => {});
  await new Promise((resolve) => (proxy ? proxy.close(resolve) : resolve(undefined)));
  await server?.stop();
});

describe("the MCP conformance suite", () => {
  it("passes every server scenario that applies, and fails only those the baseline names", async () => {
    const out = mkdtempSync(join(tmpdir(), "hearth-conformance-"));
    const result = await run(process.execPath, [CLI, "server", "--url", proxyUrl, "--expected-failures", BASELINE, "-o", out], { timeout: 240_000 }).then(
      (r) => ({ code: 0, ...r }),
      (err: { code?: number; stdout?: string; stderr?: string }) => ({ code: err.code ?? 1, stdout: err.stdout ?? "", stderr: err.stderr ?? "" }),
    );
    // Each scenario leaves its checks; the applicable ones must all have run and passed.
    const checks = readdirSync(out).flatMap((dir) => {
      try {
        return JSON.parse(readFileSync(join(out, dir, "checks.json"), "utf8")) as Array<{ id: string; status: string }>;
      } catch {
        return [];
      }
    });
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    const passed = new Set(checks.filter((c) => c.status === "SUCCESS").map((c) => c.id));
    for (const id of ["server-initialize", "ping", "tools-list", "resources-list", "prompts-list"]) expect(passed, id).toContain(id);
  }, 300_000);
});
