/**
 * The room's Web Push application server keys (VAPID, RFC 8292): the
 * operator's VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY when both are set, else a
 * pair generated once and kept in the LocalSecret Durable Object (like the
 * signing key when SESSION_SECRET is unset). Browsers bind a subscription to
 * the public key, so it must not change between restarts or rooms. The
 * private key is only ever used here, to sign the push service's JWT.
 */
import type { VapidKeys } from "@block65/webcrypto-web-push";
import type { LocalSecret } from "../auth/LocalSecret";
import { ConfigError } from "../config";

export interface VapidEnv {
  LocalSecret: DurableObjectNamespace<LocalSecret>;
  VAPID_PUBLIC_KEY?: string;
  VAPID_PRIVATE_KEY?: string;
  VAPID_SUBJECT?: string;
}

/** Push services want a contact; `.invalid` says plainly that none was configured. */
export const DEFAULT_VAPID_SUBJECT = "mailto:push@hearth.invalid";

const B64URL = /^[A-Za-z0-9_-]+$/;

let generated: Promise<VapidKeys> | undefined;

export function vapidKeys(env: VapidEnv): Promise<VapidKeys> {
  const subject = env.VAPID_SUBJECT?.trim() || DEFAULT_VAPID_SUBJECT;
  const publicKey = env.VAPID_PUBLIC_KEY?.trim();
  const privateKey = env.VAPID_PRIVATE_KEY?.trim();
  if (publicKey || privateKey) {
    // Named, never echoed: the private key is a secret.
    if (!publicKey || !privateKey) return Promise.reject(new ConfigError("The server is misconfigured: set both VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY, or neither."));
    if (!B64URL.test(publicKey) || publicKey.length !== 87 || !B64URL.test(privateKey) || privateKey.length !== 43) {
      return Promise.reject(new ConfigError("The server is misconfigured: VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY must be a P-256 key pair in base64url (87 and 43 characters)."));
    }
    return Promise.resolve({ subject, publicKey, privateKey });
  }
  generated ??= env.LocalSecret.getByName("vapid")
    .vapidKeys()
    .then((keys) => ({ subject, ...keys }))
    .catch((err: unknown) => {
      generated = undefined;
      throw err;
    });
  return generated;
}
