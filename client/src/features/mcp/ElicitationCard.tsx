/**
 * An MCP server's question to this member, above the composer (the room
 * sends each member only the requests their own calls caused). A form shows
 * the server's fields as inputs and is checked here with the same rules the
 * room applies (shared/elicitation.ts); a URL request shows the target's
 * domain and opens it only after the member's explicit click. Fields that
 * ask for a secret get no input at all.
 */
import { Ban, Clock, ExternalLink, KeyRound, MessageSquareMore, Send, X } from "lucide-react";
import { useEffect, useId, useState, type FormEvent } from "react";
import { blockingField, checkAnswer, type ElicitationContent } from "../../../../shared/elicitation";
import type { ElicitationField, ElicitationItem } from "../../../../shared/protocol";
import type { ElicitationAction } from "../room/useRoom";
import "./elicitation.css";

interface Props {
  items: ElicitationItem[];
  errors: Record<string, string>;
  answer(id: string, action: ElicitationAction, content?: ElicitationContent): void;
  dismiss(id: string): void;
}

export function ElicitationCards({ items, errors, answer, dismiss }: Props) {
  if (items.length === 0) return null;
  return (
    <div className="elicitations" data-testid="elicitations">
      {items.map((item) => (
        <ElicitationCard key={item.id} item={item} error={errors[item.id] ?? null} answer={answer} dismiss={dismiss} />
      ))}
    </div>
  );
}

function ElicitationCard({ item, error, answer, dismiss }: { item: ElicitationItem; error: string | null } & Omit<Props, "items" | "errors">) {
  const headingId = useId();
  const secrets = item.fields.filter((f) => f.secret);
  return (
    <section className={`elicitation-card ${item.state}`} aria-labelledby={headingId} data-testid="elicitation-card">
      <h3 id={headingId}>
        <MessageSquareMore size={16} aria-hidden="true" />
        <span>
          <strong>{item.server}</strong> asks you{item.tool ? <> (while running <code>{item.tool}</code>)</> : null}
        </span>
      </h3>
      {item.message && <p className="elicitation-message">{item.message}</p>}
      {item.state === "expired" ? (
        <>
          <p className="elicitation-note" role="status">
            <Clock size={14} aria-hidden="true" /> Expired. {item.note}
          </p>
          <div className="elicitation-actions">
            <button type="button" onClick={() => dismiss(item.id)}>
              <X size={14} aria-hidden="true" /> Dismiss
            </button>
          </div>
        </>
      ) : (
        <>
          {secrets.length > 0 && (
            <p className="elicitation-secret" role="alert">
              <KeyRound size={14} aria-hidden="true" /> This server asks for{" "}
              {secrets.map((f) => f.title).join(", ")}, which looks like a password, token or key. Hearth never collects
              secrets through a form: no field is shown for it. If the server needs it, give it to the service directly.
            </p>
          )}
          {item.mode === "url" ? <UrlBody item={item} answer={answer} /> : <FormBody item={item} answer={answer} />}
          {error && (
            <p className="elicitation-error" role="alert">
              {error}
            </p>
          )}
          <Expiry at={item.expiresAt} />
        </>
      )}
    </section>
  );
}

function UrlBody({ item, answer }: { item: ElicitationItem; answer: Props["answer"] }) {
  return (
    <>
      <p>
        It wants you to open a page on <strong className="elicitation-domain">{item.domain}</strong>. Nothing opens unless
        you choose to.
      </p>
      <div className="elicitation-actions">
        <button
          type="button"
          className="primary"
          onClick={() => {
            // The member's explicit click: opened apart from this page (no opener, no referrer).
            window.open(item.url ?? "", "_blank", "noopener,noreferrer");
            answer(item.id, "accept");
          }}
        >
          <ExternalLink size={14} aria-hidden="true" /> Open {item.domain}
        </button>
        <DeclineCancel id={item.id} answer={answer} />
      </div>
    </>
  );
}

type Draft = Record<string, string | boolean | string[]>;

function initialDraft(fields: ElicitationField[]): Draft {
  const draft: Draft = {};
  for (const f of fields) {
    if (f.problem) continue;
    if (f.kind === "boolean") draft[f.name] = f.default === true;
    else if (f.kind === "multi") draft[f.name] = Array.isArray(f.default) ? f.default : [];
    else draft[f.name] = f.default === null || Array.isArray(f.default) ? "" : String(f.default);
  }
  return draft;
}

/** The draft as the values the server gets: empty optional inputs are left out, numbers are numbers. */
function contentOf(fields: ElicitationField[], draft: Draft): ElicitationContent {
  const out: ElicitationContent = {};
  for (const f of fields) {
    const v = draft[f.name];
    if (v === undefined) continue;
    if (f.kind === "boolean") out[f.name] = v === true;
    else if (f.kind === "multi") {
      if (Array.isArray(v) && (v.length > 0 || f.required)) out[f.name] = v;
    } else if (typeof v === "string" && v !== "") out[f.name] = f.kind === "number" || f.kind === "integer" ? Number(v) : v;
  }
  return out;
}

