/**
 * WCAG AA for both colour themes: reads the custom properties of the light
 * `:root` and of the `prefers-color-scheme: dark` block in global.css, and
 * checks every foreground/background pair the client draws — so a colour
 * change that makes some text or control edge too faint fails here, not in
 * someone's eyes. Also: the manifest and index.html name the same colours.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const CLIENT = resolve(import.meta.dirname, "../../client");
const css = readFileSync(resolve(CLIENT, "src/global.css"), "utf8");

type Theme = Record<string, string>;

/** `--name: #hex;` declarations inside the first `{…}` after `start`. */
function properties(source: string, start: number): Theme {
  const open = source.indexOf("{", start);
  const close = source.indexOf("}", open);
  const body = source.slice(open + 1, close);
  return Object.fromEntries([...body.matchAll(/--([\w-]+):\s*(#[0-9a-f]{3,6})\b/gi)].map((m) => [m[1]!, m[2]!.toLowerCase()]));
}

const light = properties(css, css.indexOf(":root"));
const darkMedia = css.indexOf("@media (prefers-color-scheme: dark)");
// The dark block overrides the light one; what it leaves out stays.
const dark: Theme = { ...light, ...properties(css, css.indexOf(":root", darkMedia)) };

function rgb(hex: string): [number, number, number] {
  const h = hex.length === 4 ? [...hex.slice(1)].map((c) => c + c).join("") : hex.slice(1);
  return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)) as [number, number, number];
}

/** WCAG 2 relative luminance. */
function luminance(hex: string): number {
  const [r, g, b] = rgb(hex).map((v) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** `color-mix(in srgb, <fg> p%, transparent)` painted over `bg` (the MCP state pills). */
function tint(fg: string, bg: string, p: number): string {
  const [f, b] = [rgb(fg), rgb(bg)];
  return `#${f.map((v, i) => Math.round(v * p + b[i]! * (1 - p)).toString(16).padStart(2, "0")).join("")}`;
}

/** Text: foreground, background, where the client draws it. */
const TEXT: Array<[string, string, string]> = [
  ...["bg", "surface", "surface-2", "code-bg", "accent-soft"].flatMap((bg): Array<[string, string, string]> => [
    ["text", bg, "body text, code, reminder messages"],
    ["muted", bg, "muted text, timestamps, badges"],
    ["danger", bg, "errors, danger buttons, failed command notes"],
  ]),
  ["accent", "bg", "links, the landing title"],
  ["accent", "surface", "links in cards"],
  ["accent", "accent-soft", "the owner badge"],
  ["accent-text", "accent", "primary buttons"],
  ["ok", "surface", "MCP tool states"],
  ["warn", "surface", "stopped and interrupted turns"],
  ["warn", "bg", ".warn text"],
  ["surface", "focus", "the AI avatar"],
  ["surface", "warn", "the paused badge"],
];

/** Control edges, focus and state dots: 3:1 against what surrounds them. */
const NON_TEXT: Array<[string, string, string]> = [
  ["control-border", "surface", "input and quiet button edges"],
  ["control-border", "bg", "input and quiet button edges on the page"],
  ["focus", "bg", "focus ring"],
  ["focus", "surface", "focus ring in cards"],
  ["accent", "bg", "an open panel toggle's edge"],
  ["ok", "surface", "online dot"],
  ["warn", "surface", "reconnecting dot"],
  ["danger", "surface", "offline dot"],
];

const THEMES = [
  ["light", light],
  ["dark", dark],
] as const;

describe("colour contrast (WCAG AA)", () => {
  it("reads two different themes from global.css", () => {
    expect(contrast("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(Object.keys(light).length).toBeGreaterThan(10);
    expect(dark.bg).not.toBe(light.bg);
    expect(dark.text).not.toBe(light.text);
  });

  describe.each(THEMES)("%s theme", (_, theme) => {
    const pairs = (list: Array<[string, string, string]>) => list.map(([fg, bg, where]) => ({ fg, bg, where }));

    it.each(pairs(TEXT))("$fg on $bg ($where) is at least 4.5:1", ({ fg, bg }) => {
      expect(theme[fg], `--${fg}`).toBeDefined();
      expect(theme[bg], `--${bg}`).toBeDefined();
      expect(contrast(theme[fg]!, theme[bg]!)).toBeGreaterThanOrEqual(4.5);
    });

    it.each(["ok", "warn", "danger"])("MCP %s pill text on its own tint is at least 4.5:1", (state) => {
      expect(contrast(theme[state]!, tint(theme[state]!, theme.surface!, 0.18))).toBeGreaterThanOrEqual(4.5);
    });

    it.each(pairs(NON_TEXT))("$fg against $bg ($where) is at least 3:1", ({ fg, bg }) => {
      expect(theme[fg], `--${fg}`).toBeDefined();
      expect(contrast(theme[fg]!, theme[bg]!)).toBeGreaterThanOrEqual(3);
    });
  });
});

describe("theme colours outside the CSS", () => {
  it("the manifest and the theme-color metas use the themes' own colours", () => {
    const manifest = JSON.parse(readFileSync(resolve(CLIENT, "public/manifest.webmanifest"), "utf8")) as Record<string, string>;
    expect(manifest.background_color).toBe(light.bg);
    expect(manifest.theme_color).toBe(light.surface);
    const html = readFileSync(resolve(CLIENT, "index.html"), "utf8");
    const meta = (scheme: string) =>
      html.match(new RegExp(`<meta name="theme-color" media="\\(prefers-color-scheme: ${scheme}\\)" content="(#[0-9a-f]+)"`))?.[1];
    expect(meta("light")).toBe(light.surface);
    expect(meta("dark")).toBe(dark.surface);
  });
});
