import { formatFullTime, formatTime } from "../../time";

/** A message's time: short in the row, the full date on hover. */
export function Timestamp({ at }: { at: number }) {
  return (
    <time dateTime={new Date(at).toISOString()} title={formatFullTime(at)}>
      {formatTime(at)}
    </time>
  );
}
