/**
 * MCP elicitation forms, shared by the room (which reads the server's
 * schema and validates every answer) and the client (which shows the same
 * fields and checks before sending). The MCP spec restricts a form's
 * `requestedSchema` to an object of flat primitive properties: strings
 * (optionally email/uri/date/date-time), numbers, integers, booleans,
 * single-select enums and multi-select arrays of enum strings.
 *
 * Hearth never collects secrets through a form: a field whose name, title
 * or format asks for a password, token, key or similar is flagged `secret`
 * and gets no input (docs/security.md, "MCP servers").
 */
import { LIMITS } from "./limits";
import type { ElicitationField } from "./protocol";

export type ElicitationContent = Record<string, string | number | boolean | string[]>;

/** Words that mark a field as asking for a secret (matched against the name and title, split into words). */
const SECRET_WORDS = new Set([
  "password", "passwd", "passphrase", "pwd", "pass", "secret", "token", "key", "apikey", "credential", "credentials",
  "otp", "totp", "pin", "cvv", "cvc", "ssn", "mfa", "2fa", "privatekey", "bearer", "cookie",
]);
const FORMATS = ["email", "uri", "date", "date-time"] as const;
type Format = (typeof FORMATS)[number];

/** "apiKey", "api_key", "API key" → ["api", "key", "apikey"]: single words and the pair joined, so `apiKey` and `api_key` both match. */
function words(text: string): string[] {
  const parts = text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const joined = parts.slice(1).map((w, i) => parts[i] + w);
  return [...parts, ...joined];
}

export function looksSecret(name: string, title: string, format: unknown): boolean {
  if (format === "password") return true;
  return [...words(name), ...words(title)].some((w) => SECRET_WORDS.has(w));
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const str = (v: unknown): string => (typeof v === "string" ? v : "");

/** `{const, title}` lists (titled enums) → options. */
function constOptions(list: unknown): { value: string; label: string }[] | null {
  if (!Array.isArray(list)) return null;
  const out = list.filter(isObject).filter((o) => typeof o.const === "string");
  return out.length === list.length ? out.map((o) => ({ value: o.const as string, label: str(o.title) || (o.const as string) })) : null;
}

function enumOptions(values: unknown, names: unknown): { value: string; label: string }[] | null {
  if (!Array.isArray(values) || !values.every((v) => typeof v === "string")) return null;
  const labels = Array.isArray(names) ? names : [];
  return values.map((v, i) => ({ value: v as string, label: typeof labels[i] === "string" ? (labels[i] as string) : (v as string) }));
}

/**
 * The form's fields, in the schema's order. Never throws: a schema that is
 * not an object of properties gives no fields (and `schemaProblem` says why).
 */
export function elicitationFields(schema: unknown): { fields: ElicitationField[]; problem: string | null } {
  if (!isObject(schema) || schema.type !== "object" || !isObject(schema.properties)) {
    return { fields: [], problem: "The server's form is not an object of fields." };
  }
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === "string") : []);
  const entries = Object.entries(schema.properties);
  if (entries.length > LIMITS.elicitationFields) {
    return { fields: [], problem: `The server's form has ${entries.length} fields; Hearth shows at most ${LIMITS.elicitationFields}.` };
  }
  return { fields: entries.map(([name, p]) => field(name.slice(0, 64), isObject(p) ? p : {}, required.has(name))), problem: null };
}

function field(name: string, p: Json, required: boolean): ElicitationField {
  const title = str(p.title).slice(0, 200) || name;
  const base: ElicitationField = {
    name, title, description: str(p.description).slice(0, 500), required, kind: "unsupported", format: null,
    minLength: null, maxLength: null, minimum: null, maximum: null, minItems: null, maxItems: null,
    options: [], default: null, secret: false, problem: null,
  };
  if (looksSecret(name, title, p.format)) {
    return { ...base, secret: true, problem: "This field asks for a password, token or key. Hearth never collects secrets through a form." };
  }
  const options = constOptions(p.oneOf) ?? constOptions(p.anyOf) ?? enumOptions(p.enum, p.enumNames);
  if (p.type === "string" && options) {
    return { ...base, kind: "enum", options, default: typeof p.default === "string" ? p.default : null };
  }
  if (p.type === "string") {
    const format = FORMATS.includes(p.format as Format) ? (p.format as Format) : null;
    return { ...base, kind: "string", format, minLength: num(p.minLength), maxLength: num(p.maxLength), default: typeof p.default === "string" ? p.default : null };
  }
  if (p.type === "number" || p.type === "integer") {
    return { ...base, kind: p.type, minimum: num(p.minimum), maximum: num(p.maximum), default: num(p.default) };
  }
  if (p.type === "boolean") return { ...base, kind: "boolean", default: typeof p.default === "boolean" ? p.default : null };
  if (p.type === "array" && isObject(p.items)) {
    const items = p.items;
    const choices = constOptions(items.anyOf) ?? constOptions(items.oneOf) ?? enumOptions(items.enum, undefined);
    if (choices) {
      const def = Array.isArray(p.default) && p.default.every((d) => typeof d === "string") ? (p.default as string[]) : null;
      return { ...base, kind: "multi", options: choices, minItems: num(p.minItems), maxItems: num(p.maxItems), default: def };
    }
  }
  return { ...base, problem: "Hearth cannot show this kind of field (the MCP spec allows text, numbers, yes/no and choices only)." };
}

