/**
 * Files attached to messages: the room's record of each upload.
 *
 * The bytes live in R2 (key `rooms/<room>/<id>`), streamed there by the
 * Worker (http/filesApi.ts); the room decides everything else. An upload is
 * a row here from the moment the Worker asks to store it: `reserved` while
 * the bytes stream, `stored` once they are in R2, and attached (`seq`) once
 * the uploader sends a message naming it. Only the uploader may attach it,
 * to one message, once. Who may fetch it is asked here on every download:
 * a member of the room now, and the file still attached (or the uploader's
 * own, before sending). Deleting the message (by its author, an owner or
 * moderation) drops the rows and the objects (MessageLog's `removed` hook).
 *
 * Uploads never attached stay in R2 until their uploader's next uploads push
 * them out: each member holds at most LIMITS.pendingUploadsPerMember, and a
 * new upload past that deletes the oldest unattached one (docs/architecture.md).
 */
import { LIMITS } from "../../shared/limits";
import type { Attachment } from "../../shared/protocol";
import { randomBase32 } from "../ids";
import type { Membership } from "./members";

type Row = {
  id: string;
  uploader_id: string;
  name: string;
  type: string;
  size: number;
  width: number | null;
  height: number | null;
  created_at: number;
  stored: number;
  seq: number | null;
};

export interface UploadRequest {
  name: string;
  type: string;
  size: number;
  width?: number;
  height?: number;
}

export type Refusal = { ok: false; status: 400 | 403 | 404 | 409; code: string; message: string };
export type Reservation = { ok: true; id: string; key: string } | Refusal;
export type FileAccess = { ok: true; file: Attachment; key: string } | Refusal;
export type Claim = { ok: true; attachments: Attachment[] } | { ok: false; text: string };

export class Files {
  constructor(
    private readonly sql: SqlStorage,
    private readonly room: string,
    private readonly members: Membership,
    /** Deletes objects from R2 in the background (ctx.waitUntil). */
    private readonly deleteObjects: (keys: string[]) => void,
  ) {
    sql.exec(`CREATE TABLE IF NOT EXISTS files (
      id TEXT PRIMARY KEY,
      uploader_id TEXT NOT NULL,
      name TEXT NOT NULL,
      type TEXT NOT NULL,
      size INTEGER NOT NULL,
      width INTEGER,
      height INTEGER,
      created_at INTEGER NOT NULL,
      stored INTEGER NOT NULL DEFAULT 0,
      seq INTEGER
    )`);
    // A member's unattached uploads (the cap), and a message's files (its deletion).
    sql.exec("CREATE INDEX IF NOT EXISTS files_pending ON files(uploader_id, created_at) WHERE seq IS NULL");
    sql.exec("CREATE INDEX IF NOT EXISTS files_seq ON files(seq) WHERE seq IS NOT NULL");
  }

  key(id: string): string {
    return `rooms/${this.room}/${id}`;
  }

  /** A member who may post asks to upload: a new id, or why not. */
  reserve(memberId: string, upload: UploadRequest, now: number): Reservation {
    const member = this.members.get(memberId);
    if (!member) return { ok: false, status: 403, code: "forbidden", message: "Only members of this room can attach files." };
    if (member.role === "viewer") return { ok: false, status: 403, code: "read_only", message: "Viewers can read but not attach files." };
    // Past the cap, the oldest upload never sent makes room (an abandoned draft's file).
    const pending = this.sql
      .exec<{ id: string }>("SELECT id FROM files WHERE uploader_id = ? AND seq IS NULL ORDER BY created_at", memberId)
      .toArray();
    const excess = pending.slice(0, Math.max(0, pending.length - LIMITS.pendingUploadsPerMember + 1)).map((r) => r.id);
    this.drop(excess);
    const id = `f_${randomBase32(20)}`;
    this.sql.exec(
      "INSERT INTO files (id, uploader_id, name, type, size, width, height, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      id,
      memberId,
      upload.name,
      upload.type,
      upload.size,
      upload.width ?? null,
      upload.height ?? null,
      now,
    );
    return { ok: true, id, key: this.key(id) };
  }

  /** The bytes are in R2: the upload can be attached. */
  stored(memberId: string, id: string): Attachment | null {
    const row = this.sql
      .exec<Row>("UPDATE files SET stored = 1 WHERE id = ? AND uploader_id = ? RETURNING *", id, memberId)
      .toArray()[0];
    return row ? toAttachment(row) : null;
  }

  /** The upload failed (refused bytes, R2 error): the reservation goes. */
  failed(id: string): void {
    this.sql.exec("DELETE FROM files WHERE id = ? AND stored = 0", id);
  }

  /** Checks `ids` are the sender's stored uploads, none attached yet; writes nothing. */
  claim(memberId: string, ids: readonly string[]): Claim {
    if (new Set(ids).size !== ids.length) return { ok: false, text: "The same file is attached twice." };
    const attachments: Attachment[] = [];
    for (const id of ids) {
      const row = this.sql.exec<Row>("SELECT * FROM files WHERE id = ?", id).toArray()[0];
      // Another member's upload reads as missing: ids of others' files give nothing away.
      if (!row || row.uploader_id !== memberId || row.stored !== 1) return { ok: false, text: `There is no upload ${id} of yours to attach.` };
      if (row.seq !== null) return { ok: false, text: `The file ${row.name} is attached to another message already.` };
      attachments.push(toAttachment(row));
    }
    return { ok: true, attachments };
  }

  /** The message `seq` was stored with these files. */
  attach(ids: readonly string[], seq: number): void {
    for (const id of ids) this.sql.exec("UPDATE files SET seq = ? WHERE id = ?", seq, id);
  }

  /** May `memberId` download file `id` now? */
  access(memberId: string, id: string): FileAccess {
    if (!this.members.get(memberId)) return { ok: false, status: 403, code: "forbidden", message: "Only members of this room can open its files." };
    const row = this.sql.exec<Row>("SELECT * FROM files WHERE id = ? AND stored = 1", id).toArray()[0];
    if (!row || (row.seq === null && row.uploader_id !== memberId)) {
      return { ok: false, status: 404, code: "not_found", message: "This file is not here (its message may have been deleted)." };
    }
    return { ok: true, file: toAttachment(row), key: this.key(id) };
  }

  /** A message with these files was deleted: the rows go now, the objects in the background. */
  removed(attachments: readonly Attachment[]): void {
    this.drop(attachments.map((a) => a.id));
  }

  private drop(ids: string[]): void {
    if (ids.length === 0) return;
    for (const id of ids) this.sql.exec("DELETE FROM files WHERE id = ?", id);
    this.deleteObjects(ids.map((id) => this.key(id)));
  }
}

function toAttachment(row: Row): Attachment {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    size: row.size,
    ...(row.width ? { width: row.width } : {}),
    ...(row.height ? { height: row.height } : {}),
  };
}
