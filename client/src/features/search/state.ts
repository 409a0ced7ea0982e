/**
 * The search slice: the member's current search and its results (pages
 * appended as they come). Only the answer to the latest request counts: a
 * slow answer to an earlier query never replaces a newer one's.
 */
import type { SearchResult } from "../../../../shared/protocol";
import type { FrameReducers } from "../room/slice";

export interface SearchState {
  search: {
    /** The latest request's id (a page's request replaces it). */
    id: string;
    query: string;
    results: SearchResult[];
    hasMore: boolean;
    /** Older history is still being indexed. */
    indexing: boolean;
    loading: boolean;
    error: string | null;
  } | null;
}

export const initialSearch = (): SearchState => ({ search: null });

export const searchFrames: FrameReducers<SearchState, "search_results"> = {
  search_results: (state, frame) => {
    const current = state.search;
    if (!current || current.id !== frame.id) return state;
    // A next page adds to what is shown; a first page replaces it.
    const results = frame.before === null ? frame.results : [...current.results, ...frame.results];
    return { ...state, search: { ...current, results, hasMore: frame.hasMore, indexing: frame.indexing, loading: false, error: null } };
  },
};

/** A search (or its next page, `more`) went out as request `id`. */
export function searchStarted<S extends SearchState>(state: S, id: string, query: string, more: boolean): S {
  const keep = more && state.search?.query === query ? state.search.results : [];
  return {
    ...state,
    search: { id, query, results: keep, hasMore: false, indexing: state.search?.indexing ?? false, loading: true, error: null },
  };
}

/** The room refused the latest search (its `error` frame names the request): shown in the panel, not the banner. */
export function searchRefused<S extends SearchState>(state: S, ref: unknown, message: string): S | null {
  if (typeof ref !== "string" || state.search?.id !== ref) return null;
  return { ...state, search: { ...state.search, loading: false, error: message } };
}

export function searchCleared<S extends SearchState>(state: S): S {
  return { ...state, search: null };
}
