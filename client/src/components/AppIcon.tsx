import { useState } from "react";
import { Bot } from "lucide-react";

/**
 * An outside agent's icon, always from Hearth's own origin (the Worker
 * fetches and checks the app's logo: server/http/agentIcon.ts), so no
 * reader's browser ever asks the app's host. `app` is given only for an app
 * that named an icon; without one, or when Hearth would not keep it (404),
 * the generic robot.
 */
export function AppIcon({ app, size = 14 }: { app: string | undefined; size?: number }) {
  const [failed, setFailed] = useState(false);
  if (!app || failed) return <Bot size={size - 1} aria-hidden="true" />;
  return (
    <img
      className="app-icon"
      data-testid="app-icon"
      src={`/api/agent-icon/${encodeURIComponent(app)}`}
      alt=""
      width={size}
      height={size}
      loading="lazy"
      referrerPolicy="no-referrer"
      onError={() => setFailed(true)}
    />
  );
}
