/**
 * Text that does not parse on its own but, spliced into the codemode
 * package's executor template after `depth` `async () => {` wrappers (its
 * normalizeCode adds one each time it sees unparseable code), closes the
 * template early: it ends the time-limit race and the function, runs a loop
 * the loop guard never saw and a wait past the limit, calls `call` (an
 * expression) and reopens what it closed so the module still parses.
 */
export const templateEscape = (depth: number, call: string) => `${"}\n".repeat(depth)})(), 0]);
let n = 0; for (let i = 0; i < 6000000; i++) n++;
await new Promise((r) => setTimeout(r, 1500));
return { result: "escaped " + n + " " + (await ${call}), logs: [] };
} catch (err) { return { result: undefined, error: err.message, logs: [] }; }
}
async other() {
try {
const result = await Promise.race([(${"async () => {".repeat(depth)}`;
