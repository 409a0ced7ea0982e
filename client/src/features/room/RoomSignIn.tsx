import { RoomDoor } from "./RoomDoor";
import { NameForm } from "../account/NameForm";
import { SignInOptions } from "../account/SignInOptions";

/** A room link opened by nobody yet: a name (a new guest) or a way back in as who they were comes first. */
export function RoomSignIn({ title }: { title: string }) {
  return (
    <RoomDoor title={title}>
      <p>Choose a display name to enter this room, or sign in as who you were.</p>
      <NameForm />
      <SignInOptions />
    </RoomDoor>
  );
}
