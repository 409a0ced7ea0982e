/**
 * The composer's files: a paperclip that opens the picker, and a chip per
 * file being uploaded, ready, or refused (with why), each removable.
 */
import { useRef } from "react";
import { Paperclip, X } from "lucide-react";
import { FILE_TYPES } from "../../../../shared/files";
import type { DraftFile } from "./useAttachments";
import "./files.css";

export function AttachButton({ disabled, onPick }: { disabled: boolean; onPick: (files: File[]) => void }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button type="button" className="attach-button" aria-label="Attach files" title="Attach files" disabled={disabled} onClick={() => input.current?.click()}>
        <Paperclip size={18} aria-hidden />
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        data-testid="attach-input"
        accept={[...FILE_TYPES, ".md", ".txt", ".csv", ".json"].join(",")}
        onChange={(e) => {
          onPick([...(e.target.files ?? [])]);
          e.target.value = "";
        }}
      />
    </>
  );
}

export function AttachmentTray({ files, onRemove }: { files: readonly DraftFile[]; onRemove: (key: string) => void }) {
  if (files.length === 0) return null;
  return (
    <ul className="attachment-tray" aria-label="Files to send">
      {files.map((f) => (
        <li key={f.key} className={`draft-file ${f.state}`} data-testid="draft-file" data-state={f.state}>
          {f.preview ? <img src={f.preview} alt="" className="draft-thumb" /> : <span className="draft-icon" aria-hidden>📄</span>}
          <span className="draft-name">{f.name}</span>
          {f.state === "uploading" && <progress max={1} value={f.progress} aria-label={`Uploading ${f.name}`} />}
          {f.state === "failed" && (
            <span className="draft-error" role="alert">
              {f.error}
            </span>
          )}
          <button type="button" className="draft-remove" aria-label={`Remove ${f.name}`} onClick={() => onRemove(f.key)}>
            <X size={14} aria-hidden />
          </button>
        </li>
      ))}
    </ul>
  );
}
