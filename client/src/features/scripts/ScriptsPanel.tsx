import type { ScriptDetail, ScriptItem } from "../../../../shared/protocol";
import type { CommandEntry } from "../room/commandLog";
import type { RoomActions } from "../room/useRoom";
import { CommandNote } from "../../components/CommandNote";
import { SidePanel } from "../../components/SidePanel";
import { ScriptRow } from "./ScriptRow";
import "./scripts.css";
import "../assistant/ToolCard.css";

/**
 * The room's saved Code Mode scripts, newest version of each. Run posts the
 * run to the room as a code card; the room decides who may and says why not.
 */
export function ScriptsPanel({
  id,
  items,
  code,
  canAct,
  result,
  actions,
  onClose,
}: {
  id: string;
  items: ScriptItem[];
  /** Code fetched so far, by script name. */
  code: Record<string, ScriptDetail>;
  canAct: boolean;
  result: CommandEntry | null;
  actions: RoomActions;
  onClose: () => void;
}) {
  return (
    <SidePanel id={id} testId="scripts-panel" title="Scripts" closeLabel="Close scripts" onClose={onClose}>
      {result && (
        <CommandNote entry={result} testId="scripts-result" onDismiss={() => actions.dismissCommand(result.id)} />
      )}
      {items.length === 0 ? (
        <p className="muted" data-testid="scripts-empty">
          No saved scripts yet. After a successful code run, type <code>/scripts save &lt;name&gt;</code> in the
          composer (or use “Save as script” on its code card) to keep it; run it later with{" "}
          <code>/run &lt;name&gt;</code>.
        </p>
      ) : (
        <ul className="script-list" aria-label="Saved scripts">
          {items.map((item) => (
            <ScriptRow key={item.name} item={item} detail={code[item.name]} canAct={canAct} actions={actions} />
          ))}
        </ul>
      )}
    </SidePanel>
  );
}
