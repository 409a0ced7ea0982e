/**
 * The `ai/test` model the workerd tests' room answers with (see worker.ts).
 * Tests and the room run in one isolate, so a test sets it before it speaks;
 * `null` falls back to the configuration, as in production.
 */
import type { LanguageModel } from "ai";

let factory: (() => LanguageModel) | null = null;

export function setModelOverride(next: (() => LanguageModel) | null): void {
  factory = next;
}

export function testModel(): (() => LanguageModel) | null {
  return factory;
}
