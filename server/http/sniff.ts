/**
 * Checks an upload's bytes are what its type says while they stream to R2:
 * a file called .png must start like a PNG, a text file must be UTF-8
 * without NUL bytes. Only the first bytes are looked at, and the stream is
 * never gathered into memory; a mismatch errors the stream, so R2 stores
 * nothing.
 */
import { isTextType, type FileType } from "../../shared/files";

/** Bytes looked at before the first chunk goes on. */
const HEAD_BYTES = 512;

const MAGIC: Partial<Record<FileType, (head: Uint8Array) => boolean>> = {
  "image/png": (h) => starts(h, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  "image/jpeg": (h) => starts(h, [0xff, 0xd8, 0xff]),
  "image/gif": (h) => ascii(h, 0, "GIF87a") || ascii(h, 0, "GIF89a"),
  "image/webp": (h) => ascii(h, 0, "RIFF") && ascii(h, 8, "WEBP"),
  "application/pdf": (h) => ascii(h, 0, "%PDF-"),
  // A local file header, or the end record of an empty archive.
  "application/zip": (h) => starts(h, [0x50, 0x4b, 0x03, 0x04]) || starts(h, [0x50, 0x4b, 0x05, 0x06]),
};

export class ContentMismatch extends Error {}

/** Whether the first bytes of a file fit `type` (exported for the unit of the rule). */
export function headFits(type: FileType, head: Uint8Array): boolean {
  if (isTextType(type)) {
    if (head.includes(0)) return false;
    try {
      // `stream: true`: a character cut at the end of the head is not an error.
      new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(head, { stream: true });
      return true;
    } catch {
      return false;
    }
  }
  return MAGIC[type]?.(head) ?? false;
}

/** `body` as it streams, erroring with ContentMismatch when its head does not fit `type`. */
export function checkedStream(body: ReadableStream<Uint8Array>, type: FileType): ReadableStream<Uint8Array> {
  let head: Uint8Array | null = new Uint8Array(0);
  const release = (controller: TransformStreamDefaultController<Uint8Array>) => {
    const bytes = head!;
    head = null;
    if (!headFits(type, bytes)) return controller.error(new ContentMismatch(`The file's contents are not ${describe(type)}.`));
    controller.enqueue(bytes);
  };
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        if (head === null) return controller.enqueue(chunk);
        const joined = new Uint8Array(head.length + chunk.length);
        joined.set(head);
        joined.set(chunk, head.length);
        head = joined;
        if (head.length >= HEAD_BYTES) release(controller);
      },
      flush(controller) {
        if (head !== null) release(controller);
      },
    }),
  );
}

function describe(type: FileType): string {
  if (isTextType(type)) return "UTF-8 text";
  return `a ${type.split("/")[1]!.toUpperCase()} file`;
}

function starts(h: Uint8Array, bytes: number[]): boolean {
  return bytes.every((b, i) => h[i] === b);
}

function ascii(h: Uint8Array, at: number, text: string): boolean {
  return [...text].every((c, i) => h[at + i] === c.charCodeAt(0));
}
