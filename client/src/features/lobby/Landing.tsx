import { useEffect, useId, useState, type FormEvent } from "react";
import { PublicRoomName } from "../../../../shared/rooms";
import { postPrivateRoom, postPublicRoom } from "../../api";
import { navigate, roomPath } from "../../router";
import { useSession } from "../account/session";
import { LobbyList } from "./LobbyList";
import { Link } from "../../components/Link";
import { MyRooms } from "./MyRooms";
import { NameForm } from "../account/NameForm";
import { SignInOptions } from "../account/SignInOptions";
import "./lobby.css";

/** The front page: who you are, your rooms, the public ones, and joining or creating a room. */
export function Landing() {
  const session = useSession();
  const [roomName, setRoomName] = useState("");
  const [joinError, setJoinError] = useState<string | null>(null);
  const [createError, setCreateError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const roomInputId = useId();
  const joinErrorId = useId();
  const needName = session === null;

  useEffect(() => {
    document.title = "Hearth";
  }, []);

  const join = (e: FormEvent) => {
    e.preventDefault();
    const parsed = PublicRoomName.safeParse(roomName);
    if (!parsed.success) {
      setJoinError(parsed.error.issues[0]?.message ?? "That is not a valid room name.");
      return;
    }
    // A name nobody created yet opens a "create it?" card there.
    navigate(roomPath(parsed.data));
  };

  const createPublic = async () => {
    const parsed = PublicRoomName.safeParse(roomName);
    if (!parsed.success) {
      setJoinError(parsed.error.issues[0]?.message ?? "That is not a valid room name.");
      return;
    }
    setCreating(true);
    setJoinError(null);
    try {
      navigate((await postPublicRoom(parsed.data)).path);
    } catch (err) {
      setJoinError(err instanceof Error ? err.message : "Creating the room failed.");
      setCreating(false);
    }
  };

  const createPrivate = async () => {
    if (!session) return;
    setCreating(true);
    setCreateError(null);
    try {
      const created = await postPrivateRoom();
      navigate(created.path);
    } catch (err) {
      setCreateError(err instanceof Error ? err.message : "Creating the room failed.");
      setCreating(false);
    }
  };

  return (
    <main className="page landing">
      <header className="landing-header">
        <h1>Hearth</h1>
        <p className="muted">Real-time chat rooms where people and an AI assistant share the conversation.</p>
        <ul className="landing-features" data-testid="landing-features">
          <li>
            Mention <code>@assistant</code> in a message and it answers in the room, where everyone watches it write.
          </li>
          <li>
            Reminders for the room or one person (<code>/remind</code>), and jobs the assistant runs on a schedule (
            <code>/schedule</code>).
          </li>
          <li>
            Each room connects its own MCP tools; with Code Mode the assistant writes a short script that calls them, and
            owners approve the risky calls.
          </li>
          <li>Sign in with a passkey to be the same member, with your rooms, on every device.</li>
        </ul>
      </header>

      <section className="card" aria-labelledby="name-heading">
        <h2 id="name-heading">Who are you?</h2>
        <NameForm />
        {needName ? (
          <>
            <p className="muted">Pick a name before entering a room — or sign in as who you were.</p>
            <SignInOptions />
          </>
        ) : (
          <p>
            <Link href="/settings" data-testid="settings-link">
              Passkeys and devices
            </Link>
          </p>
        )}
      </section>

      <MyRooms />
      <LobbyList />

      <section className="card" aria-labelledby="join-heading">
        <h2 id="join-heading">Join or start a room</h2>
        <form className="join-form" onSubmit={join}>
          <label htmlFor={roomInputId}>Public room name</label>
          <div className="row">
            <input
              id={roomInputId}
              data-testid="room-name-input"
              value={roomName}
              placeholder="e.g. general"
              autoCapitalize="none"
              spellCheck={false}
              aria-invalid={joinError ? true : undefined}
              aria-describedby={joinError ? joinErrorId : undefined}
              onChange={(e) => {
                setRoomName(e.target.value);
                setJoinError(null);
              }}
            />
            <button type="submit" data-testid="join-room" disabled={needName || roomName.trim() === ""}>
              Join
            </button>
            <button
              type="button"
              data-testid="create-public-room"
              disabled={needName || creating || roomName.trim() === ""}
              onClick={() => void createPublic()}
            >
              Create
            </button>
          </div>
          {joinError && (
            <p id={joinErrorId} className="form-error" role="alert">
              {joinError}
            </p>
          )}
        </form>
        <div className="private-create">
          <button
            type="button"
            data-testid="create-private-room"
            disabled={needName || creating}
            onClick={createPrivate}
          >
            {creating ? "Creating…" : "Create a private room"}
          </button>
          <p className="muted">
            Only people with an invite link can enter a private room. Whoever creates a room owns it, and can make it
            public or private later.
          </p>
          {createError && (
            <p className="form-error" role="alert">
              {createError}
            </p>
          )}
        </div>
      </section>
    </main>
  );
}
