import { useEffect, useState } from "react";

type Highlight = (code: string) => string;

let loading: Promise<Highlight> | null = null;

/** highlight.js, fetched once for the whole page the first time any code is shown. */
export function loadHighlighter(): Promise<Highlight> {
  loading ??= import("./highlightJs").then(
    (m) => m.highlightJavaScript,
    (err: unknown) => {
      // A chunk that failed to load (offline, a deploy replaced it) is tried again next time.
      loading = null;
      throw err;
    },
  );
  return loading;
}

/**
 * `code` as highlighted, sanitized HTML once highlight.js has loaded; null
 * until then, or for good if it cannot load — the caller shows the code as
 * plain text meanwhile.
 */
export function useHighlightedHtml(code: string): string | null {
  const [done, setDone] = useState<{ code: string; html: string } | null>(null);
  useEffect(() => {
    let live = true;
    loadHighlighter().then(
      (highlight) => {
        if (live) setDone({ code, html: highlight(code) });
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [code]);
  return done?.code === code ? done.html : null;
}
