/**
 * A budget on loop iterations for sandboxed code.
 *
 * On Cloudflare, a Dynamic Worker has CPU limits and a runaway loop is
 * stopped by the platform. Under `wrangler dev` nothing enforces them, and a
 * `while (true) {}` would block the host's event loop so that even the
 * executor's timeout never fires. So every loop body gets a counter call
 * (acorn finds the loops; a synchronous loop cannot look at the clock —
 * Workers freeze time during execution — so iterations are counted), and
 * the whole function is wrapped to define the counter. Recursion ends in a
 * stack overflow; never-settling promises end at the executor's timeout.
 */
import { parse } from "acorn";

export const MAX_LOOP_ITERATIONS = 5_000_000;

interface Node {
  type: string;
  start: number;
  end: number;
  body?: Node | Node[];
  [key: string]: unknown;
}

const LOOPS = new Set(["WhileStatement", "DoWhileStatement", "ForStatement", "ForInStatement", "ForOfStatement"]);

export function guardLoops(code: string, max = MAX_LOOP_ITERATIONS): string {
  let ast: Node;
  try {
    ast = parse(code, { ecmaVersion: "latest", sourceType: "script", allowAwaitOutsideFunction: true }) as unknown as Node;
  } catch {
    // Not parseable as written: the executor reports the syntax error.
    return code;
  }
  const edits: Array<{ at: number; text: string }> = [];
  const tick = "__hearthTick();";
  const visit = (node: unknown): void => {
    if (!node || typeof node !== "object") return;
    if (Array.isArray(node)) return node.forEach(visit);
    const n = node as Node;
    if (LOOPS.has(n.type) && n.body && !Array.isArray(n.body)) {
      const body = n.body;
      if (body.type === "BlockStatement") edits.push({ at: body.start + 1, text: tick });
      else {
        edits.push({ at: body.start, text: `{${tick}` }, { at: body.end, text: "}" });
      }
    }
    for (const [key, value] of Object.entries(n)) if (key !== "type") visit(value);
  };
  visit(ast);
  let guarded = code.trim().replace(/;\s*$/, "");
  const offset = code.indexOf(guarded.slice(0, 1));
  for (const edit of edits.sort((a, b) => b.at - a.at)) {
    const at = edit.at - offset;
    guarded = guarded.slice(0, at) + edit.text + guarded.slice(at);
  }
  return `async () => {
  let __hearthLoops = 0;
  const __hearthTick = () => {
    if (++__hearthLoops > ${max}) throw new Error("The code ran more than ${max} loop iterations and was stopped.");
  };
  return await (${guarded})();
}`;
}
