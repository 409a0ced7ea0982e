/**
 * One room's own assistant settings: which model answers (a provider, a
 * model id, an OpenAI-compatible URL and its API key), how (temperature,
 * output cap), and who it is (the name people @mention, the owners'
 * instructions). Owners change them; every member sees them (`assistant`
 * frame) — except the key.
 *
 * The key is write-only. It lives in this Durable Object's SQLite and goes
 * only into requests to the origin it was given for: it is never in a
 * frame, a log line or an error text (`redact`), and a change of the URL's
 * origin forgets it, so that no owner can send another's key to a server
 * they run. What is unset falls back to the Worker's configuration, the
 * default for every room.
 */
import type { AssistantInfo, AssistantSettingsInput, ErrorCode, ModelProvider } from "../../shared/protocol";
import { checkEgress } from "../egress";
import type { Actor } from "../room/actor";
import type { RoomKernel } from "../room/kernel";
import { DEFAULT_WORKERS_AI_MODEL, envModelSource, type AssistantConfig, type ModelChoice, type ModelSource } from "./config";

interface StoredSettings {
  provider: ModelProvider | null;
  model: string | null;
  baseUrl: string | null;
  apiKey: string | null;
  temperature: number | null;
  maxOutputTokens: number | null;
  name: string | null;
  instructions: string;
  updatedBy: { id: string; name: string } | null;
  updatedAt: number | null;
}

const EMPTY: StoredSettings = {
  provider: null,
  model: null,
  baseUrl: null,
  apiKey: null,
  temperature: null,
  maxOutputTokens: null,
  name: null,
  instructions: "",
  updatedBy: null,
  updatedAt: null,
};

export type SettingsOutcome = { ok: true; text: string } | { ok: false; code: ErrorCode; text: string };

/** What the settings need beyond the kernel. */
export interface ModelSettingsHost {
  /** The Worker's configuration: the defaults, and its AI binding. */
  env: Parameters<typeof envModelSource>[0];
  config: AssistantConfig;
  /** Hosts an owner's URL may reach besides public https ones (config.ts modelEgress). */
  egress: string[];
}

export class ModelSettings {
  #stored?: StoredSettings;
  constructor(
    private readonly room: RoomKernel,
    private readonly host: ModelSettingsHost,
  ) {}

  /** The model source the next turn uses: the room's own model, or the Worker's. */
  source(): ModelSource {
    const s = this.stored();
    if (!s.provider) return envModelSource(this.host.env);
    return { provider: s.provider, model: s.model ?? undefined, baseUrl: s.baseUrl ?? undefined, apiKey: s.apiKey ?? undefined, egress: this.host.egress };
  }

  name(): string {
    return this.stored().name ?? this.host.config.name;
  }

  instructions(): string {
    return this.stored().instructions;
  }

  /** Per model call: the room's choices, never above the Worker's output cap. */
  callSettings(): { temperature?: number; maxOutputTokens: number } {
    const s = this.stored();
    return { temperature: s.temperature ?? undefined, maxOutputTokens: this.maxOutputTokens() };
  }

  /** What every member sees; `choice` is the model `source()` gives (or why there is none). */
  info(choice: ModelChoice): AssistantInfo {
    const s = this.stored();
    const source = this.source();
    return {
      name: this.name(),
      source: s.provider ? "room" : "default",
      provider: source.provider === "workers-ai" || source.provider === "openai-compatible" ? source.provider : "none",
      model: source.model ?? (source.provider === "workers-ai" ? DEFAULT_WORKERS_AI_MODEL : null),
      label: choice.ok ? choice.label : null,
      problem: choice.ok ? null : choice.reason,
      baseUrl: s.provider ? s.baseUrl : null,
      keySet: s.provider ? s.apiKey !== null : false,
      temperature: s.temperature,
      maxOutputTokens: this.maxOutputTokens(),
      maxOutputTokensCap: this.host.config.maxOutputTokens,
      instructions: s.instructions,
      updatedBy: s.updatedBy,
      updatedAt: s.updatedAt,
    };
  }

