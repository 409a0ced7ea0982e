/**
 * Loads bench/lib/node-room/client.ts — the React client's connection and
 * state code running in Node — by bundling it with esbuild first: the
 * client's modules use bundler-style (extensionless) imports that Node's
 * type stripping cannot load. The bundle is the client's code as of this run.
 */
import { build } from "esbuild";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT } from "./servers.ts";

export type { NodeRoomClient, NodeRoomOptions } from "./node-room/client.ts";
type Module = typeof import("./node-room/client.ts");

let loaded: Promise<Module> | null = null;

export function loadNodeRoomClient(): Promise<Module> {
  loaded ??= (async () => {
    const dir = join(ROOT, "bench/.generated");
    mkdirSync(dir, { recursive: true });
    const outfile = join(dir, `node-room-${process.pid}.mjs`);
    await build({
      entryPoints: [join(ROOT, "bench/lib/node-room/client.ts")],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node22",
      outfile,
      // ws stays the driver's own copy (and its optional native add-ons unresolved).
      external: ["ws"],
      logLevel: "warning",
    });
    return (await import(pathToFileURL(outfile).href)) as Module;
  })();
  return loaded;
}
