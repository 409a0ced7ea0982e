/**
 * Server CPU and memory from /proc (Linux only).
 *
 * CPU is utime + stime of a process and all its descendants: `wrangler dev`
 * is a Node process whose child `workerd` runs the Worker, so measuring only
 * the pid we spawned would miss nearly all the work. Descendants are found
 * anew on each sample because workerd may be (re)spawned by wrangler.
 * Memory is the resident set (VmRSS) of the process that holds the
 * sockets and objects: workerd for A and R, the Node process for W.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second for utime/stime (almost always 100). */
const TICKS = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime, seconds. */
  cpu: number;
}

function readStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // comm is in parentheses and may contain spaces: split after the last ')'.
    const close = text.lastIndexOf(")");
    const comm = text.slice(text.indexOf("(") + 1, close);
    const fields = text.slice(close + 2).split(" ");
    // fields[0] is state (field 3); ppid is field 4, utime 14, stime 15.
    return { pid, comm, ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / TICKS };
  } catch {
    return null; // the process exited between readdir and read
  }
}

/** The pid and all its living descendants. */
export function processTree(root: number): ProcStat[] {
  const all: ProcStat[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s) all.push(s);
  }
  const byParent = new Map<number, ProcStat[]>();
  for (const s of all) byParent.set(s.ppid, [...(byParent.get(s.ppid) ?? []), s]);
  const out: ProcStat[] = [];
  const rootStat = all.find((s) => s.pid === root);
  if (!rootStat) return out;
  const queue = [rootStat];
  while (queue.length) {
    const s = queue.shift()!;
    out.push(s);
    queue.push(...(byParent.get(s.pid) ?? []));
  }
  return out;
}

/** CPU seconds (user + system) used so far by the tree under `root`. */
export function treeCpuSeconds(root: number): number {
  return processTree(root).reduce((sum, s) => sum + s.cpu, 0);
}

/** Resident set size of one process, in bytes (NaN if it is gone). */
export function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** The first process named `comm` in the tree under `root` (e.g. workerd under wrangler). */
export function findInTree(root: number, comm: string): number | null {
  return processTree(root).find((s) => s.comm === comm)?.pid ?? null;
}

/** A CPU stopwatch over a process tree. */
export function cpuMeter(root: number): () => number {
  const start = treeCpuSeconds(root);
  return () => treeCpuSeconds(root) - start;
}

/** CPU seconds the whole machine spent busy (all cores: user, nice, system, irq, softirq, steal), from /proc/stat. */
export function systemBusySeconds(): number {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!;
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = f[3]! + f[4]!;
    return (total - idle) / TICKS;
  } catch {
    return NaN;
  }
}
