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

  /**
   * The Web Push (VAPID) key pair when VAPID_* is not configured: made once,
   * kept here, so every room signs with the same key and browsers'
   * subscriptions (bound to the public key) keep working across restarts.
   * Called only by rooms (RPC inside the Worker); the private key never
   * reaches a client.
   */
  async vapidKeys(): Promise<GeneratedVapidKeys> {
    const existing = await this.ctx.storage.get<GeneratedVapidKeys>("vapid");
    if (existing) return existing;
    const made = await generateVapidKeys();
    await this.ctx.storage.put("vapid", made);
    return made;
  }
}

/** An ECDSA P-256 key pair as VAPID uses it: the public key raw (65 bytes), the private key's `d`, both base64url. */
export interface GeneratedVapidKeys {
  publicKey: string;
  privateKey: string;
}

export async function generateVapidKeys(): Promise<GeneratedVapidKeys> {
  const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const jwk = (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey;
  const raw = new Uint8Array((await crypto.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer);
  return { publicKey: base64url(raw), privateKey: jwk.d! };
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
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
