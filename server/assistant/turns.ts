/**
 * Assistant turns and the mentions waiting for one, in SQLite.
 *
 * One turn at a time per room. A turn that waits for a tool approval keeps
 * its model messages here, so the approval can arrive after a reload or a
 * hibernation and the turn resumes from exactly where it stopped. Mentions
 * that arrive during a turn are queued here and answered together next.
 */
import { withoutImages } from "./context";
import type { ModelMessage } from "ai";
import type { Actor } from "../room/actor";
import type { CodePause } from "../codemode/CodeMode";
import type { ApprovalNeed } from "../room/tools";

export interface PendingApproval {
  /** The model's approval request (a direct call); "" for a call inside a paused code run. */
  approvalId: string;
  callId: string;
  approved?: boolean;
  decidedBy?: { id: string; name: string };
  /** Why it was denied without a person (expiry). */
  reason?: string;
  /** When nobody decided by then, the call is denied. */
  expiresAt?: number;
  /** A call inside a code run: the paused run, to go on with after the decision. */
  code?: CodePause;
  /** Who may decide and how many must approve (the tool's approval need, as asked). */
  need?: ApprovalNeed;
}

export interface TurnRecord {
  seq: number;
  status: "running" | "waiting";
  requestedBy: Actor[];
  triggers: number[];
  /** Scheduled-job prompts this turn answers. */
  prompts?: string[];
  /**
   * Ids of the scheduled jobs it runs for (in memory only: a turn resumed
   * after a restart has none, and a call that needs someone then fails
   * instead of pausing the job).
   */
  jobs?: string[];
  usageId: number;
  system: string;
  modelMessages: ModelMessage[];
  pending: PendingApproval[];
}

interface TurnRow {
  seq: number;
  status: string;
  requested_by: string;
  triggers: string;
  usage_id: number;
  system: string;
  model_messages: string;
  pending: string;
  [key: string]: SqlStorageValue;
}

/** A mention (by message seq) or a scheduled job's prompt, waiting for a turn. */
export interface QueuedMention {
  /** Dedupe key: `m:<seq>` or `job:<id>:<at>`. */
  key: string;
  seq: number | null;
  prompt: string | null;
  member: Actor;
}

/** Mentions waiting for a turn, without creating tables in a room that never had any. */
export function queuedMentions(sql: SqlStorage): number {
  const exists = sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'assistant_queue'").toArray().length > 0;
  return exists ? sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM assistant_queue").one().n : 0;
}

export class TurnStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS assistant_turns (
      seq INTEGER PRIMARY KEY,
      status TEXT NOT NULL,
      requested_by TEXT NOT NULL,
      triggers TEXT NOT NULL,
      usage_id INTEGER NOT NULL,
      system TEXT NOT NULL,
      model_messages TEXT NOT NULL DEFAULT '[]',
      pending TEXT NOT NULL DEFAULT '[]'
    )`);
    sql.exec(`CREATE TABLE IF NOT EXISTS assistant_queue (
      key TEXT PRIMARY KEY,
      seq INTEGER,
      prompt TEXT,
      member TEXT NOT NULL,
      queued_at INTEGER NOT NULL
    )`);
  }

  enqueue(mention: QueuedMention, now: number): void {
    this.sql.exec(
      "INSERT OR IGNORE INTO assistant_queue (key, seq, prompt, member, queued_at) VALUES (?, ?, ?, ?, ?)",
      mention.key,
      mention.seq,
      mention.prompt,
      JSON.stringify(mention.member),
      now,
    );
  }

  isQueued(key: string): boolean {
    return this.sql.exec("SELECT 1 FROM assistant_queue WHERE key = ?", key).toArray().length > 0;
  }

  /** Takes every queued mention, oldest first. */
  takeQueue(): QueuedMention[] {
    const rows = this.sql
      .exec<{ key: string; seq: number | null; prompt: string | null; member: string; queued_at: number }>(
        "DELETE FROM assistant_queue RETURNING key, seq, prompt, member, queued_at",
      )
      .toArray()
      .sort((a, b) => a.queued_at - b.queued_at || (a.seq ?? 0) - (b.seq ?? 0));
    return rows.map((r) => ({ key: r.key, seq: r.seq, prompt: r.prompt, member: JSON.parse(r.member) as Actor }));
  }

  queued(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM assistant_queue").one().n;
  }

  create(turn: Omit<TurnRecord, "status" | "modelMessages" | "pending">): void {
    this.sql.exec(
      "INSERT INTO assistant_turns (seq, status, requested_by, triggers, usage_id, system) VALUES (?, 'running', ?, ?, ?, ?)",
      turn.seq,
      JSON.stringify(turn.requestedBy),
      JSON.stringify(turn.triggers),
      turn.usageId,
      turn.system,
    );
  }

  get(seq: number): TurnRecord | null {
    const row = this.sql.exec<TurnRow>("SELECT * FROM assistant_turns WHERE seq = ?", seq).toArray()[0];
    return row ? toTurn(row) : null;
  }

  /** The room's current turn, running or waiting, if any. */
  current(): TurnRecord | null {
    const row = this.sql.exec<TurnRow>("SELECT * FROM assistant_turns ORDER BY seq LIMIT 1").toArray()[0];
    return row ? toTurn(row) : null;
  }

  wait(seq: number, modelMessages: ModelMessage[], pending: PendingApproval[]): void {
    this.sql.exec(
      "UPDATE assistant_turns SET status = 'waiting', model_messages = ?, pending = ? WHERE seq = ?",
      JSON.stringify(withoutImages(modelMessages)),
      JSON.stringify(pending),
      seq,
    );
  }

  savePending(seq: number, pending: PendingApproval[]): void {
    this.sql.exec("UPDATE assistant_turns SET pending = ? WHERE seq = ?", JSON.stringify(pending), seq);
  }

  resume(seq: number): void {
    this.sql.exec("UPDATE assistant_turns SET status = 'running', pending = '[]' WHERE seq = ?", seq);
  }

  remove(seq: number): void {
    this.sql.exec("DELETE FROM assistant_turns WHERE seq = ?", seq);
  }
}

function toTurn(row: TurnRow): TurnRecord {
  return {
    seq: row.seq,
    status: row.status as TurnRecord["status"],
    requestedBy: JSON.parse(row.requested_by) as Actor[],
    triggers: JSON.parse(row.triggers) as number[],
    usageId: row.usage_id,
    system: row.system,
    modelMessages: JSON.parse(row.model_messages) as ModelMessage[],
    pending: JSON.parse(row.pending) as PendingApproval[],
  };
}
