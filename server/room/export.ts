/**
 * An owner takes the room with them: every message (threads, reactions,
 * edits, tool cards with their inputs, outputs and approvals, tombstones),
 * the reminders and the MCP audit, as Markdown or as JSON.
 *
 * Streamed: the body is a ReadableStream that reads EXPORT_PAGE messages
 * from SQLite each time the reader asks for more (`pull`), so a room of
 * 100,000 messages is exported holding one page in memory, and a slow
 * download applies backpressure to the reads instead of buffering the room.
 * The export covers the messages up to the newest one when it started:
 * what is posted during a long download is not half in it.
 */
import type { AuditEntry } from "../mcp/store";
import type { ChatMessage, ReminderItem, RoomInfo, ToolPart } from "../../shared/protocol";
import { mentionsAsNames } from "./mentions";

export type ExportFormat = "md" | "json";

/** Messages read per pull: small enough to bound memory, large enough that SQLite is not asked per row. */
export const EXPORT_PAGE = 200;

export interface ExportSource {
  room: RoomInfo;
  exportedAt: number;
  exportedBy: string;
  /** Messages with a seq above `after`, in seq order (thread replies and tombstones included), at most `limit`. */
  messagesAfter(after: number, limit: number): ChatMessage[];
  /** The newest seq when the export starts. */
  upTo: number;
  reminders(): ReminderItem[];
  audit(): AuditEntry[];
  /** A member's current name, for mention tokens (Markdown shows `@Name`; JSON keeps the ids). */
  nameOf(memberId: string): string | null;
  /** Where an attached file is downloaded (a link that asks the reader to sign in as a member). */
  fileUrl(fileId: string): string;
}

export function exportStream(source: ExportSource, format: ExportFormat): ReadableStream<Uint8Array> {
  const writer = format === "json" ? jsonWriter(source) : markdownWriter(source);
  const encoder = new TextEncoder();
  let after = 0;
  let phase: "head" | "messages" | "tail" | "done" = "head";
  let first = true;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (phase === "head") {
          controller.enqueue(encoder.encode(writer.head()));
          phase = "messages";
          return;
        }
        if (phase === "messages") {
          const page = source.messagesAfter(after, EXPORT_PAGE).filter((m) => m.seq <= source.upTo);
          if (page.length > 0) {
            const chunk = page.map((m) => {
              const piece = writer.message(m, first);
              first = false;
              return piece;
            });
            controller.enqueue(encoder.encode(chunk.join("")));
            after = page.at(-1)!.seq;
            if (after < source.upTo && page.length === EXPORT_PAGE) return;
          }
          phase = "tail";
          return;
        }
        if (phase === "tail") {
          controller.enqueue(encoder.encode(writer.tail()));
          phase = "done";
          controller.close();
        }
      },
    },
    // One pull at a time: the reader's pace sets the read rate.
    { highWaterMark: 1 },
  );
}

interface Writer {
  head(): string;
  /** One message; `first` tells the JSON writer not to put a comma before it. */
  message(m: ChatMessage, first: boolean): string;
  tail(): string;
}

function jsonWriter(source: ExportSource): Writer {
  // One JSON document, written in pieces: the header fields, then each
  // message on its own line inside "messages", then the rest.
  const header = {
    format: "hearth-room-export",
    version: 1,
    room: source.room,
    exportedAt: new Date(source.exportedAt).toISOString(),
    exportedBy: source.exportedBy,
    // Each message's `attachments` carry ids; a file is at this URL with `{id}` replaced.
    fileUrl: source.fileUrl("{id}"),
  };
  return {
    head: () => `${JSON.stringify(header).slice(0, -1)},"messages":[\n`,
    message: (m, first) => `${first ? "" : ",\n"}${JSON.stringify(m)}`,
    tail: () => `\n],"reminders":${JSON.stringify(source.reminders())},"mcpAudit":${JSON.stringify(source.audit())}}\n`,
  };
}

function markdownWriter(source: ExportSource): Writer {
  const name = source.room.name.startsWith("p_") ? "Private room" : `#${source.room.name}`;
  const text = (s: string) => mentionsAsNames(s, source.nameOf);
  return {
    head: () =>
      `# ${name} — Hearth export\n\n` +
      `Exported ${utc(source.exportedAt)} by ${source.exportedBy} · ${source.room.visibility} room · messages up to #${source.upTo}\n\n` +
      `## Messages\n\n`,
    message: (m) => markdownMessage(m, text, source.fileUrl),
    tail: () => markdownReminders(source.reminders()) + markdownAudit(source.audit()),
  };
}

