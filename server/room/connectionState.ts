/**
 * What the room remembers about each socket. It lives in the socket's
 * attachment (agents' `connection.setState`), which the runtime keeps with
 * the socket while the object hibernates, so presence and typing survive an
 * eviction without any in-memory map.
 */
import type { Role } from "../../shared/protocol";

export interface ConnectionState {
  memberId: string;
  name: string;
  role: Role;
  /** Epoch ms until which this socket's member shows as typing; 0 when not. */
  typingUntil: number;
  /** The member's IANA time zone (reported by the browser; "UTC" until then). */
  timeZone: string;
  /**
   * Never on a socket: set when an outside agent acts for the member through
   * the MCP endpoint (mcpserver/roomAccess.ts), so their posts say "via <client>".
   */
  via?: string;
  /** With `via`: the client's OAuth id (its icon). */
  viaApp?: string;
}
