/**
 * How `npm start` decides the assistant's model when nothing is configured
 * (scripts/local-model.ts): a local server first; else, for a developer
 * logged in to Cloudflare, Workers AI through wrangler's remote binding —
 * the one case `wrangler dev` runs without `--local`; else none.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cloudflareLogin, devArgs, findModel } from "../../scripts/local-model";

function home(toml?: string, under = ".wrangler"): string {
  const dir = mkdtempSync(join(tmpdir(), "hearth-home-"));
  if (toml !== undefined) {
    mkdirSync(join(dir, under, "config"), { recursive: true });
    writeFileSync(join(dir, under, "config", "default.toml"), toml);
  }
  return dir;
}

// Nothing listens on the discard port: the "local server" is certainly absent.
const NO_SERVER = { OPENAI_BASE_URL: "http://127.0.0.1:9/v1" };

describe("cloudflareLogin", () => {
  it("sees an API token in the environment", () => {
    expect(cloudflareLogin({ CLOUDFLARE_API_TOKEN: "t" }, home())).toBe("CLOUDFLARE_API_TOKEN");
  });
  it("sees wrangler login's OAuth token, in ~/.wrangler or under XDG_CONFIG_HOME", () => {
    expect(cloudflareLogin({}, home('oauth_token = "abc"\nexpiration_time = "2026-12-03T10:00:00Z"\n'))).toBe("wrangler login");
    const xdg = home('oauth_token = "abc"\n', "cfg/.wrangler");
    expect(cloudflareLogin({ XDG_CONFIG_HOME: join(xdg, "cfg") }, xdg)).toBe("wrangler login");
  });
  it("is logged out without a token (no file, or a file without one)", () => {
    expect(cloudflareLogin({}, home())).toBeNull();
    expect(cloudflareLogin({}, home("# logged out\n"))).toBeNull();
  });
});

describe("findModel and wrangler's arguments", () => {
  it("uses Workers AI remotely when no local server answers and the developer is logged in", async () => {
    const setup = await findModel(NO_SERVER, "wrangler login");
    expect(setup).toMatchObject({ kind: "workers-ai", vars: { AI_PROVIDER: "workers-ai" } });
    expect(devArgs(setup, "8787")).toEqual(["dev", "--port", "8787", "--var", "AI_PROVIDER:workers-ai"]);
  });
  it("stays fully local (--local) with no login: no model, the setup card", async () => {
    const setup = await findModel(NO_SERVER, null);
    expect(setup.kind).toBe("none");
    expect(devArgs(setup, "8787")).toEqual(["dev", "--local", "--port", "8787", "--var", "AI_PROVIDER:none"]);
  });
  it("leaves a configured provider alone", async () => {
    const setup = await findModel({ AI_PROVIDER: "openai-compatible" }, "wrangler login");
    expect(setup.kind).toBe("configured");
    expect(devArgs(setup, "9000")).toEqual(["dev", "--local", "--port", "9000"]);
  });
  it("runs a configured Workers AI remotely for a logged-in developer, and locally (where it cannot answer) otherwise", async () => {
    expect(devArgs(await findModel({ AI_PROVIDER: "workers-ai" }, "wrangler login"), "1")).toEqual(["dev", "--port", "1"]);
    expect(devArgs(await findModel({ AI_PROVIDER: "workers-ai" }, null), "1")).toEqual(["dev", "--local", "--port", "1"]);
  });
});
