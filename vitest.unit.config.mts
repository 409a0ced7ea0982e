// Pure unit tests: plain Node, no server, no browser, no build. They run
// first in `npm test` (seconds, in parallel) so a broken reducer or parser
// fails before the slow suites start.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { include: ["test/unit/**/*.test.ts"] },
});
