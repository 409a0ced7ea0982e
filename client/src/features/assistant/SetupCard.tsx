import { MessageBody } from "../chat/MessageBody";
import "./SetupCard.css";

/** Server-made ids of "how to connect a model" messages start so (server/room/kernel.ts postSystem). */
export const isSetupMessage = (id: string) => id.startsWith("setup-");

/**
 * The room has no model yet: a friendly card with the one step that gives
 * it one, instead of an error — a new user's first mention lands here.
 */
export function SetupCard({ text }: { text: string }) {
  return (
    <div className="setup-card" role="note" aria-label="Connect a model" data-testid="setup-card">
      <strong>Connect a model to meet the assistant</strong>
      <MessageBody text={text} code />
    </div>
  );
}
