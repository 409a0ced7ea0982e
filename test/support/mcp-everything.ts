/**
 * The real reference MCP server (@modelcontextprotocol/server-everything)
 * over streamable HTTP on a free loopback port, for MCP tests.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { freePort } from "./dev-server";

const ENTRY = resolve(import.meta.dirname, "../../node_modules/@modelcontextprotocol/server-everything/dist/index.js");

export interface Everything {
  port: number;
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startEverything(port?: number): Promise<Everything> {
  const p = port ?? (await freePort());
  const child = spawn(process.execPath, [ENTRY, "streamableHttp"], {
    env: { ...process.env, PORT: String(p) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`server-everything did not start:\n${log}`)), 20_000);
    const onData = (d: Buffer) => {
      log += d;
      if (/listening on port/i.test(log)) {
        clearTimeout(timer);
        res();
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", () => rej(new Error(`server-everything exited:\n${log}`)));
  });
  return {
    port: p,
    url: `http://127.0.0.1:${p}/mcp`,
    process: child,
    stop: () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null) return res();
        child.once("exit", () => res());
        child.kill("SIGKILL");
      }),
  };
}
