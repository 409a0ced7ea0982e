import { Link } from "./Link";

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
