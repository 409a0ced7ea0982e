/**
 * Finds a model for `npm start` when none is configured: a local
 * OpenAI-compatible server on its usual address (Ollama, LM Studio) or at
 * OPENAI_BASE_URL, and its first chat model. Under `wrangler dev --local`
 * the Workers AI binding exists but cannot run, so without this a new user's
 * first `@assistant` would end in an error instead of an answer.
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** Where local model servers listen out of the box. */
export const LOCAL_MODEL_SERVERS = [
  { name: "Ollama", baseUrl: "http://127.0.0.1:11434/v1" },
  { name: "LM Studio", baseUrl: "http://127.0.0.1:1234/v1" },
];

/** Models a chat cannot use (embedding, speech, reranking), listed by the same servers. */
const NOT_CHAT = /embed|whisper|tts|rerank|moderation/i;

export type ModelSetup =
  | { kind: "configured"; provider: string }
  | { kind: "found"; vars: Record<string, string>; label: string }
  /** Workers AI through wrangler's remote binding (the developer is logged in); everything else stays local. */
  | { kind: "workers-ai"; vars: Record<string, string>; label: string }
  | { kind: "none"; vars: Record<string, string>; tried: string[] };

/** KEY=VALUE lines of `.dev.vars` (wrangler's dotenv file), so a variable set there counts as configured. */
export function readDevVars(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  const vars: Record<string, string> = {};
  for (const line of readFileSync(path, "utf8").split(/\r?\n/)) {
    const m = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) vars[m[1]!] = m[2]!.replace(/^(["'])(.*)\1$/, "$2");
  }
  return vars;
}

async function listModels(baseUrl: string, apiKey: string | undefined): Promise<string[] | null> {
  try {
    const res = await fetch(`${baseUrl.replace(/\/$/, "")}/models`, {
      headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
      // A server that is not there refuses at once; one that hangs must not hold up the start.
      signal: AbortSignal.timeout(1500),
    });
    if (!res.ok) return null;
    const body = (await res.json()) as { data?: Array<{ id?: unknown }> };
    return (body.data ?? []).map((m) => m.id).filter((id): id is string => typeof id === "string");
  } catch {
    return null;
  }
}

/**
 * Whether wrangler can reach Cloudflare for this developer, decided without
 * the network: an API token in the environment, or the OAuth token
 * `wrangler login` keeps in its config file (`~/.wrangler/config/default.toml`,
 * or under `$XDG_CONFIG_HOME/.wrangler`; wrangler refreshes an expired one).
 */
export function cloudflareLogin(env: Record<string, string | undefined>, home = homedir()): string | null {
  if (env.CLOUDFLARE_API_TOKEN) return "CLOUDFLARE_API_TOKEN";
  const dirs = [join(home, ".wrangler"), join(env.XDG_CONFIG_HOME || join(home, ".config"), ".wrangler")];
  for (const dir of dirs) {
    const file = join(dir, "config", "default.toml");
    if (existsSync(file) && /^\s*(oauth_token|api_token)\s*=\s*"[^"]+"/m.test(readFileSync(file, "utf8"))) return "wrangler login";
  }
  return null;
}

/** `wrangler dev`'s arguments for a setup: `--local` (no remote bindings) unless Workers AI runs remotely. */
export function devArgs(setup: ModelSetup, port: string): string[] {
  const vars = setup.kind === "configured" ? {} : setup.vars;
  return [
    "dev",
    ...(setup.kind === "workers-ai" ? [] : ["--local"]),
    "--port",
    port,
    ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
  ];
}

/**
 * The model `npm start` gives the rooms: what is configured; else a local
 * server's first chat model (free, offline); else, for a developer logged
 * in to Cloudflare, Workers AI through a remote binding; else none.
 */
export async function findModel(config: Record<string, string | undefined>, login: string | null = null): Promise<ModelSetup> {
  if (config.AI_PROVIDER === "workers-ai" && login) {
    return { kind: "workers-ai", vars: {}, label: `Workers AI (configured), through a remote binding (logged in: ${login}); everything else runs locally` };
  }
  if (config.AI_PROVIDER) return { kind: "configured", provider: config.AI_PROVIDER };
  const candidates = config.OPENAI_BASE_URL
    ? [{ name: "OPENAI_BASE_URL", baseUrl: config.OPENAI_BASE_URL }]
    : LOCAL_MODEL_SERVERS;
  for (const server of candidates) {
    const models = await listModels(server.baseUrl, config.OPENAI_API_KEY);
    const model = config.AI_MODEL ?? models?.find((id) => !NOT_CHAT.test(id));
    if (!models || !model) continue;
    return {
      kind: "found",
      vars: { AI_PROVIDER: "openai-compatible", OPENAI_BASE_URL: server.baseUrl, AI_MODEL: model },
      label: `${model} from ${server.name} at ${new URL(server.baseUrl).host}`,
    };
  }
  if (login) {
    return {
      kind: "workers-ai",
      vars: { AI_PROVIDER: "workers-ai" },
      label: `Workers AI through a remote binding (logged in to Cloudflare: ${login}); everything else runs locally`,
    };
  }
  // "none" tells the room there is no model on purpose, so a mention gets the
  // setup card rather than a failed call to a Workers AI binding that cannot run here.
  return { kind: "none", vars: { AI_PROVIDER: "none" }, tried: candidates.map((c) => `${c.name} (${c.baseUrl})`) };
}
