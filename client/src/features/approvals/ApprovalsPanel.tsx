import { BellRing } from "lucide-react";
import { SidePanel } from "../../components/SidePanel";
import type { RoomActions } from "../room/useRoom";
import type { WaitingCall } from "./waiting";
import { notificationsAllowed, requestNotifications } from "./notify";
import { useState } from "react";
import { reveal } from "../chat/reveal";
import "./approvals.css";

/**
 * "Waiting for you": every tool call this member may decide, newest last,
 * each with Approve and Deny (the same frames as the card in the chat) and a
 * link to its card; and the opt-in to a browser notification when one
 * arrives while the tab is in the background.
 */
export function ApprovalsPanel({ id, items, canAct, actions, onClose }: { id: string; items: WaitingCall[]; canAct: boolean; actions: RoomActions; onClose: () => void }) {
  const [allowed, setAllowed] = useState(notificationsAllowed());
  return (
    <SidePanel id={id} title="Waiting for you" closeLabel="Close the approvals waiting for you" onClose={onClose} testId="approvals-panel">
      {items.length === 0 ? (
        <p className="muted">Nothing is waiting for your decision.</p>
      ) : (
        <ul className="approvals-list">
          {items.map(({ seq, part }) => (
            <li key={part.callId} data-testid="approval-item" data-call-id={part.callId}>
              <code>{part.tool.replace("__", ".")}</code>
              {part.approvalsRequired && part.approvalsRequired > 1 && (
                <span className="muted small">
                  {" "}
                  {(part.approvals ?? []).length} of {part.approvalsRequired} approvals
                </span>
              )}
              {part.expiresAt !== undefined && <span className="muted small"> · until {new Date(part.expiresAt).toLocaleString()}</span>}
              <span className="row">
                <a href={`#message-${seq}`} onClick={(e) => (e.preventDefault(), reveal({ seq, flash: true }) || actions.jumpTo(seq))}>
                  Show in chat
                </a>
                {canAct && (
                  <>
                    <button type="button" data-testid="approval-approve" onClick={() => actions.approve(seq, part.callId, true)}>
                      Approve
                    </button>
                    <button type="button" className="danger" data-testid="approval-deny" onClick={() => actions.approve(seq, part.callId, false)}>
                      Deny
                    </button>
                  </>
                )}
              </span>
            </li>
          ))}
        </ul>
      )}
      {!allowed && typeof Notification !== "undefined" && (
        <button type="button" className="link" data-testid="approvals-notify" onClick={() => void requestNotifications().then(setAllowed)}>
          <BellRing size={14} aria-hidden="true" /> Notify me when a call waits for me
        </button>
      )}
    </SidePanel>
  );
}
