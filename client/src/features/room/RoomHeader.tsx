import type { ReactNode } from "react";
import type { ConnectionState } from "./roomState";
import type { ConnectionStatus } from "./useRoom";
import { Link } from "../../components/Link";
import "./room.css";

const LABELS: Record<ConnectionStatus, string> = {
  online: "Online",
  reconnecting: "Reconnecting…",
  offline: "Offline",
  refused: "Refused",
};

/** The room's title bar: the way to the lobby, the panel toggles, and how the connection is. */
export function RoomHeader({
  title,
  status,
  connection,
  children,
}: {
  title: string;
  status: ConnectionStatus;
  connection: ConnectionState;
  /** Panel toggles, shown before the connection status. */
  children?: ReactNode;
}) {
  // The first attempt is not a *re*connection; the data attribute stays in the documented set.
  const label = status === "reconnecting" && connection === "connecting" ? "Connecting…" : LABELS[status];
  return (
    <header className="room-header">
      <Link href="/" className="brand" aria-label="Hearth lobby">
        Hearth
      </Link>
      <h1 className="room-title">{title}</h1>
      {children && <div className="header-tools">{children}</div>}
      <p className={`status status-${status}`} role="status" aria-live="polite" data-testid="connection-status" data-status={status}>
        <span className="dot" aria-hidden="true" />
        {label}
      </p>
    </header>
  );
}
