/**
 * W: a plain Node `ws` broadcast server — the floor of what one process can
 * do for the same frames, with no Durable Object, no SQLite and no runtime
 * in between. Rooms are maps in memory; history is an array.
 *
 * Runs as its own process (`node bench/w-server.ts`), so its CPU and RSS are
 * measured from /proc exactly like workerd's. Prints `listening <port>`.
 */
import { WebSocketServer, type WebSocket } from "ws";

const PAGE = 50;
const AUTHOR = { id: "m_rawrawrawrawrawrawraw", name: "member" };

interface Message {
  seq: number;
  rev: number;
  id: string;
  kind: string;
  author: { id: string; name: string };
  text: string;
  createdAt: number;
  editedAt: null;
  deleted: boolean;
  replyTo: null;
  status: null;
  parts: never[];
}

interface Room {
  sockets: Set<WebSocket>;
  messages: Message[];
}

const rooms = new Map<string, Room>();

const wss = new WebSocketServer({ host: "127.0.0.1", port: Number(process.argv[2] ?? 0), perMessageDeflate: false });

wss.on("connection", (ws, req) => {
  const name = (req.url ?? "/").slice(1);
  let room = rooms.get(name);
  if (!room) rooms.set(name, (room = { sockets: new Set(), messages: [] }));
  const r = room;
  r.sockets.add(ws);
  ws.send(JSON.stringify({ type: "snapshot", reason: "join", ...page(r, null) }));
  ws.on("close", () => r.sockets.delete(ws));
  ws.on("message", (data, isBinary) => {
    if (isBinary) return;
    const frame = JSON.parse(data.toString()) as { type: string; id?: string; text?: string; before?: number; n?: number };
    if (frame.type === "send") {
      const seq = r.messages.length + 1;
      const message: Message = {
        seq,
        rev: seq,
        id: frame.id!,
        kind: "user",
        author: AUTHOR,
        text: frame.text!,
        createdAt: Date.now(),
        editedAt: null,
        deleted: false,
        replyTo: null,
        status: null,
        parts: [],
      };
      r.messages.push(message);
      const out = JSON.stringify({ type: "message", message });
      for (const s of r.sockets) s.send(out);
      ws.send(JSON.stringify({ type: "ack", id: frame.id, seq, rev: seq, duplicate: false }));
    } else if (frame.type === "history") {
      ws.send(JSON.stringify({ type: "page", before: frame.before, ...page(r, frame.before ?? null) }));
    } else if (frame.type === "ping") {
      ws.send('{"type":"pong"}');
    }
  });
});

function page(room: Room, before: number | null) {
  const end = before === null ? room.messages.length : Math.max(0, Math.min(room.messages.length, before - 1));
  const start = Math.max(0, end - PAGE);
  return { messages: room.messages.slice(start, end), hasMore: start > 0 };
}

wss.on("listening", () => {
  const address = wss.address();
  console.log(`listening ${typeof address === "object" && address ? address.port : address}`);
});