function FormBody({ item, answer }: { item: ElicitationItem; answer: Props["answer"] }) {
  const [draft, setDraft] = useState<Draft>(() => initialDraft(item.fields));
  const [problem, setProblem] = useState<string | null>(null);
  const blocking = blockingField(item.fields);
  const set = (name: string, value: Draft[string]) => setDraft((d) => ({ ...d, [name]: value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const content = contentOf(item.fields, draft);
    const checked = checkAnswer(item.fields, content);
    if (!checked.ok) return setProblem(checked.message);
    setProblem(null);
    answer(item.id, "accept", checked.content);
  };
  return (
    <form className="elicitation-form" onSubmit={submit} noValidate>
      {item.note && <p className="elicitation-note">{item.note}</p>}
      <div className="elicitation-fields">
        {item.fields.map((f) => (
          <FieldInput key={f.name} field={f} value={draft[f.name]} onChange={(v) => set(f.name, v)} />
        ))}
      </div>
      <p className="elicitation-privacy">What you send goes to {item.server}; its answer may be shown in the room.</p>
      {problem && (
        <p className="elicitation-error" role="alert">
          {problem}
        </p>
      )}
      <div className="elicitation-actions">
        <button type="submit" className="primary" disabled={blocking !== null || item.note !== null}>
          <Send size={14} aria-hidden="true" /> Send to {item.server}
        </button>
        <DeclineCancel id={item.id} answer={answer} />
      </div>
    </form>
  );
}

function DeclineCancel({ id, answer }: { id: string; answer: Props["answer"] }) {
  return (
    <>
      <button type="button" onClick={() => answer(id, "decline")}>
        <Ban size={14} aria-hidden="true" /> Decline
      </button>
      <button type="button" onClick={() => answer(id, "cancel")}>
        <X size={14} aria-hidden="true" /> Cancel
      </button>
    </>
  );
}

function FieldInput({ field: f, value, onChange }: { field: ElicitationField; value: Draft[string] | undefined; onChange(v: Draft[string]): void }) {
  const id = useId();
  const hintId = `${id}-hint`;
  const label = (
    <label htmlFor={id}>
      {f.title}
      {f.required && <span className="required"> (required)</span>}
    </label>
  );
  const hint = f.description || f.problem ? (
    <small id={hintId} className={f.problem ? "elicitation-field-problem" : undefined}>
      {f.problem ?? f.description}
    </small>
  ) : null;
  const described = hint ? hintId : undefined;
  if (f.problem) {
    return (
      <div className="elicitation-field blocked" data-field={f.name}>
        <span className="label">
          {f.secret && <KeyRound size={14} aria-hidden="true" />} {f.title}
          {f.required && <span className="required"> (required)</span>}
        </span>
        {hint}
      </div>
    );
  }
  switch (f.kind) {
    case "boolean":
      return (
        <div className="elicitation-field check" data-field={f.name}>
          <input id={id} type="checkbox" checked={value === true} aria-describedby={described} onChange={(e) => onChange(e.target.checked)} />
          {label}
          {hint}
        </div>
      );
    case "enum":
      return (
        <div className="elicitation-field" data-field={f.name}>
          {label}
          <select id={id} value={typeof value === "string" ? value : ""} aria-describedby={described} onChange={(e) => onChange(e.target.value)}>
            {!f.required || value === "" ? <option value="">—</option> : null}
            {f.options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
          {hint}
        </div>
      );
    case "multi": {
      const chosen = Array.isArray(value) ? value : [];
      return (
        <fieldset className="elicitation-field" data-field={f.name} aria-describedby={described}>
          <legend>
            {f.title}
            {f.required && <span className="required"> (required)</span>}
          </legend>
          {f.options.map((o) => (
            <label key={o.value} className="choice">
              <input
                type="checkbox"
                checked={chosen.includes(o.value)}
                onChange={(e) => onChange(e.target.checked ? [...chosen, o.value] : chosen.filter((c) => c !== o.value))}
              />
              {o.label}
            </label>
          ))}
          {hint}
        </fieldset>
      );
    }
    default: {
      const type =
        f.kind === "number" || f.kind === "integer"
          ? "number"
          : f.format === "email"
            ? "email"
            : f.format === "uri"
              ? "url"
              : f.format === "date"
                ? "date"
                : f.format === "date-time"
                  ? "datetime-local"
                  : "text";
      return (
        <div className="elicitation-field" data-field={f.name}>
          {label}
          <input
            id={id}
            type={type}
            value={typeof value === "string" ? value : ""}
            required={f.required}
            min={f.minimum ?? undefined}
            max={f.maximum ?? undefined}
            step={f.kind === "integer" ? 1 : f.kind === "number" ? "any" : undefined}
            maxLength={f.maxLength ?? undefined}
            // Never offer a saved password or card here.
            autoComplete="off"
            aria-describedby={described}
            onChange={(e) => onChange(e.target.value)}
          />
          {hint}
        </div>
      );
    }
  }
}

/** How long the member has left; the room cancels the request after that. */
function Expiry({ at }: { at: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const left = Math.max(0, Math.round((at - now) / 1000));
  const text = left >= 60 ? `${Math.floor(left / 60)} min ${left % 60} s` : `${left} s`;
  return (
    <p className="elicitation-expiry">
      <Clock size={12} aria-hidden="true" /> Cancelled unanswered in {text}.
    </p>
  );
}
