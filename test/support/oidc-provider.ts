/**
 * A real OpenID Connect provider for process tests: `oidc-provider` (the
 * certified Node implementation) on 127.0.0.1, with one confidential client
 * and an interaction handler that signs in whoever the test names next
 * (`signInAs`) and grants the requested scopes, so a test can drive the
 * whole redirect dance with plain fetch. Every token and code it issues is
 * collected (`issued`) so tests can check none of them leaks.
 */
import { createServer, type Server } from "node:http";
import Provider from "oidc-provider";
import { freePort, startDevServer, type DevServer } from "./dev-server";

export interface TestOidcProvider {
  issuer: string;
  port: number;
  clientId: string;
  clientSecret: string;
  /** Whoever signs in at the provider next (its `sub`), optionally with a given email claim. */
  signInAs(subject: string, email?: string): void;
  /** Every access, ID and refresh token and authorization code issued so far. */
  issued: string[];
  stop(): Promise<void>;
}

export async function startOidcProvider(redirectUri: string): Promise<TestOidcProvider> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = "hearth-test";
  const clientSecret = `secret-${crypto.randomUUID()}`;
  let nextSubject = "nobody";
  const emails = new Map<string, string>();
  const issued: string[] = [];

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_post",
      },
    ],
    async findAccount(_ctx: unknown, id: string) {
      return { accountId: id, claims: async () => ({ sub: id, email: emails.get(id) ?? `${id}@example.test`, preferred_username: id }) };
    },
    claims: { openid: ["sub"], email: ["email"], profile: ["preferred_username"] },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    // Quiet and deterministic for tests.
    cookies: { keys: ["test-cookie-key-0123456789"] },
  });
  provider.on("grant.success", (ctx: { body?: Record<string, unknown> }) => {
    for (const k of ["access_token", "id_token", "refresh_token"]) if (typeof ctx.body?.[k] === "string") issued.push(ctx.body[k] as string);
  });
  provider.on("authorization_code.saved", (code: { jti: string }) => issued.push(code.jti));

  const callback = provider.callback();
  const server: Server = createServer(async (req, res) => {
    if (!req.url?.startsWith("/interaction/")) return void callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name === "login") {
        await provider.interactionFinished(req, res, { login: { accountId: nextSubject } }, { mergeWithLastSubmission: false });
        return;
      }
      const grant = new provider.Grant({ accountId: details.session!.accountId, clientId });
      grant.addOIDCScope(String(details.params.scope));
      await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
    } catch (err) {
      res.statusCode = 500;
      res.end(String(err));
    }
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    issuer,
    port,
    clientId,
    clientSecret,
    signInAs: (subject, email) => {
      nextSubject = subject;
      if (email) emails.set(subject, email);
    },
    issued,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A local provider and a `wrangler dev` of the app configured to sign in with it. */
export async function startAppWithOidc(): Promise<{ idp: TestOidcProvider; app: DevServer }> {
  const port = await freePort();
  const idp = await startOidcProvider(`http://127.0.0.1:${port}/api/oidc/callback`);
  const app = await startDevServer({
    port,
    vars: {
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: idp.clientId,
      OIDC_CLIENT_SECRET: idp.clientSecret,
      OIDC_NAME: "TestID",
      IDENTITY_ALLOW_HOSTS: `127.0.0.1:${idp.port}`,
    },
  });
  return { idp, app };
}
