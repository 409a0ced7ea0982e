import { Link } from "./Link";

/** An address that leads nowhere (or a room name that cannot be one), with the way back. */
export function NotFound({ message }: { message: string }) {
  return (
    <main className="page narrow">
      <h1>Hearth</h1>
      <p>{message}</p>
      <p>
        <Link href="/">Back to the lobby</Link>
      </p>
    </main>
  );
}
