import type { ReactNode, Ref } from "react";
import { X, type LucideIcon } from "lucide-react";
import "./SidePanel.css";

/**
 * A room header button that opens one side panel: every panel's toggle
 * looks, counts and announces its state the same way.
 */
export function PanelToggle({
  name,
  icon: Icon,
  label,
  count,
  open,
  controls,
  onToggle,
  ref,
  className,
}: {
  /** Prefix of the test ids: `<name>-toggle`, `<name>-count`. */
  name: string;
  /** Decorative: the label names the button. */
  icon: LucideIcon;
  label: string;
  /** Shown as a badge when above zero. */
  count: number;
  open: boolean;
  /** The open panel's element id. */
  controls: string;
  onToggle: () => void;
  ref?: Ref<HTMLButtonElement>;
  /** More classes: `narrow-only` for a toggle that only phones need. */
  className?: string;
}) {
  return (
    <button
      ref={ref}
      type="button"
      className={className ? `panel-toggle ${className}` : "panel-toggle"}
      data-testid={`${name}-toggle`}
      aria-expanded={open}
      aria-controls={open ? controls : undefined}
      onClick={onToggle}
    >
      <Icon size={16} aria-hidden="true" />
      {/* Hidden, not removed, on a phone: it stays the button's name. */}
      <span className="panel-toggle-label">{label}</span>
      {count > 0 && (
        <span className="count" data-testid={`${name}-count`}>
          {count}
        </span>
      )}
    </button>
  );
}

/** The frame of one side panel: its heading and close button, then the panel's own content. */
export function SidePanel({
  id,
  testId,
  title,
  closeLabel,
  onClose,
  children,
}: {
  id: string;
  testId: string;
  title: string;
  closeLabel: string;
  onClose: () => void;
  children: ReactNode;
}) {
  return (
    // tabIndex: the room moves the focus here when the panel opens.
    <section id={id} className="side-panel" data-testid={testId} aria-labelledby={`${id}-title`} tabIndex={-1}>
      <header className="side-panel-head">
        <h2 id={`${id}-title`}>{title}</h2>
        <button type="button" className="panel-close icon-only" onClick={onClose} aria-label={closeLabel}>
          <X size={18} aria-hidden="true" />
        </button>
      </header>
      {children}
    </section>
  );
}
