/**
 * One browser test file's world: a `wrangler dev` server, one Chromium and
 * the members the file names, each signed in on the landing page in a
 * browser context of its own. The hooks are registered in the calling file,
 * so every file runs alone (`vitest run -c vitest.node.config.mts
 * test/browser/<file>`).
 *
 * After each test, a page error or console error/warning that any watched
 * page logged during it fails that test (the client logs a frame outside
 * the protocol as a warning): no trailing "ran without page errors" test
 * that would pass on its own when run alone, or report the wrong test.
 */
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { startDevServer, type DevServer } from "../support/dev-server";
import { startFakeOpenAI, type CompletionScript, type FakeOpenAI } from "../support/fake-openai";
import { launchBrowser, newMember, watchPage, type Member } from "./browser";

export interface BrowserRoomOptions {
  /**
   * Starts the app (default: `startDevServer()`). Runs in this file's
   * beforeAll order, so servers the file started in an earlier beforeAll
   * (a fake model, MCP servers) are up and their ports known.
   */
  server?: () => Promise<DevServer>;
  /** The members to sign in, in order: a name, or a name and its context's options (time zone, locale…). */
  members?: Array<string | { name: string; options: BrowserContextOptions }>;
}

export interface BrowserRoom {
  /** The app. Replaceable: a test that restarts it assigns the new one, and afterAll stops that. */
  server: DevServer;
  readonly browser: Browser;
  /**
   * The members named in the options, in order. The objects exist from the
   * start (so a file can destructure them at the top) and are filled in by
   * beforeAll.
   */
  readonly members: Member[];
  /**
   * One more member, signed in now; its page is checked like the others',
   * unless `checked` is false: a member the test means to be refused (a
   * revoked invite, a taken name), whose console logs the 4xx as an error.
   */
  newMember(name: string, options?: BrowserContextOptions, checked?: boolean): Promise<Member>;
  /** Checks a page the file made itself (its own context); returns the page's problems so far. */
  watch(page: Page, label: string): string[];
}

/** Chromium asks every page for a favicon; the app has none, and its 404 says nothing about the app. */
const IGNORED = /favicon/;

export function useBrowserRoom(options: BrowserRoomOptions = {}): BrowserRoom {
  const specs = (options.members ?? []).map((m) => (typeof m === "string" ? { name: m, options: {} } : m));
  const watched: Array<{ label: string; problems: string[]; seen: number }> = [];
  const members = specs.map(() => ({}) as Member);
  let browser: Browser | undefined;

  const room: BrowserRoom = {
    server: undefined as unknown as DevServer,
    get browser() {
      if (!browser) throw new Error("the browser starts in beforeAll");
      return browser;
    },
    members,
    async newMember(name, contextOptions = {}, checked = true) {
      const member = await newMember(room.browser, room.server.url, name, contextOptions);
      if (checked) watched.push({ label: member.name, problems: member.problems, seen: 0 });
      return member;
    },
    watch(page, label) {
      const problems: string[] = [];
      watchPage(page, problems);
      watched.push({ label, problems, seen: 0 });
      return problems;
    },
  };

  beforeAll(async () => {
    room.server = await (options.server ?? (() => startDevServer()))();
    browser = await launchBrowser();
    for (const [i, spec] of specs.entries()) Object.assign(members[i]!, await room.newMember(spec.name, spec.options));
  });

  afterEach(() => {
    const fresh: string[] = [];
    for (const w of watched) {
      fresh.push(...w.problems.slice(w.seen).filter((p) => !IGNORED.test(p)).map((p) => `${w.label}: ${p}`));
      w.seen = w.problems.length;
    }
    expect(fresh, "page errors or console warnings during this test").toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await room.server?.stop();
  });

  return room;
}

/**
 * A scripted OpenAI-compatible model for this file (test/support/fake-openai.ts:
 * it plays script n for its n-th request, so each test pushes its own before
 * asking), and `start`, the app pointed at it, for `useBrowserRoom({ server })`.
 * Call it before useBrowserRoom, so the model is up before the app and
 * stopped after it.
 */
export function useScriptedModel(scripts: CompletionScript[]): { readonly fake: FakeOpenAI; start: () => Promise<DevServer> } {
  let fake: FakeOpenAI | undefined;
  beforeAll(async () => {
    fake = await startFakeOpenAI(scripts);
  });
  afterAll(async () => {
    await fake?.close();
  });
  return {
    get fake() {
      if (!fake) throw new Error("the model starts in beforeAll");
      return fake;
    },
    start: () =>
      startDevServer({
        vars: { AI_PROVIDER: "openai-compatible", OPENAI_BASE_URL: fake!.baseUrl, OPENAI_API_KEY: "sk-test", AI_MODEL: "scripted" },
      }),
  };
}
