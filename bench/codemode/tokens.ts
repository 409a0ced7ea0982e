/**
 * Code Mode benchmark: tokens of tool context sent to the model, direct
 * versus code mode, for (a) the reference MCP server alone and (b) that
 * server plus every operation of GitHub's REST API as MCP tools (~1,200);
 * and the model round trips for a five-step tool chain.
 *
 * Everything is real except the model: `wrangler dev` runs the app, the
 * room connects to both MCP servers over streamable HTTP, and a scripted
 * OpenAI-compatible server records exactly what the room sends it. Tokens
 * are counted with the o200k_base tokenizer (js-tiktoken) over the `tools`
 * array of the request — the tool context the model pays for on every call.
 *
 *   npm run bench:codemode
 */
import { writeFileSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { getEncoding } from "js-tiktoken";
import { freePort, startDevServer } from "../../test/support/dev-server.ts";
import { startFakeOpenAI, type CompletionScript } from "../../test/support/fake-openai";
import { startEverything } from "../../test/support/mcp-everything";
import { createSession, NodeMember } from "../../test/support/node-member";
import { startOpenApiMcp } from "./openapi-mcp";

const encoder = getEncoding("o200k_base");
const tokens = (value: unknown) => encoder.encode(JSON.stringify(value ?? null)).length;

/** The five-step chain, as five direct tool calls… */
const DIRECT_CHAIN: CompletionScript[] = [
  { chunks: [], toolCalls: [{ name: "everything__get-sum", arguments: { a: 1, b: 2 } }] },
  { chunks: [], toolCalls: [{ name: "everything__echo", arguments: { message: "3" } }] },
  { chunks: [], toolCalls: [{ name: "everything__get-sum", arguments: { a: 3, b: 4 } }] },
  { chunks: [], toolCalls: [{ name: "everything__echo", arguments: { message: "7" } }] },
  { chunks: [], toolCalls: [{ name: "everything__get-sum", arguments: { a: 7, b: 1 } }] },
  { chunks: ["The chain ends at 8."] },
];

/** …and as one code run (it looks the tools up first, as a model would in a large catalog). */
const CODE = `async () => {
  const found = typeof codemode.search_tools === "function" ? await codemode.search_tools({ query: "sum echo everything" }) : [];
  let x = await codemode.everything__get_sum({ a: 1, b: 2 });
  await codemode.everything__echo({ message: JSON.stringify(x) });
  x = await codemode.everything__get_sum({ a: 3, b: 4 });
  await codemode.everything__echo({ message: JSON.stringify(x) });
  x = await codemode.everything__get_sum({ a: 7, b: 1 });
  return { found: found.length, last: x };
}`;
const CODE_CHAIN: CompletionScript[] = [{ chunks: [], toolCalls: [{ name: "code", arguments: { code: CODE } }] }, { chunks: ["The chain ends at 8."] }];

async function main() {
  const everything = await startEverything();
  const github = await startOpenApiMcp(await freePort());
  const scripts = [...DIRECT_CHAIN, ...CODE_CHAIN, ...DIRECT_CHAIN, ...CODE_CHAIN];
  const model = await startFakeOpenAI(scripts);
  const app = await startDevServer({
    vars: {
      MCP_ALLOW_HOSTS: `127.0.0.1:${everything.port},127.0.0.1:${new URL(github.url).port}`,
      AI_PROVIDER: "openai-compatible",
      OPENAI_BASE_URL: model.baseUrl,
      AI_MODEL: "scripted",
      ASSISTANT_MAX_STEPS: "10",
      ASSISTANT_MEMBER_TURNS_PER_MINUTE: "100",
      ASSISTANT_ROOM_TURNS_PER_MINUTE: "100",
      ASSISTANT_MEMBER_TOKENS_PER_DAY: "100000000",
      ASSISTANT_ROOM_TOKENS_PER_DAY: "100000000",
    },
  });
  const rows: Array<Record<string, unknown>> = [];
  try {
    const owner = await createSession(app.url, "bench");
    const m = await NodeMember.connect(app.url, "codemode-bench", owner.token);
    await m.next("snapshot");
    const command = async (text: string) => {
      const id = crypto.randomUUID();
      m.send({ type: "command", id, text });
      const r = await m.next("command_result", (f) => f.id === id, 120_000);
      if (!r.ok) throw new Error(`${text}: ${r.text}`);
    };
    let turns = 0;
    const turn = async (catalog: string, mode: "direct" | "code") => {
      await command(`/codemode ${mode}`);
      const first = model.requests.length;
      m.send({ type: "send", id: crypto.randomUUID(), text: "@assistant run the five-step chain" });
      turns += 1;
      const done = await m.next(
        "message_updated",
        (f) => f.message.kind === "assistant" && (f.message.status === "done" || f.message.status === "failed") && m.all("message_updated").filter((x) => x.message.kind === "assistant" && x.message.status !== "streaming").indexOf(f) === turns - 1,
        180_000,
      );
      if (done.message.status !== "done") throw new Error(`turn failed: ${JSON.stringify(done.message.parts.at(-1))}`);
      const requests = model.requests.slice(first);
      const offered = requests[0]!.tools ?? [];
      rows.push({
        catalog,
        mode,
        toolsOffered: offered.length,
        toolContextTokens: tokens(offered),
        modelRoundTrips: requests.length,
        toolCalls: done.message.parts.length,
      });
    };

    await command(`/mcp add everything ${everything.url}`);
    await m.next("mcp", (f) => f.servers.some((s) => s.name === "everything" && s.state === "ready"), 60_000);
    await turn("server-everything", "direct");
    await turn("server-everything", "code");

    await command(`/mcp add github ${github.url}`);
    await m.next("mcp", (f) => f.servers.some((s) => s.name === "github" && s.state === "ready"), 120_000);
    await turn(`server-everything + GitHub REST (${github.tools.length} operations)`, "direct");
    await turn(`server-everything + GitHub REST (${github.tools.length} operations)`, "code");
    m.close();
  } finally {
    await app.stop();
    await model.close();
    await github.stop();
    await everything.stop();
  }

  console.table(rows);
  const out = resolve(import.meta.dirname, "../results/codemode-tokens.json");
  mkdirSync(resolve(out, ".."), { recursive: true });
  writeFileSync(out, JSON.stringify({ at: new Date().toISOString(), tokenizer: "o200k_base", rows }, null, 2));
  console.log(`written ${out}`);
}

await main();
