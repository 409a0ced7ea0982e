import type { McpServerView } from "../../../../shared/protocol";
import { openConsent } from "./McpPanel";

/**
 * Private "Authorize <server>" cards: a call for this member needs their own
 * account on a personal MCP server. Only their `mcp` frame marks it
 * (`grant.asked`), so nobody else sees the card; the waiting call goes on
 * once they consent, and the card goes when the grant is ready.
 */
export function AuthorizeCards({ servers, authorize }: { servers: McpServerView[]; authorize: (server: string) => void }) {
  const asked = servers.filter((s) => s.grant?.asked && s.grant.state !== "ready");
  if (asked.length === 0) return null;
  return (
    <div className="elicitations" aria-label="Authorizations requested from you">
      {asked.map((s) => {
        const domain = s.grant?.domain;
        return (
          <section key={s.id} className="elicitation-card" data-testid="authorize-card" data-server={s.name} aria-label={`Authorize ${s.name}`}>
            <h3>Authorize {s.name}</h3>
            <p className="small">
              A call needs your own {s.name} account. Only you see this; the call waits for you.
              {domain && (
                <>
                  {" "}You will sign in at <strong data-testid="authorize-domain">{domain}</strong>.
                </>
              )}
            </p>
            {s.authUrl ? (
              <button type="button" className="primary" data-testid="authorize-open" onClick={() => openConsent(s.authUrl!)}>
                Authorize{domain ? ` at ${domain}` : ""}
              </button>
            ) : (
              <button type="button" className="primary" data-testid="authorize-start" onClick={() => authorize(s.name)}>
                Start authorization
              </button>
            )}
          </section>
        );
      })}
    </div>
  );
}
