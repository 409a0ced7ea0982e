/**
 * What one model run (a turn, or its continuation after an approval) used,
 * in tokens, whatever way it ends.
 *
 * Each finished step adds the usage the provider reported for it. A step
 * that never finished (the turn was stopped, or the model failed mid-way)
 * and a step whose provider reported no usage are charged an estimate
 * instead: its prompt (system and messages, four characters a token) plus
 * what it streamed (text and tool-call inputs, four characters a token).
 * The estimate errs high for a call that failed before the provider did any
 * work — a budget should not be escapable by failing.
 */
import type { LanguageModelUsage, ModelMessage } from "ai";

const CHARS_PER_TOKEN = 4;

export class TurnUsage {
  private reported = 0;
  private streamedChars = 0;
  /** The model is called as soon as the run starts: a step is open until it finishes. */
  private open = true;
  private readonly promptTokens: number;

  constructor(system: string, messages: ModelMessage[]) {
    this.promptTokens = Math.ceil((system.length + JSON.stringify(messages).length) / CHARS_PER_TOKEN);
  }

  stepStarted(): void {
    this.open = true;
  }

  streamed(chars: number): void {
    this.streamedChars += chars;
  }

  stepFinished(usage: LanguageModelUsage | undefined): void {
    const total = usage?.totalTokens ?? sum(usage?.inputTokens, usage?.outputTokens);
    this.reported += total ?? this.estimate();
    this.streamedChars = 0;
    this.open = false;
  }

  /** Tokens to charge: reported steps, plus an estimate for a step still open. */
  tokens(): number {
    return this.reported + (this.open ? this.estimate() : 0);
  }

  private estimate(): number {
    return this.promptTokens + Math.ceil(this.streamedChars / CHARS_PER_TOKEN);
  }
}

function sum(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined && b === undefined ? undefined : (a ?? 0) + (b ?? 0);
}
