/**
 * The fallback signing key, for running without configuration.
 *
 * When SESSION_SECRET is not set (a fresh clone running `npm start`), tokens
 * still need a key that is secret and survives restarts. One Durable Object
 * generates 256 random bits once and keeps them in its storage; every
 * isolate asks it once and caches the answer. In production, set
 * SESSION_SECRET (`wrangler secret put SESSION_SECRET`) so that you control
 * rotation; this object then is never created.
 */
import { DurableObject } from "cloudflare:workers";
import { settings, type SettingsSource } from "../config";

/** What the signing key is read from: SESSION_SECRET, else this object. */
export interface SecretEnv extends SettingsSource {
  LocalSecret: DurableObjectNamespace<LocalSecret>;
}

export class LocalSecret extends DurableObject<unknown> {
  async get(): Promise<string> {
    const existing = await this.ctx.storage.get<string>("secret");
    if (existing) return existing;
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    const secret = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    await this.ctx.storage.put("secret", secret);
    return secret;
  }
}

let cached: Promise<string> | undefined;

/**
 * The HMAC key. A configured SESSION_SECRET shorter than 32 bytes is
 * refused (ConfigError) rather than used: a short key can be brute-forced
 * offline from any one token, and tokens are readable by their holders.
 */
export function signingSecret(env: SecretEnv): Promise<string> {
  let configured: string | undefined;
  try {
    configured = settings(env).SESSION_SECRET;
  } catch (err) {
    return Promise.reject(err);
  }
  if (configured) return Promise.resolve(configured);
  cached ??= env.LocalSecret.getByName("signing-key")
    .get()
    .catch((err: unknown) => {
      cached = undefined;
      throw err;
    });
  return cached;
}