/** Whether an accepted answer could be given at all: no required field is secret or unsupported. */
export function blockingField(fields: ElicitationField[]): ElicitationField | null {
  return fields.find((f) => f.required && f.problem !== null) ?? null;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Checks an accepted answer against the fields: only known, fillable
 * fields, each of the right type and within its bounds, every required one
 * present. Returns the content to send the server (exactly the member's
 * values), or the first problem, worded for the member.
 */
export function checkAnswer(fields: ElicitationField[], content: unknown): { ok: true; content: ElicitationContent } | { ok: false; message: string } {
  if (!isObject(content)) return { ok: false, message: "An accepted answer needs the form's values." };
  const blocking = blockingField(fields);
  if (blocking) return { ok: false, message: `${blocking.title} cannot be filled in here (${blocking.problem}): decline or cancel instead.` };
  const byName = new Map(fields.map((f) => [f.name, f]));
  const out: ElicitationContent = {};
  for (const [name, value] of Object.entries(content)) {
    const f = byName.get(name);
    if (!f) return { ok: false, message: `The form has no field ${name}.` };
    if (f.problem) return { ok: false, message: `${f.title} cannot be answered: ${f.problem}` };
    const problem = valueProblem(f, value);
    if (problem) return { ok: false, message: `${f.title}: ${problem}` };
    out[name] = value as ElicitationContent[string];
  }
  for (const f of fields) {
    if (f.required && !(f.name in out)) return { ok: false, message: `${f.title} is required.` };
  }
  return { ok: true, content: out };
}

function valueProblem(f: ElicitationField, v: unknown): string | null {
  switch (f.kind) {
    case "string": {
      if (typeof v !== "string") return "must be text.";
      if (v.length > LIMITS.elicitationValueChars) return `at most ${LIMITS.elicitationValueChars} characters.`;
      if (f.minLength !== null && v.length < f.minLength) return `at least ${f.minLength} characters.`;
      if (f.maxLength !== null && v.length > f.maxLength) return `at most ${f.maxLength} characters.`;
      if (f.format === "email" && !EMAIL.test(v)) return "must be an email address.";
      if (f.format === "uri" && !isUrl(v)) return "must be a web address (https://…).";
      if (f.format === "date" && !(DATE.test(v) && !Number.isNaN(Date.parse(v)))) return "must be a date (YYYY-MM-DD).";
      if (f.format === "date-time" && Number.isNaN(Date.parse(v))) return "must be a date and time.";
      return null;
    }
    case "number":
    case "integer": {
      if (typeof v !== "number" || !Number.isFinite(v)) return "must be a number.";
      if (f.kind === "integer" && !Number.isInteger(v)) return "must be a whole number.";
      if (f.minimum !== null && v < f.minimum) return `at least ${f.minimum}.`;
      if (f.maximum !== null && v > f.maximum) return `at most ${f.maximum}.`;
      return null;
    }
    case "boolean":
      return typeof v === "boolean" ? null : "must be yes or no.";
    case "enum":
      return typeof v === "string" && f.options.some((o) => o.value === v) ? null : `must be one of ${f.options.map((o) => o.label).join(", ")}.`;
    case "multi": {
      if (!Array.isArray(v) || !v.every((x) => typeof x === "string" && f.options.some((o) => o.value === x))) {
        return `must be a choice of ${f.options.map((o) => o.label).join(", ")}.`;
      }
      if (new Set(v).size !== v.length) return "each choice once.";
      if (f.minItems !== null && v.length < f.minItems) return `choose at least ${f.minItems}.`;
      if (f.maxItems !== null && v.length > f.maxItems) return `choose at most ${f.maxItems}.`;
      return null;
    }
    default:
      return "cannot be answered.";
  }
}

function isUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === "https:" || u.protocol === "http:";
  } catch {
    return false;
  }
}

/** A URL-mode target the member may be offered: http(s) only, and its host to show before consent. */
export function elicitationTarget(url: unknown): { url: string; domain: string } | null {
  if (typeof url !== "string" || url.length > 2000) return null;
  try {
    const u = new URL(url);
    if (u.protocol !== "https:" && u.protocol !== "http:") return null;
    return { url: u.href, domain: u.host };
  } catch {
    return null;
  }
}