function markdownMessage(m: ChatMessage, text: (s: string) => string, fileUrl: (id: string) => string): string {
  const where = m.threadOf != null ? ` · in the thread of #${m.threadOf}${m.alsoToRoom ? " (also sent to the room)" : ""}` : "";
  const reply = m.replyTo != null ? ` · reply to #${m.replyTo}` : "";
  const edited = m.editedAt && !m.deleted ? ` · edited ${utc(m.editedAt)}` : "";
  const kind = m.kind === "user" ? "" : ` (${m.kind})`;
  const lines = [`### #${m.seq} · ${m.author.name}${kind} · ${utc(m.createdAt)}${where}${reply}${edited}`, ""];
  if (m.deleted) {
    lines.push(m.removedBy ? `_Removed by an owner (${m.removedBy.name})._` : "_Deleted._");
  } else {
    if (m.text) lines.push(quoteIfThread(text(m.text), m));
    if (m.status && m.status !== "done") lines.push("", `_Status: ${m.status}._`);
    for (const part of m.parts) lines.push("", toolCard(part));
    for (const file of m.attachments ?? []) lines.push("", `📎 [${file.name.replace(/[[\]]/g, "")}](${fileUrl(file.id)}) (${file.type}, ${file.size} bytes)`);
    if (m.reactions?.length) {
      lines.push("", `Reactions: ${m.reactions.map((r) => `${r.emoji} ${r.count} (${r.by.map((b) => b.name).join(", ")}${r.count > r.by.length ? ", …" : ""})`).join(" · ")}`);
    }
    if (m.pinned) lines.push("", `📌 Pinned by ${m.pinned.by.name} on ${utc(m.pinned.at)}`);
    if (m.thread && m.thread.count > 0) lines.push("", `Thread: ${m.thread.count} ${m.thread.count === 1 ? "reply" : "replies"}`);
  }
  return `${lines.join("\n")}\n\n`;
}

/** Thread replies are quoted, so a reader sees at a glance what belongs to a thread. */
function quoteIfThread(s: string, m: ChatMessage): string {
  return m.threadOf != null ? s.split("\n").map((l) => `> ${l}`).join("\n") : s;
}

function toolCard(part: ToolPart): string {
  const tool = part.tool.replace("__", ".");
  const duration = part.durationMs !== undefined ? ` in ${part.durationMs} ms` : "";
  const decided =
    part.approvals?.length
      ? ` · approved by ${part.approvals.map((a) => a.name).join(", ")}`
      : part.decidedBy
        ? ` · ${part.state === "denied" ? "denied" : "decided"} by ${part.decidedBy.name}`
        : "";
  const out = [`**Tool call \`${tool}\`** — ${part.state}${duration}${decided}`, "", "Input:", fence(part.input)];
  if (part.output !== undefined) out.push("Output:", fence(part.output));
  if (part.error) out.push(`Error: ${part.error}`);
  return out.join("\n");
}

/** A JSON block whose fence is longer than any backtick run inside it, so no value can end it early. */
function fence(value: unknown): string {
  const body = typeof value === "string" ? value : JSON.stringify(value ?? null, null, 2);
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((r) => r[0].length));
  const ticks = "`".repeat(longest + 1);
  return `${ticks}${typeof value === "string" ? "" : "json"}\n${body}\n${ticks}`;
}

function markdownReminders(items: ReminderItem[]): string {
  if (items.length === 0) return "## Reminders\n\nNone.\n\n";
  const rows = items.map(
    (r) => `| ${cell(r.kind)} | ${cell(r.kind === "job" ? "the assistant" : `@${r.target.name}`)} | ${cell(r.text)} | ${cell(r.repeat)} | ${utc(r.nextAt)} | ${cell(r.creator.name)} | ${r.paused ? "yes" : "no"} |`,
  );
  return `## Reminders\n\n| kind | for | text | repeat | next | by | paused |\n|---|---|---|---|---|---|---|\n${rows.join("\n")}\n\n`;
}

function markdownAudit(entries: AuditEntry[]): string {
  if (entries.length === 0) return "## MCP audit\n\nNone.\n";
  const rows = entries.map(
    (e) =>
      `| ${utc(e.at)} | ${cell(`${e.server}.${e.tool}`)} | ${cell(e.via)} | ${cell(e.requestedBy)} | ${cell(e.approvedBy ?? "")} | ${cell(e.outcome)} | ${e.durationMs} | ${cell(e.args)} |`,
  );
  return `## MCP audit\n\nThe room's newest MCP calls, newest first.\n\n| at | tool | via | requested by | approved by | outcome | ms | arguments |\n|---|---|---|---|---|---|---|---|\n${rows.join("\n")}\n`;
}

/** A table cell: one line, no pipe that would split it. */
function cell(s: string): string {
  return s.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
}

function utc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
