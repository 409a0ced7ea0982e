/**
 * The Worker's numeric and secret settings, validated by one schema.
 * Readers pass their `env` (any object with these variables; the Worker's
 * Env is one), so this file depends on no binding type.
 */
import { z } from "zod";

/**
 * The Worker's settings, parsed once per `env` object with one schema, so
 * every reader sees the same values: unset or empty means the default; a
 * value that is not valid is a ConfigError naming the setting (never its
 * value when it is a secret), instead of a silent 0 or NaN. (An empty
 * RATE_LIMIT_PER_SECOND once became 0 tokens and refused every frame.)
 */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Shortest SESSION_SECRET accepted: 256 bits, the HMAC-SHA256 key size. */
export const SESSION_SECRET_MIN_BYTES = 32;

const blank = (v: string | undefined) => v === undefined || v.trim() === "";

/** A whole number ≥ min; unset or empty: the default. */
function whole(min: number, fallback: number) {
  return z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (blank(v)) return fallback;
      const n = /^\s*\d+\s*$/.test(v!) ? Number(v) : NaN;
      if (!(n >= min)) {
        ctx.addIssue({ code: "custom", message: `must be a whole number ≥ ${min} (got ${JSON.stringify(v)})` });
        return z.NEVER;
      }
      return n;
    });
}

/** A number > 0 (decimals allowed); unset or empty: the default. */
function positive(fallback: number) {
  return z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (blank(v)) return fallback;
      const n = /^\s*(\d+\.?\d*|\.\d+)\s*$/.test(v!) ? Number(v) : NaN;
      if (!(n > 0)) {
        ctx.addIssue({ code: "custom", message: `must be a number > 0 (got ${JSON.stringify(v)})` });
        return z.NEVER;
      }
      return n;
    });
}

const Settings = z.object({
  SESSION_SECRET: z
    .string()
    .optional()
    .transform((v) => (blank(v) ? undefined : v))
    .refine(
      (v) => v === undefined || new TextEncoder().encode(v).length >= SESSION_SECRET_MIN_BYTES,
      `is too short: use at least ${SESSION_SECRET_MIN_BYTES} bytes, e.g. \`openssl rand -hex 32\` (or leave it unset for a generated key)`,
    ),
  RATE_LIMIT_PER_SECOND: positive(5),
  RATE_LIMIT_BURST: whole(1, 20),
  ASSISTANT_MAX_STEPS: whole(1, 5),
  ASSISTANT_CONTEXT_TOKENS: whole(200, 4000),
  ASSISTANT_TOOL_TOKENS: whole(0, 1500),
  ASSISTANT_ROOM_TURNS_PER_MINUTE: whole(0, 10),
  ASSISTANT_MEMBER_TURNS_PER_MINUTE: whole(0, 4),
  ASSISTANT_ROOM_TOKENS_PER_DAY: whole(0, 200_000),
  ASSISTANT_MEMBER_TOKENS_PER_DAY: whole(0, 50_000),
  ASSISTANT_MAX_OUTPUT_TOKENS: whole(16, 1024),
  ASSISTANT_ROOM_RUNS_PER_DAY: whole(0, 200),
  /** Largest attached image shown to the model, in bytes; 0 (the default): images are named, never sent. */
  ASSISTANT_IMAGE_BYTES: whole(0, 0),
  /** A tool call nobody decided is denied after this many hours. */
  APPROVAL_EXPIRY_HOURS: positive(24),
  MCP_ELICITATION_SECONDS: whole(5, 300),
  /** How long a call waits for a member to authorize a personal MCP server (their private card). */
  MCP_AUTHORIZE_SECONDS: whole(5, 300),
  SESSIONS_PER_ADDRESS_PER_HOUR: whole(0, 60),
  ROOMS_PER_ADDRESS_PER_HOUR: whole(0, 20),
});
export type Settings = z.infer<typeof Settings>;

const parsed = new WeakMap<object, Settings>();

/** The variables the schema reads (all optional strings, as Wrangler passes them). */
export type SettingsSource = z.input<typeof Settings>;

/** The validated settings of `env`; throws ConfigError listing every bad one. */
export function settings(env: SettingsSource): Settings {
  let result = parsed.get(env);
  if (!result) {
    const outcome = Settings.safeParse(env);
    if (!outcome.success) {
      const problems = outcome.error.issues.map((i) => `${i.path.join(".")} ${i.message}`);
      throw new ConfigError(`The server is misconfigured: ${problems.join("; ")}.`);
    }
    parsed.set(env, (result = outcome.data));
  }
  return result;
}
