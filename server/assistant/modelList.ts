/**
 * Which models a provider offers, for an owner choosing the room's model:
 * an OpenAI-compatible server's `GET /models` (through the egress guard,
 * like every request to a URL an owner typed), or Workers AI's catalogue of
 * text-generation models (the AI binding's `models()`).
 */
import type { ModelProvider } from "../../shared/protocol";
import { errorText } from "../errors";
import { guardedFetch } from "../egress";

/** A model list takes at most this long: the settings view waits for it. */
const LIST_TIMEOUT_MS = 10_000;
const MAX_MODELS = 500;

export type ModelListRequest = {
  provider: ModelProvider;
  baseUrl?: string;
  apiKey?: string;
  egress: string[];
};

export type ModelList = { ok: true; models: string[] } | { ok: false; reason: string };

export async function listModels(request: ModelListRequest, ai: Ai | undefined): Promise<ModelList> {
  if (request.provider === "workers-ai") {
    if (!ai) return { ok: false, reason: "This Worker has no Workers AI binding." };
    try {
      const models = await ai.models({ task: "Text Generation", per_page: MAX_MODELS });
      return { ok: true, models: models.map((m) => m.name).sort() };
    } catch (err) {
      return { ok: false, reason: `Workers AI did not list its models (${errorText(err, 200)}); type a model name instead.` };
    }
  }
  if (!request.baseUrl) return { ok: false, reason: "Give the server's URL (…/v1) first." };
  try {
    const response = await guardedFetch(request.egress)(`${request.baseUrl.replace(/\/+$/, "")}/models`, {
      headers: request.apiKey ? { Authorization: `Bearer ${request.apiKey}` } : {},
      signal: AbortSignal.timeout(LIST_TIMEOUT_MS),
    });
    if (!response.ok) {
      await response.body?.cancel();
      return { ok: false, reason: `The server answered ${response.status}${response.status === 401 ? " (check the API key)" : ""}.` };
    }
    const body = (await response.json()) as { data?: Array<{ id?: unknown }> };
    const ids = (body.data ?? []).map((m) => m.id).filter((id): id is string => typeof id === "string");
    // Embedding models cannot chat; listing them would only invite a failed turn.
    return { ok: true, models: ids.filter((id) => !/embed/i.test(id)).slice(0, MAX_MODELS) };
  } catch (err) {
    // Our own texts name the URL at most, never the key (it is only in a header).
    return { ok: false, reason: `Could not list models: ${errorText(err, 200)}` };
  }
}
