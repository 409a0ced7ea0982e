/**
 * Browser-test plumbing: one Chromium per test file, one browser context per
 * member (its own cookies, so its own identity), and the few UI steps
 * every test needs.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Locator,
  type Page,
} from "playwright-core";
import { expect } from "vitest";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-quic",
      "--no-first-run",
    ],
  });
}

export interface Member {
  name: string;
  id: string;
  token: string;
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions, for failure messages. */
  problems: string[];
}

export function watchPage(page: Page, problems: string[]): void {
  page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error" || msg.type() === "warning") problems.push(`${msg.type()}: ${msg.text()}`);
  });
}

/** A fresh browser identity that picked `name` on the landing page (`options`: time zone, locale…). */
export async function newMember(
  browser: Browser,
  baseUrl: string,
  name: string,
  options: BrowserContextOptions = {},
): Promise<Member> {
  const context = await browser.newContext({ ...options, baseURL: baseUrl });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const problems: string[] = [];
  watchPage(page, problems);
  await page.goto("/");
  await page.getByTestId("display-name-input").fill(name);
  await page.getByTestId("display-name-save").click();
  const session = await page.waitForFunction(() => {
    const raw = localStorage.getItem("hearth.session");
    return raw ? (JSON.parse(raw) as { member: { id: string; name: string } }) : null;
  });
  const stored = await session.jsonValue();
  if (!stored) throw new Error("no session was stored");
  // The session is an HttpOnly cookie: the page cannot read it, the test can.
  const cookie = (await context.cookies()).find((c) => c.name === "hearth_session");
  if (!cookie) throw new Error("no session cookie was set");
  expect(cookie.httpOnly).toBe(true);
  // As a person would, once the landing page has loaded its lobby list: a
  // test that leaves it while the lobby socket is still connecting makes
  // Chromium log a warning, which the fixture's page check would count.
  await page.getByTestId("lobby-room").or(page.getByText("No public rooms yet.")).first().waitFor();
  return { name: stored.member.name, id: stored.member.id, token: cookie.value, context, page, problems };
}

/** Opens `path` in `page` and waits until the room said welcome. */
export async function openRoom(page: Page, path: string): Promise<void> {
  await page.goto(path);
  // A named room nobody created yet offers to create it: the first member
  // to open it in a test does, through that card, and so owns it.
  const online = page.locator('[data-testid="connection-status"][data-status="online"]');
  const create = page.getByTestId("create-room");
  await online.or(create).first().waitFor();
  if (await create.isVisible()) await create.click();
  await waitOnline(page);
}

export async function waitOnline(page: Page): Promise<void> {
  await page.locator('[data-testid="connection-status"][data-status="online"]').waitFor();
}

export async function send(page: Page, text: string): Promise<void> {
  const input = page.getByTestId("composer-input");
  await input.fill(text);
  await input.press("Enter");
}

export function messageRow(page: Page, text: string): Locator {
  return page.getByTestId("message").filter({ hasText: text });
}

/** Polls `read` until it returns `expected`, failing with the last value seen. */
export async function eventually<T>(read: () => Promise<T>, expected: T, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (JSON.stringify(last) === JSON.stringify(expected)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`expected ${JSON.stringify(expected)}, last saw ${JSON.stringify(last)}`);
}

export function uniqueRoom(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** The member id this page's session says it is (the page keeps id and name, never the session). */
export async function memberId(page: Page): Promise<string> {
  return page.evaluate(() => JSON.parse(localStorage.getItem("hearth.session") ?? "null")?.member?.id as string);
}

/** The project's test-artifacts/ (ignored by git): screenshots for a person to look at. */
const ARTIFACTS = resolve(import.meta.dirname, "../../test-artifacts");

/** Where a test keeps a screenshot (`name` with its extension), creating the folder. */
export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return resolve(ARTIFACTS, name);
}
