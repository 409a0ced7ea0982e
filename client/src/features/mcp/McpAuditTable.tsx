import { formatFullTime, formatTime } from "../../time";
import { formatDuration } from "../assistant/ToolCard";
import type { McpAuditEntry } from "./state";

/** Recent tool calls, newest first: who asked, who approved, whose account it used, how it ended; every call the room made is here. */
export function McpAuditTable({ audit }: { audit: McpAuditEntry[] }) {
  const rows = [...audit].sort((a, b) => b.at - a.at);
  return (
    <div className="mcp-audit-wrap">
      <table className="mcp-audit" data-testid="mcp-audit">
        <caption>Recent tool calls</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Tool</th>
            <th scope="col">Via</th>
            <th scope="col">Requested by</th>
            <th scope="col">Approved by</th>
            <th scope="col">Account of</th>
            <th scope="col">Outcome</th>
            <th scope="col">Duration</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((e, i) => (
            <tr
              key={`${e.at}-${e.server}-${e.tool}-${i}`}
              data-testid="mcp-audit-row"
              data-tool={`${e.server}.${e.tool}`}
              data-outcome={e.outcome}
              data-requested-by={e.requestedBy}
              data-via={e.via}
              data-grant-of={e.grantOf ?? ""}
            >
              <td>
                <time dateTime={new Date(e.at).toISOString()} title={formatFullTime(e.at)}>
                  {formatTime(e.at)}
                </time>
              </td>
              <td title={e.args}>
                <code>
                  {e.server}.{e.tool}
                </code>
              </td>
              <td>{e.via}</td>
              <td>{e.requestedBy}</td>
              <td>{e.approvedBy ?? "—"}</td>
              <td title="Whose authorization the call used">{e.grantOf ?? "—"}</td>
              <td className={`outcome-${e.outcome}`} title={e.error ?? undefined}>
                {e.outcome}
              </td>
              <td>{formatDuration(e.durationMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
