import type { ToolPreview } from "./toolPreview";

/**
 * A finished call's result at a glance: its first lines as text (React
 * escapes it: markup a tool returns shows as markup, never as HTML) and
 * thumbnails of its images. The images are data: URIs toolPreview built
 * from the result itself, so showing them asks no server for anything.
 */
export function ResultPreview({ preview }: { preview: ToolPreview }) {
  if (preview.text === "" && preview.images.length === 0) return null;
  return (
    <div className={`tool-preview${preview.isError ? " tool-preview-error" : ""}`} data-testid="tool-preview">
      {preview.text !== "" && (
        <p className="tool-preview-text" data-testid="tool-preview-text">
          {preview.text}
        </p>
      )}
      {preview.images.length > 0 && (
        <div className="tool-preview-images">
          {preview.images.map((image, i) => (
            <img
              key={i}
              className="tool-preview-image"
              data-testid="tool-preview-image"
              src={image.src}
              alt={`Image ${i + 1} of the result (${image.mimeType})`}
              loading="lazy"
              decoding="async"
            />
          ))}
        </div>
      )}
    </div>
  );
}
