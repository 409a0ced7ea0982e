import { useEffect, useState } from "react";
import { activeTypers } from "./state";
import type { RoomState } from "../room/roomState";
import "./chat.css";

function describe(names: string[]): string {
  if (names.length === 0) return "";
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return `${names.length} people are typing…`;
}

/** Who else is typing; it clears itself when the deadlines pass, even if the room says nothing more. */
export function TypingLine({ state }: { state: RoomState }) {
  const [now, setNow] = useState(() => Date.now());
  const hasTypers = state.typers.length > 0;

  // Entries expire by their `until` even if the server sends nothing more.
  useEffect(() => {
    setNow(Date.now());
    if (!hasTypers) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [hasTypers, state.typers]);

  const text = describe(activeTypers(state, now).map((t) => t.name));
  return (
    <p className="typing-line" data-testid="typing-line" aria-live="polite">
      {text}
    </p>
  );
}
