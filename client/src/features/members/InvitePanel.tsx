import { useId, useState } from "react";
import type { InviteItem } from "../../../../shared/protocol";
import { postInvite } from "../../api";
import "./members.css";

/** The roles an invite may carry (never owner), as the API takes them. */
type InviteRole = Parameters<typeof postInvite>[1];

const LABELS: Record<InviteRole, { button: string; field: string }> = {
  member: { button: "Copy member invite link", field: "Member invite link (can write)" },
  viewer: { button: "Copy viewer invite link", field: "Viewer invite link (read only)" },
};

/**
 * Owner-only: makes invite links for a private room and puts them on the
 * clipboard; lists the room's invites (from the `invites` frame) with Revoke.
 */
export function InvitePanel({ room, invites, revoke }: { room: string; invites: InviteItem[]; revoke: (id: string) => void }) {
  const [options, setOptions] = useState<LinkOptions>({});
  return (
    <section className="card invites" aria-labelledby="invites-heading">
      <h2 id="invites-heading">Invite people</h2>
      <InviteOptions value={options} onChange={setOptions} />
      <InviteLink room={room} role="member" options={options} />
      <InviteLink room={room} role="viewer" options={options} />
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

/** How many may use a new link and for how long; empty: no limit, 14 days. */
type LinkOptions = NonNullable<Parameters<typeof postInvite>[2]>;

const EXPIRY_CHOICES: Array<[string, number | undefined]> = [
  ["14 days", undefined],
  ["1 day", 24],
  ["7 days", 168],
  ["30 days", 720],
];

/** The limits a new link gets: how many uses and for how long (shared by both buttons). */
function InviteOptions({ value, onChange }: { value: LinkOptions; onChange: (v: LinkOptions) => void }) {
  const usesId = useId();
  const expiryId = useId();
  return (
    <div className="invite-options">
      <label htmlFor={usesId}>Uses (empty: no limit)</label>
      <input
        id={usesId}
        type="number"
        min={1}
        max={1000}
        data-testid="invite-max-uses"
        value={value.maxUses ?? ""}
        onChange={(e) => {
          const n = Number.parseInt(e.currentTarget.value, 10);
          onChange({ ...value, maxUses: Number.isFinite(n) && n >= 1 ? Math.min(n, 1000) : undefined });
        }}
      />
      <label htmlFor={expiryId}>Works for</label>
      <select
        id={expiryId}
        data-testid="invite-expiry"
        value={String(value.expiresInHours ?? "")}
        onChange={(e) => onChange({ ...value, expiresInHours: e.currentTarget.value ? Number(e.currentTarget.value) : undefined })}
      >
        {EXPIRY_CHOICES.map(([label, hours]) => (
          <option key={label} value={hours ?? ""}>
            {label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** One role's link: create it, put it on the clipboard, and show it in case the clipboard refused. */
function InviteLink({ room, role, options }: { room: string; role: InviteRole; options: LinkOptions }) {
  const [link, setLink] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const fieldId = useId();

  const create = async () => {
    setBusy(true);
    setNote(null);
    try {
      const invite = await postInvite(room, role, options);
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
