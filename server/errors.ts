/** An error as one line people can read, cut to `max` characters. */
export function errorText(err: unknown, max = 400): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
