/**
 * R: the raw platform baseline — a chat room written directly against the
 * Durable Object API, with no framework.
 *
 * It does the least a room must do for the same frames the app handles:
 * accept the socket with the Hibernation API (`ctx.acceptWebSocket`), parse
 * each frame once, one SQL insert per message, serialise the broadcast once
 * and loop over `ctx.getWebSockets()`. Frames carry the same fields as the
 * app's, so bytes on the wire match and the A/R ratio measures our code, not
 * payload size. Anything the app does beyond this (admission, zod, presence,
 * the agents SDK's wrappers) is what the ratios price.
 *
 * Bench-only extras: `?since=` catch-up on connect (B10's baseline: no
 * welcome, no resend logic — the driver does its own), `seed` bulk-inserts history (B5/B6), `ask` streams a
 * model answer and sends one frame per model chunk (B3's per-chunk
 * baseline), and a module-level counter of constructions proves hibernation
 * (B4).
 */
import { DurableObject } from "cloudflare:workers";

/** Constructions of RawRoom in this isolate (read by the bench worker's /bench/stats). */
export const rawStats = { constructions: 0 };

const PAGE = 50;
/** Rows a reconnect may catch up on (the app's limit); beyond it a snapshot. */
const CATCHUP = 500;
/** Same length as an app member id (`m_` + 20 base32) and a typical name. */
const RAW_AUTHOR = { id: "m_rawrawrawrawrawrawraw", name: "member" };

interface Row {
  seq: number;
  id: string;
  author_id: string;
  author_name: string;
  text: string;
  created_at: number;
  [key: string]: SqlStorageValue;
}

export class RawRoom extends DurableObject {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    rawStats.constructions++;
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS messages (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      author_id TEXT NOT NULL,
      author_name TEXT NOT NULL,
      text TEXT NOT NULL,
      created_at INTEGER NOT NULL
    )`);
  }

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") return new Response("websocket only", { status: 426 });
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    // The simplest catch-up (B10): `?since=<seq>` gets the rows after it, at
    // most CATCHUP of them, like the app's `catchup`; else, like the app's
    // join, the newest page of history.
    const since = Number(new URL(request.url).searchParams.get("since") ?? 0);
    const rows = since > 0 ? this.sql.exec<Row>("SELECT * FROM messages WHERE seq > ? ORDER BY seq LIMIT ?", since, CATCHUP + 1).toArray() : [];
    if (since > 0 && rows.length <= CATCHUP) pair[1].send(JSON.stringify({ type: "catchup", messages: rows.map(toMessage), rev: rows.at(-1)?.seq ?? since }));
    else pair[1].send(JSON.stringify({ type: "snapshot", reason: since > 0 ? "gap" : "join", ...this.page(null) }));
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    if (typeof data !== "string") return;
    const frame = JSON.parse(data) as { type: string; id?: string; text?: string; before?: number; n?: number; url?: string };
    switch (frame.type) {
      case "send": {
        const now = Date.now();
        const row = this.sql
          .exec<Row>(
            "INSERT INTO messages (id, author_id, author_name, text, created_at) VALUES (?, ?, ?, ?, ?) RETURNING *",
            frame.id!,
            RAW_AUTHOR.id,
            RAW_AUTHOR.name,
            frame.text!,
            now,
          )
          .one();
        const message = toMessage(row);
        const out = JSON.stringify({ type: "message", message });
        for (const socket of this.ctx.getWebSockets()) socket.send(out);
        ws.send(JSON.stringify({ type: "ack", id: frame.id, seq: row.seq, rev: row.seq, duplicate: false }));
        return;
      }
      case "history":
        ws.send(JSON.stringify({ type: "page", before: frame.before, ...this.page(frame.before ?? null) }));
        return;
      case "seed":
        this.seed(frame.n ?? 0);
        ws.send(JSON.stringify({ type: "seeded", n: frame.n }));
        return;
      case "ask":
        await this.ask(frame.url!);
        return;
      case "ping":
        ws.send('{"type":"pong"}');
        return;
    }
  }

  override webSocketClose(ws: WebSocket, code: number): void {
    try {
      ws.close(code === 1005 ? 1000 : code, "bye");
    } catch {
      /* already closed */
    }
  }

  private page(before: number | null) {
    const rows = (
      before === null
        ? this.sql.exec<Row>("SELECT * FROM messages ORDER BY seq DESC LIMIT ?", PAGE + 1)
        : this.sql.exec<Row>("SELECT * FROM messages WHERE seq < ? ORDER BY seq DESC LIMIT ?", before, PAGE + 1)
    ).toArray();
    return { messages: rows.slice(0, PAGE).reverse().map(toMessage), hasMore: rows.length > PAGE };
  }

  /** Bulk history for B5/B6, in one transaction (the app is seeded by real sends instead). */
  private seed(n: number): void {
    this.ctx.storage.transactionSync(() => {
      const now = Date.now();
      for (let i = 0; i < n; i++) {
        this.sql.exec(
          "INSERT INTO messages (id, author_id, author_name, text, created_at) VALUES (?, ?, ?, ?, ?)",
          `seed-${crypto.randomUUID()}`,
          RAW_AUTHOR.id,
          RAW_AUTHOR.name,
          `history message ${i} with a little text in it, like people write`,
          now,
        );
      }
    });
  }

  /**
   * B3 baseline: stream a chat completion and send every model chunk to
   * every socket as its own `draft` frame — what a room without coalescing
   * would do. The answer is stored once at the start and once at the end,
   * like the app's message row.
   */
  private async ask(baseUrl: string): Promise<void> {
    const row = this.sql
      .exec<Row>(
        "INSERT INTO messages (id, author_id, author_name, text, created_at) VALUES (?, 'assistant', 'assistant', '', ?) RETURNING *",
        `ask-${crypto.randomUUID()}`,
        Date.now(),
      )
      .one();
    const started = JSON.stringify({ type: "message", message: { ...toMessage(row), kind: "assistant", status: "streaming" } });
    for (const socket of this.ctx.getWebSockets()) socket.send(started);
    const res = await fetch(`${baseUrl}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "bench", stream: true, messages: [{ role: "user", content: "go" }] }),
    });
    const decoder = new TextDecoder();
    let buffered = "";
    let text = "";
    for await (const bytes of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffered += decoder.decode(bytes, { stream: true });
      let end: number;
      while ((end = buffered.indexOf("\n\n")) >= 0) {
        const event = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        if (!event.startsWith("data: ") || event === "data: [DONE]") continue;
        const content = (JSON.parse(event.slice(6)) as { choices?: Array<{ delta?: { content?: string } }> }).choices?.[0]?.delta
          ?.content;
        if (!content) continue;
        const out = JSON.stringify({ type: "draft", seq: row.seq, offset: text.length, text: content });
        text += content;
        for (const socket of this.ctx.getWebSockets()) socket.send(out);
      }
    }
    this.sql.exec("UPDATE messages SET text = ? WHERE seq = ?", text, row.seq);
    const done = JSON.stringify({ type: "message_updated", message: { ...toMessage({ ...row, text }), kind: "assistant", status: "done" } });
    for (const socket of this.ctx.getWebSockets()) socket.send(done);
  }
}

/** The app's message shape (same fields, same order), so frames are the same size. */
function toMessage(row: Row) {
  return {
    seq: row.seq,
    rev: row.seq,
    id: row.id,
    kind: "user",
    author: { id: row.author_id, name: row.author_name },
    text: row.text,
    createdAt: row.created_at,
    editedAt: null,
    deleted: false,
    replyTo: null,
    status: null,
    parts: [],
  };
}
