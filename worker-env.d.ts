// Lets `import { env, exports } from "cloudflare:workers"` (tests, SDK helpers)
// see Hearth's bindings with their real types.
import type { Env as HearthEnv } from "./server/env";

declare global {
  namespace Cloudflare {
    interface Env extends HearthEnv {}
    interface GlobalProps {
      mainModule: typeof import("./server/index");
    }
  }
}
