/**
 * The files waiting in the composer: each uploads as soon as it is picked,
 * pasted or dropped, and the message names the finished ones when it is
 * sent. The room's limits are checked here first (the Worker checks them
 * again), so a wrong file is explained before any byte goes out.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { fileTypeOf, formatBytes } from "../../../../shared/files";
import { LIMITS } from "../../../../shared/limits";
import type { Attachment } from "../../../../shared/protocol";
import { uploadFile } from "./upload";

export interface DraftFile {
  key: string;
  name: string;
  /** 0..1 while uploading. */
  progress: number;
  state: "uploading" | "ready" | "failed";
  attachment?: Attachment;
  /** A local preview of an image (an object URL, revoked when it goes). */
  preview?: string;
  error?: string;
}

export function useAttachments(room: string) {
  const [files, setFiles] = useState<DraftFile[]>([]);
  const aborts = useRef(new Map<string, AbortController>());
  const count = useRef(0);

  const update = (key: string, change: Partial<DraftFile>) =>
    setFiles((list) => list.map((f) => (f.key === key ? { ...f, ...change } : f)));

  const add = useCallback(
    (picked: readonly File[]) => {
      setFiles((list) => {
        const next = [...list];
        for (const file of picked) {
          const key = `f${++count.current}`;
          const name = file.name || "file";
          const type = fileTypeOf(name, file.type);
          const refuse = (error: string) => next.push({ key, name, progress: 0, state: "failed", error });
          if (next.filter((f) => f.state !== "failed").length >= LIMITS.filesPerMessage) {
            refuse(`A message carries at most ${LIMITS.filesPerMessage} files.`);
            continue;
          }
          if (!type) {
            refuse("This kind of file cannot be attached: images (PNG, JPEG, GIF, WebP), text, Markdown, CSV, JSON, PDF and ZIP can.");
            continue;
          }
          if (file.size > LIMITS.fileBytes) {
            refuse(`This file is ${formatBytes(file.size)}; files are at most ${formatBytes(LIMITS.fileBytes)}.`);
            continue;
          }
          if (file.size === 0) {
            refuse("This file is empty.");
            continue;
          }
          const abort = new AbortController();
          aborts.current.set(key, abort);
          const preview = type.startsWith("image/") ? URL.createObjectURL(file) : undefined;
          next.push({ key, name, progress: 0, state: "uploading", ...(preview ? { preview } : {}) });
          uploadFile(room, name === file.name ? file : new File([file], name, { type: file.type }), type, (progress) => update(key, { progress }), abort.signal).then(
            (attachment) => update(key, { state: "ready", progress: 1, attachment }),
            (err: unknown) => {
              if (!abort.signal.aborted) update(key, { state: "failed", error: err instanceof Error ? err.message : String(err) });
            },
          );
        }
        return next;
      });
    },
    [room],
  );

  const remove = useCallback((key: string) => {
    aborts.current.get(key)?.abort();
    aborts.current.delete(key);
    setFiles((list) => {
      const gone = list.find((f) => f.key === key);
      if (gone?.preview) URL.revokeObjectURL(gone.preview);
      return list.filter((f) => f.key !== key);
    });
  }, []);

  /** After sending: the tray empties (the uploads now belong to the message). */
  const clear = useCallback(() => {
    setFiles((list) => {
      for (const f of list) if (f.preview) URL.revokeObjectURL(f.preview);
      return [];
    });
    aborts.current.clear();
  }, []);

  useEffect(() => () => aborts.current.forEach((a) => a.abort()), []);

  const ready = files.flatMap((f) => (f.state === "ready" && f.attachment ? [f.attachment] : []));
  const uploading = files.some((f) => f.state === "uploading");
  return { files, add, remove, clear, ready, uploading };
}
