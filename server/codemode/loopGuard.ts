/**
 * Turns model-written code into the sandbox's `code.js` module, or refuses it.
 *
 * Refusing is the point: code that does not parse used to be spliced into
 * the executor's template as it was, and text such as `}})(), 0]); …` could
 * close that template early and run outside its timeout and loop guard.
 * Here the code must parse (as a module, the goal it runs in) to exactly one
 * function expression; it then becomes a module of its own whose only
 * statement is `export default (<that function>)`, and the result is parsed
 * again and must have exactly that shape — so whatever the text, it cannot
 * reach the executor (a separate module holding the clock) or run anything
 * at import time.
 *
 * The loop budget: on Cloudflare a Dynamic Worker has CPU limits and a
 * runaway loop is stopped by the platform. Under `wrangler dev` nothing
 * enforces them, and a `while (true) {}` would block the host's event loop
 * so that no timeout fires. So every loop body gets a counter call (a
 * synchronous loop cannot look at the clock — Workers freeze time during
 * execution — so iterations are counted). The counter is imported from
 * `guard.js`, and code may not use its name, so it can neither shadow nor
 * reset it. Recursion ends in a stack overflow; never-settling promises end
 * at the time limit.
 */
import { parse, type Options } from "acorn";
import { normalizeCode } from "@cloudflare/codemode";

export const MAX_LOOP_ITERATIONS = 5_000_000;

/** Names the sandbox's own modules use; code that mentions one is refused. */
const RESERVED = /^__hearth/;
const TICK = "__hearthTick";

interface Node {
  type: string;
  start: number;
  end: number;
  body?: Node | Node[];
  [key: string]: unknown;
}

const LOOPS = new Set(["WhileStatement", "DoWhileStatement", "ForStatement", "ForInStatement", "ForOfStatement"]);
const FUNCTIONS = new Set(["ArrowFunctionExpression", "FunctionExpression"]);
const MODULE: Options = { ecmaVersion: "latest", sourceType: "module" };

export type PreparedCode = { ok: true; module: string } | { ok: false; error: string };

/** The `guard.js` module: the loop counter, out of the code's reach. */
export function guardModule(max = MAX_LOOP_ITERATIONS): string {
  return `let loops = 0;
export function tick() {
  if (++loops > ${max}) throw new Error("The code ran more than ${max} loop iterations and was stopped.");
}
`;
}

export function prepareCode(code: string, max = MAX_LOOP_ITERATIONS): PreparedCode {
  // The same normalisation the codemode package applies (fences stripped, a
  // bare statement list wrapped in a function), so code it accepts still runs.
  const source = normalizeCode(code);
  let program: Node;
  try {
    program = parse(source, MODULE) as unknown as Node;
  } catch (err) {
    return { ok: false, error: `The code does not parse (${syntaxError(err, source !== code.trim())}); nothing ran.` };
  }
  const body = program.body as Node[];
  const fn = body.length === 1 && body[0]!.type === "ExpressionStatement" ? (body[0]!.expression as Node) : null;
  if (!fn || !FUNCTIONS.has(fn.type)) {
    return { ok: false, error: "The code must be one function, like `async () => { … }`; nothing ran." };
  }
  const edits: Array<{ at: number; text: string }> = [];
  let reserved: string | null = null;
  const visit = (node: unknown): void => {
    if (!node || typeof node !== "object") return;
    if (Array.isArray(node)) return node.forEach(visit);
    const n = node as Node;
    if ((n.type === "Identifier" || n.type === "PrivateIdentifier") && RESERVED.test(String(n.name))) reserved ??= String(n.name);
    if (LOOPS.has(n.type) && n.body && !Array.isArray(n.body)) {
      const loopBody = n.body;
      if (loopBody.type === "BlockStatement") edits.push({ at: loopBody.start + 1, text: `${TICK}();` });
      else edits.push({ at: loopBody.start, text: `{${TICK}();` }, { at: loopBody.end, text: "}" });
    }
    for (const [key, value] of Object.entries(n)) if (key !== "type") visit(value);
  };
  visit(fn);
  if (reserved) return { ok: false, error: `The code uses ${reserved}, a name reserved for the sandbox; nothing ran.` };

  // Only the function's own text (comments around it dropped), edited back to front.
  let guarded = source.slice(fn.start, fn.end);
  for (const edit of edits.sort((a, b) => b.at - a.at)) {
    const at = edit.at - fn.start;
    guarded = guarded.slice(0, at) + edit.text + guarded.slice(at);
  }
  const head = `import { tick as ${TICK} } from "./guard.js";\nexport default (\n`;
  const module = `${head}${guarded}\n);\n`;
  return checkShape(module, head.length, guarded.length) ? { ok: true, module } : { ok: false, error: "The code could not be prepared to run; nothing ran." };
}

/** The module is exactly the import and `export default (<function>)`, the function where we put it. */
function checkShape(module: string, start: number, length: number): boolean {
  try {
    const body = (parse(module, MODULE) as unknown as Node).body as Node[];
    const decl = body[1]?.declaration as Node | undefined;
    return (
      body.length === 2 &&
      body[0]!.type === "ImportDeclaration" &&
      body[1]!.type === "ExportDefaultDeclaration" &&
      !!decl && FUNCTIONS.has(decl.type) && decl.start === start && decl.end === start + length
    );
  } catch {
    return false;
  }
}

/** acorn's message with the position in the model's own text (normalizeCode may have added a first line). */
function syntaxError(err: unknown, wrapped: boolean): string {
  const e = err as { message?: string; loc?: { line: number; column: number } };
  const text = String(e.message ?? err).replace(/\s*\(\d+:\d+\)$/, "");
  if (!e.loc) return text;
  const line = wrapped ? Math.max(1, e.loc.line - 1) : e.loc.line;
  return `${text} at line ${line}, column ${e.loc.column + 1}`;
}
