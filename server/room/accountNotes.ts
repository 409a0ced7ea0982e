/**
 * The room's side of "my rooms": each member's Account object learns that
 * they belong here, with which role, or that they no longer do. The calls
 * run after the response (waitUntil), so no frame waits for an Account.
 */
import type { Account } from "../accounts/Account";
import type { Actor } from "./actor";
import type { RoomKernel } from "./kernel";

export class AccountNotes {
  /** `member role` pairs told to Accounts since this instance woke. */
  private readonly noted = new Set<string>();

  constructor(
    private readonly room: Pick<RoomKernel, "name" | "members">,
    private readonly accounts: DurableObjectNamespace<Account>,
    private readonly waitUntil: (work: Promise<unknown>) => void,
  ) {}

  /**
   * Tells the member's Account that they belong here, with which role. Once
   * per member and role per wake: rooms are evicted after ~10 idle seconds,
   * so a long-lived list stays current without an RPC per join.
   */
  note(member: Actor): void {
    const key = `${member.id} ${member.role}`;
    if (this.noted.has(key)) return;
    this.noted.add(key);
    const visibility = this.room.members.info()?.visibility ?? "public";
    this.waitUntil(
      this.accounts
        .getByName(member.id)
        .noteRoom(this.room.name, member.role, visibility, Date.now())
        .catch((err: unknown) => {
          this.noted.delete(key);
          console.error(`room ${this.room.name}: account update failed`, err);
        }),
    );
  }

  /** A role changed (or the member is gone, role null): the Account follows, even back to a role noted before in this wake. */
  changed(member: Actor | { id: string; name: string }, role: Actor["role"] | null): void {
    for (const key of this.noted) if (key.startsWith(`${member.id} `)) this.noted.delete(key);
    if (role) this.note({ id: member.id, name: member.name, role });
    else this.forget(member.id);
  }

  private forget(memberId: string): void {
    this.waitUntil(
      this.accounts
        .getByName(memberId)
        .forgetRoom(this.room.name)
        .catch((err: unknown) => console.error(`room ${this.room.name}: account update failed`, err)),
    );
  }
}
