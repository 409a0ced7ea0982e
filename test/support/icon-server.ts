/**
 * A local host for MCP clients' icons (`logo_uri`): a real PNG, an SVG with
 * script that claims to be a PNG, and a PNG too large to keep. It records
 * the headers of every request, so a test can see who asked and with what.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/** A 1×1 PNG. */
export const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");
const SVG = '<svg xmlns="http://www.w3.org/2000/svg"><script>parent.postMessage("owned", "*")</script></svg>';

export interface IconServer {
  url: string;
  host: string;
  requests: Array<{ path: string; headers: IncomingHttpHeaders }>;
  close(): Promise<void>;
}

export async function startIconServer(): Promise<IconServer> {
  const requests: IconServer["requests"] = [];
  const server = createServer((req, res) => {
    requests.push({ path: req.url ?? "", headers: req.headers });
    if (req.url === "/logo.png") return res.writeHead(200, { "Content-Type": "image/png" }).end(PNG);
    if (req.url === "/evil.png") return res.writeHead(200, { "Content-Type": "image/png" }).end(SVG);
    if (req.url === "/huge.png") return res.writeHead(200, { "Content-Type": "image/png" }).end(Buffer.concat([PNG, Buffer.alloc(100 * 1024)]));
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
