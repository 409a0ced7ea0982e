/**
 * The egress guard's fetch (what every MCP connection and its OAuth
 * requests go through) against real local HTTP servers: `origin` redirects,
 * `other` is a different origin (another port) that records everything it
 * receives. Credentials — Authorization, cookies, custom headers, a token
 * request's body — must never reach `other` through a redirect.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { guardedFetch } from "../../server/egress";
import { freePort } from "../support/dev-server";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

let origin: Server;
let other: Server;
let originBase: string;
let otherBase: string;
/** Requests that reached the other origin. */
let stolen: Seen[] = [];
/** Requests that reached the origin's /echo. */
let echoed: Seen[] = [];
let otherHit: (() => void) | null = null;

const SECRET = "Bearer secret-token-7f3a";
const TOKEN_BODY = "grant_type=authorization_code&code=code-1234&code_verifier=verifier-5678&client_secret=cs-9abc";
const fetchGuarded = guardedFetch(["127.0.0.1:*"]);

async function read(req: IncomingMessage): Promise<Seen> {
  let body = "";
  for await (const chunk of req) body += chunk;
  return { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
}

async function listen(handler: Parameters<typeof createServer>[1]): Promise<[Server, string]> {
  const port = await freePort();
  const srv = createServer(handler);
  await new Promise<void>((r) => srv.listen(port, "127.0.0.1", r));
  return [srv, `http://127.0.0.1:${port}`];
}

beforeAll(async () => {
  [other, otherBase] = await listen(async (req, res) => {
    stolen.push(await read(req));
    otherHit?.();
    if (req.url === "/slow") {
      // Answers late: a hop that kept the caller's signal is aborted first.
      setTimeout(() => res.end("late"), 3_000).unref();
      return;
    }
    res.end("other");
  });
  [origin, originBase] = await listen(async (req, res) => {
    const seen = await read(req);
    const to = (status: number, location: string) => {
      res.writeHead(status, { Location: location });
      res.end();
    };
    const path = req.url ?? "";
    const match = /^\/(\d{3})-(other|same|slow)$/.exec(path);
    if (match) return to(Number(match[1]), match[2] === "same" ? "/echo" : match[2] === "slow" ? `${otherBase}/slow` : `${otherBase}/sink`);
    if (path === "/mcp") return to(307, `${otherBase}/mcp`);
    if (path === "/loop") return to(302, "/loop");
    if (path === "/echo") {
      echoed.push(seen);
      return res.end("echo");
    }
    res.writeHead(404);
    res.end();
  });
});

afterAll(async () => {
  await Promise.all([origin, other].map((s) => new Promise<void>((r) => s.close(() => r()))));
});

beforeEach(() => {
  stolen = [];
  echoed = [];
  otherHit = null;
});

const credentialed = () => ({
  Authorization: SECRET,
  Cookie: "sid=cookie-secret",
  "X-Api-Key": "key-secret",
  "Mcp-Session-Id": "session-secret",
  Accept: "application/json",
});

/** Every secret the caller sent, to look for anywhere in what `other` saw. */
const SECRETS = ["secret-token-7f3a", "cookie-secret", "key-secret", "session-secret", "code-1234", "verifier-5678", "cs-9abc"];
const leaked = () => SECRETS.filter((s) => JSON.stringify(stolen).includes(s));

describe("the egress guard's fetch and redirects", () => {
  it.each([301, 302, 303, 307, 308])("follows a %i GET to another origin without Authorization, cookies or custom headers", async (status) => {
    const response = await fetchGuarded(`${originBase}/${status}-other`, { headers: credentialed() });
    expect(await response.text()).toBe("other");
    expect(stolen).toHaveLength(1);
    expect(stolen[0]!.headers.accept).toBe("application/json");
    expect(stolen[0]!.headers.authorization).toBeUndefined();
    expect(leaked()).toEqual([]);
  });

  it.each([301, 302, 303])("turns a token POST redirected with %i into a GET without its body or credentials", async (status) => {
    const response = await fetchGuarded(`${originBase}/${status}-other`, {
      method: "POST",
      headers: { ...credentialed(), "Content-Type": "application/x-www-form-urlencoded" },
      body: TOKEN_BODY,
    });
    expect(response.status).toBe(200);
    expect(stolen).toMatchObject([{ method: "GET", body: "" }]);
    expect(stolen[0]!.headers["content-type"]).toBeUndefined();
    expect(leaked()).toEqual([]);
  });

  it.each([307, 308])("refuses a %i that would send a token request's body to another origin", async (status) => {
    const attempt = fetchGuarded(`${originBase}/${status}-other`, { method: "POST", headers: credentialed(), body: TOKEN_BODY });
    await expect(attempt).rejects.toMatchObject({ name: "EgressError", rule: "cross_origin_redirect" });
    await expect(attempt).rejects.toThrow(/refused by the egress guard \(cross_origin_redirect\)/);
    expect(stolen).toEqual([]);
  });

  it("keeps the method, body and credentials on a 307 within the origin", async () => {
    const response = await fetchGuarded(`${originBase}/307-same`, { method: "POST", headers: credentialed(), body: TOKEN_BODY });
    expect(await response.text()).toBe("echo");
    expect(echoed).toMatchObject([{ method: "POST", body: TOKEN_BODY, headers: { authorization: SECRET, "x-api-key": "key-secret" } }]);
  });

  it("returns the redirect itself for redirect: 'manual' and throws for 'error', following nothing", async () => {
    const manual = await fetchGuarded(`${originBase}/307-other`, { method: "POST", headers: credentialed(), body: TOKEN_BODY, redirect: "manual" });
    expect(manual.status).toBe(307);
    expect(manual.headers.get("location")).toBe(`${otherBase}/sink`);
    await expect(fetchGuarded(`${originBase}/302-other`, { headers: credentialed(), redirect: "error" })).rejects.toThrow(/redirect mode is "error"/);
    expect(stolen).toEqual([]);
  });

  it("aborts a later hop with the caller's signal", async () => {
    const controller = new AbortController();
    otherHit = () => controller.abort(new Error("caller gave up"));
    const started = Date.now();
    await expect(fetchGuarded(`${originBase}/302-slow`, { signal: controller.signal })).rejects.toThrow(/caller gave up|abort/i);
    expect(stolen).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it("stops after five redirects", async () => {
    await expect(fetchGuarded(`${originBase}/loop`)).rejects.toMatchObject({ rule: "too_many_redirects" });
  });

  it("leaves the MCP SDK's same-origin redirect rule intact: a bearer token is not sent to another origin", async () => {
    const transport = new StreamableHTTPClientTransport(new URL(`${originBase}/mcp`), {
      fetch: fetchGuarded,
      requestInit: { headers: { Authorization: SECRET } },
    });
    await transport.start();
    const initialize = {
      jsonrpc: "2.0" as const,
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "test", version: "1" } },
    };
    await expect(transport.send(initialize)).rejects.toThrow(/not followed/);
    await transport.close();
    expect(stolen).toEqual([]);
  });
});