  /** An owner's change, checked as a whole before anything is stored. */
  update(actor: Actor, input: AssistantSettingsInput, now: number): SettingsOutcome {
    if (actor.role !== "owner") return fail("forbidden", "Only the room's owners can change the assistant.");
    const before = this.stored();
    const next: StoredSettings = { ...before, updatedBy: { id: actor.id, name: actor.name }, updatedAt: now };
    const changes: string[] = [];

    if (input.provider === "default") {
      Object.assign(next, { provider: null, model: null, baseUrl: null, apiKey: null });
    } else {
      if (input.provider) next.provider = input.provider;
      if (input.model !== undefined) next.model = input.model;
      if (input.baseUrl !== undefined) {
        const url = new URL(input.baseUrl);
        if (url.search || url.hash) return fail("invalid_frame", "The model URL takes no query or fragment: put the key in the API key field.");
        const egress = checkEgress(url.href, this.host.egress);
        if (!egress.ok) return fail("invalid_frame", `That model URL is ${egress.message}.`);
        const href = url.href.replace(/\/+$/, "");
        // A stored key only ever goes to the origin it was given for.
        if (next.baseUrl && new URL(next.baseUrl).origin !== url.origin && input.apiKey === undefined) next.apiKey = null;
        next.baseUrl = href;
      }
      if (input.apiKey !== undefined) next.apiKey = input.apiKey;
      if (next.provider === "workers-ai") {
        if (!this.host.env.AI) return fail("invalid_frame", "This Worker has no Workers AI binding: choose an OpenAI-compatible server.");
        next.baseUrl = null;
        next.apiKey = null;
        next.model ??= DEFAULT_WORKERS_AI_MODEL;
      }
      if (next.provider === "openai-compatible" && (!next.baseUrl || !next.model)) {
        return fail("invalid_frame", "An OpenAI-compatible model needs its server's URL (…/v1) and a model name.");
      }
      if (!next.provider && (input.model !== undefined || input.baseUrl !== undefined || input.apiKey !== undefined)) {
        return fail("invalid_frame", "Choose a provider (workers-ai or openai-compatible) for the room's own model.");
      }
    }
    if (input.temperature !== undefined) next.temperature = input.temperature;
    if (input.maxOutputTokens !== undefined) {
      if (input.maxOutputTokens !== null && input.maxOutputTokens > this.host.config.maxOutputTokens) {
        return fail("invalid_frame", `At most ${this.host.config.maxOutputTokens} output tokens per call (the Worker's ASSISTANT_MAX_OUTPUT_TOKENS).`);
      }
      next.maxOutputTokens = input.maxOutputTokens;
    }
    if (input.name !== undefined) {
      if (input.name !== this.name() && this.room.members.byName(input.name).length > 0) {
        return fail("invalid_frame", `A member is called ${input.name}: mentions of the assistant would be theirs too. Choose another name.`);
      }
      next.name = input.name === this.host.config.name ? null : input.name;
    }
    if (input.instructions !== undefined) next.instructions = input.instructions.trim();

    if (next.provider !== before.provider || next.model !== before.model || next.baseUrl !== before.baseUrl) {
      changes.push(next.provider ? `model ${next.model}${next.baseUrl ? ` at ${new URL(next.baseUrl).host}` : " on Workers AI"}` : "the server's default model");
    }
    if (next.apiKey !== before.apiKey) changes.push(next.apiKey ? "a new API key" : "no API key");
    if (next.temperature !== before.temperature) changes.push(`temperature ${next.temperature ?? "default"}`);
    if (next.maxOutputTokens !== before.maxOutputTokens) changes.push(`at most ${next.maxOutputTokens ?? this.host.config.maxOutputTokens} output tokens`);
    if (next.name !== before.name) changes.push(`name @${next.name ?? this.host.config.name}`);
    if (next.instructions !== before.instructions) changes.push(next.instructions ? "new instructions" : "no instructions");
    if (changes.length === 0) return { ok: true, text: "Nothing changed." };

    this.save(next);
    // Everyone can see who changed the assistant, and to what (never the key itself).
    this.room.postSystem(`${actor.name} changed the assistant: ${changes.join(", ")}.`);
    return { ok: true, text: `Saved: ${changes.join(", ")}.` };
  }

  /**
   * The key for a model-list request: the given one, or the stored one when
   * the URL is the stored URL's origin (never another's).
   */
  keyFor(baseUrl: string | undefined, given: string | undefined): string | undefined {
    if (given) return given;
    const s = this.stored();
    if (!s.apiKey || !s.baseUrl) return undefined;
    if (baseUrl && new URL(baseUrl).origin !== new URL(s.baseUrl).origin) return undefined;
    return s.apiKey;
  }

  /** The stored URL, for a model-list request that names none. */
  storedBaseUrl(): string | undefined {
    return this.stored().baseUrl ?? undefined;
  }

  /** Removes the room's key (and anything else that spells it) from text bound for people. */
  redact(text: string): string {
    const key = this.stored().apiKey;
    return key && key.length >= 4 ? text.split(key).join("[the room's API key]") : text;
  }

  private maxOutputTokens(): number {
    return Math.min(this.stored().maxOutputTokens ?? this.host.config.maxOutputTokens, this.host.config.maxOutputTokens);
  }

  private stored(): StoredSettings {
    if (this.#stored) return this.#stored;
    this.room.sql.exec(`CREATE TABLE IF NOT EXISTS assistant_settings (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      json TEXT NOT NULL
    )`);
    const row = this.room.sql.exec<{ json: string }>("SELECT json FROM assistant_settings WHERE id = 1").toArray()[0];
    return (this.#stored = row ? { ...EMPTY, ...(JSON.parse(row.json) as Partial<StoredSettings>) } : EMPTY);
  }

  private save(next: StoredSettings): void {
    this.stored();
    this.room.sql.exec("INSERT OR REPLACE INTO assistant_settings (id, json) VALUES (1, ?)", JSON.stringify(next));
    this.#stored = next;
  }
}

function fail(code: ErrorCode, text: string): SettingsOutcome {
  return { ok: false, code, text };
}
