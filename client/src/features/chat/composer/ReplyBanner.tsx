/** Above the composer while answering a message: whom, and a way to stop replying. */
export function ReplyBanner({ id, author, onCancel }: { id: string; author: string; onCancel: () => void }) {
  return (
    <div className="reply-banner" data-testid="reply-banner">
      <span id={id}>
        Replying to <strong>{author}</strong>
      </span>
      <button type="button" data-testid="cancel-reply" onClick={onCancel} aria-label={`Cancel reply to ${author}`}>
        Cancel
      </button>
    </div>
  );
}
