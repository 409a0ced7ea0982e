import { useId, useState, type FormEvent } from "react";
import { LIMITS } from "../../../../shared/limits";
import { DisplayName } from "../../../../shared/protocol";
import { saveDisplayName, useExpiredMember, useSession } from "./session";
import "./account.css";

/** Choose or change the display name; renaming keeps the member id. */
export function NameForm({ compact = false }: { compact?: boolean }) {
  const session = useSession();
  const expired = useExpiredMember();
  const current = session?.member.name ?? "";
  // null = "not edited": the field follows the stored name (also from other tabs).
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const inputId = useId();
  const errorId = useId();
  const value = draft ?? current;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const parsed = DisplayName.safeParse(value);
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message ?? "That name cannot be used.");
      return;
    }
    setSaving(true);
    setError(null);
    try {
      await saveDisplayName(parsed.data);
      setDraft(null);
    } catch (err) {
      setError(err instanceof Error ? err.message : "Saving the name failed.");
    } finally {
      setSaving(false);
    }
  };

  return (
    <form className={compact ? "name-form compact" : "name-form"} onSubmit={submit}>
      {!session && expired && (
        // Saying so instead of quietly making a new member: a new guest is a
        // different person to every room (an owner would lose their rooms).
        <p className="form-note" role="status" data-testid="session-expired">
          Your session as “{expired.name}” has ended on this device. Saving a name below makes you a new guest.
        </p>
      )}
      <label htmlFor={inputId}>Your display name</label>
      <div className="row">
        <input
          id={inputId}
          data-testid="display-name-input"
          value={value}
          maxLength={LIMITS.displayName}
          autoComplete="nickname"
          placeholder="e.g. Alice"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          onChange={(e) => {
            setDraft(e.target.value);
            setError(null);
          }}
        />
        <button
          type="submit"
          data-testid="display-name-save"
          disabled={saving || value.trim() === "" || (session !== null && value === current)}
        >
          {session ? "Rename" : "Save name"}
        </button>
      </div>
      {error && (
        <p id={errorId} className="form-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
