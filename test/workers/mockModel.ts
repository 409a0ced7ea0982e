/**
 * Scripted language models for room tests (`ai/test`'s MockLanguageModelV4):
 * each model call takes the next script; a script is a list of stream parts,
 * optionally spaced in time, or a gate the test opens part by part.
 */
import type { LanguageModelV4CallOptions, LanguageModelV4StreamPart } from "@ai-sdk/provider";
import { simulateReadableStream } from "ai";
import { MockLanguageModelV4 } from "ai/test";

const usage = {
  inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 20, text: 20, reasoning: undefined },
};

export function finish(reason: "stop" | "tool-calls" = "stop"): LanguageModelV4StreamPart {
  return { type: "finish", finishReason: { unified: reason, raw: undefined }, usage } as LanguageModelV4StreamPart;
}

/** The same parts, with the model reporting `outputTokens` (and 10 input tokens) for the call. */
export function withUsage(parts: LanguageModelV4StreamPart[], outputTokens: number): LanguageModelV4StreamPart[] {
  return parts.map((p) =>
    p.type === "finish"
      ? ({ ...p, usage: { ...usage, outputTokens: { total: outputTokens, text: outputTokens, reasoning: undefined } } } as LanguageModelV4StreamPart)
      : p,
  );
}

export function textParts(chunks: string[]): LanguageModelV4StreamPart[] {
  return [
    { type: "text-start", id: "t" },
    ...chunks.map((delta): LanguageModelV4StreamPart => ({ type: "text-delta", id: "t", delta })),
    { type: "text-end", id: "t" },
    finish(),
  ];
}

export function toolCallParts(toolName: string, input: unknown, callId = `call-${toolName}`): LanguageModelV4StreamPart[] {
  return [{ type: "tool-call", toolCallId: callId, toolName, input: JSON.stringify(input) }, finish("tool-calls")];
}

/**
 * Parts the test hands over one by one, to hold a turn open. Only plain
 * data crosses from the test to the room: the stream is made inside the
 * room's model call, because workerd binds I/O objects to the Durable Object
 * that created them.
 */
export class Gate {
  private queue: Array<LanguageModelV4StreamPart | null> = [];
  push(...parts: Array<LanguageModelV4StreamPart | null>): void {
    this.queue.push(...parts);
  }
  text(delta: string): void {
    this.push({ type: "text-delta", id: "t", delta });
  }
  open(): void {
    this.push({ type: "text-start", id: "t" });
  }
  end(): void {
    this.push({ type: "text-end", id: "t" }, finish(), null);
  }
  stream(): ReadableStream<LanguageModelV4StreamPart> {
    return new ReadableStream({
      pull: async (controller) => {
        // Poll with the room's own timer: a promise resolved from the test
        // would resume the room's code in the test's I/O context.
        while (this.queue.length === 0) await new Promise((r) => setTimeout(r, 5));
        const part = this.queue.shift()!;
        if (part === null) controller.close();
        else controller.enqueue(part);
      },
    });
  }
}

export type Script =
  | { parts: LanguageModelV4StreamPart[]; delayMs?: number }
  | { gate: Gate }
  | { fail: Error };

/** A model whose n-th call plays the n-th script (the last one repeats). */
export function scriptedModel(scripts: Script[]): MockLanguageModelV4 & { calls: LanguageModelV4CallOptions[] } {
  let call = 0;
  const model = new MockLanguageModelV4({
    doStream: async () => {
      const script = scripts[Math.min(call, scripts.length - 1)]!;
      call += 1;
      if ("fail" in script) throw script.fail;
      if ("gate" in script) return { stream: script.gate.stream() };
      return {
        stream: simulateReadableStream({ chunks: script.parts, chunkDelayInMs: script.delayMs ?? 0, initialDelayInMs: 0 }),
      };
    },
  });
  return Object.assign(model, { calls: model.doStreamCalls });
}

/** The text of every prompt message of a call, for asserting on context. */
export function promptText(call: LanguageModelV4CallOptions): string {
  return JSON.stringify(call.prompt);
}

/** The text of each user message of a call's prompt, in order. */
export function userTexts(call: LanguageModelV4CallOptions): string[] {
  return call.prompt.flatMap((m) =>
    m.role === "user" ? m.content.flatMap((c) => (c.type === "text" ? [c.text] : [])) : [],
  );
}
