/**
 * Code Mode cards, pure helpers (no React): which parts are `code` runs,
 * which calls each run made (nested by `parentCallId`), and what a run
 * printed and returned.
 */
import { codeOf, latestSavableCodeRun } from "../../../../shared/codemode";
import type { ChatMessage, ToolPart } from "../../../../shared/protocol";


/** A Code Mode run: the `code` tool with its source in `input.code`. */
export function isCodePart(part: ToolPart): boolean {
  return codeOf(part) !== null;
}

/** What a `/run <name>` card ran: the saved script's name and version, when the input says. */
export function scriptOf(part: ToolPart): { name: string; version: number | null } | null {
  const input = part.input as { script?: unknown; version?: unknown } | null | undefined;
  if (typeof input?.script !== "string") return null;
  return { name: input.script, version: typeof input.version === "number" ? input.version : null };
}

export function codeSource(part: ToolPart): string {
  return codeOf(part) ?? "";
}

export interface PartTree {
  /** Parts shown at the message's top level, in their original order. */
  top: ToolPart[];
  /** callId → the calls made from inside it, in call order. */
  children: ReadonlyMap<string, ToolPart[]>;
}

/**
 * Splits a message's parts into top-level cards and the cards nested in
 * them (by `parentCallId`). Every part ends up exactly once: a part whose
 * parent is not in the message (an orphan), or that points at itself or into
 * a cycle, stays at the top level rather than disappear.
 */
export function groupParts(parts: readonly ToolPart[]): PartTree {
  const byId = new Map(parts.map((p) => [p.callId, p]));
  const childrenOf = new Map<string, ToolPart[]>();
  const roots: ToolPart[] = [];
  for (const part of parts) {
    const parent = part.parentCallId;
    if (parent === undefined || parent === part.callId || !byId.has(parent)) {
      roots.push(part);
      continue;
    }
    const list = childrenOf.get(parent);
    if (list) list.push(part);
    else childrenOf.set(parent, [part]);
  }
  // Place what hangs, through its parents, from a root; parts left over
  // (parents in a cycle) become roots themselves, in their original order.
  const placed = new Set<string>();
  const topIds = new Set<string>();
  const children = new Map<string, ToolPart[]>();
  const visit = (part: ToolPart) => {
    placed.add(part.callId);
    const kids = (childrenOf.get(part.callId) ?? []).filter((k) => !placed.has(k.callId));
    if (kids.length === 0) return;
    children.set(part.callId, kids);
    for (const kid of kids) placed.add(kid.callId);
    for (const kid of kids) visit(kid);
  };
  for (const part of [...roots, ...parts]) {
    if (placed.has(part.callId)) continue;
    topIds.add(part.callId);
    visit(part);
  }
  return { top: parts.filter((p) => topIds.has(p.callId)), children };
}

export interface CodeOutput {
  /** `output.result` (null when the run returned nothing). */
  result: unknown;
  hasResult: boolean;
  /** `output.logs`: console lines, in order. */
  logs: string[];
  /** Set when the server cut the output: its first characters of JSON and the full length. */
  truncated: { preview: string; totalChars: number | null } | null;
}

/** What a finished run printed and returned, read defensively from `output`. */
export function codeOutput(part: ToolPart): CodeOutput {
  const out = part.output as Record<string, unknown> | null | undefined;
  const none: CodeOutput = { result: undefined, hasResult: false, logs: [], truncated: null };
  if (out === undefined) return none;
  if (out === null || typeof out !== "object" || Array.isArray(out)) return { ...none, result: out, hasResult: true };
  if (out.truncated === true && typeof out.preview === "string") {
    return {
      ...none,
      truncated: { preview: out.preview, totalChars: typeof out.totalChars === "number" ? out.totalChars : null },
    };
  }
  const logs = Array.isArray(out.logs) ? out.logs.map((l) => (typeof l === "string" ? l : JSON.stringify(l) ?? String(l))) : [];
  if (!("result" in out)) return { ...none, result: out, hasResult: true, logs };
  return { result: out.result, hasResult: true, logs, truncated: null };
}

/**
 * The run `/scripts save <name>` would save — the rule is the server's
 * (shared/codemode.ts): only that card offers "Save as script".
 */
export function latestSavableRun(messages: readonly ChatMessage[]): { seq: number; callId: string } | null {
  const run = latestSavableCodeRun(messages);
  return run ? { seq: run.message.seq, callId: run.part.callId } : null;
}
