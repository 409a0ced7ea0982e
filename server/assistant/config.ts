/**
 * The assistant's settings and its model, read from the Worker's
 * configuration (see README → "The assistant").
 */
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import type { LanguageModel } from "ai";
import { createWorkersAI } from "workers-ai-provider";
import { settings, type SettingsSource } from "../config";
import { guardedFetch, parseAllowHosts } from "../egress";

/** The Worker's variables and bindings the assistant reads (declared in server/env.ts). */
export type AssistantEnv = SettingsSource &
  Pick<Cloudflare.Env, "AI" | "AI_PROVIDER" | "AI_MODEL" | "OPENAI_BASE_URL" | "OPENAI_API_KEY" | "ASSISTANT_NAME" | "MCP_ALLOW_HOSTS">;

export interface AssistantConfig {
  /** The name people @mention; also the author name of its messages. */
  name: string;
  /** Most model round trips (tool loop steps) in one turn. */
  maxSteps: number;
  /** Most tokens the model may write in one model call (each step of a turn). */
  maxOutputTokens: number;
  /** Budget for the transcript sent as context, in estimated tokens. */
  contextTokens: number;
  /** In "auto" tool mode: above this many tokens of tool definitions, use Code Mode. */
  toolTokens: number;
  /** Largest attached image the model is shown; 0: images are only named. */
  imageBytes: number;
  /** A call waiting for approval is denied after this long without a decision. */
  approvalExpiryMs: number;
  budgets: {
    roomTurnsPerMinute: number;
    memberTurnsPerMinute: number;
    roomTokensPerDay: number;
    memberTokensPerDay: number;
    /** Script runs (`/run`, by hand or scheduled) and scheduled jobs, per room per day. */
    roomRunsPerDay: number;
  };
}

/** Numbers come validated, with their defaults, from the one settings schema (server/config.ts). */
export function assistantConfig(env: AssistantEnv): AssistantConfig {
  const s = settings(env);
  return {
    name: (env.ASSISTANT_NAME || "assistant").toLowerCase(),
    maxSteps: s.ASSISTANT_MAX_STEPS,
    maxOutputTokens: s.ASSISTANT_MAX_OUTPUT_TOKENS,
    contextTokens: s.ASSISTANT_CONTEXT_TOKENS,
    toolTokens: s.ASSISTANT_TOOL_TOKENS,
    imageBytes: s.ASSISTANT_IMAGE_BYTES,
    approvalExpiryMs: Math.round(s.APPROVAL_EXPIRY_HOURS * 3_600_000),
    budgets: {
      roomTurnsPerMinute: s.ASSISTANT_ROOM_TURNS_PER_MINUTE,
      memberTurnsPerMinute: s.ASSISTANT_MEMBER_TURNS_PER_MINUTE,
      roomTokensPerDay: s.ASSISTANT_ROOM_TOKENS_PER_DAY,
      memberTokensPerDay: s.ASSISTANT_MEMBER_TOKENS_PER_DAY,
      roomRunsPerDay: s.ASSISTANT_ROOM_RUNS_PER_DAY,
    },
  };
}

export type ModelChoice =
  | { ok: true; model: LanguageModel; label: string }
  /** `setup`: no model on purpose (none was found for `npm start`), not a fault: the room shows how to add one. */
  | { ok: false; reason: string; setup?: true };

/**
 * Where the assistant's model comes from: the Worker's configuration (the
 * default for every room) or one room's own settings (modelSettings.ts).
 */
export interface ModelSource {
  /** workers-ai, openai-compatible, none, or "" (nothing configured). */
  provider: string;
  model?: string;
  baseUrl?: string;
  apiKey?: string;
  /**
   * A URL an owner typed goes through the egress guard (these allowed
   * hosts); the operator's own configuration does not (undefined).
   */
  egress?: string[];
}

export const DEFAULT_WORKERS_AI_MODEL = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";

/** The Worker's configuration as a model source: every room's default. */
export function envModelSource(env: AssistantEnv): ModelSource {
  return {
    provider: env.AI_PROVIDER || (env.AI ? "workers-ai" : ""),
    model: env.AI_MODEL || undefined,
    baseUrl: env.OPENAI_BASE_URL || undefined,
    apiKey: env.OPENAI_API_KEY || undefined,
  };
}

/** What a member sees when the room has no model: the one step that gives it one. */
export const MODEL_SETUP_TEXT =
  "This room has no model yet, so the assistant cannot answer. To connect one on this machine, start Ollama " +
  "(`ollama serve`, then `ollama pull llama3.2`) and run `npm start` again — it finds the model by itself. " +
  "An owner can also choose a model in the room's settings. Chat, reminders and tools work meanwhile.";

export function chooseModel(source: ModelSource, ai: Ai | undefined): ModelChoice {
  const { provider } = source;
  if (provider === "none") return { ok: false, reason: MODEL_SETUP_TEXT, setup: true };
  if (provider === "workers-ai") {
    if (!ai) return { ok: false, reason: "AI_PROVIDER is workers-ai but the Worker has no AI binding." };
    const model = source.model || DEFAULT_WORKERS_AI_MODEL;
    return { ok: true, model: createWorkersAI({ binding: ai })(model), label: `Workers AI ${model}` };
  }
  if (provider === "openai-compatible") {
    if (!source.baseUrl || !source.model) {
      return { ok: false, reason: "AI_PROVIDER is openai-compatible: set OPENAI_BASE_URL and AI_MODEL (and OPENAI_API_KEY if the server needs one)." };
    }
    const openai = createOpenAICompatible({
      name: "openai-compatible",
      baseURL: source.baseUrl,
      apiKey: source.apiKey || undefined,
      includeUsage: true,
      // Every request (and redirect hop) to an owner's URL is checked.
      fetch: source.egress ? guardedFetch(source.egress) : undefined,
    });
    return { ok: true, model: openai.chatModel(source.model), label: `${source.model} at ${new URL(source.baseUrl).host}` };
  }
  if (provider) return { ok: false, reason: `AI_PROVIDER "${provider}" is not known: use workers-ai, openai-compatible or none.` };
  return {
    ok: false,
    reason: "No model is configured: set AI_PROVIDER=openai-compatible with OPENAI_BASE_URL and AI_MODEL, or deploy with the AI binding (Workers AI).",
  };
}

/**
 * The hosts an owner's model URL may reach: MCP_ALLOW_HOSTS (development
 * and tests) and the operator's own OPENAI_BASE_URL host (a local Ollama
 * that `npm start` found), besides any public https endpoint.
 */
export function modelEgress(env: AssistantEnv & { MCP_ALLOW_HOSTS?: string }): string[] {
  const hosts = parseAllowHosts(env.MCP_ALLOW_HOSTS);
  if (env.OPENAI_BASE_URL && URL.canParse(env.OPENAI_BASE_URL)) {
    const url = new URL(env.OPENAI_BASE_URL);
    hosts.push(`${url.hostname}:${url.port || (url.protocol === "https:" ? "443" : "80")}`.toLowerCase());
  }
  return hosts;
}
