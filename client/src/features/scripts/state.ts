/** The scripts slice: saved Code Mode scripts, and the code fetched for them on demand. */
import type { ScriptDetail, ScriptItem } from "../../../../shared/protocol";
import type { FrameReducers } from "../room/slice";

export interface ScriptsState {
  /** The room's saved scripts (newest version of each), by name, from the last `scripts` frame. */
  scripts: ScriptItem[];
  /** Code fetched on demand (`get_script`), by script name; dropped when a newer version is listed. */
  scriptCode: Record<string, ScriptDetail>;
}

export const initialScripts = (): ScriptsState => ({ scripts: [], scriptCode: {} });

export const scriptFrames: FrameReducers<ScriptsState, "scripts" | "script"> = {
  scripts: (state, frame) => {
    const scripts = [...frame.items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // Code held for a version no longer listed is stale: the panel fetches the new one when opened.
    const scriptCode = Object.fromEntries(
      scripts.flatMap((s) => (state.scriptCode[s.name]?.version === s.version ? [[s.name, state.scriptCode[s.name]!]] : [])),
    );
    return { ...state, scripts, scriptCode };
  },
  script: (state, frame) => ({ ...state, scriptCode: { ...state.scriptCode, [frame.script.name]: frame.script } }),
};
