/** The members slice: who is here now, everyone with a role, and (for owners) the invites. */
import type { InviteItem, PresenceMember, Role, RoomMember } from "../../../../shared/protocol";
import type { FrameReducers } from "../room/slice";

export interface MembersState {
  /** This member, from `welcome`; a `members` frame may change its role. */
  self: { id: string; name: string; role: Role } | null;
  presence: PresenceMember[];
  /** Everyone with a role in the room (the last `members` frame), and how many there are. */
  members: RoomMember[];
  membersTotal: number;
  /** The room's invites (owners only: the room sends `invites` to no one else). */
  invites: InviteItem[];
}

export const initialMembers = (): MembersState => ({ self: null, presence: [], members: [], membersTotal: 0, invites: [] });

export const memberFrames: FrameReducers<MembersState, "presence" | "members" | "invites"> = {
  presence: (state, frame) => ({ ...state, presence: frame.members }),
  members: (state, frame) => {
    // An owner may have changed this member's role: the list is the room's word on it.
    const mine = state.self && frame.members.find((m) => m.id === state.self!.id);
    const self = mine && mine.role !== state.self!.role ? { ...state.self!, role: mine.role } : state.self;
    return { ...state, self, members: frame.members, membersTotal: frame.total };
  },
  invites: (state, frame) => ({ ...state, invites: frame.items }),
};
