/**
 * What the model sees: a system prompt that tells it it is one member of a
 * multi-person room, and the recent transcript with speaker labels, cut to
 * a token budget from the newest message backwards.
 */
import type { ModelMessage } from "ai";
import type { ChatMessage, PresenceMember } from "../../shared/protocol";

/** Rough and provider-independent: about four characters per token. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4) + 4;
}

export interface ContextInput {
  assistantName: string;
  roomName: string;
  now: number;
  online: PresenceMember[];
  /** Newest last; may include the turn's own (empty) message, which is skipped. */
  recent: ChatMessage[];
  /** The messages this turn answers. */
  triggers: ChatMessage[];
  /** Scheduled-job prompts this turn answers ("alice (scheduled job): …"). */
  prompts?: string[];
  /** Who asked (mentions and jobs). */
  askers?: string[];
  contextTokens: number;
}

export function buildContext(input: ContextInput): { system: string; messages: ModelMessage[] } {
  const askers = input.askers ?? [...new Set(input.triggers.map((m) => m.author.name))];
  const asks = input.triggers.length + (input.prompts?.length ?? 0);
  const system = [
    `You are @${input.assistantName}, an AI assistant and one member of the group chat room "${input.roomName}".`,
    `Several people talk here; each of their messages starts with the speaker's name ("alice: …").`,
    `Members online now: ${input.online.map((m) => m.name).join(", ") || "nobody"}.`,
    `The current time is ${new Date(input.now).toISOString()} (UTC).`,
    `You were asked by ${askers.join(", ")}. Answer the messages that mention you` +
      (asks > 1 ? " — there are several; answer them together, addressing each person." : "."),
    `Be concise and friendly; use Markdown when it helps. Do not prefix your reply with your own name.`,
    `When a tool call is denied, do not retry it; say what you could not do.`,
  ].join("\n");

  const messages: ModelMessage[] = [];
  let budget = input.contextTokens;
  for (let i = input.recent.length - 1; i >= 0; i--) {
    const m = input.recent[i]!;
    if (m.deleted || m.kind === "system" || !m.text) continue;
    const content = m.kind === "assistant" ? m.text : `${m.author.name}: ${m.text}`;
    const cost = estimateTokens(content);
    // Always keep at least the newest message, even if it alone is over budget.
    if (cost > budget && messages.length > 0) break;
    budget -= cost;
    messages.unshift(m.kind === "assistant" ? { role: "assistant", content } : { role: "user", content });
  }
  // Scheduled jobs have no message in the room: their prompt comes last.
  for (const prompt of input.prompts ?? []) messages.push({ role: "user", content: prompt });
  return { system, messages };
}
