/**
 * Who mention tokens name, for every message body in the room: the
 * members list (everyone with a role) and presence, by id, so a rename
 * shows at once in old messages too.
 */
import { createContext, useContext, useMemo, type ReactNode } from "react";
import type { PresenceMember } from "../../../../shared/protocol";
import type { MentionNames } from "../../markdown";

const Names = createContext<MentionNames | null>(null);

export function MentionNamesProvider({
  members,
  presence,
  self,
  children,
}: {
  members: ReadonlyArray<{ id: string; name: string }>;
  presence: readonly PresenceMember[];
  self: string | undefined;
  children: ReactNode;
}) {
  const value = useMemo<MentionNames>(() => {
    const byId = new Map(members.map((m) => [m.id, m.name]));
    for (const p of presence) byId.set(p.id, p.name);
    return { nameOf: (id) => byId.get(id) ?? null, self };
  }, [members, presence, self]);
  return <Names.Provider value={value}>{children}</Names.Provider>;
}

export function useMentionNames(): MentionNames | null {
  return useContext(Names);
}
