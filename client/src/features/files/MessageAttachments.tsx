/**
 * A message's files: images as thumbnails that open a viewer, the rest as
 * download cards. Every URL is the room's download endpoint, which checks
 * membership and redirects to a short-lived signed link (docs/protocol.md).
 */
import { useEffect, useRef, useState } from "react";
import { Download, X } from "lucide-react";
import { formatBytes, isImageType } from "../../../../shared/files";
import type { Attachment } from "../../../../shared/protocol";
import { useFileRoom } from "./FileRoom";
import { fileUrl } from "./upload";
import "./files.css";

/** Thumbnails are shown at most this tall (CSS keeps the aspect). */
const THUMB_MAX = 240;

export function MessageAttachments({ attachments }: { attachments: readonly Attachment[] }) {
  const room = useFileRoom();
  const [open, setOpen] = useState<Attachment | null>(null);
  return (
    <div className="attachments" data-testid="attachments">
      {attachments.map((a) =>
        isImageType(a.type) ? (
          <button key={a.id} type="button" className="thumb" aria-label={`Open ${a.name}`} onClick={() => setOpen(a)}>
            <img
              src={fileUrl(room, a.id)}
              alt={a.name}
              data-testid="attachment-image"
              loading="lazy"
              {...thumbSize(a)}
            />
          </button>
        ) : (
          <a key={a.id} className="file-card" data-testid="attachment-file" href={fileUrl(room, a.id)} download={a.name}>
            <Download size={16} aria-hidden />
            <span className="file-name">{a.name}</span>
            <span className="file-size">{formatBytes(a.size)}</span>
          </a>
        ),
      )}
      {open && <ImageViewer attachment={open} url={fileUrl(room, open.id)} onClose={() => setOpen(null)} />}
    </div>
  );
}

function thumbSize(a: Attachment): { width?: number; height?: number } {
  if (!a.width || !a.height) return {};
  const scale = Math.min(1, THUMB_MAX / a.height, (THUMB_MAX * 1.5) / a.width);
  return { width: Math.max(1, Math.round(a.width * scale)), height: Math.max(1, Math.round(a.height * scale)) };
}

/** The full image in a modal dialog; Escape (the dialog's own) or the button closes it. */
function ImageViewer({ attachment, url, onClose }: { attachment: Attachment; url: string; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  return (
    <dialog ref={ref} className="image-viewer" data-testid="image-viewer" aria-label={attachment.name} onClose={onClose} onClick={(e) => e.target === ref.current && ref.current.close()}>
      <div className="viewer-bar">
        <span className="file-name">{attachment.name}</span>
        <a href={url} download={attachment.name} aria-label={`Download ${attachment.name}`}>
          <Download size={16} aria-hidden />
        </a>
        <button type="button" aria-label="Close" onClick={() => ref.current?.close()}>
          <X size={16} aria-hidden />
        </button>
      </div>
      <img src={url} alt={attachment.name} data-testid="viewer-image" />
    </dialog>
  );
}
