import { Bell, Pin, Plug, ScrollText, Search, ShieldCheck, type LucideIcon } from "lucide-react";
import { SearchPanel } from "../search/SearchPanel";
import { PinnedPanel } from "../reactions/PinnedPanel";
import { messagePowers } from "../reactions/powers";
import { ApprovalsPanel } from "../approvals/ApprovalsPanel";
import { waitingFor } from "../approvals/waiting";
import { McpPanel } from "../mcp/McpPanel";
import { RemindersPanel } from "../reminders/RemindersPanel";
import { ScriptsPanel } from "../scripts/ScriptsPanel";
import { latestCommand } from "./commandLog";
import type { RoomState } from "./roomState";
import type { RoomActions } from "./useRoom";

export type Panel = "search" | "approvals" | "reminders" | "mcp" | "scripts" | "pinned";

/** The header's panel toggles, in order: test-id prefix, icon, label, and the open panel's landmark name. */
export const PANELS: ReadonlyArray<{ name: Panel; icon: LucideIcon; label: string; landmark: string }> = [
  { name: "search", icon: Search, label: "Search", landmark: "Search messages" },
  { name: "approvals", icon: ShieldCheck, label: "Approvals", landmark: "Waiting for you" },
  { name: "reminders", icon: Bell, label: "Reminders", landmark: "Reminders" },
  { name: "mcp", icon: Plug, label: "MCP", landmark: "MCP servers" },
  { name: "scripts", icon: ScrollText, label: "Scripts", landmark: "Saved scripts" },
  { name: "pinned", icon: Pin, label: "Pinned", landmark: "Pinned messages" },
];

/** What each toggle counts. */
export function panelCount(panel: Panel, state: RoomState): number {
  switch (panel) {
    case "search":
      return 0;
    case "approvals":
      return waitingFor(state.messages, state.self?.id).length;
    case "reminders":
      return state.reminders.length;
    case "mcp":
      return state.mcp.servers.length;
    case "scripts":
      return state.scripts.length;
    case "pinned":
      return state.pins.length;
  }
}

/** The one open side panel, fed its slice of the room's state: RoomView picks which. */
export function RoomPanel({
  panel,
  id,
  state,
  canAct,
  actions,
  onOpenThread,
  onClose,
}: {
  panel: Panel;
  id: string;
  state: RoomState;
  canAct: boolean;
  actions: RoomActions;
  /** Opens a thread beside the room (in this panel's place). */
  onOpenThread: (parent: number) => void;
  onClose: () => void;
}) {
  switch (panel) {
    case "search":
      return <SearchPanel id={id} search={state.search} actions={actions} onOpenThread={onOpenThread} onClose={onClose} />;
    case "approvals":
      return <ApprovalsPanel id={id} items={waitingFor(state.messages, state.self?.id)} canAct={canAct} actions={actions} onClose={onClose} />;
    case "scripts":
      return (
        <ScriptsPanel
          id={id}
          items={state.scripts}
          code={state.scriptCode}
          canAct={canAct}
          result={latestCommand(state, "scripts")}
          actions={actions}
          onClose={onClose}
        />
      );
    case "reminders":
      return (
        <RemindersPanel
          id={id}
          items={state.reminders}
          canAct={canAct}
          result={latestCommand(state, "reminders")}
          actions={actions}
          onClose={onClose}
        />
      );
    case "pinned":
      return (
        <PinnedPanel id={id} items={state.pins} mayPin={messagePowers(state.self?.role, state.room).pin} actions={actions} onClose={onClose} />
      );
    case "mcp":
      return (
        <McpPanel
          id={id}
          servers={state.mcp.servers}
          audit={state.mcp.audit}
          selfId={state.self?.id}
          canAct={canAct}
          result={latestCommand(state, "mcp")}
          actions={actions}
          onClose={onClose}
        />
      );
  }
}
