// Room and unit tests, run inside workerd by @cloudflare/vitest-plugin:
// the same runtime, SQLite, hibernation and alarms as production.
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    cloudflareTest({
      // Production's Worker with a room whose model the tests choose (test/workers/worker.ts).
      main: "./test/workers/worker.ts",
      wrangler: { configPath: "./wrangler.jsonc" },
      remoteBindings: false,
      miniflare: {
        // Tests use a fixed secret so that they can mint tokens themselves.
        // Runs per room per day are low so that a test can use them all up
        // (each room is fresh; no other test runs more than two per room).
        // Rooms are created explicitly (POST /api/rooms) and every test makes
        // its own, all from one address: the hourly per-address cap is lifted.
        bindings: {
          SESSION_SECRET: "test-secret-0123456789abcdef0123456789abcdef",
          ASSISTANT_ROOM_RUNS_PER_DAY: "3",
          ROOMS_PER_ADDRESS_PER_HOUR: "100000",
          // Images reach a model only where the room chose one that is not Workers AI (files.test.ts).
          ASSISTANT_IMAGE_BYTES: "1000000",
        },
      },
    }),
  ],
  // Generous timeouts: the suite shares two cores with process and browser
  // tests in CI; waits inside tests are event-driven, not sleeps.
  test: { include: ["test/workers/**/*.test.ts"], testTimeout: 20_000 },
});
