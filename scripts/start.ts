/**
 * `npm start`: runs Hearth locally under `wrangler dev --local`, with the
 * assistant's model found on this machine when none is configured
 * (scripts/local-model.ts), and says which model the rooms will use.
 * Arguments after `--` go to wrangler (tests pass --persist-to, --ip).
 */
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { cloudflareLogin, devArgs, findModel, readDevVars } from "./local-model.ts";

const ROOT = resolve(import.meta.dirname, "..");
const config = { ...readDevVars(resolve(ROOT, ".dev.vars")), ...pickEnv(process.env) };
const setup = await findModel(config, cloudflareLogin(process.env));

if (setup.kind === "configured") console.log(`Assistant: AI_PROVIDER=${setup.provider} (configured).`);
else if (setup.kind === "found" || setup.kind === "workers-ai") console.log(`Assistant: ${setup.label}.`);
else {
  console.log(
    `Assistant: no model found (tried ${setup.tried.join(", ")}). Chat works; for an assistant, ` +
      `start Ollama (\`ollama serve\`, then \`ollama pull llama3.2\`) and run npm start again — README → "The assistant".`,
  );
}

const port = process.env.PORT || "8787";
const child = spawn(
  resolve(ROOT, "node_modules/.bin/wrangler"),
  [...devArgs(setup, port), ...process.argv.slice(2)],
  {
    cwd: ROOT,
    stdio: "inherit",
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: "false",
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
      WRANGLER_HIDE_BANNER: "true",
      WRANGLER_SEND_ERROR_REPORTS: "false",
    },
  },
);
// Ctrl-C and test teardown reach wrangler; its exit code is ours.
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

function pickEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const keys = ["AI_PROVIDER", "AI_MODEL", "OPENAI_BASE_URL", "OPENAI_API_KEY"];
  return Object.fromEntries(keys.flatMap((k) => (env[k] ? [[k, env[k]!]] : [])));
}
