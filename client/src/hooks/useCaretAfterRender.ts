import { useLayoutEffect, useRef, type RefObject } from "react";

/**
 * Puts the caret at a position once the text that contains it is in the
 * input. It has to happen in the same commit as the text: a key pressed
 * right after accepting a completion is handled before the next animation
 * frame, so a caret moved in requestAnimationFrame sends the keystrokes
 * typed in between to the end of the text ("@Bob nch?lu" for a fast
 * "lunch?"). Layout effects run synchronously after React writes the DOM,
 * before the browser handles the next input event. When nothing re-renders
 * (the text was already that), the next frame places it instead.
 */
export function useCaretAfterRender(inputRef: RefObject<HTMLTextAreaElement | HTMLInputElement | null>): (at: number) => void {
  const pending = useRef<number | null>(null);
  const place = () => {
    const at = pending.current;
    const el = inputRef.current;
    if (at === null || !el) return;
    pending.current = null;
    el.focus();
    el.setSelectionRange(at, at);
  };
  useLayoutEffect(place);
  return (at) => {
    pending.current = at;
    requestAnimationFrame(place);
  };
}
