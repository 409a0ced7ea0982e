/**
 * Type-level tests, checked by `npm run typecheck` (the root tsconfig
 * includes this folder) and never run: each `@ts-expect-error` below fails
 * the type check if the line under it ever compiles, so these prove that a
 * client frame type without a handler, or a table command without exactly
 * one runner, is a compile error rather than a frame or command silently
 * dropped.
 */
import type { CommandName } from "../../shared/commands";
import type { Runner, Runners } from "../../server/room/commands";
import type { FrameHandler, FrameHandlers } from "../../server/room/frames";

declare const handlers: FrameHandlers<null>;
declare const runner: Runner;

// Every frame type has a handler: the full map compiles.
export const complete: FrameHandlers<null> = handlers;

// Leaving one out does not (here `set_timezone`; the same for any other).
const { set_timezone: _setTimeZone, ...withoutOne } = handlers;
// @ts-expect-error a frame type without a handler
export const missing: FrameHandlers<null> = withoutOne;

// A handler is for its own frame type only.
declare const sendHandler: FrameHandler<"send", null>;
// @ts-expect-error a `send` handler cannot stand in for `edit`
export const wrongFrame: FrameHandlers<null> = { ...handlers, edit: sendHandler };

declare const runners: Record<CommandName, Runner>;
const { "/audit": _audit, ...withoutAudit } = runners;
// @ts-expect-error a table command without a runner
export const missingRunner: Record<CommandName, Runner> = withoutAudit;

// A capability registers exactly its own commands: not another's, not one the table lacks.
// @ts-expect-error /remind is the reminders' command, not the room's
export const borrowed: Runners<"room"> = { "/help": runner, "/remind": runner };
// @ts-expect-error /shrug is in no table
export const invented: Runners<"room"> = { "/help": runner, "/shrug": runner };
// @ts-expect-error the room owes /help
export const owed: Runners<"room"> = {};
