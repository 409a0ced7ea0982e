import { useEffect, useRef, useState, type FormEvent, type ReactNode } from "react";
import type { SearchResult } from "../../../../shared/protocol";
import { SidePanel } from "../../components/SidePanel";
import { formatFullTime } from "../../time";
import type { RoomActions } from "../room/useRoom";
import type { SearchState } from "./state";
import "./search.css";

/**
 * The snippet with its matches marked: text nodes and <mark> elements that
 * React builds, never markup from the room (the snippet is plain text).
 */
function Highlighted({ text, ranges }: { text: string; ranges: ReadonlyArray<readonly [number, number]> }) {
  const parts: ReactNode[] = [];
  let at = 0;
  for (const [start, end] of ranges) {
    if (start < at || end > text.length || end <= start) continue;
    if (start > at) parts.push(text.slice(at, start));
    parts.push(<mark key={start}>{text.slice(start, end)}</mark>);
    at = end;
  }
  if (at < text.length) parts.push(text.slice(at));
  return <>{parts}</>;
}

/** Search over the room's whole history; a result jumps to its message (or opens its thread). */
export function SearchPanel({
  id,
  search,
  actions,
  onOpenThread,
  onClose,
}: {
  id: string;
  search: SearchState["search"];
  actions: RoomActions;
  onOpenThread: (parent: number) => void;
  onClose: () => void;
}) {
  const [query, setQuery] = useState(search?.query ?? "");
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (query.trim()) actions.search(query.trim());
  };
  const open = (r: SearchResult) => {
    const m = r.message;
    // A reply seen only in its thread: jump to its parent and open the thread beside it.
    if (m.threadOf != null && !m.alsoToRoom) {
      actions.jumpTo(m.threadOf);
      onOpenThread(m.threadOf);
    } else {
      actions.jumpTo(m.seq);
    }
  };
  return (
    <SidePanel id={id} testId="search-panel" title="Search" closeLabel="Close search" onClose={onClose}>
      <form className="search-form" role="search" onSubmit={submit}>
        <input
          ref={input}
          type="search"
          aria-label="Search messages"
          data-testid="search-input"
          placeholder="Words, from:name, in:thread, before:2026-01-31"
          maxLength={200}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <button type="submit">Search</button>
      </form>
      {search?.error && (
        <p className="search-error" role="alert" data-testid="search-error">
          {search.error}
        </p>
      )}
      {search?.indexing && <p className="muted">Older messages are still being indexed: search again shortly for complete results.</p>}
      {search && !search.loading && !search.error && search.results.length === 0 && (
        <p className="muted" data-testid="search-empty">
          No messages match.
        </p>
      )}
      {search && search.results.length > 0 && (
        <ul className="search-results" aria-label="Search results">
          {search.results.map((r) => (
            <li key={r.message.seq} className="search-result" data-testid="search-result" data-seq={r.message.seq}>
              <button type="button" className="search-open" onClick={() => open(r)}>
                <span className="search-meta">
                  <span className="search-author">{r.message.author.name}</span>
                  {r.message.threadOf != null && <span className="muted"> in a thread</span>}
                  <span className="muted"> · </span>
                  <time dateTime={new Date(r.message.createdAt).toISOString()}>{formatFullTime(r.message.createdAt)}</time>
                </span>
                <span className="search-snippet">
                  <Highlighted text={r.snippet} ranges={r.highlights} />
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {search?.loading && <p className="muted">Searching…</p>}
      {search && search.hasMore && !search.loading && (
        <button type="button" onClick={() => actions.search(search.query, true)}>
          More results
        </button>
      )}
    </SidePanel>
  );
}
