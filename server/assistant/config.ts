/**
 * The assistant's settings and its model, read from the Worker's
 * configuration (see README → "The assistant").
 */
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import type { LanguageModel } from "ai";
import { createWorkersAI } from "workers-ai-provider";
import type { Env } from "../env";

export interface AssistantConfig {
  /** The name people @mention; also the author name of its messages. */
  name: string;
  /** Most model round trips (tool loop steps) in one turn. */
  maxSteps: number;
  /** Budget for the transcript sent as context, in estimated tokens. */
  contextTokens: number;
  /** In "auto" tool mode: above this many tokens of tool definitions, use Code Mode. */
  toolTokens: number;
  budgets: {
    roomTurnsPerMinute: number;
    memberTurnsPerMinute: number;
    roomTokensPerDay: number;
    memberTokensPerDay: number;
  };
}

const DEFAULT_WORKERS_AI_MODEL = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";

function int(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : fallback;
}

export function assistantConfig(env: Env): AssistantConfig {
  return {
    name: (env.ASSISTANT_NAME || "assistant").toLowerCase(),
    maxSteps: Math.max(1, int(env.ASSISTANT_MAX_STEPS, 5)),
    contextTokens: Math.max(200, int(env.ASSISTANT_CONTEXT_TOKENS, 4000)),
    toolTokens: int(env.ASSISTANT_TOOL_TOKENS, 1500),
    budgets: {
      roomTurnsPerMinute: int(env.ASSISTANT_ROOM_TURNS_PER_MINUTE, 10),
      memberTurnsPerMinute: int(env.ASSISTANT_MEMBER_TURNS_PER_MINUTE, 4),
      roomTokensPerDay: int(env.ASSISTANT_ROOM_TOKENS_PER_DAY, 200_000),
      memberTokensPerDay: int(env.ASSISTANT_MEMBER_TOKENS_PER_DAY, 50_000),
    },
  };
}

export type ModelChoice = { ok: true; model: LanguageModel; label: string } | { ok: false; reason: string };

let modelOverride: (() => LanguageModel) | null = null;

/**
 * Workerd tests run in the same isolate as the room and inject `ai/test`
 * mock models here; nothing else calls it.
 */
export function setModelOverride(factory: (() => LanguageModel) | null): void {
  modelOverride = factory;
}

export function chooseModel(env: Env): ModelChoice {
  if (modelOverride) return { ok: true, model: modelOverride(), label: "test model" };
  const provider = env.AI_PROVIDER || (env.AI ? "workers-ai" : "");
  if (provider === "workers-ai") {
    if (!env.AI) return { ok: false, reason: "AI_PROVIDER is workers-ai but the Worker has no AI binding." };
    const model = env.AI_MODEL || DEFAULT_WORKERS_AI_MODEL;
    return { ok: true, model: createWorkersAI({ binding: env.AI })(model), label: `Workers AI ${model}` };
  }
  if (provider === "openai-compatible") {
    if (!env.OPENAI_BASE_URL || !env.AI_MODEL) {
      return { ok: false, reason: "AI_PROVIDER is openai-compatible: set OPENAI_BASE_URL and AI_MODEL (and OPENAI_API_KEY if the server needs one)." };
    }
    const openai = createOpenAICompatible({
      name: "openai-compatible",
      baseURL: env.OPENAI_BASE_URL,
      apiKey: env.OPENAI_API_KEY || undefined,
      includeUsage: true,
    });
    return { ok: true, model: openai.chatModel(env.AI_MODEL), label: `${env.AI_MODEL} at ${new URL(env.OPENAI_BASE_URL).host}` };
  }
  if (provider) return { ok: false, reason: `AI_PROVIDER "${provider}" is not known: use workers-ai or openai-compatible.` };
  return {
    ok: false,
    reason: "No model is configured: set AI_PROVIDER=openai-compatible with OPENAI_BASE_URL and AI_MODEL, or deploy with the AI binding (Workers AI).",
  };
}
