/**
 * The kinds of file a message may carry, shared by the client (which picks
 * and names the type before uploading) and the Worker (which refuses any
 * other and checks the bytes match: http/filesApi.ts). SVG is not here: an
 * SVG is a document that can run script.
 */
export const IMAGE_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"] as const;
export const TEXT_TYPES = ["text/plain", "text/markdown", "text/csv", "application/json"] as const;
export const FILE_TYPES = [...IMAGE_TYPES, ...TEXT_TYPES, "application/pdf", "application/zip"] as const;
export type FileType = (typeof FILE_TYPES)[number];

/** What a browser often leaves blank (`File.type === ""`), by extension. */
const BY_EXTENSION: Record<string, FileType> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  txt: "text/plain",
  log: "text/plain",
  md: "text/markdown",
  markdown: "text/markdown",
  csv: "text/csv",
  json: "application/json",
  pdf: "application/pdf",
  zip: "application/zip",
};

export function isFileType(type: string): type is FileType {
  return (FILE_TYPES as readonly string[]).includes(type);
}

export function isImageType(type: string): boolean {
  return (IMAGE_TYPES as readonly string[]).includes(type);
}

export function isTextType(type: string): boolean {
  return (TEXT_TYPES as readonly string[]).includes(type);
}

/** The allowed type of a file the browser describes, or null (e.g. an SVG, an executable). */
export function fileTypeOf(name: string, browserType: string): FileType | null {
  const bare = browserType.split(";")[0]!.trim().toLowerCase();
  if (isFileType(bare)) return bare;
  // A browser's guess that is not ours (e.g. "text/x-markdown", "") falls back to the extension.
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
  const guessed = ext ? BY_EXTENSION[ext] : undefined;
  if (guessed && (bare === "" || bare.startsWith("text/") || bare === "application/octet-stream")) return guessed;
  return null;
}

/** "2.4 MB", for cards and errors. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
