/**
 * The bench Worker: the app (A) and the raw room (R) in one workerd, so that
 * both run on the same runtime, flags, storage and process — and so that
 * their ratios cannot come from two different processes.
 *
 * - Every export of the app (its Durable Object classes) is re-exported
 *   unchanged, except `ChatRoom`, which gets a one-line subclass counting
 *   constructions: the count proves that rooms really hibernated (B4) and
 *   that a wake built a new instance (B5). The subclass keeps the class name
 *   (the agents SDK routes by it) and adds one increment per construction.
 * - `/raw/<room>` goes to R; `/bench/stats` reports construction counts
 *   (the objects share this isolate in workerd, so module state is shared).
 * - Everything else is the app's own fetch handler, untouched.
 *
 * bench/lib/servers.ts generates the wrangler config from the app's own
 * wrangler.jsonc, adding only the RawRoom binding and its migration.
 */
import app, { ChatRoom as AppChatRoom } from "../../server/index";
import type { Env } from "../../server/env";
import { RawRoom, rawStats } from "./RawRoom";
import { costRoute } from "./cost";

export * from "../../server/index";
export { RawRoom };

const appStats = { constructions: 0 };

export class ChatRoom extends AppChatRoom {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    appStats.constructions++;
  }
}

interface BenchEnv extends Env {
  RawRoom: DurableObjectNamespace<RawRoom>;
}

export default {
  async fetch(request: Request, env: BenchEnv, ctx: ExecutionContext): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname.startsWith("/raw/")) {
      const room = url.pathname.slice("/raw/".length);
      return env.RawRoom.get(env.RawRoom.idFromName(room)).fetch(request);
    }
    // Cost counters (bench/scenarios/cost.ts): the room refuses unless HEARTH_COST_COUNTERS=1.
    if (url.pathname.startsWith("/bench/cost/") || url.pathname.startsWith("/bench/schedule/")) return costRoute(url, env);
    if (url.pathname === "/bench/stats") {
      return Response.json({ app: appStats.constructions, raw: rawStats.constructions });
    }
    return (app.fetch as (r: Request, e: Env, c: ExecutionContext) => Promise<Response>)(request, env, ctx);
  },
};
