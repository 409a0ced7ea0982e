import { useId, useState } from "react";
import type { InviteItem } from "../../../shared/protocol";
import { postInvite } from "../api";

type InviteRole = "member" | "viewer";

const LABELS: Record<InviteRole, { button: string; field: string }> = {
  member: { button: "Copy member invite link", field: "Member invite link (can write)" },
  viewer: { button: "Copy viewer invite link", field: "Viewer invite link (read only)" },
};

/**
 * Owner-only: makes invite links for a private room and puts them on the
 * clipboard; lists the room's invites (from the `invites` frame) with Revoke.
 */
export function InvitePanel({ room, invites, revoke }: { room: string; invites: InviteItem[]; revoke: (id: string) => void }) {
  return (
    <section className="card invites" aria-labelledby="invites-heading">
      <h2 id="invites-heading">Invite people</h2>
      <InviteLink room={room} role="member" />
      <InviteLink room={room} role="viewer" />
      {invites.length > 0 && (
        <ul className="invite-list" aria-label="Invites">
          {invites.map((i) => (
            <li key={i.id} data-testid="invite-row" data-invite-id={i.id} data-status={i.status}>
              <span>
                {i.role} · {i.status.replace("_", " ")} · used {i.uses}
                {i.maxUses !== null ? `/${i.maxUses}` : ""} · expires {new Date(i.expiresAt).toLocaleDateString()} · by {i.createdBy.name}
              </span>
              {i.status === "active" && (
                <button type="button" data-testid="invite-revoke" onClick={() => revoke(i.id)}>
                  Revoke
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function InviteLink({ room, role }: { room: string; role: InviteRole }) {
  const [link, setLink] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const fieldId = useId();

  const create = async () => {
    setBusy(true);
    setNote(null);
    try {
      const invite = await postInvite(room, role);
      const url = new URL(invite.path, location.origin).href;
      setLink(url);
      try {
        await navigator.clipboard.writeText(url);
        setNote("Copied to the clipboard.");
      } catch {
        setNote("Copy the link from the field below.");
      }
    } catch (err) {
      setNote(err instanceof Error ? err.message : "Creating the invite failed.");
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="invite">
      <button type="button" data-testid={`create-invite-${role}`} disabled={busy} onClick={create}>
        {LABELS[role].button}
      </button>
      {link && (
        <>
          <label htmlFor={fieldId}>{LABELS[role].field}</label>
          <input
            id={fieldId}
            data-testid={`invite-${role}-link`}
            readOnly
            value={link}
            onFocus={(e) => e.currentTarget.select()}
          />
        </>
      )}
      {note && (
        <p className="muted small" role="status">
          {note}
        </p>
      )}
    </div>
  );
}
