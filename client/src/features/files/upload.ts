/**
 * Uploads one file to the room (POST /api/rooms/<room>/files, the raw bytes):
 * XMLHttpRequest rather than fetch, for its upload progress. The session
 * cookie goes along by itself (same origin).
 */
import { UploadResponse, ApiError } from "../../../../shared/api";
import type { Attachment } from "../../../../shared/protocol";
import type { FileType } from "../../../../shared/files";

export function fileUrl(room: string, id: string): string {
  return `/api/rooms/${encodeURIComponent(room)}/files/${id}`;
}

/** An image's pixel size, for the other members' layout (null when the browser cannot decode it). */
async function measure(file: Blob): Promise<{ width: number; height: number } | null> {
  try {
    const bitmap = await createImageBitmap(file);
    const size = { width: bitmap.width, height: bitmap.height };
    bitmap.close();
    return size;
  } catch {
    return null;
  }
}

export async function uploadFile(
  room: string,
  file: File,
  type: FileType,
  onProgress: (fraction: number) => void,
  signal: AbortSignal,
): Promise<Attachment> {
  const size = type.startsWith("image/") ? await measure(file) : null;
  const query = new URLSearchParams({ name: file.name, ...(size ? { width: String(size.width), height: String(size.height) } : {}) });
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/rooms/${encodeURIComponent(room)}/files?${query}`);
    xhr.setRequestHeader("content-type", type);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new Error("The server could not be reached. Check your connection."));
    xhr.onabort = () => reject(new Error("Cancelled."));
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // not JSON: said below
      }
      if (xhr.status === 201) {
        const parsed = UploadResponse.safeParse(body);
        return parsed.success ? resolve(parsed.data.file) : reject(new Error("The server sent an unexpected answer."));
      }
      const error = ApiError.safeParse(body);
      reject(new Error(error.success ? error.data.error.message : `The server answered ${xhr.status}.`));
    };
    signal.addEventListener("abort", () => xhr.abort());
    xhr.send(file);
  });
}
