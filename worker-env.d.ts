// Lets `import { env, exports } from "cloudflare:workers"` (tests, SDK helpers)
// see Hearth's bindings with their real types.
declare namespace Cloudflare {
  interface Env extends import("./server/env").Env {}
  interface GlobalProps {
    mainModule: typeof import("./server/index");
  }
}
