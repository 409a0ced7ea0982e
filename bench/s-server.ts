/**
 * S: a Socket.IO 4.8 server — the Node chat server many people would write
 * themselves — beside W (bench/w-server.ts, plain `ws`). WebSocket
 * transport only (no long-polling, no upgrade dance), in-memory rooms
 * (`socket.join` + `io.to(room).emit`, Socket.IO's default adapter), no
 * persistence: history is an array, as in W.
 *
 * Frames are W's, carried as one Socket.IO event `m` whose argument is the
 * frame object (the wire then reads `42["m",{"type":…}]`; the driver strips
 * the envelope: bench/lib/client.ts). A broadcast is encoded once by the
 * adapter for all of the room's sockets.
 *
 * Runs as its own process (`node bench/s-server.ts PORT`), measured from
 * /proc like W. Prints `listening <port>`.
 */
import { createServer } from "node:http";
import { Server, type Socket } from "socket.io";

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

const history = new Map<string, Message[]>();

const http = createServer();
const io = new Server(http, { transports: ["websocket"], perMessageDeflate: false, httpCompression: false, serveClient: false });

io.on("connection", (socket: Socket) => {
  const name = String(socket.handshake.query.room ?? "");
  let messages = history.get(name);
  if (!messages) history.set(name, (messages = []));
  const log = messages;
  void socket.join(name);
  socket.emit("m", { type: "snapshot", reason: "join", ...page(log, null) });
  socket.on("m", (frame: { type: string; id?: string; text?: string; before?: number }) => {
    if (frame?.type === "send") {
      const seq = log.length + 1;
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
      log.push(message);
      io.to(name).emit("m", { type: "message", message });
      socket.emit("m", { type: "ack", id: frame.id, seq, rev: seq, duplicate: false });
    } else if (frame?.type === "history") {
      socket.emit("m", { type: "page", before: frame.before, ...page(log, frame.before ?? null) });
    } else if (frame?.type === "ping") {
      socket.emit("m", { type: "pong" });
    }
  });
});

function page(log: Message[], before: number | null) {
  const end = before === null ? log.length : Math.max(0, Math.min(log.length, before - 1));
  const start = Math.max(0, end - PAGE);
  return { messages: log.slice(start, end), hasMore: start > 0 };
}

http.listen(Number(process.argv[2] ?? 0), "127.0.0.1", () => {
  const address = http.address();
  console.log(`listening ${typeof address === "object" && address ? address.port : address}`);
});
